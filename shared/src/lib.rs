//! livesell's common crate: domain, ports, adapters and the stage handlers.
pub mod adapters;
pub mod domain;
pub mod ports;
