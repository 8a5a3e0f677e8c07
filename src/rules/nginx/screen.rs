//! What a file does not show: the rest of a block a syntax error cut, the directives a
//! template placeholder stands for. A finding that a block lacks something (anchored at the
//! block's header, as every such finding is) proves nothing about such a block and is dropped;
//! a finding about a directive that is there stands. Fixes are not offered in files nginx
//! refuses, nor where they would edit template syntax.

use crate::diagnostic::Diagnostic;
use crate::formats::nginx::ast::ParsedFile;
use crate::formats::nginx::tree::ParsedFiles;
use crate::source::{FileId, Span};
use rustc_hash::{FxHashMap, FxHashSet};

/// Applies the above to the findings of a run.
pub fn screen(parsed: &ParsedFiles, found: &mut Vec<Diagnostic>) {
    let mut unknowable: FxHashMap<FileId, FxHashSet<usize>> = FxHashMap::default();
    for (&file, p) in parsed {
        let headers = unknowable_headers(p);
        if !headers.is_empty() {
            unknowable.insert(file, headers);
        }
    }
    if !unknowable.is_empty() {
        found.retain(|d| {
            unknowable
                .get(&d.file)
                .is_none_or(|h| !h.contains(&d.span.start))
        });
    }
    for d in found.iter_mut() {
        let Some(fix) = &d.fix else { continue };
        let refused = fix.edits.iter().any(|e| {
            parsed.get(&e.file).is_some_and(|p| {
                !p.errors.is_empty()
                    || !p.excused.is_empty()
                    || p.template.as_ref().is_some_and(|t| t.overlaps(e.span))
            })
        });
        if refused {
            d.fix = None;
        }
    }
}

/// Where the blocks start whose lacks prove nothing: those a syntax error cut, and those a
/// template fills in (a directive slot in the block or around it; one at the top level
/// leaves every block unknowable).
fn unknowable_headers(p: &ParsedFile) -> FxHashSet<usize> {
    let blocks = || p.directives.iter().filter(|d| d.block().is_some());
    let mut out: FxHashSet<usize> = blocks()
        .filter(|d| d.is_cut())
        .map(|d| d.span().start)
        .collect();
    let Some(t) = p.template.as_deref() else {
        return out;
    };
    for slot in &t.directive_slots {
        let holder = blocks()
            .filter(|d| {
                let b = d.block().expect("filtered on blocks");
                b.open < slot.start && slot.end <= b.close
            })
            .max_by_key(|d| d.span().start)
            .map(|d| d.span());
        let within = |s: Span| holder.is_none_or(|h| h.start <= s.start && s.end <= h.end);
        out.extend(
            blocks()
                .map(|d| d.span())
                .filter(|&s| within(s))
                .map(|s| s.start),
        );
    }
    out
}
