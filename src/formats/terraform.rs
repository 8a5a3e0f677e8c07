//! Terraform configuration (`.tf`, HCL native syntax), parsed with `hcl-edit` (the hcl-rs
//! project's format-preserving parser, which keeps the byte span of every block, label,
//! attribute and expression) into the shared located tree, so the platform models read a
//! Terraform resource the way they read a CloudFormation one.
//!
//! The tree follows Terraform's own JSON syntax: `resource "aws_lb" "main" { … }` becomes
//! `resource → aws_lb → main → { … }`, an attribute a map entry, a nested block an entry named
//! after its type (repeated blocks are repeated entries: see [`blocks`]).
//!
//! Only `.tf` files that declare a resource type wscfg reads are wscfg's (see [`detect`]):
//! every other Terraform file is ignored silently, even when it does not parse.

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Body, Structure};

use crate::fix::Edit;
use crate::formats::Format;
use crate::formats::SyntaxError;
use crate::formats::head::Head;
use crate::formats::spanned::{Entry, Kind, Node, Quote, StrLit};
use crate::source::{FileId, Span};

/// The resource types wscfg reads, with the format whose rules judge them.
pub const RESOURCE_TYPES: &[(&str, Format)] = &[
    ("aws_apprunner_service", Format::AppRunner),
    ("google_cloud_run_v2_service", Format::CloudRun),
    ("google_cloud_run_service", Format::CloudRun),
    ("aws_lb", Format::Aws),
    ("aws_alb", Format::Aws),
    ("aws_elb", Format::Aws),
];

pub fn is_terraform_name(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "tf")
}

/// `.tf.json`: Terraform's JSON syntax, which generators write (CDK for Terraform's
/// `cdk.tf.json`, scripts); same tree, read with the JSON parser.
pub fn is_terraform_json_name(path: &std::path::Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".tf.json"))
}

/// The resource types a Terraform text declares (`resource "TYPE" "NAME"`), in order, read
/// line by line so that a file that does not parse is still recognised.
pub fn declared_types(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|l| {
        let rest = l.trim_start().strip_prefix("resource")?;
        let rest = rest.trim_start();
        let rest = rest.strip_prefix('"').unwrap_or(rest);
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))?;
        Some(&rest[..end])
    })
}

/// The format of a `.tf` file: that of the first resource it declares that wscfg reads.
/// `None` (ignored) for every other Terraform file. A file longer than the head whose head
/// declares none is read whole (up to the default file size limit): a substring search for
/// the type names first (about 1 ms for a 5.7 MB file), the line scan only when one occurs.
pub fn detect(head: &Head<'_>) -> Option<Format> {
    if is_terraform_json_name(head.path()) {
        return detect_json(&head.whole(crate::workspace::DEFAULT_MAX_FILE_SIZE));
    }
    if !is_terraform_name(head.path()) {
        return None;
    }
    if let Some(f) = detect_text(head.text()) {
        return Some(f);
    }
    if !head.is_cut() {
        return None;
    }
    let text = head.whole(crate::workspace::DEFAULT_MAX_FILE_SIZE);
    if !RESOURCE_TYPES.iter().any(|(ty, _)| text.contains(ty)) {
        return None;
    }
    detect_text(&text)
}

pub fn detect_text(text: &str) -> Option<Format> {
    declared_types(text).find_map(|t| {
        RESOURCE_TYPES
            .iter()
            .find(|(ty, _)| *ty == t)
            .map(|(_, f)| *f)
    })
}

/// [`detect_text`] for the JSON syntax: the format of the first resource wscfg reads. A file
/// that does not parse is claimed when it has a `"resource"` key and a quoted type name, so
/// its syntax error is reported.
pub fn detect_json(text: &str) -> Option<Format> {
    let quoted = |ty: &str| text.contains(&format!("\"{ty}\""));
    if !RESOURCE_TYPES.iter().any(|(ty, _)| quoted(ty)) {
        return None;
    }
    let format_of = |ty: &str| {
        RESOURCE_TYPES
            .iter()
            .find(|(t, _)| *t == ty)
            .map(|(_, f)| *f)
    };
    match parse_json(text) {
        Ok(root) => {
            let types: Vec<&str> = RESOURCE_TYPES.iter().map(|(t, _)| *t).collect();
            let first = resources(&root, &types)
                .into_iter()
                .min_by_key(|r| r.name_span.start)?;
            format_of(first.ty)
        }
        Err(_) if text.contains("\"resource\"") => RESOURCE_TYPES
            .iter()
            .filter_map(|(ty, _)| Some((text.find(&format!("\"{ty}\""))?, *ty)))
            .min()
            .and_then(|(_, ty)| format_of(ty)),
        Err(_) => None,
    }
}

