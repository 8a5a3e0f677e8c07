//! Helpers for the Railway and App Runner tests: lint or fix one text through
//! `wscfg::engine::Session`. (Fixture files and rule pages are checked by the generic
//! `tests/fixtures.rs` and `tests/rule_pages.rs`.)

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use wscfg::config::Config;
use wscfg::diagnostic::Diagnostic;
use wscfg::engine::Session;
use wscfg::formats::Format;

pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn lint_text(path: &Path, text: &str, format: Format) -> Vec<Diagnostic> {
    let mut s = Session::new(Config::default());
    s.add_text(path.to_path_buf(), text.to_owned(), format);
    s.lint()
}

/// Applies every fix (unsafe ones too) and returns the new text, `None` when nothing changed.
pub fn fix_text(path: &Path, text: &str, format: Format) -> Option<String> {
    let mut s = Session::new(Config::default());
    let id = s.add_text(path.to_path_buf(), text.to_owned(), format);
    let outcome = s.fix(true);
    assert!(
        outcome.notes.is_empty(),
        "{}: fix notes {:?}",
        path.display(),
        outcome.notes
    );
    outcome
        .originals
        .contains_key(&id)
        .then(|| s.db.get(id).text.clone())
}
