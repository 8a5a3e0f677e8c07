//! nginx files kept as templates: Go templates (docker-gen, consul-template), Jinja2 (Ansible
//! `.j2`), ERB (Puppet, Chef), Hestia/Vesta (`%ip%:%proxy_port%`) and envsubst (the official
//! Docker image renders `/etc/nginx/templates/*.template`). The template engine reads the file
//! before nginx does, so its syntax is found in the raw text, whatever nginx would make of it.
//!
//! A placeholder (`{{ .Port }}`, `%ip%`, `${BACKEND}`) is part of an nginx word whose value is
//! unknown; control tags (`{% if %}`, `{{ end }}`, `<% end %>`, comments) read as blank, so
//! every branch is linted; a placeholder alone on a line where a directive may start stands
//! for directives wscfg cannot see (an Ansible macro call, `{{ template "upstream" }}`,
//! Hestia's `%servers%`) and reads as blank too.

use crate::source::Span;
use std::borrow::Cow;
use std::path::Path;

/// The template syntax found in one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Template {
    /// Every template expression, in file order.
    pub expressions: Vec<Span>,
    /// The expressions that read as blank: control tags, comments and directive slots.
    pub transparent: Vec<Span>,
    /// Placeholders standing for whole directives (a subset of `transparent`).
    pub directive_slots: Vec<Span>,
    /// The file has control tags: its blocks may balance per branch only, so a brace nginx
    /// would miss in the text as written is not a finding.
    pub has_control: bool,
}

/// Which syntaxes to look for besides Go/Jinja2 `{{ }}`, which nginx never reads as such
/// (an unquoted `{` opens a block).
#[derive(Clone, Copy, Debug, Default)]
struct Dialects {
    /// `{% %}` and `{# #}`: `{#` is also a block opening followed by an nginx comment, so only
    /// in `.j2` files or files with `{%` tags.
    jinja: bool,
    erb: bool,
    hestia: bool,
    /// `.template` files: envsubst replaces `$NAME` as well as `${NAME}`.
    envsubst_file: bool,
    /// The text has `{{` or `${`, which every dialect reads.
    curly_or_dollar: bool,
}

impl Dialects {
    /// One pass over the text (most of what wscfg reads is plain nginx, and big).
    fn of(path: Option<&Path>, text: &str) -> Dialects {
        let name = path
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let ext = |e: &[&str]| e.iter().any(|e| name.ends_with(e));
        let mut d = Dialects {
            jinja: ext(&[".j2", ".jinja", ".jinja2"]),
            erb: ext(&[".erb"]),
            hestia: ext(&[".tpl", ".stpl"]),
            envsubst_file: ext(&[".template"]),
            curly_or_dollar: false,
        };
        let b = text.as_bytes();
        for i in memchr::memchr3_iter(b'{', b'<', b'%', b) {
            match (b[i], b.get(i + 1)) {
                (b'{', Some(b'{')) => d.curly_or_dollar = true,
                (b'{', Some(b'%')) => d.jinja = true,
                (b'{', _) => d.curly_or_dollar |= i > 0 && b[i - 1] == b'$',
                (b'<', Some(b'%')) => d.erb = true,
                // `%name%`, the shape of Hestia's and Vesta's placeholders (`%ip%`,
                // `%proxy_port%`); nginx itself has no use for it.
                (b'%', _) => d.hestia |= hestia_name_len(&text[i + 1..]).is_some(),
                _ => {}
            }
        }
        d
    }

    /// Whether the file may hold template syntax at all.
    fn might_match(self, text: &str) -> bool {
        self.jinja
            || self.erb
            || self.hestia
            || self.curly_or_dollar
            || self.envsubst_file && text.contains('$')
    }
}

