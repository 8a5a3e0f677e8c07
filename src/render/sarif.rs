//! SARIF 2.1.0 for code-scanning dashboards (GitHub code scanning, Azure DevOps, IDE viewers).
//!
//! The log is deterministic: every rule wscfg has is listed in code order, results keep the
//! engine's order (path, then position), paths stay relative as the user named them, and there
//! are no timestamps, so two runs over the same files produce the same bytes.

use super::{display_path, range};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, SourceDb, Span};
use serde::Serialize;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/wscfg/wscfg";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    /// wscfg counts columns in Unicode scalar values, not UTF-16 code units (SARIF's default).
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Markdown {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Markdown>,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn region(db: &SourceDb, file: FileId, span: Span) -> Region {
    let r = range(db, file, span);
    Region {
        start_line: r.start.line,
        start_column: r.start.column,
        end_line: r.end.line,
        end_column: r.end.column,
    }
}

/// A relative path becomes a relative URI reference resolved against the source root
/// (`%SRCROOT%`, the directory wscfg ran in); an absolute path becomes a `file://` URI.
fn artifact(db: &SourceDb, file: FileId) -> ArtifactLocation {
    let path = &db.get(file).path;
    let shown = display_path(db, file).replace('\\', "/");
    if path.is_absolute() {
        ArtifactLocation {
            uri: format!("file://{}", percent_encode(&shown)),
            uri_base_id: None,
        }
    } else {
        let rel = shown.trim_start_matches("./");
        ArtifactLocation {
            uri: percent_encode(rel),
            uri_base_id: Some("%SRCROOT%"),
        }
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/`.
pub fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The paragraph under a rule page's title: what the rule finds, in a sentence or two.
fn first_paragraph(page: &str) -> Option<String> {
    let para: Vec<&str> = page
        .lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    (!para.is_empty()).then(|| para.join(" "))
}

fn descriptor(meta: &crate::rules::RuleMeta) -> ReportingDescriptor {
    let page = crate::rules::page(meta.code);
    ReportingDescriptor {
        id: meta.code,
        name: meta.name,
        short_description: Text {
            text: meta.summary.to_owned(),
        },
        full_description: Text {
            text: page
                .and_then(first_paragraph)
                .unwrap_or_else(|| meta.summary.to_owned()),
        },
        help: page.map(|p| Markdown {
            text: p.to_owned(),
            markdown: p.to_owned(),
        }),
        help_uri: crate::rules::rule_url(meta.code),
        default_configuration: Configuration {
            level: level(meta.severity),
        },
        properties: RuleProperties {
            tags: vec![meta.scope()],
        },
    }
}

pub fn render(db: &SourceDb, diags: &[Diagnostic]) -> String {
    let metas = crate::rules::all();
    let results = diags
        .iter()
        .map(|d| {
            let rule_index = metas
                .iter()
                .position(|m| std::ptr::eq(*m, d.rule))
                .unwrap_or(0);
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            SarifResult {
                rule_id: d.code,
                rule_index,
                level: level(d.severity),
                message: Text { text },
                locations: vec![Location {
                    id: None,
                    physical_location: PhysicalLocation {
                        artifact_location: artifact(db, d.file),
                        region: region(db, d.file, d.span),
                    },
                    message: None,
                }],
                related_locations: d
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| Location {
                        id: Some(i + 1),
                        physical_location: PhysicalLocation {
                            artifact_location: artifact(db, l.file),
                            region: region(db, l.file, l.span),
                        },
                        message: Some(Text {
                            text: l.message.to_string(),
                        }),
                    })
                    .collect(),
                fixes: d.fix.iter().map(|f| fix(db, f)).collect(),
            }
        })
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "wscfg",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: metas.iter().map(|m| descriptor(m)).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).expect("SARIF log serialises");
    s.push('\n');
    s
}

fn fix(db: &SourceDb, f: &crate::fix::Fix) -> SarifFix {
    let mut files: Vec<FileId> = f.edits.iter().map(|e| e.file).collect();
    files.sort();
    files.dedup();
    let mut description = f.message.to_string();
    if f.applicability == crate::fix::Applicability::Unsafe {
        description.push_str(" (unsafe: applied only with --unsafe-fixes)");
    }
    SarifFix {
        description: Text { text: description },
        artifact_changes: files
            .into_iter()
            .map(|file| ArtifactChange {
                artifact_location: artifact(db, file),
                replacements: f
                    .edits
                    .iter()
                    .filter(|e| e.file == file)
                    .map(|e| Replacement {
                        deleted_region: region(db, file, e.span),
                        inserted_content: Text {
                            text: e.content.clone(),
                        },
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(percent_encode("a b/ü%.conf"), "a%20b/%C3%BC%25.conf");
    }

    #[test]
    fn first_paragraph_skips_the_title() {
        let page = "# NGX001 x\n\nWhat it\nfinds.\n\n## Why\n";
        assert_eq!(first_paragraph(page).as_deref(), Some("What it finds."));
    }
}
