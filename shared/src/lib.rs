//! livesell's common crate: domain, ports, adapters and the stage handlers.
pub mod adapters;
#[cfg(feature = "native")]
pub mod app;
pub mod config;
pub mod domain;
#[cfg(feature = "native")]
pub mod http;
pub mod ports;
#[cfg(feature = "native")]
pub mod runtime;
pub mod stages;
#[cfg(feature = "native")]
pub mod telemetry;
