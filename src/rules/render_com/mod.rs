//! Render rules (render.yaml Blueprints). Each file holds one rule; what they share lives in
//! the Render model (`formats::render_com`).

mod context;
mod lint;
mod websocket_on_render;

pub use context::*;
pub use lint::*;

use super::{FixAvailability, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::formats::Format;

/// Reported by the loader when render.yaml is not valid YAML.
pub static SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "RND000",
    name: "syntax-error",
    format: Some(Format::RenderCom),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "render.yaml is not valid YAML (or cannot be read)",
};

pub static RULES: &[&dyn for<'a> Rule<RenderContext<'a>>] =
    &[&websocket_on_render::WebsocketOnRender];
