//! Inline suppressions, applied by the engine to the findings of every format that has
//! comments:
//!
//! ```text
//! # wscfg: ignore NGX006 -- the upstream pings every 20s
//! location /ws/ { ... }
//! proxy_read_timeout 30s;  # wscfg: ignore NGX006 -- pings every 20s
//! # wscfg: ignore-file NGX090 -- the include is generated at deploy time
//! ```
//!
//! * `ignore` in a comment after configuration on the same line applies to that line.
//! * `ignore` in a comment on a line of its own applies to the next line that holds
//!   configuration; other comment lines may come between, a blank line may not.
//! * `ignore-file` applies to the whole file, wherever it is.
//! * Formats with other comment styles give those comments too: `// wscfg: …` in JS/TS/Go
//!   sources (`project::comments`) and Terraform, and Terraform's `/* wscfg: … */` (see
//!   `formats::terraform::comments`), work like `#`.
//! * A finding is on the line where its primary span starts (the line the report points at).
//! * Several rules: `# wscfg: ignore NGX001, NGX006 -- reason`. Codes or names; no prefixes
//!   and no blanket form, so each suppression says what it silences.
//! * The reason after `--` is required: without one the suppression still works and
//!   WSC002 reports it. Unknown rules and directives are WSC003.
//! * A rule named in a suppression that silenced nothing in this run is WSC001, fixable by
//!   removing it — unless the rule did not run on that file (not selected, per-file ignore),
//!   in which case nothing can be said, or the file has a syntax error.

use crate::diagnostic::Diagnostic;
use crate::fix::{Edit, Fix};
use crate::rules::RuleMeta;
use crate::rules::suppression::{
    INVALID_SUPPRESSION, SUPPRESSION_WITHOUT_REASON, UNUSED_SUPPRESSION,
};
use crate::source::{FileId, SourceFile, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The 1-based line the suppression applies to.
    Line(usize),
    File,
}

#[derive(Clone, Debug)]
pub struct Named {
    pub meta: &'static RuleMeta,
    /// The code or name as written.
    pub span: Span,
    pub used: bool,
}

#[derive(Clone, Debug)]
pub struct Suppression {
    pub file: FileId,
    /// The comment, from `#` to the end of its line.
    pub comment: Span,
    /// From the first rule named to the last.
    pub list: Span,
    pub scope: Scope,
    /// The comment has a line to itself.
    pub own_line: bool,
    pub rules: Vec<Named>,
}

/// What reading one file's comments gave: the suppressions, and problems with them.
#[derive(Default)]
pub struct FileSuppressions {
    pub suppressions: Vec<Suppression>,
    pub problems: Vec<Diagnostic>,
}

/// Spans of `#` comments in a file whose comments start with `#` (TOML, YAML, nginx and
/// most shell-like formats): a `#` at the start of a line or after whitespace, outside
/// single- or double-quoted strings (TOML's triple-quoted strings included). Formats with a
/// real parser should give their parser's comments instead.
pub fn hash_comments(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    // The quote that opened the current string, and whether it was tripled.
    let mut quote: Option<(u8, bool)> = None;
    let mut boundary = true;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some((q, true)) => {
                if bytes[i..].starts_with(&[q, q, q]) {
                    quote = None;
                    i += 3;
                    boundary = false;
                    continue;
                }
                if b == b'\\' && q == b'"' {
                    i += 2;
                    continue;
                }
            }
            Some((q, false)) => {
                if b == b'\\' && q == b'"' {
                    i += 2;
                    continue;
                }
                if b == q || b == b'\n' {
                    quote = None;
                }
            }
            None => {
                if b == b'#' && boundary {
                    let mut end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                    if bytes[..end].ends_with(b"\r") {
                        end -= 1;
                    }
                    out.push(Span::new(i, end));
                    i = end;
                    continue;
                }
                if (b == b'"' || b == b'\'') && boundary {
                    let triple = bytes[i..].starts_with(&[b, b, b]);
                    quote = Some((b, triple));
                    i += if triple { 3 } else { 1 };
                    boundary = false;
                    continue;
                }
            }
        }
        boundary = b.is_ascii_whitespace() || matches!(b, b'=' | b':' | b'[' | b'{' | b',' | b'(');
        i += 1;
    }
    out
}

