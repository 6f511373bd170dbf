//! livesell's common crate: domain, ports, adapters and the stage handlers.
pub mod adapters;
#[cfg(feature = "native")]
pub mod app;
pub mod config;
pub mod domain;
#[cfg(feature = "native")]
pub mod http;
pub mod pipeline;
pub mod ports;
#[cfg(feature = "native")]
pub mod runtime;
#[cfg(feature = "native")]
pub mod secrets;
pub mod stages;
#[cfg(feature = "native")]
pub mod telemetry;
