//! YAML into the located tree (saphyr's position markers, counted in characters).

use super::{Entry, Kind, Node, Quote, StrLit};
use crate::formats::SyntaxError;
use crate::source::Span;
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

/// Byte offset of every character index (saphyr marks positions in characters).
struct CharOffsets(Vec<usize>);

impl CharOffsets {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            return CharOffsets(Vec::new());
        }
        let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        v.push(text.len());
        CharOffsets(v)
    }
    fn byte(&self, text: &str, char_index: usize) -> usize {
        if self.0.is_empty() {
            char_index.min(text.len())
        } else {
            self.0.get(char_index).copied().unwrap_or(text.len())
        }
    }
}

/// Parses the first YAML document of `text`; an empty file is a null root.
pub fn parse_yaml(text: &str) -> Result<Node, SyntaxError> {
    Ok(parse_yaml_documents(text)?
        .into_iter()
        .next()
        .unwrap_or(Node {
            span: Span::new(0, 0),
            kind: Kind::Null,
        }))
}

/// Parses every YAML document of `text` (`---`-separated streams such as Kubernetes
/// manifests and `helm template` output), each into the shared located tree.
pub fn parse_yaml_documents(text: &str) -> Result<Vec<Node>, SyntaxError> {
    let offsets = CharOffsets::new(text);
    let docs = MarkedYaml::load_from_str(text).map_err(|e| {
        let at = offsets.byte(text, e.marker().index());
        let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        SyntaxError {
            message: e.info().to_owned(),
            span: Span::new(at, end),
        }
    })?;
    Ok(docs.iter().map(|d| convert(d, text, &offsets)).collect())
}

fn span_of(n: &MarkedYaml, text: &str, offsets: &CharOffsets) -> Span {
    let start = offsets.byte(text, n.span.start.index());
    let end = offsets.byte(text, n.span.end.index()).max(start);
    // Block nodes end after their trailing line break and indentation: trim it.
    let trimmed = text[start..end].trim_end().len();
    Span::new(start, start + trimmed)
}

fn scalar_text(s: &Scalar) -> String {
    match s {
        Scalar::Null => "null".into(),
        Scalar::Boolean(b) => b.to_string(),
        Scalar::Integer(i) => i.to_string(),
        Scalar::FloatingPoint(f) => f.to_string(),
        Scalar::String(s) => s.to_string(),
    }
}

/// A scalar's own text: saphyr's end marker can run on over a trailing `# comment`.
fn scalar_span(span: Span, text: &str) -> Span {
    let raw = &text[span.range()];
    let len = match raw.as_bytes().first() {
        Some(b'"') => {
            let mut escaped = false;
            raw.char_indices()
                .skip(1)
                .find(|&(_, c)| {
                    let end = c == '"' && !escaped;
                    escaped = c == '\\' && !escaped;
                    end
                })
                .map_or(raw.len(), |(i, _)| i + 1)
        }
        Some(b'\'') => {
            let b = raw.as_bytes();
            let mut i = 1;
            loop {
                match b.get(i) {
                    None => break raw.len(),
                    Some(b'\'') if b.get(i + 1) == Some(&b'\'') => i += 2,
                    Some(b'\'') => break i + 1,
                    Some(_) => i += 1,
                }
            }
        }
        Some(b'|' | b'>') => raw.len(),
        _ => raw
            .find(" #")
            .or_else(|| raw.find("\t#"))
            .map_or(raw.len(), |i| raw[..i].trim_end().len()),
    };
    Span::new(span.start, span.start + len)
}

fn convert(n: &MarkedYaml, text: &str, offsets: &CharOffsets) -> Node {
    let mut span = span_of(n, text, offsets);
    if matches!(n.data, YamlData::Value(_)) {
        span = scalar_span(span, text);
    }
    let kind = match &n.data {
        YamlData::Value(s) => match s {
            Scalar::Null => Kind::Null,
            Scalar::Boolean(b) => Kind::Bool(*b),
            Scalar::Integer(i) => Kind::Int(*i),
            Scalar::FloatingPoint(f) => Kind::Float(f.into_inner()),
            Scalar::String(s) => {
                let raw = &text[span.range()];
                let content = if raw == s.as_ref() {
                    Some(span)
                } else if raw.len() >= 2
                    && (raw.starts_with('"') || raw.starts_with('\''))
                    && raw[1..raw.len() - 1] == *s.as_ref()
                {
                    Some(Span::new(span.start + 1, span.end - 1))
                } else {
                    None
                };
                Kind::Str(StrLit {
                    value: s.to_string(),
                    content,
                    quote: Quote::Yaml,
                })
            }
        },
        YamlData::Sequence(items) => {
            Kind::Array(items.iter().map(|i| convert(i, text, offsets)).collect())
        }
        YamlData::Mapping(m) => Kind::Map(
            m.iter()
                .map(|(k, v)| Entry {
                    key: match &k.data {
                        YamlData::Value(s) => scalar_text(s),
                        YamlData::Representation(r, _, _) => r.to_string(),
                        _ => text[span_of(k, text, offsets).range()].to_owned(),
                    },
                    key_span: span_of(k, text, offsets),
                    value: convert(v, text, offsets),
                })
                .collect(),
        ),
        YamlData::Tagged(_, inner) => return convert(inner, text, offsets),
        _ => Kind::Other,
    };
    Node { span, kind }
}