/// The length of the name of a `%name%` placeholder at the start of `s` (after its `%`): a
/// lower-case name, not all hexadecimal digits (`%e2%80%99` is a URL escape).
fn hestia_name_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if !b.first()?.is_ascii_lowercase() {
        return None;
    }
    let n = b
        .iter()
        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || **c == b'_')
        .count();
    let hex = b[..n].iter().all(u8::is_ascii_hexdigit);
    (b.get(n) == Some(&b'%') && !hex).then_some(n)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Renders a value in place.
    Output,
    /// Renders nothing in place: a condition, a loop, an assignment, a comment.
    Control,
}

/// Finds the template syntax of a file (`path` gives its extension when known); `None` when it
/// has none.
pub fn scan(path: Option<&Path>, text: &str) -> Option<Template> {
    let dialects = Dialects::of(path, text);
    if !dialects.might_match(text) {
        return None;
    }
    let found = expressions(text, dialects);
    if found.is_empty() {
        return None;
    }
    Some(classify(text, found))
}

/// Every expression of the enabled dialects, in order, none overlapping.
fn expressions(text: &str, d: Dialects) -> Vec<(Span, Kind)> {
    let b = text.as_bytes();
    let mut out: Vec<(Span, Kind)> = Vec::new();
    let mut i = 0;
    while let Some(n) = memchr::memchr3(b'{', b'%', b'$', &b[i..]) {
        let at = i + n;
        i = at + 1;
        let found = match b[at] {
            b'{' => curly(text, at, d),
            b'%' if at > 0 && b[at - 1] == b'<' && d.erb => erb(text, at - 1),
            b'%' if d.hestia => hestia(text, at),
            b'$' => envsubst(text, at, d),
            _ => None,
        };
        if let Some((span, kind)) = found {
            // A Hestia closing tag (`i4>%`) starts before the `%` that found it.
            if out.last().is_some_and(|(s, _)| s.end > span.start) {
                continue;
            }
            out.push((span, kind));
            i = span.end;
        }
    }
    out
}

fn closing(text: &str, from: usize, close: &str) -> Option<usize> {
    memchr::memmem::find(&text.as_bytes()[from..], close.as_bytes()).map(|n| from + n + close.len())
}

/// Go keywords whose actions render nothing in place.
const GO_CONTROL: &[&str] = &[
    "if", "else", "end", "range", "with", "define", "break", "continue",
];
/// Jinja2 statements that render something in place; the rest (`if`, `for`, `set`, `macro`,
/// `import` …) do not.
const JINJA_OUTPUT: &[&str] = &["include", "call"];

fn curly(text: &str, at: usize, d: Dialects) -> Option<(Span, Kind)> {
    let b = text.as_bytes();
    match b.get(at + 1)? {
        b'{' => {
            let end = closing(text, at + 2, "}}")?;
            let inner = text[at + 2..end - 2].trim_matches(|c: char| c == '-' || c.is_whitespace());
            let first = inner
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            // `{{ $x := … }}` and `{{ $x = … }}` render nothing; `{{ $x }}` renders `$x`.
            let assignment = inner.strip_prefix('$').is_some_and(|v| {
                let rest = v
                    .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
                    .trim_start();
                rest.starts_with(":=") || (rest.starts_with('=') && !rest.starts_with("=="))
            });
            let control = inner.starts_with("/*") || GO_CONTROL.contains(&first) || assignment;
            Some((
                Span::new(at, end),
                if control { Kind::Control } else { Kind::Output },
            ))
        }
        b'%' if d.jinja => {
            let end = closing(text, at + 2, "%}")?;
            let inner = text[at + 2..end - 2]
                .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
            let first = inner.split_whitespace().next().unwrap_or("");
            let kind = if JINJA_OUTPUT.contains(&first) {
                Kind::Output
            } else {
                Kind::Control
            };
            Some((Span::new(at, end), kind))
        }
        b'#' if d.jinja => Some((Span::new(at, closing(text, at + 2, "#}")?), Kind::Control)),
        _ => None,
    }
}

