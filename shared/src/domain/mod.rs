//! Values and pure rules: no I/O crates here.
pub mod answer;
pub mod catalog;
pub mod comment;
pub mod filter;
pub mod graph_errors;
pub mod ids;
pub mod intent;
pub mod inventory;
pub mod llm;
pub mod money;
pub mod reply;
pub mod reservation;
pub mod secret;
pub mod signature;
pub mod text;
pub mod webhook;
