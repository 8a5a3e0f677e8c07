//! The comments of app-side sources, for inline suppressions: `#` comments in Python, Ruby,
//! Elixir, shell-like files (Procfile, Dockerfile, `.env`, compose), `//` comments in
//! JS/TS and Go. `package.json` has none (use `[per-file-ignores]`).

use super::kind::{Kind, Lang};
use crate::source::Span;
use std::path::Path;

/// The comment syntax of an app-side file, by its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Hash,
    Slash,
}

impl Kind {
    pub fn comment_style(self) -> Option<Style> {
        match self {
            Kind::PackageJson => None,
            Kind::Source(Lang::Js | Lang::Go) => Some(Style::Slash),
            _ => Some(Style::Hash),
        }
    }
}

/// The comments of an app-side file, `None` for a file without comments.
pub fn of(path: &Path, text: &str) -> Option<Vec<Span>> {
    match super::kind::by_name(path)?.comment_style()? {
        Style::Hash => Some(crate::suppress::hash_comments(text)),
        Style::Slash => Some(slash_comments(text)),
    }
}

/// `//` line comments (from `//` to the end of the line) outside `'…'`, `"…"` and `` `…` ``
/// strings and `/* … */` blocks.
pub fn slash_comments(text: &str) -> Vec<Span> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let mut end = text[i..].find('\n').map_or(b.len(), |n| i + n);
                if end > i && b[end - 1] == b'\r' {
                    end -= 1;
                }
                out.push(Span::new(i, end));
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2);
            }
            q @ (b'"' | b'\'' | b'`') => {
                let mut j = i + 1;
                while j < b.len() && b[j] != q && (q == b'`' || b[j] != b'\n') {
                    if b[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                i = (j + 1).min(b.len());
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_comments_skip_strings_and_blocks() {
        let t = "const u = \"wss://x/y\"; // one\n/* // not */ let a = `//${b}` // two\n'//' // three\r\n";
        let got: Vec<&str> = slash_comments(t).iter().map(|s| &t[s.range()]).collect();
        assert_eq!(got, ["// one", "// two", "// three"]);
    }

    #[test]
    fn style_by_kind() {
        assert_eq!(Kind::Source(Lang::Go).comment_style(), Some(Style::Slash));
        assert_eq!(
            Kind::Source(Lang::Python).comment_style(),
            Some(Style::Hash)
        );
        assert_eq!(Kind::PackageJson.comment_style(), None);
    }
}