/// Every suppression comment holds this; a file without it has none.
pub const MARKER: &str = "wscfg:";

/// Reads the `# wscfg:` comments of one file.
pub fn parse_file(file: FileId, source: &SourceFile, comments: &[Span]) -> FileSuppressions {
    let mut out = FileSuppressions::default();
    let text = &source.text;
    let is_comment_line = |line_start: usize| {
        let rest = &text[line_start..];
        let first = line_start + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
        comments.iter().any(|c| c.start == first)
    };
    for &c in comments {
        let raw = &text[c.range()];
        // `# …`, `// …` (JS/TS/Go sources, HCL) or `/* … */` (HCL).
        let (body_start, body_end) = match raw.strip_prefix("/*") {
            Some(inner) => (
                c.start + 2,
                c.start + 2 + inner.strip_suffix("*/").unwrap_or(inner).len(),
            ),
            None => {
                let lead = if raw.starts_with("//") { '/' } else { '#' };
                (
                    c.start + (raw.len() - raw.trim_start_matches(lead).len()),
                    c.end,
                )
            }
        };
        let body = &text[body_start..body_end];
        let lead = body.len() - body.trim_start().len();
        let Some(after) = body[lead..].strip_prefix(MARKER) else {
            continue;
        };
        let mut pos = body_start + lead + MARKER.len();
        pos += after.len() - after.trim_start().len();
        let rest = &text[pos..body_end];
        let word_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let directive = &rest[..word_len];
        let scope = match directive {
            "ignore" => None,
            "ignore-file" => Some(Scope::File),
            // Read by the nginx model (`# wscfg: context http,server`).
            "context" => continue,
            other => {
                let near = crate::config::did_you_mean(other, ["ignore", "ignore-file"]);
                out.problems.push(
                    INVALID_SUPPRESSION
                        .diag(
                            file,
                            Span::new(pos, pos + word_len),
                            format!(
                                "unknown wscfg directive `{other}` (ignore, ignore-file){near}"
                            ),
                        )
                        .help("write `# wscfg: ignore CODE -- reason`"),
                );
                continue;
            }
        };
        let list_start = pos + word_len;
        let (list_end, reason) = match text[list_start..body_end].find("--") {
            Some(n) => (
                list_start + n,
                Some(text[list_start + n + 2..body_end].trim()),
            ),
            None => (body_end, None),
        };
        let mut rules = Vec::new();
        let mut first_last: Option<(usize, usize)> = None;
        let mut at = list_start;
        for token in text[list_start..list_end].split(|ch: char| ch == ',' || ch.is_whitespace()) {
            let span = Span::new(at, at + token.len());
            at += token.len() + 1;
            if token.is_empty() {
                continue;
            }
            first_last = Some((first_last.map_or(span.start, |f| f.0), span.end));
            match crate::rules::find(token) {
                Some(meta) => rules.push(Named {
                    meta,
                    span,
                    used: false,
                }),
                None => {
                    let all = crate::rules::all();
                    let near = crate::config::did_you_mean(
                        token,
                        all.iter().flat_map(|m| [m.code, m.name]),
                    );
                    out.problems.push(
                        INVALID_SUPPRESSION
                            .diag(file, span, format!("`{token}` is not a wscfg rule{near}"))
                            .help("`wscfg rules` lists every code and name"),
                    );
                }
            }
        }
        let Some((list_s, list_e)) = first_last else {
            out.problems.push(
                INVALID_SUPPRESSION
                    .diag(file, c, format!("`wscfg: {directive}` names no rule"))
                    .help(format!(
                        "name the rules it silences: `# wscfg: {directive} NGX006 -- reason`"
                    )),
            );
            continue;
        };
        if reason.is_none_or(str::is_empty) {
            out.problems.push(
                SUPPRESSION_WITHOUT_REASON
                    .diag(file, c, "this suppression gives no reason")
                    .help("say why after `--`, e.g. `# wscfg: ignore NGX006 -- the app pings every 20s`"),
            );
        }
        if rules.is_empty() {
            continue;
        }
        let line_start = source.line_start(c.start);
        let own_line = text[line_start..c.start].trim().is_empty();
        let scope = match scope {
            Some(s) => s,
            None if !own_line => Scope::Line(source.line_col(c.start).line),
            None => match next_configuration_line(source, c.end, &is_comment_line) {
                Some(line) => Scope::Line(line),
                None => {
                    out.problems.push(
                        INVALID_SUPPRESSION
                            .diag(file, c, "this suppression applies to no line: a blank line or the end of the file follows it")
                            .help("put it directly above the line it is for, or at the end of that line"),
                    );
                    continue;
                }
            },
        };
        out.suppressions.push(Suppression {
            file,
            comment: c,
            list: Span::new(list_s, list_e),
            scope,
            own_line,
            rules,
        });
    }
    out
}