/// `<%= value %>` renders, `<% code %>` and `<%# comment %>` do not; `<%%` is a literal.
fn erb(text: &str, at: usize) -> Option<(Span, Kind)> {
    let b = text.as_bytes();
    if b.get(at + 2) == Some(&b'%') {
        return None;
    }
    let end = closing(text, at + 2, "%>")?;
    let output = matches!(b.get(at + 2), Some(b'=')) || text[at + 2..].starts_with("-=");
    Some((
        Span::new(at, end),
        if output { Kind::Output } else { Kind::Control },
    ))
}

/// `%name%` placeholders, and the conditional lines of Hestia's templates: `%<i4 … i4>%`.
fn hestia(text: &str, at: usize) -> Option<(Span, Kind)> {
    let b = text.as_bytes();
    let rest = &text[at + 1..];
    if let Some(n) = hestia_name_len(rest) {
        return Some((Span::new(at, at + n + 2), Kind::Output));
    }
    if let Some(cond) = rest.strip_prefix('<') {
        let n = cond
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
            .count();
        return (n > 0).then(|| (Span::new(at, at + 2 + n), Kind::Control));
    }
    if at >= 2 && b[at - 1] == b'>' {
        let n = b[..at - 1]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        return (n > 0).then(|| (Span::new(at - 1 - n, at + 1), Kind::Control));
    }
    None
}

/// `${NAME}`, and `$NAME` in `.template` files, with an upper-case name. nginx reads `${name}`
/// as a variable too, with the name lower-cased (`${HOST}` is `$host`, and `${BACKEND}` fails
/// `nginx -t` with `unknown "backend" variable`): outside `.template` files such a name is a
/// placeholder only when nginx could not read it as a variable.
fn envsubst(text: &str, at: usize, d: Dialects) -> Option<(Span, Kind)> {
    let b = text.as_bytes();
    let braced = b.get(at + 1) == Some(&b'{');
    let start = at + 1 + usize::from(braced);
    let n = b[start..]
        .iter()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == b'_')
        .count();
    let name = &text[start..start + n];
    if n == 0
        || !name.bytes().any(|c| c.is_ascii_uppercase())
        || name.as_bytes()[0].is_ascii_digit()
    {
        return None;
    }
    let end = if braced {
        (b.get(start + n) == Some(&b'}')).then_some(start + n + 1)?
    } else {
        let next = b.get(start + n);
        if !d.envsubst_file || next.is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
            return None;
        }
        start + n
    };
    if !d.envsubst_file {
        let lower = name.to_ascii_lowercase();
        if super::values::is_builtin_variable(&lower) || text.contains(&format!("${lower}")) {
            return None;
        }
    }
    Some((Span::new(at, end), Kind::Output))
}

/// Decides which expressions read as blank.
fn classify(text: &str, found: Vec<(Span, Kind)>) -> Template {
    let b = text.as_bytes();
    let separator = |c: Option<&u8>| {
        c.is_none_or(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' | b'}'))
    };
    let mut t = Template {
        has_control: found.iter().any(|(_, k)| *k == Kind::Control),
        ..Template::default()
    };
    for (i, &(span, kind)) in found.iter().enumerate() {
        t.expressions.push(span);
        let before = span.start.checked_sub(1).and_then(|p| b.get(p));
        let after = b.get(span.end);
        // Between two words a control tag joins them (`http{{ if .Tls }}s{{ end }}://`): it
        // stays inside the word, which is then templated.
        let touches_words = !separator(before) && !separator(after);
        let transparent = match kind {
            Kind::Control => !touches_words,
            Kind::Output => {
                let slot =
                    alone_on_line(text, &found, i) && statement_starts_before(text, &t, span.start);
                if slot {
                    t.directive_slots.push(span);
                }
                slot
            }
        };
        if transparent {
            t.transparent.push(span);
        }
    }
    t
}

