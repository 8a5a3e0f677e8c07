//! TOML into the located tree (toml_edit keeps every span).

use super::{Entry, Kind, Node, Quote, StrLit};
use crate::formats::SyntaxError;
use crate::source::Span;

use super::clamp_span;

pub fn parse_toml(text: &str) -> Result<Node, SyntaxError> {
    let doc = toml_edit::Document::parse(text).map_err(|e| SyntaxError {
        message: e.message().trim().to_owned(),
        span: clamp_span(text, e.span().unwrap_or(0..1)),
    })?;
    Ok(toml_table(doc.as_table(), text, Span::new(0, text.len())))
}

fn toml_table(t: &dyn toml_edit::TableLike, text: &str, fallback: Span) -> Node {
    let mut entries = Vec::new();
    for (k, item) in t.iter() {
        let key_span = t
            .key(k)
            .and_then(toml_edit::Key::span)
            .map_or(fallback, |r| clamp_span(text, r));
        if let Some(value) = toml_item(item, text, key_span) {
            entries.push(Entry {
                key: k.to_owned(),
                key_span,
                value,
            });
        }
    }
    let span = entries
        .iter()
        .map(|e| e.key_span.cover(e.value.span))
        .reduce(Span::cover)
        .unwrap_or(fallback);
    Node {
        span,
        kind: Kind::Map(entries),
    }
}

fn toml_item(item: &toml_edit::Item, text: &str, key_span: Span) -> Option<Node> {
    match item {
        toml_edit::Item::None => None,
        toml_edit::Item::Value(v) => Some(toml_value(v, text, key_span)),
        toml_edit::Item::Table(t) => Some(toml_table(t, text, key_span)),
        toml_edit::Item::ArrayOfTables(a) => {
            let items: Vec<Node> = a.iter().map(|t| toml_table(t, text, key_span)).collect();
            Some(Node {
                span: key_span,
                kind: Kind::Array(items),
            })
        }
    }
}

fn toml_value(v: &toml_edit::Value, text: &str, key_span: Span) -> Node {
    let span = v.span().map_or(key_span, |r| clamp_span(text, r));
    let kind = match v {
        toml_edit::Value::String(s) => {
            let raw = &text[span.range()];
            let (quote, q) = if raw.starts_with("'''") {
                (Quote::TomlLiteral, 3)
            } else if raw.starts_with('\'') {
                (Quote::TomlLiteral, 1)
            } else if raw.starts_with("\"\"\"") {
                (Quote::TomlBasic, 3)
            } else {
                (Quote::TomlBasic, 1)
            };
            let content = (raw.len() >= 2 * q && raw[q..raw.len() - q] == *s.value())
                .then(|| Span::new(span.start + q, span.end - q));
            Kind::Str(StrLit {
                value: s.value().clone(),
                content,
                quote,
            })
        }
        toml_edit::Value::Integer(i) => Kind::Int(*i.value()),
        toml_edit::Value::Float(f) => Kind::Float(*f.value()),
        toml_edit::Value::Boolean(b) => Kind::Bool(*b.value()),
        toml_edit::Value::Datetime(_) => Kind::Other,
        toml_edit::Value::Array(a) => {
            Kind::Array(a.iter().map(|x| toml_value(x, text, span)).collect())
        }
        toml_edit::Value::InlineTable(t) => {
            return Node {
                span,
                ..toml_table(t, text, span)
            };
        }
    };
    Node { span, kind }
}