/// The 1-based number of the first line after `offset`'s line that holds configuration,
/// skipping comment lines; `None` if a blank line or the end of the file comes first.
fn next_configuration_line(
    source: &SourceFile,
    offset: usize,
    is_comment_line: &dyn Fn(usize) -> bool,
) -> Option<usize> {
    let text = &source.text;
    let mut at = text[offset..].find('\n').map(|n| offset + n + 1)?;
    while at < text.len() {
        let end = source.line_end(at);
        if text[at..end].trim().is_empty() {
            return None;
        }
        if !is_comment_line(at) {
            return Some(source.line_col(at).line);
        }
        at = text[at..].find('\n').map(|n| at + n + 1)?;
    }
    None
}

/// Removes the findings a suppression covers, marking what each suppression used.
pub fn apply(
    diags: Vec<Diagnostic>,
    suppressions: &mut [Suppression],
    line_of: impl Fn(&Diagnostic) -> usize,
) -> Vec<Diagnostic> {
    diags
        .into_iter()
        .filter(|d| {
            if d.code.starts_with("WSC") {
                return true;
            }
            let line = line_of(d);
            let mut suppressed = false;
            for s in suppressions.iter_mut().filter(|s| s.file == d.file) {
                if s.scope == Scope::File || s.scope == Scope::Line(line) {
                    for n in s.rules.iter_mut().filter(|n| std::ptr::eq(n.meta, d.rule)) {
                        n.used = true;
                        suppressed = true;
                    }
                }
            }
            !suppressed
        })
        .collect()
}

/// WSC001 for the rules a suppression names that silenced nothing. `may_report(meta)` says
/// whether the rule ran on the file, so that its silence means something.
pub fn unused(
    s: &Suppression,
    source: &SourceFile,
    may_report: impl Fn(&RuleMeta) -> bool,
) -> Option<Diagnostic> {
    let unused: Vec<&Named> = s
        .rules
        .iter()
        .filter(|n| !n.used && may_report(n.meta))
        .collect();
    if unused.is_empty() {
        return None;
    }
    let codes: Vec<&str> = unused.iter().map(|n| n.meta.code).collect();
    let kept: Vec<&str> = s
        .rules
        .iter()
        .filter(|n| !unused.iter().any(|u| std::ptr::eq(u.meta, n.meta)))
        .map(|n| &source.text[n.span.range()])
        .collect();
    let place = match s.scope {
        Scope::File => "in this file".to_owned(),
        Scope::Line(l) => format!("on line {l}"),
    };
    let (span, fix) = if kept.is_empty() {
        (
            s.comment,
            Fix::safe("remove the suppression", vec![remove_comment(s, source)]),
        )
    } else {
        let span = if unused.len() == 1 {
            unused[0].span
        } else {
            s.list
        };
        (
            span,
            Fix::safe(
                format!("remove {} from the suppression", codes.join(", ")),
                vec![Edit::replace(s.file, s.list, kept.join(", "))],
            ),
        )
    };
    Some(
        UNUSED_SUPPRESSION
            .diag(
                s.file,
                span,
                format!(
                    "this suppression of {} silences nothing: there is no such finding {place}",
                    codes.join(", ")
                ),
            )
            .help("remove it, or move it to the line the finding is on")
            .fix(Some(fix)),
    )
}

