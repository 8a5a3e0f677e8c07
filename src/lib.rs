//! wscfg: finds, explains and fixes deployment configuration that breaks WebSockets.
//!
//! Data flows one way, each layer using only those below it (see `DESIGN.md`, "Layers"):
//! discover and read every input (workspace, source) → detect the format and parse into a
//! located model (formats) → the project view (project) → each format's driver and rules
//! (rules) → suppressions, configuration and fixes (engine) → renderers (render); the
//! command line (cli) drives it.

pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod engine;
pub mod exec;
pub mod fix;
pub mod format_id;
pub mod formats;
#[doc(hidden)]
pub mod fuzzing;
pub mod generate;
pub mod project;
pub mod render;
pub mod rule_meta;
pub mod rules;
pub mod server;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod workspace;

pub use cli::run::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, run};
