//! Render Blueprints (`render.yaml`), parsed with the shared located YAML loader, and the
//! questions Render rules ask of them: each service's plan, commands and environment values,
//! and WebSocket evidence from its commands and its project's dependencies.

use std::path::Path;

use crate::formats::head::Head;
use crate::formats::spanned::Node;

pub fn is_manifest_name(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("render.yaml" | "render.yml")
    )
}

/// Other `.yaml` files the user names, when they read like a Blueprint: a top-level
/// `services:` list whose entries have a `type:` and a Render-only key.
pub fn detect_by_content(head: &Head<'_>, named: bool) -> bool {
    let name = head.name();
    if !named || !(name.ends_with(".yaml") || name.ends_with(".yml")) {
        return false;
    }
    looks_like_blueprint(head.text())
}

pub fn looks_like_blueprint(text: &str) -> bool {
    let has = |k: &str| {
        text.lines()
            .any(|l| l.trim_start().trim_start_matches("- ").starts_with(k))
    };
    text.lines().any(|l| l.starts_with("services:"))
        && has("type: web")
        && (has("startCommand:") || has("buildCommand:") || has("envVars:") || has("plan:"))
}

/// The Render host suffix whose `ws://` URLs get a 301 to HTTPS.
pub fn parse(text: &str) -> Result<Node, crate::formats::SyntaxError> {
    crate::formats::spanned::parse_yaml(text)
}

pub fn parses(text: &str) -> bool {
    parse(text).is_ok()
}