/// Deletes the comment: its whole line when it has the line to itself, else the comment
/// and the blanks before it.
fn remove_comment(s: &Suppression, source: &SourceFile) -> Edit {
    let text = &source.text;
    if s.own_line {
        let start = source.line_start(s.comment.start);
        let end = text[s.comment.end..]
            .find('\n')
            .map_or(text.len(), |n| s.comment.end + n + 1);
        Edit::delete(s.file, Span::new(start, end))
    } else {
        // A stray CR before the comment goes too: left next to the line's LF, it would turn
        // an LF file's line into a CRLF one.
        let before = &text[..s.comment.start];
        let start = before.trim_end_matches([' ', '\t', '\r']).len();
        Edit::delete(s.file, Span::new(start, s.comment.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        hash_comments(text)
            .iter()
            .map(|s| &text[s.range()])
            .collect()
    }

    #[test]
    fn finds_hash_comments_outside_strings() {
        assert_eq!(
            spans("a = \"x # no\" # yes\r\nb = 'it''s' #y\n#z\nc=d#no\n"),
            ["# yes", "#y", "#z"]
        );
        assert_eq!(spans("s = \"\"\"\n# inside\n\"\"\" # after\n"), ["# after"]);
        assert_eq!(spans("msg: it's fine # c\n"), ["# c"]);
    }

    fn parse(text: &str) -> FileSuppressions {
        let src = SourceFile::new("f".into(), text.into());
        parse_file(FileId(0), &src, &hash_comments(text))
    }

    #[test]
    fn a_trailing_suppression_goes_with_the_blanks_and_stray_cr_before_it() {
        let text = "x;\r\r # wscfg: ignore NGX001 -- r\ny;\n";
        let f = parse(text);
        let src = SourceFile::new("f".into(), text.into());
        let e = remove_comment(&f.suppressions[0], &src);
        assert_eq!(crate::fix::apply_edits(text, &[e]), "x;\ny;\n");
    }

    #[test]
    fn placement_rules() {
        let f = parse(
            "# wscfg: ignore NGX001 -- a\n# plain comment\nlocation /a {}\nx; # wscfg: ignore NGX002, read-timeout-short -- b\n\n# wscfg: ignore-file NGX090 -- c\n",
        );
        assert!(f.problems.is_empty());
        let s = &f.suppressions;
        assert_eq!(s[0].scope, Scope::Line(3), "skips comment lines");
        assert_eq!(s[1].scope, Scope::Line(4), "end of line: its own line");
        assert_eq!(s[1].rules.len(), 2);
        assert_eq!(s[1].rules[1].meta.code, "NGX006");
        assert_eq!(s[2].scope, Scope::File);
    }

    #[test]
    fn slash_and_block_comments() {
        let text = "// wscfg: ignore AWS001 -- a\nx = 1\ny = 2 /* wscfg: ignore AWS001, GCR001 -- b */\n/* wscfg: ignore-file APR001 */\n";
        let src = SourceFile::new("main.tf".into(), text.into());
        let comments = crate::formats::terraform::comments(text);
        let f = parse_file(FileId(0), &src, &comments);
        let s = &f.suppressions;
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].scope, Scope::Line(2));
        assert_eq!(s[1].scope, Scope::Line(3));
        assert_eq!(&text[s[1].list.range()], "AWS001, GCR001");
        assert_eq!(s[2].scope, Scope::File);
        // The reason stops before `*/`: the last one has none.
        let msgs: Vec<&str> = f.problems.iter().map(|d| d.code).collect();
        assert_eq!(msgs, ["WSC002"]);
        assert_eq!(f.problems[0].span, s[2].comment);
    }

    #[test]
    fn problems_are_located() {
        let f = parse(
            "# wscfg: ignore NGX001\nx;\n# wscfg: ignroe NGX001 -- r\n# wscfg: ignore NGX999 -- r\ny;\n# wscfg: ignore -- r\n# wscfg: ignore NGX001 -- r\n\nz;\n",
        );
        let msgs: Vec<(&str, String)> = f
            .problems
            .iter()
            .map(|d| (d.code, d.message.clone()))
            .collect();
        assert_eq!(msgs.len(), 5, "{msgs:#?}");
        assert_eq!(msgs[0].0, "WSC002");
        assert!(msgs[1].1.contains("did you mean `ignore`?"));
        assert!(msgs[2].1.contains("`NGX999` is not a wscfg rule"));
        assert!(msgs[3].1.contains("names no rule"));
        assert!(msgs[4].1.contains("applies to no line"));
        // The one without a reason still works.
        assert_eq!(f.suppressions[0].scope, Scope::Line(2));
    }
}
