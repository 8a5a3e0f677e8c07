//! Text edits, fixes and the engine that applies them without ever touching other bytes.

use crate::source::{FileId, Span};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Only adds or changes what the finding names.
    Safe,
    /// Changes behaviour beyond the finding (moves a block, raises a limit).
    Unsafe,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub file: FileId,
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn insert(file: FileId, at: usize, content: impl Into<String>) -> Self {
        Edit {
            file,
            span: Span::empty(at),
            content: content.into(),
        }
    }
    pub fn replace(file: FileId, span: Span, content: impl Into<String>) -> Self {
        Edit {
            file,
            span,
            content: content.into(),
        }
    }
    pub fn delete(file: FileId, span: Span) -> Self {
        Edit::replace(file, span, "")
    }
}

#[derive(Clone, Debug)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: crate::diagnostic::Text,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(message: impl Into<crate::diagnostic::Text>, edits: Vec<Edit>) -> Self {
        Fix {
            applicability: Applicability::Safe,
            message: message.into(),
            edits,
        }
    }
    pub fn unsafe_(message: impl Into<crate::diagnostic::Text>, edits: Vec<Edit>) -> Self {
        Fix {
            applicability: Applicability::Unsafe,
            message: message.into(),
            edits,
        }
    }
}

/// Picks the fixes of one pass: a fix is taken whole or not at all, and only if none of its
/// edits overlaps an edit already taken (identical edits from two rules count once).
/// Returns the accepted edits grouped by file.
pub fn select_edits<'a>(fixes: impl IntoIterator<Item = &'a Fix>) -> BTreeMap<FileId, Vec<Edit>> {
    let mut taken: BTreeMap<FileId, Vec<Edit>> = BTreeMap::new();
    for fix in fixes {
        let fresh: Vec<&Edit> = fix
            .edits
            .iter()
            .filter(|e| !taken.get(&e.file).is_some_and(|t| t.contains(e)))
            .collect();
        let conflicts = fresh.iter().enumerate().any(|(i, e)| {
            taken
                .get(&e.file)
                .is_some_and(|t| t.iter().any(|o| o.span.overlaps(&e.span)))
                || fresh[..i]
                    .iter()
                    .any(|o| o.file == e.file && o.span.overlaps(&e.span))
        });
        if conflicts {
            continue;
        }
        for e in fresh {
            taken.entry(e.file).or_default().push(e.clone());
        }
    }
    taken
}

/// Applies non-overlapping edits to `text`. Bytes outside the edits are copied unchanged.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + 256);
    let mut pos = 0;
    for e in sorted {
        assert!(e.span.start >= pos, "overlapping edits reached apply_edits");
        out.push_str(&text[pos..e.span.start]);
        out.push_str(&e.content);
        pos = e.span.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// A unified diff between two versions of a file, as `wscfg fix` and `check --diff` print it.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let path = path.trim_start_matches("./").trim_start_matches('/');
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(at: usize, s: &str) -> Fix {
        Fix::safe("t", vec![Edit::insert(FileId(0), at, s)])
    }

    #[test]
    fn overlapping_fix_waits_for_next_pass_and_duplicates_merge() {
        let fixes = [f(1, "a"), f(1, "b"), f(1, "a"), f(4, "c")];
        let taken = select_edits(&fixes);
        let edits = &taken[&FileId(0)];
        assert_eq!(edits.len(), 2);
        assert_eq!(apply_edits("01234", edits), "0a123c4");
    }

    #[test]
    fn apply_keeps_untouched_bytes() {
        let e = Edit::replace(FileId(0), Span::new(2, 4), "XY");
        assert_eq!(apply_edits("ab\r\ncd", &[e]), "abXYcd");
    }
}