/// A `.tf.json` file, into the same tree as [`parse`] makes of the native syntax.
pub use crate::formats::spanned::parse_json;

pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    // Terraform skips a leading byte order mark (hcl's `scanTokens` strips it); three spaces
    // in its place keep every offset.
    let unmarked;
    let source = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            unmarked = format!("   {rest}");
            unmarked.as_str()
        }
        None => text,
    };
    let body = hcl_edit::parser::parse_body(source).map_err(|e| {
        let at = e.location().offset().min(text.len());
        let at = (0..=at)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        SyntaxError {
            message: e.message().to_owned(),
            span: Span::new(at, end),
        }
    })?;
    Ok(Node {
        span: Span::new(0, text.len()),
        kind: Kind::Map(body_entries(&body, text)),
    })
}

pub fn parses(text: &str) -> bool {
    parse(text).is_ok()
}

fn span_of(s: &impl hcl_edit::Span, fallback: Span) -> Span {
    s.span().map_or(fallback, |r| Span::new(r.start, r.end))
}

fn body_entries(body: &Body, text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let key_span = span_of(&a.key, Span::new(0, 0));
                out.push(Entry {
                    key: a.key.as_str().to_owned(),
                    key_span,
                    value: expr(&a.value, text, key_span),
                });
            }
            Structure::Block(b) => {
                let whole = span_of(b, Span::new(0, 0));
                let ident_span = span_of(&b.ident, whole);
                let labels_end = b
                    .labels
                    .last()
                    .map_or(ident_span.end, |l| span_of(l, ident_span).end);
                // The body as written: from `{` to `}`.
                let open = text
                    .get(labels_end..whole.end)
                    .and_then(|t| t.find('{'))
                    .map_or(whole.start, |i| labels_end + i);
                let mut value = Node {
                    span: Span::new(open, whole.end),
                    kind: Kind::Map(body_entries(&b.body, text)),
                };
                for label in b.labels.iter().rev() {
                    value = Node {
                        span: whole,
                        kind: Kind::Map(vec![Entry {
                            key: label.as_str().to_owned(),
                            key_span: span_of(label, ident_span),
                            value,
                        }]),
                    };
                }
                out.push(Entry {
                    key: b.ident.as_str().to_owned(),
                    key_span: ident_span,
                    value,
                });
            }
        }
    }
    out
}

/// A double-quoted literal: its value, and its content span when written verbatim. HCL
/// literals are never rewritten through [`StrLit::edits`] (they carry `Quote::Yaml`, the
/// style wscfg does not edit); Terraform fixes write whole values.
fn string(value: String, span: Span, text: &str) -> Kind {
    let raw = text.get(span.range()).unwrap_or("");
    let content = (raw.len() >= 2 && raw.starts_with('"') && raw[1..raw.len() - 1] == value)
        .then(|| Span::new(span.start + 1, span.end - 1));
    Kind::Str(StrLit {
        value,
        content,
        quote: Quote::Yaml,
    })
}

fn expr(e: &Expression, text: &str, fallback: Span) -> Node {
    let span = span_of(e, fallback);
    let kind = match e {
        Expression::Null(_) => Kind::Null,
        Expression::Bool(b) => Kind::Bool(*b.value()),
        Expression::Number(n) => match n.value().as_i64() {
            Some(i) => Kind::Int(i),
            None => n.value().as_f64().map_or(Kind::Other, Kind::Float),
        },
        Expression::String(s) => string(s.value().clone(), span, text),
        // `"${var.port}"`: kept as written between the quotes (interpolations included), so
        // a start command with a variable in it is still read as a command.
        Expression::StringTemplate(_) => {
            let raw = text.get(span.range()).unwrap_or("");
            if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
                string(raw[1..raw.len() - 1].to_owned(), span, text)
            } else {
                Kind::Other
            }
        }
        Expression::Array(a) => Kind::Array(a.iter().map(|i| expr(i, text, span)).collect()),
        Expression::Object(o) => Kind::Map(
            o.iter()
                .map(|(k, v)| {
                    let key_span = span_of(k, span);
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_owned(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                        ObjectKey::Expression(_) => {
                            text.get(key_span.range()).unwrap_or("").to_owned()
                        }
                    };
                    Entry {
                        key,
                        key_span,
                        value: expr(v.expr(), text, key_span),
                    }
                })
                .collect(),
        ),
        Expression::Parenthesis(p) => return expr(p.inner(), text, span),
        _ => Kind::Other,
    };
    Node { span, kind }
}

