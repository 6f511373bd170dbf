//! livesell's common crate: domain, ports, adapters and the stage handlers.
pub mod adapters;
pub mod app;
pub mod config;
pub mod domain;
pub mod http;
pub mod ports;
pub mod runtime;
pub mod stages;
pub mod telemetry;
