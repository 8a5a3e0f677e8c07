//! One run: read the files, lint them per format, and apply fixes in passes until nothing
//! more can be fixed, refusing any result that no longer parses.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Applicability, apply_edits, select_edits};
use crate::formats::Format;
use crate::rules::nginx::SYNTAX_ERROR;
use crate::source::{FileId, SourceDb, Span};
use crate::workspace::{self, ReadError};
use std::collections::BTreeMap;

/// Fix passes before giving up on reaching a fixed point (each pass re-lints the result).
const MAX_FIX_PASSES: usize = 10;

pub struct Session {
    pub db: SourceDb,
    pub config: Config,
    /// The files the user asked about (named or found under a named directory).
    pub checked: Vec<(FileId, Format)>,
    /// Problems reading files: reported as diagnostics on the file.
    pub read_problems: Vec<Diagnostic>,
}

impl Session {
    pub fn new(config: Config) -> Self {
        Session {
            db: SourceDb::default(),
            config,
            checked: Vec::new(),
            read_problems: Vec::new(),
        }
    }

    pub fn add_text(&mut self, path: std::path::PathBuf, text: String, format: Format) -> FileId {
        let id = self.db.add(path, text);
        self.checked.push((id, format));
        id
    }

    /// Reads a discovered file; an unreadable or non-UTF-8 file becomes a located diagnostic.
    pub fn add_file(&mut self, path: std::path::PathBuf, format: Format) {
        match workspace::read_text(&path, workspace::DEFAULT_MAX_FILE_SIZE) {
            Ok(text) => {
                self.add_text(path, text, format);
            }
            Err(ReadError {
                message,
                offset,
                partial_text,
            }) => {
                let id = self.db.add(path, partial_text.unwrap_or_default());
                let at = offset.unwrap_or(0);
                let span = Span::new(at, (at + 1).min(self.db.get(id).text.len()).max(at));
                self.read_problems
                    .push(syntax_meta(format).diag(id, span, message));
            }
        }
    }

    pub fn is_checked(&self, file: FileId) -> bool {
        self.checked.iter().any(|(f, _)| *f == file)
    }

    /// Every finding, sorted by path then position.
    pub fn lint(&mut self) -> Vec<Diagnostic> {
        let mut by_format: BTreeMap<Format, Vec<FileId>> = BTreeMap::new();
        for &(f, fmt) in &self.checked {
            by_format.entry(fmt).or_default().push(f);
        }
        let mut out = self.read_problems.clone();
        for (format, files) in by_format {
            out.extend(match format {
                Format::Nginx => crate::formats::nginx::lint(&mut self.db, &files, &self.config),
                Format::Fly => crate::formats::fly::lint(&self.db, &files, &self.config),
            });
        }
        for d in &mut out {
            if let Some(meta) = crate::rules::find(d.code) {
                d.severity = self.config.severity(meta);
            }
        }
        let db = &self.db;
        out.sort_by(|a, b| {
            (&db.get(a.file).path, a.span.start, a.code).cmp(&(
                &db.get(b.file).path,
                b.span.start,
                b.code,
            ))
        });
        out
    }

    /// Applies fixes in passes. Returns the original text of every file that changed, and
    /// messages about fixes that were refused.
    pub fn fix(&mut self, allow_unsafe: bool) -> FixOutcome {
        let mut originals: BTreeMap<FileId, String> = BTreeMap::new();
        let mut notes = Vec::new();
        for _ in 0..MAX_FIX_PASSES {
            let diags = self.lint();
            let fixes: Vec<_> = diags
                .iter()
                .filter_map(|d| d.fix.as_ref())
                .filter(|f| allow_unsafe || f.applicability == Applicability::Safe)
                .filter(|f| {
                    let writable = f.edits.iter().all(|e| self.is_checked(e.file));
                    if !writable {
                        notes.push(format!(
                            "not applied: \"{}\" would edit a file outside the checked paths",
                            f.message
                        ));
                    }
                    writable
                })
                .collect();
            let taken = select_edits(fixes);
            if taken.is_empty() {
                break;
            }
            for (file, edits) in taken {
                let old = self.db.get(file).text.clone();
                let new = apply_edits(&old, &edits);
                originals.entry(file).or_insert(old);
                self.db.set_text(file, new);
            }
        }
        // A fix must never turn a file that parsed into one that does not.
        let broken: Vec<FileId> = originals
            .iter()
            .filter(|(f, old)| {
                parses(self.format_of(**f), old)
                    && !parses(self.format_of(**f), &self.db.get(**f).text)
            })
            .map(|(f, _)| *f)
            .collect();
        for f in broken {
            let old = originals.remove(&f).expect("collected from originals");
            notes.push(format!(
                "{}: fixes left the file unparsable, so it was not changed",
                self.db.get(f).path.display()
            ));
            self.db.set_text(f, old);
        }
        originals.retain(|f, old| *old != self.db.get(*f).text);
        notes.sort();
        notes.dedup();
        FixOutcome { originals, notes }
    }

    fn format_of(&self, file: FileId) -> Format {
        self.checked
            .iter()
            .find(|(f, _)| *f == file)
            .map_or(Format::Nginx, |(_, fmt)| *fmt)
    }
}

fn parses(format: Format, text: &str) -> bool {
    match format {
        Format::Nginx => crate::formats::nginx::parser::parse(text).is_ok(),
        Format::Fly => crate::formats::fly::parses(text),
    }
}

pub struct FixOutcome {
    /// Changed files with their text before the fixes.
    pub originals: BTreeMap<FileId, String>,
    pub notes: Vec<String>,
}

fn syntax_meta(format: Format) -> &'static crate::rules::RuleMeta {
    match format {
        Format::Nginx => &SYNTAX_ERROR,
        Format::Fly => &crate::rules::fly::SYNTAX_ERROR,
    }
}

/// Whether findings should fail the run.
pub fn has_failures(diags: &[Diagnostic], fail_on: Severity) -> bool {
    diags.iter().any(|d| d.severity >= fail_on)
}

/// Replaces a file atomically: a temporary file in the same directory, the original's
/// permissions, then a rename over it.
pub fn write_atomic(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let perms = std::fs::metadata(path)?.permissions();
    let mut tmp = tempfile::Builder::new()
        .prefix(".wscfg-")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.as_file().set_permissions(perms)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
