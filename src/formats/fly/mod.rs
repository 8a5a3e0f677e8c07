//! Fly.io `fly.toml`: a typed, spanned view over the TOML document (toml_edit), WebSocket
//! service detection, and byte edits that keep every other byte of the file.

pub mod edit;
pub mod model;
pub mod settings;
pub mod websocket;

use crate::formats::head::Head;
use crate::source::{FileId, SourceFile, Span};
use std::path::Path;

pub use edit::Editor;
pub use model::FlyDoc;
pub use settings::Settings;

/// `fly.toml`, and the per-environment copies flyctl is pointed at with `-c`
/// (`fly.staging.toml`, `fly.production.toml`).
pub fn detect_by_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "fly.toml" || name.starts_with("fly.") && name.ends_with(".toml") && name.len() > 9
}

/// Other `.toml` files that read like a fly.toml: any `.toml` the user names, and `.toml`
/// files with `fly` in their name found in a walk (`fly-staging.toml`, `staging.fly.toml`),
/// when their text has a section only fly.toml has or a `primary_region`.
pub fn detect_by_content(head: &Head<'_>, named: bool) -> bool {
    let name = head.name();
    if !name.ends_with(".toml") || !(named || name.to_ascii_lowercase().contains("fly")) {
        return false;
    }
    looks_like_fly(head.text())
}

/// A fly.toml section header (`[http_service]`, `[[services]]`, `[[services.ports]]`,
/// `[[vm]]`) or a top-level `primary_region = …`.
pub fn looks_like_fly(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        let header = l
            .trim_start_matches('[')
            .split([']', '.'])
            .next()
            .unwrap_or("");
        l.starts_with('[') && matches!(header.trim(), "http_service" | "services" | "vm")
            || l.starts_with("primary_region") && l[14..].trim_start().starts_with('=')
    })
}

/// Parses a fly.toml into the model, or gives the located syntax error.
pub fn parse(text: &str) -> Result<FlyDoc, (Span, String)> {
    match toml_edit::Document::parse(text) {
        Ok(doc) => Ok(FlyDoc::build(&doc)),
        Err(e) => {
            let span = e
                .span()
                .map_or(Span::empty(0), |r| Span::new(r.start, r.end));
            let span = Span::new(span.start.min(text.len()), span.end.min(text.len()));
            let message = e.message().trim().to_owned();
            Err((span, format!("invalid TOML: {message}")))
        }
    }
}

/// Whether a text is valid TOML (the fix engine refuses results that are not).
pub fn parses(text: &str) -> bool {
    toml_edit::Document::parse(text).is_ok()
}

/// What fly rules see: one file's model, its text, and the project's settings.
pub struct FlyContext<'a> {
    pub file: FileId,
    pub src: &'a SourceFile,
    pub doc: &'a FlyDoc,
    pub settings: &'a Settings,
}

impl FlyContext<'_> {
    pub fn editor(&self) -> Editor<'_> {
        Editor {
            file: self.file,
            src: self.src,
            doc: self.doc,
        }
    }

    /// The services wscfg treats as carrying WebSockets.
    pub fn websocket_services(&self) -> impl Iterator<Item = &model::Service> {
        self.doc.services.iter().filter(|s| s.websocket.is_some())
    }
}

/// Loads one file: the model with WebSocket services marked, or the FLY000 diagnostic.
pub fn load(text: &str, settings: &Settings) -> Result<FlyDoc, (Span, String)> {
    let mut doc = parse(text)?;
    websocket::detect(text, &mut doc, settings);
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(detect_by_name(Path::new("deploy/fly.toml")));
        assert!(detect_by_name(Path::new("fly.staging.toml")));
        assert!(!detect_by_name(Path::new("fly.tomlx")));
        assert!(!detect_by_name(Path::new("fly..toml")));
        assert!(!detect_by_name(Path::new("wscfg.toml")));
        assert!(!detect_by_name(Path::new("pyproject.toml")));
    }

    #[test]
    fn content_sniffing() {
        assert!(looks_like_fly(
            "app = 'x'\n\n[http_service]\n  internal_port = 8080\n"
        ));
        assert!(looks_like_fly("[[services.ports]]\nport = 80\n"));
        assert!(looks_like_fly("primary_region = \"ams\"\n"));
        assert!(!looks_like_fly(
            "[package]\nname = \"services\"\n[dependencies]\n"
        ));
        assert!(!looks_like_fly("[tool.poetry]\nprimary_region_x = 1\n"));
        assert!(!looks_like_fly("server {\n listen 80;\n}\n"));
    }

    #[test]
    fn syntax_error_is_located() {
        let (span, msg) = parse("app = \"x\"\n[env\n").unwrap_err();
        assert!(span.start >= 10 && span.start <= 15, "{span:?}");
        assert!(msg.starts_with("invalid TOML"), "{msg}");
    }
}