/// Every nested block (or attribute) named `key` in `body`: repeated blocks are repeated
/// entries, and a list (`ports = [{…}]`, or the JSON syntax) counts item by item.
pub fn blocks<'a>(body: &'a Node, key: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
    body.as_map()
        .unwrap_or(&[])
        .iter()
        .filter(move |e| e.key == key)
        .flat_map(|e| match e.value.as_array() {
            Some(items) => items.iter().collect::<Vec<_>>(),
            None => vec![&e.value],
        })
}

/// The first block named `key` in `body`.
pub fn block<'a>(body: &'a Node, key: &'a str) -> Option<&'a Node> {
    blocks(body, key).next()
}

/// One `resource "TYPE" "NAME" { … }` block.
pub struct Resource<'a> {
    pub ty: &'a str,
    pub name: &'a str,
    pub name_span: Span,
    /// The body, `{` to `}`.
    pub body: &'a Node,
}

/// The resources of the given types, in file order.
pub fn resources<'a>(root: &'a Node, types: &[&str]) -> Vec<Resource<'a>> {
    let mut out = Vec::new();
    // The JSON syntax may give any level as an array of objects, and `null` for no block.
    let items = |n: &'a Node| -> Vec<&'a Node> {
        match &n.kind {
            Kind::Array(items) => items.iter().collect(),
            Kind::Null => Vec::new(),
            _ => vec![n],
        }
    };
    for r in blocks(root, "resource") {
        for ty in r.as_map().unwrap_or(&[]) {
            if !types.contains(&ty.key.as_str()) {
                continue;
            }
            for names in items(&ty.value) {
                for name in names.as_map().unwrap_or(&[]) {
                    for body in items(&name.value) {
                        out.push(Resource {
                            ty: &ty.key,
                            name: &name.key,
                            name_span: name.key_span,
                            body,
                        });
                    }
                }
            }
        }
    }
    out
}

/// `resource "TYPE" "NAME"` for messages.
impl Resource<'_> {
    pub fn address(&self) -> String {
        format!("{}.{}", self.ty, self.name)
    }
}

/// An edit that adds the attribute `key` with `value` (a number or a quoted string, written
/// alike in both syntaxes) to the block `body`: `key = value` in the native syntax,
/// `"key": value,` in the JSON one. See [`insert_line`]; in JSON an empty object is left
/// alone (where its members would go is not certain).
pub fn insert_attribute(
    file: FileId,
    text: &str,
    body: &Node,
    key: &str,
    value: &str,
) -> Option<Edit> {
    // The syntax is the body's own: JSON members are quoted, a block's attributes are not
    // (a comment before the JSON, which jsonc accepts, must not make it look native).
    let first = body.as_map().and_then(|m| m.first());
    let json = match first {
        Some(first) => text[first.key_span.start..].starts_with('"'),
        None => text.trim_start().starts_with('{'),
    };
    if json {
        first?;
        return insert_line(file, text, body, &format!("\"{key}\": {value},"));
    }
    insert_line(file, text, body, &format!("{key} = {value}"))
}

