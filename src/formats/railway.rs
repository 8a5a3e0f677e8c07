//! Railway config as code: `railway.toml` and `railway.json`, parsed with byte spans (TOML
//! with `toml_edit`, JSON with `jsonc-parser`, which accepts the comments, trailing commas and
//! tabs real files have) into one located tree, and the questions Railway rules ask of it:
//! the effective start command, health check path, builder, … of the base configuration and
//! of every `environments.<name>` override, the project's dependencies, and WebSocket evidence.

use std::path::Path;

use crate::formats::SyntaxError;
use crate::formats::head::Head;
use crate::formats::spanned::{Node, parse_json, parse_toml};

/// The file names Railway reads by default.
pub fn is_manifest_name(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("railway.toml" | "railway.json")
    )
}

/// Other `.toml` / `.json` files that read like Railway config as code: any such file the user
/// names, and ones with `railway` in their name found in a walk (`railway.staging.json`), when
/// their text uses keys only Railway's schema has or names its schema.
pub fn detect_by_content(head: &Head<'_>, named: bool) -> bool {
    let name = head.name();
    let ext_ok = name.ends_with(".toml") || name.ends_with(".json");
    if !ext_ok || !(named || name.to_ascii_lowercase().contains("railway")) {
        return false;
    }
    looks_like_railway(head.text())
}

/// Keys only Railway's config as code uses, or its schema URL.
pub fn looks_like_railway(text: &str) -> bool {
    const MARKERS: &[&str] = &[
        "railway.schema.json",
        "startCommand",
        "healthcheckPath",
        "healthCheckPath",
        "restartPolicyType",
        "sleepApplication",
        "numReplicas",
        "multiRegionConfig",
        "nixpacksPlan",
        "dockerfilePath",
        "preDeployCommand",
    ];
    MARKERS.iter().any(|m| text.contains(m))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManifestSyntax {
    Toml,
    Json,
}

impl ManifestSyntax {
    /// By extension; a file of another name (standard input) by its first character.
    pub fn of(path: &Path, text: &str) -> ManifestSyntax {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => ManifestSyntax::Json,
            Some("toml") => ManifestSyntax::Toml,
            _ if text.trim_start().starts_with('{') => ManifestSyntax::Json,
            _ => ManifestSyntax::Toml,
        }
    }
}

pub fn parse(text: &str, flavor: ManifestSyntax) -> Result<Node, SyntaxError> {
    match flavor {
        ManifestSyntax::Toml => parse_toml(text),
        ManifestSyntax::Json => parse_json(text),
    }
}

// ---------------------------------------------------------------- schema

pub const TOP_KEYS: &[&str] = &["$schema", "build", "deploy", "environments"];
/// Keys of `build`: Railway's schema, plus `buildEnvironment`, which Railway's own dashboard
/// writes into exported files.
pub const BUILD_KEYS: &[&str] = &[
    "builder",
    "watchPatterns",
    "buildCommand",
    "dockerfilePath",
    "nixpacksConfigPath",
    "nixpacksPlan",
    "nixpacksVersion",
    "railpackVersion",
    "buildEnvironment",
];
/// Keys of `deploy`: Railway's schema, plus `useLegacyStacker` from dashboard exports.
pub const DEPLOY_KEYS: &[&str] = &[
    "startCommand",
    "preDeployCommand",
    "preDeployTimeoutSeconds",
    "numReplicas",
    "healthcheckPath",
    "healthcheckTimeout",
    "sleepApplication",
    "runtime",
    "registryCredentials",
    "restartPolicyType",
    "restartPolicyMaxRetries",
    "cronSchedule",
    "region",
    "multiRegionConfig",
    "limitOverride",
    "requiredMountPath",
    "overlapSeconds",
    "drainingSeconds",
    "ipv6EgressEnabled",
    "useLegacyStacker",
];
pub const ENVIRONMENT_KEYS: &[&str] = &["build", "deploy"];
pub const REGION_KEYS: &[&str] = &["numReplicas"];
/// Tables people write hoping Railway reads variables from them.
pub const VARIABLE_TABLES: &[&str] = &[
    "env",
    "variables",
    "environmentVariables",
    "envVars",
    "vars",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Build,
    Deploy,
}

impl Section {
    pub fn key(self) -> &'static str {
        match self {
            Section::Build => "build",
            Section::Deploy => "deploy",
        }
    }
}

pub fn parses(text: &str, flavor: ManifestSyntax) -> bool {
    parse(text, flavor).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::spanned::Quote;

    #[test]
    fn toml_spans_and_verbatim_strings() {
        let text = "[deploy]\nstartCommand = \"uvicorn main:app\" # run\nnumReplicas = 2\n[environments.staging.deploy]\nstartCommand = 'x'\n";
        let root = parse_toml(text).unwrap();
        let cmd = root.get("deploy").unwrap().entry("startCommand").unwrap();
        assert_eq!(&text[cmd.key_span.range()], "startCommand");
        let lit = cmd.value.as_lit().unwrap();
        assert_eq!(&text[lit.content.unwrap().range()], "uvicorn main:app");
        let staging = root
            .get("environments")
            .and_then(|e| e.get("staging"))
            .and_then(|e| e.get("deploy"))
            .and_then(|d| d.get("startCommand"))
            .unwrap();
        assert_eq!(staging.as_lit().unwrap().quote, Quote::TomlLiteral);
        assert_eq!(
            root.get("deploy")
                .unwrap()
                .get("numReplicas")
                .unwrap()
                .as_int(),
            Some(2)
        );
    }

    #[test]
    fn json_with_tabs_comments_trailing_commas() {
        let text =
            "{\n\t\"deploy\": {\n\t\t// start\n\t\t\"startCommand\": \"node é.js\",\n\t},\n}\n";
        let root = parse_json(text).unwrap();
        let cmd = root.get("deploy").unwrap().get("startCommand").unwrap();
        assert_eq!(&text[cmd.span.range()], "\"node é.js\"");
        assert!(cmd.as_lit().unwrap().content.is_some());
        let escaped = parse_json(r#"{"deploy": {"startCommand": "sh -c \"x\""}}"#).unwrap();
        let lit = escaped.get("deploy").unwrap().get("startCommand").unwrap();
        assert!(lit.as_lit().unwrap().content.is_none());
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = parse_toml("[deploy]\nstartCommand = \n").unwrap_err();
        assert!(e.span.start >= 9, "{e:?}");
        let e = parse_json("{\n  \"deploy\": {\n    \"x\": ]\n}").unwrap_err();
        assert!(e.span.start > 10, "{e:?}");
    }
}
