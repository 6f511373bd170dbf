//! Hosting glue: the one drain loop every stream stage runs in, and the local (single process) host.
pub mod consumer;
pub mod host;
pub mod lambda;
pub mod local;
pub mod server;