/// An edit that adds the line `line` (an attribute, `key = value`) to the block `body` (as
/// written `{ … }`), before its first item and at its indentation, or after `{` at the
/// closing brace's indentation plus two spaces when the block is empty. `None` when the block
/// is written on one line.
fn insert_line(file: FileId, text: &str, body: &Node, line: &str) -> Option<Edit> {
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    if let Some(first) = body.as_map().and_then(|m| m.first()) {
        let at = first.key_span.start;
        let start = line_start(at);
        let indent = &text[start..at];
        if !indent.chars().all(|c| c == ' ' || c == '\t') || start <= body.span.start {
            return None;
        }
        return Some(Edit::insert(file, start, format!("{indent}{line}\n")));
    }
    let open = body.span.start;
    let close = body.span.end.checked_sub(1)?;
    let after_open = text[open..close].find('\n').map(|i| open + i + 1)?;
    let close_start = line_start(close);
    let indent = &text[close_start..close];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    Some(Edit::insert(
        file,
        after_open,
        format!("{indent}  {line}\n"),
    ))
}

/// What the comment scanner is inside of, innermost last.
enum Lexical {
    /// A quoted string (or template).
    Str,
    /// A `${ … }` or `%{ … }` inside a string, with its open braces.
    Interp(usize),
}

/// The spans of a Terraform file's comments: `#` and `//` to the end of the line, and
/// `/* … */` (to the end of the file when unclosed); none inside quoted strings (their
/// `${ … }` interpolations included) or heredocs. Reads the text rather than the parsed
/// tree, so a file that does not parse still has its suppressions read.
pub fn comments(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let line_end = |from: usize| {
        let end = text[from..].find('\n').map_or(text.len(), |n| from + n);
        if end > from && bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        }
    };
    let mut out = Vec::new();
    let mut stack: Vec<Lexical> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        match stack.last_mut() {
            None => match (b, next) {
                (b'#', _) | (b'/', Some(b'/')) => {
                    let end = line_end(i);
                    out.push(Span::new(i, end));
                    i = end;
                    continue;
                }
                (b'/', Some(b'*')) => {
                    let end = text[i + 2..]
                        .find("*/")
                        .map_or(text.len(), |n| i + 2 + n + 2);
                    out.push(Span::new(i, end));
                    i = end;
                    continue;
                }
                (b'"', _) => stack.push(Lexical::Str),
                (b'<', Some(b'<')) => {
                    if let Some(end) = heredoc_end(text, i) {
                        i = end;
                        continue;
                    }
                }
                _ => {}
            },
            Some(Lexical::Str) => match (b, next) {
                (b'\\', _) => i += 1,
                (b'"', _) => {
                    stack.pop();
                }
                // An unterminated string ends with its line.
                (b'\n', _) => stack.clear(),
                (b'$' | b'%', Some(n)) if n == b => i += 1, // `$${`, `%%{`: literal
                (b'$' | b'%', Some(b'{')) => {
                    stack.push(Lexical::Interp(0));
                    i += 1;
                }
                _ => {}
            },
            Some(Lexical::Interp(depth)) => match b {
                b'"' => stack.push(Lexical::Str),
                b'{' => *depth += 1,
                b'}' if *depth == 0 => {
                    stack.pop();
                }
                b'}' => *depth -= 1,
                _ => {}
            },
        }
        i += 1;
    }
    out
}