/// Only whitespace and other expressions share the expression's line(s).
fn alone_on_line(text: &str, found: &[(Span, Kind)], i: usize) -> bool {
    let b = text.as_bytes();
    let blank = |c: u8| matches!(c, b' ' | b'\t' | b'\r');
    let mut pos = found[i].0.start;
    let mut j = i;
    while pos > 0 && b[pos - 1] != b'\n' {
        if blank(b[pos - 1]) {
            pos -= 1;
        } else if j > 0 && found[j - 1].0.end == pos {
            j -= 1;
            pos = found[j].0.start;
        } else {
            return false;
        }
    }
    let mut pos = found[i].0.end;
    let mut j = i;
    while pos < b.len() && b[pos] != b'\n' {
        if blank(b[pos]) {
            pos += 1;
        } else if j + 1 < found.len() && found[j + 1].0.start == pos {
            j += 1;
            pos = found[j].0.end;
        } else {
            return false;
        }
    }
    true
}

/// What nginx read last before `at` ends a statement (`;`, `{`, `}`) or nothing precedes it:
/// a directive may start here. Comments and the blank expressions found so far are skipped.
fn statement_starts_before(text: &str, t: &Template, at: usize) -> bool {
    let b = text.as_bytes();
    let mut pos = at;
    let mut blanks = t.transparent.iter().rev().peekable();
    while pos > 0 {
        while blanks.peek().is_some_and(|s| s.start >= pos) {
            blanks.next();
        }
        if let Some(s) = blanks.peek()
            && s.end == pos
        {
            pos = s.start;
            continue;
        }
        let c = b[pos - 1];
        if c.is_ascii_whitespace() {
            pos -= 1;
            continue;
        }
        let line_start = memchr::memrchr(b'\n', &b[..pos]).map_or(0, |n| n + 1);
        if let Some(hash) = comment_start(&b[line_start..pos]) {
            pos = line_start + hash;
            continue;
        }
        return matches!(c, b';' | b'{' | b'}');
    }
    true
}

/// Where an nginx comment starts on a line: a `#` at the start or after blank space (a `#`
/// inside a word, like `{#` or `a#b`, starts none).
fn comment_start(line: &[u8]) -> Option<usize> {
    line.iter().enumerate().position(|(i, &c)| {
        c == b'#' && (i == 0 || matches!(line[i - 1], b' ' | b'\t' | b';' | b'}'))
    })
}

/// The text nginx's tokenizer is given: the blank expressions replaced by spaces (line breaks
/// kept), so every offset still points at the same byte of the file.
pub fn masked<'t>(text: &'t str, template: Option<&Template>) -> Cow<'t, str> {
    let Some(t) = template.filter(|t| !t.transparent.is_empty()) else {
        return Cow::Borrowed(text);
    };
    let mut bytes = text.as_bytes().to_vec();
    for s in &t.transparent {
        for c in &mut bytes[s.range()] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    }
    // Expressions start and end on ASCII delimiters, so whole characters were replaced.
    Cow::Owned(String::from_utf8(bytes).expect("whole characters were blanked"))
}

impl Template {
    /// The placeholders that stay in words, in order.
    pub fn placeholders(&self) -> Vec<Span> {
        let mut blank = self.transparent.iter().peekable();
        self.expressions
            .iter()
            .filter(|s| {
                while blank.peek().is_some_and(|b| b.start < s.start) {
                    blank.next();
                }
                blank.peek() != Some(s)
            })
            .copied()
            .collect()
    }

    /// Whether any expression touches a line that `span` touches.
    pub fn on_lines_of(&self, text: &str, span: Span) -> bool {
        let b = text.as_bytes();
        let start = memchr::memrchr(b'\n', &b[..span.start.min(b.len())]).map_or(0, |n| n + 1);
        let end =
            memchr::memchr(b'\n', &b[span.end.min(b.len())..]).map_or(b.len(), |n| span.end + n);
        self.overlaps(Span::new(start, end.max(span.end)))
    }

