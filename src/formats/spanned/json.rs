//! JSON (with comments and trailing commas) into the located tree (jsonc-parser).

use super::{Entry, Kind, Node, Quote, StrLit, clamp_span};
use crate::formats::SyntaxError;
use crate::source::Span;

pub fn parse_json(text: &str) -> Result<Node, SyntaxError> {
    let options = jsonc_parser::ParseOptions::default();
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &options).map_err(|e| {
        let r = e.range();
        SyntaxError {
            message: e.kind().to_string(),
            span: clamp_span(text, r.start..r.end.max(r.start + 1)),
        }
    })?;
    match parsed.value {
        Some(v) => Ok(json_value(&v, text)),
        None => Ok(Node {
            span: Span::new(0, text.len()),
            kind: Kind::Null,
        }),
    }
}

fn json_value(v: &jsonc_parser::ast::Value, text: &str) -> Node {
    use jsonc_parser::ast::Value as J;
    let r = |r: jsonc_parser::common::Range| clamp_span(text, r.start..r.end);
    match v {
        J::StringLit(s) => {
            let span = r(s.range);
            let raw = &text[span.range()];
            let content = (raw.len() >= 2 && raw[1..raw.len() - 1] == *s.value)
                .then(|| Span::new(span.start + 1, span.end - 1));
            Node {
                span,
                kind: Kind::Str(StrLit {
                    value: s.value.to_string(),
                    content,
                    quote: Quote::Json,
                }),
            }
        }
        J::NumberLit(n) => {
            let kind = n
                .value
                .parse::<i64>()
                .map(Kind::Int)
                .or_else(|_| n.value.parse::<f64>().map(Kind::Float))
                .unwrap_or(Kind::Other);
            Node {
                span: r(n.range),
                kind,
            }
        }
        J::BooleanLit(b) => Node {
            span: r(b.range),
            kind: Kind::Bool(b.value),
        },
        J::NullKeyword(n) => Node {
            span: r(n.range),
            kind: Kind::Null,
        },
        J::Array(a) => Node {
            span: r(a.range),
            kind: Kind::Array(a.elements.iter().map(|e| json_value(e, text)).collect()),
        },
        J::Object(o) => Node {
            span: r(o.range),
            kind: Kind::Map(
                o.properties
                    .iter()
                    .map(|p| {
                        let (key, key_span) = match &p.name {
                            jsonc_parser::ast::ObjectPropName::String(s) => {
                                (s.value.to_string(), r(s.range))
                            }
                            jsonc_parser::ast::ObjectPropName::Word(w) => {
                                (w.value.to_owned(), r(w.range))
                            }
                        };
                        Entry {
                            key,
                            key_span,
                            value: json_value(&p.value, text),
                        }
                    })
                    .collect(),
            ),
        },
    }
}