/// Where the heredoc opened by the `<<` at `at` (`<<ID` or `<<-ID`, then the end of the
/// line) ends: after the line that holds only `ID` (the end of the file when none does).
/// `None` when `<<` does not open a heredoc.
fn heredoc_end(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at + 2..];
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let id_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let id = &rest[..id_len];
    let after = rest[id_len..].strip_prefix('\r').unwrap_or(&rest[id_len..]);
    if id.is_empty() || !id.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    let body = after.strip_prefix('\n')?;
    let mut pos = text.len() - body.len();
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |n| pos + n + 1);
        if text[pos..end].trim() == id {
            return Some(end);
        }
        pos = end;
    }
    Some(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TF: &str = r#"# Chat service
resource "google_cloud_run_v2_service" "chat" {
  name     = "chat" # the service
  template {
    timeout = "300s"
    containers {
      image   = "us-docker.pkg.dev/p/r/chat"
      command = ["daphne"]
      args    = ["-b", "0.0.0.0", "-p", "${var.port}", "chat.asgi:application"]
      ports {
        name           = "h2c"
        container_port = 8080
      }
    }
    containers {
      image = "sidecar"
    }
  }
  labels = { team = "rt", "env" = 3 }
}

resource "aws_lb" "main" {}
"#;

    #[test]
    fn json_syntax_is_claimed_by_the_resources_it_declares() {
        let lb = r#"{"resource": {"aws_s3_bucket": {"b": {}}, "aws_lb": {"web": {"name": "w"}}}}"#;
        assert_eq!(detect_json(lb), Some(Format::Aws));
        // A data source or a string naming a type is not a resource.
        let data = r#"{"data": {"aws_lb": {"web": {}}}, "output": {"x": {"value": "aws_lb"}}}"#;
        assert_eq!(detect_json(data), None);
        // Broken JSON with a resource key is claimed, so its syntax error is reported.
        let broken = r#"{"resource": {"google_cloud_run_v2_service": {"api": {"name": }}}}"#;
        assert_eq!(detect_json(broken), Some(Format::CloudRun));
        assert_eq!(detect_json(r#"{"resource": {"aws_s3_bucket": {}}"#), None);
        let path = std::path::Path::new("cdktf.out/stacks/chat/cdk.tf.json");
        assert!(is_terraform_json_name(path) && !is_terraform_name(path));
    }

    #[test]
    fn json_resources_given_as_arrays_or_null() {
        let text = r#"{"resource": {
            "aws_lb": [{"web": [{"idle_timeout": 3600}]}, {"api": {"name": "a"}}],
            "aws_alb": {"gone": null}
        }}"#;
        let root = parse_json(text).unwrap();
        let rs = resources(&root, &["aws_lb", "aws_alb"]);
        let found: Vec<(String, bool)> = rs
            .iter()
            .map(|r| (r.address(), r.body.get("idle_timeout").is_some()))
            .collect();
        assert_eq!(
            found,
            [("aws_lb.web".into(), true), ("aws_lb.api".into(), false)]
        );
    }

    #[test]
    fn an_attribute_is_added_in_the_syntax_of_the_file() {
        let json = "{\n  \"resource\": {\n    \"aws_lb\": {\n      \"web\": {\n        \"name\": \"w\"\n      }\n    }\n  }\n}\n";
        let root = parse_json(json).unwrap();
        let lb = &resources(&root, &["aws_lb"])[0];
        let e = insert_attribute(FileId(0), json, lb.body, "idle_timeout", "3600").unwrap();
        let fixed = crate::fix::apply_edits(json, &[e]);
        assert!(fixed.contains("\"idle_timeout\": 3600,\n        \"name\""));
        assert!(parse_json(&fixed).is_ok());
        // JSON after a comment (jsonc reads it) is still written as JSON.
        let commented = format!("// generated by cdktf\n{json}");
        let root = parse_json(&commented).unwrap();
        let lb = &resources(&root, &["aws_lb"])[0];
        let e = insert_attribute(FileId(0), &commented, lb.body, "idle_timeout", "3600").unwrap();
        assert!(e.content.contains("\"idle_timeout\": 3600,"));
        // An empty JSON object: where its members go is not certain.
        let empty = "{\"resource\": {\"aws_lb\": {\"web\": {}}}}";
        let root = parse_json(empty).unwrap();
        let lb = &resources(&root, &["aws_lb"])[0];
        assert!(insert_attribute(FileId(0), empty, lb.body, "idle_timeout", "3600").is_none());
        // The native syntax keeps `key = value`.
        let hcl = "resource \"aws_lb\" \"web\" {\n  name = \"w\"\n}\n";
        let root = parse(hcl).unwrap();
        let lb = &resources(&root, &["aws_lb"])[0];
        let e = insert_attribute(FileId(0), hcl, lb.body, "idle_timeout", "3600").unwrap();
        assert_eq!(e.content, "  idle_timeout = 3600\n");
    }

    #[test]
    fn spans_of_blocks_attributes_and_expressions() {
        let root = parse(TF).unwrap();
        let rs = resources(&root, &["google_cloud_run_v2_service", "aws_lb"]);
        assert_eq!(rs.len(), 2);
        let chat = &rs[0];
        assert_eq!(chat.address(), "google_cloud_run_v2_service.chat");
        assert_eq!(&TF[chat.name_span.range()], "\"chat\"");
        assert!(TF[chat.body.span.range()].starts_with("{\n  name"));
        assert!(TF[chat.body.span.range()].ends_with('}'));
        let name = chat.body.get("name").unwrap();
        assert_eq!(&TF[name.span.range()], "\"chat\"");
        assert_eq!(
            name.as_lit().unwrap().content,
            Some(Span::new(name.span.start + 1, name.span.end - 1))
        );
        let template = block(chat.body, "template").unwrap();
        assert_eq!(
            &TF[template.get("timeout").unwrap().span.range()],
            "\"300s\""
        );
        let containers: Vec<_> = blocks(template, "containers").collect();
        assert_eq!(containers.len(), 2);
        let args = containers[0].get("args").unwrap().as_array().unwrap();
        assert_eq!(args[3].as_str(), Some("${var.port}"));
        let port = block(containers[0], "ports").unwrap();
        assert_eq!(port.get("container_port").unwrap().as_int(), Some(8080));
        assert_eq!(&TF[port.get("name").unwrap().span.range()], "\"h2c\"");
        let labels = chat.body.get("labels").unwrap();
        assert_eq!(labels.get("env").unwrap().as_int(), Some(3));
        assert!(rs[1].body.as_map().unwrap().is_empty());
    }

    #[test]
    fn inserted_lines_follow_the_block() {
        let root = parse(TF).unwrap();
        let rs = resources(&root, &["google_cloud_run_v2_service"]);
        let template = block(rs[0].body, "template").unwrap();
        let e = insert_line(FileId(0), TF, template, "x = 1").unwrap();
        let out = crate::fix::apply_edits(TF, &[e]);
        assert!(
            out.contains("  template {\n    x = 1\n    timeout"),
            "{out}"
        );
        let empty = "resource \"aws_lb\" \"a\" {\n}\n";
        let root = parse(empty).unwrap();
        let lb = &resources(&root, &["aws_lb"])[0];
        let e = insert_line(FileId(0), empty, lb.body, "idle_timeout = 3600").unwrap();
        assert_eq!(
            crate::fix::apply_edits(empty, &[e]),
            "resource \"aws_lb\" \"a\" {\n  idle_timeout = 3600\n}\n"
        );
        let one_line = parse("resource \"aws_lb\" \"a\" {}\n").unwrap();
        let lb = &resources(&one_line, &["aws_lb"])[0];
        assert!(
            insert_line(
                FileId(0),
                "resource \"aws_lb\" \"a\" {}\n",
                lb.body,
                "x = 1"
            )
            .is_none()
        );
    }

    #[test]
    fn comments_of_every_style_outside_strings_and_heredocs() {
        let t = "# a\r\nx = \"# no // no /* no\" // b\ny = \"${f(\"}\")} // no\" /* c\nd */ z = 1\nh = <<-EOT\n  # no\n  EOT\n// e\np = \"$${ // no\"\nq = \"a\\\" # no\" # f\n/* open";
        let got: Vec<&str> = comments(t).iter().map(|s| &t[s.range()]).collect();
        assert_eq!(
            got,
            ["# a", "// b", "/* c\nd */", "// e", "# f", "/* open"],
            "{t}"
        );
        // An unterminated string ends with its line; `<<` that opens no heredoc is an operator.
        let t = "a = \"x\n# g\nb = 1 << 2 # h\nc = <<EOF\nno end # no";
        let got: Vec<&str> = comments(t).iter().map(|s| &t[s.range()]).collect();
        assert_eq!(got, ["# g", "# h"]);
        for t in [
            "\"${",
            "\"${\"${\"",
            "<<",
            "<<-",
            "<<E",
            "/*",
            "\"\\",
            "${}}}\"",
        ] {
            let _ = comments(t);
        }
    }

    #[test]
    fn detection_and_errors() {
        assert_eq!(detect_text(TF), Some(Format::CloudRun));
        assert_eq!(detect_text("resource \"aws_s3_bucket\" \"b\" {}\n"), None);
        assert_eq!(detect_text("resource aws_alb x {\n"), Some(Format::Aws));
        assert_eq!(
            detect_text("resource \"aws_elb\" \"c\" {}\n"),
            Some(Format::Aws)
        );
        let bad = "resource \"aws_lb\" \"a\" {\n  idle_timeout = \n}\n";
        let e = parse(bad).unwrap_err();
        assert!(e.span.end <= bad.len() && e.span.start > 0, "{e:?}");
        for t in ["", "{", "\"", "resource \"é", "a = \"${\"", "x = <<EOF\n"] {
            let _ = parse(t);
        }
    }
}
