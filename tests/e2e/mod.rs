//! End-to-end helpers: real backends, a real nginx, a real WebSocket client.

pub mod backend;
pub mod client;
pub mod nginx;