    /// Whether an expression overlaps `span` (an empty span: lies strictly inside one).
    pub fn overlaps(&self, span: Span) -> bool {
        let i = self.expressions.partition_point(|e| e.end <= span.start);
        self.expressions.get(i).is_some_and(|e| {
            if span.is_empty() {
                e.start < span.start
            } else {
                e.start < span.end
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, spans: &[Span]) -> Vec<String> {
        spans.iter().map(|s| text[s.range()].to_owned()).collect()
    }

    #[test]
    fn go_control_is_blank_and_values_are_placeholders() {
        let text = "{{ range $h := .Hosts }}\nserver {\n  listen {{ .Port }};\n  {{- if .Tls }}\n  ssl_certificate x;\n  {{ end }}\n}\n{{end}}\n";
        let t = scan(None, text).unwrap();
        assert_eq!(
            texts(text, &t.transparent),
            [
                "{{ range $h := .Hosts }}",
                "{{- if .Tls }}",
                "{{ end }}",
                "{{end}}"
            ]
        );
        assert_eq!(texts(text, &t.placeholders()), ["{{ .Port }}"]);
        assert!(t.has_control);
        let m = masked(text, Some(&t));
        assert_eq!(m.len(), text.len());
        assert!(m.starts_with("                        \nserver {"));
    }

    #[test]
    fn a_placeholder_alone_where_a_directive_starts_stands_for_directives() {
        let text = "upstream %upstream% {\n\t%servers%\n}\nserver {\n  server_name\n    %domain%;\n  {{ c.ssl(domain) }}\n}\n";
        let t = scan(Some(Path::new("http.tpl")), text).unwrap();
        assert_eq!(
            texts(text, &t.directive_slots),
            ["%servers%", "{{ c.ssl(domain) }}"]
        );
        assert_eq!(texts(text, &t.placeholders()), ["%upstream%", "%domain%"]);
    }

    #[test]
    fn a_control_tag_inside_a_word_stays_in_it() {
        let text = "proxy_pass http{{ if .Tls }}s{{ end }}://app;";
        let t = scan(None, text).unwrap();
        assert!(t.transparent.is_empty());
        assert_eq!(t.placeholders().len(), 2);
    }

    #[test]
    fn jinja_erb_and_hestia_conditionals() {
        let text = "{# note #}\n{% if ssl -%}\nlisten 443 ssl;\n{%- endif %}\n<% if @ws %>\nlisten <%= @port %>;\n<% end %>\n%<i4 listen %ip%:80;i4>%\n";
        let t = scan(None, text).unwrap();
        assert_eq!(
            texts(text, &t.transparent),
            [
                "{# note #}",
                "{% if ssl -%}",
                "{%- endif %}",
                "<% if @ws %>",
                "<% end %>",
                "%<i4",
                "i4>%"
            ]
        );
        assert_eq!(texts(text, &t.placeholders()), ["<%= @port %>", "%ip%"]);
    }

    #[test]
    fn envsubst_names_nginx_would_not_read_as_variables() {
        let text =
            "listen ${PORT};\nserver_name ${HOST} $NAME;\nset $x ${MY_VAR};\nreturn 200 $my_var;";
        let t = scan(Some(Path::new("default.conf")), text).unwrap();
        // `${HOST}` is nginx's `$host`; `${MY_VAR}` is the `$my_var` the file uses.
        assert_eq!(texts(text, &t.expressions), ["${PORT}"]);
        let t = scan(Some(Path::new("default.conf.template")), text).unwrap();
        assert_eq!(
            texts(text, &t.expressions),
            ["${PORT}", "${HOST}", "$NAME", "${MY_VAR}"]
        );
    }

    #[test]
    fn plain_nginx_has_no_template() {
        assert_eq!(
            scan(None, "location / { return 200 \"50%\"; }\nset $a ${b}c;"),
            None
        );
        assert_eq!(scan(None, "location = /caf%c3%a9%e2%80%99 {}"), None);
        // `{#` opens a block before a comment unless the file is Jinja2.
        assert_eq!(scan(None, "location / {# comment\n}"), None);
        assert!(scan(Some(Path::new("site.j2")), "location / {# c #}\n}").is_some());
    }
}
