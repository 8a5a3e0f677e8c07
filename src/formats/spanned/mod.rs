//! A small located value tree shared by the formats whose files are TOML, JSON or YAML
//! documents (railway.toml / railway.json, apprunner.yaml). Every node keeps the byte span of
//! its text so rules can point at it and fixes can edit it in place.

mod json;
mod toml;
mod yaml;

pub use json::parse_json;
pub use toml::parse_toml;
pub use yaml::{parse_yaml, parse_yaml_documents};

use crate::fix::Edit;
use crate::source::{FileId, Span};

#[derive(Clone, Debug)]
pub struct Node {
    pub span: Span,
    pub kind: Kind,
}

#[derive(Clone, Debug)]
pub enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(StrLit),
    Array(Vec<Node>),
    Map(Vec<Entry>),
    /// Anything else the document allows (dates, YAML aliases, …): kept located, never judged.
    Other,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// How a string literal is written, so an edit can write the same kind back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    /// JSON `"…"`.
    Json,
    /// TOML basic `"…"` (or `"""…"""`).
    TomlBasic,
    /// TOML literal `'…'` (or `'''…'''`): no escapes at all.
    TomlLiteral,
    /// YAML scalars: never edited by wscfg.
    Yaml,
}

#[derive(Clone, Debug)]
pub struct StrLit {
    /// The decoded value.
    pub value: String,
    /// The bytes between the quotes when they spell exactly `value` (no escapes), so that a
    /// byte offset into `value` is the same offset into the file from `content.start`.
    pub content: Option<Span>,
    pub quote: Quote,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(&s.value),
            _ => None,
        }
    }
    pub fn as_lit(&self) -> Option<&StrLit> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            Kind::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<i64> {
        match self.kind {
            Kind::Int(i) => Some(i),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Array(a) => Some(a),
            _ => None,
        }
    }
    /// The entry named `key` in a map (the last one wins, as in every parser used here).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().rev().find(|e| e.key == key)
    }
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }
    /// What the value is, in words, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Array(_) => "a list",
            Kind::Map(_) => "a mapping",
            Kind::Other => "a value of another type",
        }
    }
}

impl StrLit {
    /// Edits that turn this literal's value into the value with `changes` applied. `changes`
    /// are byte ranges of the decoded value with their replacement, and must not overlap.
    /// When the literal spells its value verbatim the edits touch only those bytes (quote
    /// style, comments and layout survive); otherwise the whole literal is rewritten.
    pub fn edits(
        &self,
        file: FileId,
        literal: Span,
        changes: &[(std::ops::Range<usize>, String)],
    ) -> Option<Vec<Edit>> {
        if self.quote == Quote::Yaml {
            return None;
        }
        let insert_is_plain = changes.iter().all(|(_, s)| self.can_hold(s));
        if let (Some(content), true) = (self.content, insert_is_plain) {
            return Some(
                changes
                    .iter()
                    .map(|(r, s)| {
                        Edit::replace(
                            file,
                            Span::new(content.start + r.start, content.start + r.end),
                            s.clone(),
                        )
                    })
                    .collect(),
            );
        }
        let mut value = self.value.clone();
        let mut sorted: Vec<_> = changes.iter().collect();
        sorted.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
        for (r, s) in sorted {
            value.replace_range(r.clone(), s);
        }
        Some(vec![Edit::replace(file, literal, self.encode(&value))])
    }

    /// Whether `s` can be written between this literal's quotes as it is.
    fn can_hold(&self, s: &str) -> bool {
        let plain = |c: char| !c.is_control();
        match self.quote {
            Quote::Json | Quote::TomlBasic => s.chars().all(|c| plain(c) && c != '"' && c != '\\'),
            Quote::TomlLiteral => s.chars().all(|c| plain(c) && c != '\''),
            Quote::Yaml => false,
        }
    }

    /// A literal of the same kind that spells `value`.
    pub fn encode(&self, value: &str) -> String {
        match self.quote {
            Quote::Json => serde_json::to_string(value).expect("a string serialises"),
            Quote::TomlLiteral if !value.contains('\'') && !value.chars().any(char::is_control) => {
                format!("'{value}'")
            }
            Quote::TomlBasic | Quote::TomlLiteral => {
                if !value.contains('\'')
                    && value.contains('"')
                    && !value.chars().any(char::is_control)
                {
                    return format!("'{value}'");
                }
                toml_edit::Value::from(value).to_string().trim().to_owned()
            }
            Quote::Yaml => value.to_owned(),
        }
    }
}

/// Keys of a map in document order, for "unknown key" checks.
pub fn keys(node: &Node) -> impl Iterator<Item = &Entry> {
    node.as_map().unwrap_or(&[]).iter()
}

/// Edit distance between two keys, comparing case-insensitively and ignoring `_`/`-`, so
/// `healthCheckPath`, `health_check_path` and `healthcheckPath` are the same key.
pub fn normalise_key(k: &str) -> String {
    k.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Levenshtein distance on characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The known key `key` was most likely meant to be, if any is close enough.
pub fn did_you_mean<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let n = normalise_key(key);
    if let Some(k) = known.iter().find(|k| normalise_key(k) == n) {
        return Some(k);
    }
    let close = known
        .iter()
        .map(|k| (distance(&n, &normalise_key(k)), *k))
        .filter(|(d, k)| *d <= (k.len() / 4).clamp(1, 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k);
    if close.is_some() || n.len() < 6 {
        return close;
    }
    // `dockerfile` for `dockerfilePath`: a unique known key that starts with it.
    let mut prefixed = known.iter().filter(|k| normalise_key(k).starts_with(&n));
    match (prefixed.next(), prefixed.next()) {
        (Some(k), None) => Some(k),
        _ => None,
    }
}

/// `r` within `text`, widened to character boundaries.
pub(crate) fn clamp_span(text: &str, r: std::ops::Range<usize>) -> Span {
    let mut start = r.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = r.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Span::new(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_ignore_case_and_separators() {
        let known = ["startCommand", "healthcheckPath", "restartPolicyType"];
        assert_eq!(did_you_mean("start_command", &known), Some("startCommand"));
        assert_eq!(
            did_you_mean("healthCheckPath", &known),
            Some("healthcheckPath")
        );
        assert_eq!(
            did_you_mean("healtcheckPath", &known),
            Some("healthcheckPath")
        );
        assert_eq!(
            did_you_mean("restartPolicy", &known),
            Some("restartPolicyType")
        );
        assert_eq!(
            did_you_mean("restart", &["restartPolicyType", "restartPolicyMaxRetries"]),
            None
        );
        assert_eq!(did_you_mean("env", &known), None);
    }

    #[test]
    fn literal_edits_in_place_or_whole() {
        let lit = StrLit {
            value: "a b".into(),
            content: Some(Span::new(11, 14)),
            quote: Quote::TomlBasic,
        };
        let e = lit
            .edits(FileId(0), Span::new(10, 15), &[(1..2, "-x-".into())])
            .unwrap();
        assert_eq!(e[0].span, Span::new(12, 13));
        let e = lit
            .edits(
                FileId(0),
                Span::new(10, 15),
                &[(0..3, "sh -c \"x\"".into())],
            )
            .unwrap();
        assert_eq!(e[0].content, "'sh -c \"x\"'");
        let json = StrLit {
            quote: Quote::Json,
            ..lit
        };
        let e = json
            .edits(FileId(0), Span::new(10, 15), &[(0..3, "say \"hi\"".into())])
            .unwrap();
        assert_eq!(e[0].content, r#""say \"hi\"""#);
    }
}
