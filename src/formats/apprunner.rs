//! AWS App Runner's `apprunner.yaml`, parsed with `saphyr` (a maintained YAML 1.2 parser that
//! marks every node's start and end) into the shared located tree, and the questions App
//! Runner rules ask of it: the run command, its environment, and WebSocket evidence from the
//! command and the project's dependencies.
//!
//! The same questions are asked of App Runner services declared in infrastructure code
//! (`AWS::AppRunner::Service` in CloudFormation, `aws_apprunner_service` in Terraform; see
//! [`Declared`] and `formats::iac`): their start command, build command and environment.

use std::path::Path;

use crate::formats::head::Head;
/// An apprunner.yaml is one YAML document.
pub use crate::formats::spanned::parse_yaml as parse;

pub fn is_manifest_name(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("apprunner.yaml" | "apprunner.yml")
    )
}

/// Other `.yaml` / `.yml` files that read like an apprunner.yaml: any such file the user names,
/// and ones with `apprunner` in their name found in a walk, when a top-level `runtime:` or a
/// top-level `run:` with a `command:` under it says so.
pub fn detect_by_content(head: &Head<'_>, named: bool) -> bool {
    let name = head.name();
    let ext_ok = name.ends_with(".yaml") || name.ends_with(".yml");
    if !ext_ok || !(named || name.to_ascii_lowercase().contains("apprunner")) {
        return false;
    }
    looks_like_apprunner(head.text())
}

pub fn looks_like_apprunner(text: &str) -> bool {
    let top = |key: &str| {
        text.lines()
            .any(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))
    };
    let command_below_run = text.split("\nrun:").nth(1).is_some_and(|rest| {
        rest.lines()
            .take_while(|l| l.is_empty() || l.starts_with([' ', '\t', '#']))
            .any(|l| l.trim_start().starts_with("command:"))
    });
    top("runtime") || command_below_run
}

// ---------------------------------------------------------------- schema

pub const TOP_KEYS: &[&str] = &["version", "runtime", "build", "run"];
pub const BUILD_KEYS: &[&str] = &["commands", "env"];
pub const PHASES: &[&str] = &["pre-build", "build", "post-build"];
pub const RUN_KEYS: &[&str] = &[
    "runtime-version",
    "pre-run",
    "command",
    "network",
    "env",
    "secrets",
];
pub const NETWORK_KEYS: &[&str] = &["port", "env"];
pub const ENV_ENTRY_KEYS: &[&str] = &["name", "value"];
pub const SECRET_ENTRY_KEYS: &[&str] = &["name", "value-from"];
/// Managed runtimes, as the App Runner API lists them (PYTHON_3, NODEJS_18, …) spelled the
/// way apprunner.yaml names them.
pub const RUNTIMES: &[&str] = &[
    "python3",
    "python311",
    "nodejs12",
    "nodejs14",
    "nodejs16",
    "nodejs18",
    "nodejs22",
    "corretto8",
    "corretto11",
    "go1",
    "dotnet6",
    "php81",
    "ruby31",
];

pub fn parses(path: &Path, text: &str) -> bool {
    match crate::formats::iac::kind(path, text) {
        Some(kind) => crate::formats::iac::parse(kind, text).is_ok(),
        None => parse(text).is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::spanned::Kind;

    #[test]
    fn byte_spans_with_non_ascii_text() {
        let text = "# café\nversion: 1.0\nrun:\n  command: gunicorn app:app --timeout 300\n  network:\n    port: 8080\n";
        let root = parse(text).unwrap();
        let cmd = root.get("run").unwrap().get("command").unwrap();
        assert_eq!(&text[cmd.span.range()], "gunicorn app:app --timeout 300");
        assert_eq!(cmd.as_lit().unwrap().content, Some(cmd.span));
        let port = root
            .get("run")
            .unwrap()
            .get("network")
            .unwrap()
            .get("port")
            .unwrap();
        assert_eq!(port.as_int(), Some(8080));
        assert_eq!(&text[port.span.range()], "8080");
        assert!(matches!(root.get("version").unwrap().kind, Kind::Float(v) if v == 1.0));
    }

    #[test]
    fn scalar_spans_stop_before_comments() {
        let text = "a: \"60\"  # chart default\nb: 60 # x\nc: 'it''s' # y\nd: \"q\\\"x\"\n";
        let root = parse(text).unwrap();
        let at = |k: &str| &text[root.get(k).unwrap().span.range()];
        assert_eq!(at("a"), "\"60\"");
        assert_eq!(at("b"), "60");
        assert_eq!(at("c"), "'it''s'");
        assert_eq!(at("d"), "\"q\\\"x\"");
    }

    #[test]
    fn errors_and_empty_files() {
        let e = parse("run:\n  command: [a\n").unwrap_err();
        assert!(e.span.end <= "run:\n  command: [a\n".len());
        assert!(matches!(parse("").unwrap().kind, Kind::Null));
        assert!(parse("a: 1\na: 2\n").is_err());
    }
}
