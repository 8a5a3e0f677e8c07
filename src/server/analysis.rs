//! One analysis of the open documents: the engine's [`Session`] run over the editor's buffers,
//! its findings turned into LSP diagnostics and code actions.
//!
//! Every open document that wscfg recognises is a checked file, exactly as if its path had
//! been given to `wscfg check` from the workspace folder; documents that share a `wscfg.toml`
//! are linted together, so a fragment open beside the file that includes it is judged in that
//! context. Every open buffer is in each session's source database before linting, and the
//! nginx loader looks files up there before reading the disk: an unsaved buffer wins over the
//! file on disk, also when it is reached through an `include`.

use super::text::{Encoding, LineIndex};
use crate::config::{CONFIG_NAMES, Config};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Session;
use crate::fix::{Applicability, Edit};
use crate::formats::Format;
use crate::source::{FileId, SourceDb};
use crate::workspace;
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentChanges, Location,
    NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier, Position, Range,
    TextDocumentEdit, TextEdit, Url, WorkspaceEdit,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// An open document as the client last described it.
#[derive(Clone, Debug)]
pub struct Doc {
    pub version: i32,
    pub language_id: String,
    pub text: Arc<str>,
}

/// The open documents at one moment; `generation` grows with every change the server sees
/// (document edits, configuration changes), so results can be matched to the state they
/// describe.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub generation: u64,
    pub docs: BTreeMap<Url, Doc>,
}

/// What stays the same for the whole connection.
#[derive(Clone, Debug)]
pub struct Env {
    /// The workspace folder, which is also the server's working directory: paths inside it
    /// are relative, as in `wscfg check` run there.
    pub root: Option<PathBuf>,
    pub encoding: Encoding,
    /// The client takes `documentChanges` (versioned edits) in a workspace edit.
    pub document_changes: bool,
    /// The client can fill in a code action's edit later (`codeAction/resolve`), so the
    /// costly "fix all" edit is only computed when it is picked.
    pub resolve_edits: bool,
}

impl Env {
    /// The path the engine sees for a `file:` URI: relative to the workspace folder when it
    /// is inside it.
    pub fn path_of(&self, uri: &Url) -> Option<PathBuf> {
        if uri.scheme() != "file" {
            return None;
        }
        let abs = uri.to_file_path().ok()?;
        match &self.root {
            Some(root) => match abs.strip_prefix(root) {
                Ok(rel) if !rel.as_os_str().is_empty() => Some(rel.to_owned()),
                _ => Some(abs),
            },
            None => Some(abs),
        }
    }

    pub fn uri_of(&self, path: &Path) -> Option<Url> {
        let abs = match &self.root {
            Some(root) if path.is_relative() => root.join(path),
            _ => std::path::absolute(path).ok()?,
        };
        Url::from_file_path(normalize(&abs)).ok()
    }
}

/// Removes `.` and `..` components without touching the disk (an include of `../x.conf`
/// names the same document as the editor's URI for it).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// A diagnostic ready to publish, with the fix it offers.
#[derive(Clone, Debug)]
pub struct Finding {
    pub diagnostic: lsp_types::Diagnostic,
    /// Rule code, empty for problems that are not a rule's (an unreadable wscfg.toml).
    pub code: &'static str,
    pub fix: Option<FixAction>,
}

#[derive(Clone, Debug)]
pub struct FixAction {
    pub title: String,
    pub safe: bool,
    pub edit: WorkspaceEdit,
}

#[derive(Debug, Default)]
pub struct Analysis {
    pub generation: u64,
    /// Findings by file: every analysed open document (an empty list when it is clean), every
    /// other file with findings (included files, a broken wscfg.toml).
    pub files: BTreeMap<Url, Vec<Finding>>,
    /// Messages about configuration files that could not be used (shown to the user once).
    pub config_errors: Vec<String>,
}

/// The engine sessions for a snapshot: one per configuration file in use.
struct Built {
    sessions: Vec<Session>,
    /// Open documents that were checked, by path.
    checked: Vec<PathBuf>,
    config_errors: Vec<(Option<PathBuf>, String)>,
}

fn format_of(doc: &Doc, path: &Path) -> Option<Format> {
    Format::parse(&doc.language_id.to_ascii_lowercase()).or_else(|| Format::detect(path, false))
}

/// The configuration file `Config::discover` would read for `start`, when it failed to read it.
fn config_file_near(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_owned());
    start
        .ancestors()
        .skip(1)
        .flat_map(|d| CONFIG_NAMES.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}

fn build(snapshot: &Snapshot, env: &Env) -> Built {
    let docs: Vec<(PathBuf, &Doc)> = snapshot
        .docs
        .iter()
        .filter_map(|(uri, d)| Some((env.path_of(uri)?, d)))
        .collect();
    let mut configs: HashMap<PathBuf, Config> = HashMap::new();
    let mut groups: BTreeMap<Option<PathBuf>, Vec<(usize, Format)>> = BTreeMap::new();
    let mut config_errors = Vec::new();
    for (i, (path, doc)) in docs.iter().enumerate() {
        let Some(format) = format_of(doc, path) else {
            continue;
        };
        let config = match Config::discover(path) {
            Ok(c) => c.unwrap_or_default(),
            Err(e) => {
                let file = config_file_near(path);
                if !config_errors.iter().any(|(f, _)| *f == file) {
                    config_errors.push((file, e));
                }
                Config::default()
            }
        };
        let key = config.path.clone();
        if let Some(p) = &key {
            configs.entry(p.clone()).or_insert(config);
        }
        groups.entry(key).or_default().push((i, format));
    }
    let mut sessions = Vec::new();
    let mut checked = Vec::new();
    for (key, members) in groups {
        let config = key
            .as_ref()
            .and_then(|k| configs.get(k).cloned())
            .unwrap_or_default();
        let mut session = Session::new(config);
        for &(i, format) in &members {
            let (path, doc) = &docs[i];
            session.add_text(path.clone(), doc.text.to_string(), format);
            checked.push(path.clone());
        }
        add_project(&mut session, &members, &docs, env);
        // The other buffers, for includes to find before the disk.
        let inside: HashSet<usize> = members.iter().map(|&(i, _)| i).collect();
        for (i, (path, doc)) in docs.iter().enumerate() {
            if !inside.contains(&i) && session.db.find(path).is_none() {
                session.db.add(path.clone(), doc.text.to_string());
            }
        }
        sessions.push(session);
    }
    Built {
        sessions,
        checked,
        config_errors,
    }
}

/// Adds the project around a session's documents (the workspace folder, or the nearest
/// directory with a wscfg.toml or a .git) as context: the documents get the verdict `wscfg
/// check` run on the whole project gives them. An open buffer is read for its file.
fn add_project(
    session: &mut Session,
    members: &[(usize, Format)],
    docs: &[(PathBuf, &Doc)],
    env: &Env,
) {
    let named: Vec<workspace::Discovered> = members
        .iter()
        .map(|&(i, format)| workspace::Discovered {
            path: docs[i].0.clone(),
            format,
        })
        .collect();
    let paths: Vec<PathBuf> = named.iter().map(|d| d.path.clone()).collect();
    let walk = workspace::WalkOptions::default();
    let (around, _) = workspace::project_files(&paths, &named, &walk, env.root.as_deref());
    let mut on_disk = Vec::new();
    for file in around {
        match docs.iter().find(|(path, _)| *path == file.path) {
            Some((path, doc)) => {
                session.add_context_text(path.clone(), doc.text.to_string(), file.format)
            }
            None => on_disk.push(file),
        }
    }
    session.add_context_files(on_disk);
}

/// Turns byte spans of the files of one session into LSP ranges and edits.
struct Converter<'a> {
    db: &'a SourceDb,
    env: &'a Env,
    snapshot: &'a Snapshot,
    indexes: HashMap<FileId, LineIndex<'a>>,
    uris: HashMap<FileId, Option<Url>>,
}

impl<'a> Converter<'a> {
    fn new(db: &'a SourceDb, env: &'a Env, snapshot: &'a Snapshot) -> Self {
        Converter {
            db,
            env,
            snapshot,
            indexes: HashMap::new(),
            uris: HashMap::new(),
        }
    }

    fn uri(&mut self, file: FileId) -> Option<Url> {
        let (db, env) = (self.db, self.env);
        self.uris
            .entry(file)
            .or_insert_with(|| env.uri_of(&db.get(file).path))
            .clone()
    }

    fn range(&mut self, file: FileId, start: usize, end: usize) -> Range {
        let db = self.db;
        let enc = self.env.encoding;
        self.indexes
            .entry(file)
            .or_insert_with(|| LineIndex::new(&db.get(file).text))
            .range(start, end, enc)
    }

    fn workspace_edit(&mut self, edits: &[Edit]) -> Option<WorkspaceEdit> {
        let mut by_uri: BTreeMap<Url, Vec<TextEdit>> = BTreeMap::new();
        for e in edits {
            let uri = self.uri(e.file)?;
            let range = self.range(e.file, e.span.start, e.span.end);
            by_uri.entry(uri).or_default().push(TextEdit {
                range,
                new_text: e.content.clone(),
            });
        }
        Some(workspace_edit(by_uri, self.snapshot, self.env))
    }

    fn finding(&mut self, d: &Diagnostic) -> Option<(Url, Finding)> {
        let uri = self.uri(d.file)?;
        let range = self.range(d.file, d.span.start, d.span.end);
        let mut related = Vec::new();
        for l in &d.labels {
            let Some(label_uri) = self.uri(l.file) else {
                continue;
            };
            related.push(DiagnosticRelatedInformation {
                location: Location {
                    uri: label_uri,
                    range: self.range(l.file, l.span.start, l.span.end),
                },
                message: l.message.to_string(),
            });
        }
        let message = match &d.help {
            Some(help) => format!("{}\nhelp: {help}", d.message),
            None => d.message.clone(),
        };
        let fix = match &d.fix {
            Some(f) => self.workspace_edit(&f.edits).map(|edit| {
                let safe = f.applicability == Applicability::Safe;
                FixAction {
                    title: if safe {
                        format!("{} ({})", capitalise(&f.message), d.code)
                    } else {
                        format!(
                            "{} ({}, unsafe: changes behaviour beyond the finding)",
                            capitalise(&f.message),
                            d.code
                        )
                    },
                    safe,
                    edit,
                }
            }),
            None => None,
        };
        let diagnostic = lsp_types::Diagnostic {
            range,
            severity: Some(severity(d.severity)),
            code: Some(NumberOrString::String(d.code.to_owned())),
            code_description: Url::parse(&d.url())
                .ok()
                .map(|href| CodeDescription { href }),
            source: Some("wscfg".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data: None,
        };
        Some((
            uri,
            Finding {
                diagnostic,
                code: d.code,
                fix,
            },
        ))
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// Edits per document, versioned for the open ones when the client takes versioned edits.
fn workspace_edit(
    by_uri: BTreeMap<Url, Vec<TextEdit>>,
    snapshot: &Snapshot,
    env: &Env,
) -> WorkspaceEdit {
    if env.document_changes {
        let edits = by_uri
            .into_iter()
            .map(|(uri, edits)| TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    version: snapshot.docs.get(&uri).map(|d| d.version),
                    uri,
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            })
            .collect();
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(edits)),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(by_uri.into_iter().collect()),
            ..WorkspaceEdit::default()
        }
    }
}

/// Lints every open document.
pub fn analyse(snapshot: &Snapshot, env: &Env) -> Analysis {
    let built = build(snapshot, env);
    let mut files: BTreeMap<Url, Vec<Finding>> = BTreeMap::new();
    for path in &built.checked {
        if let Some(uri) = env.uri_of(path) {
            files.entry(uri).or_default();
        }
    }
    let mut seen = HashSet::new();
    for mut session in built.sessions {
        let diags = session.lint();
        let mut conv = Converter::new(&session.db, env, snapshot);
        for d in &diags {
            let Some((uri, finding)) = conv.finding(d) else {
                continue;
            };
            let key = (
                uri.clone(),
                finding.diagnostic.range.start,
                finding.diagnostic.range.end,
                finding.code,
                finding.diagnostic.message.clone(),
            );
            if seen.insert(key) {
                files.entry(uri).or_default().push(finding);
            }
        }
    }
    let mut config_errors = Vec::new();
    for (file, message) in built.config_errors {
        config_errors.push(message.clone());
        let Some(uri) = file.as_deref().and_then(|f| env.uri_of(f)) else {
            continue;
        };
        files.entry(uri).or_default().push(Finding {
            diagnostic: lsp_types::Diagnostic {
                range: Range::default(),
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some("wscfg".into()),
                message: format!(
                    "{message}\nhelp: wscfg uses its default settings until this file is fixed"
                ),
                ..lsp_types::Diagnostic::default()
            },
            code: "",
            fix: None,
        });
    }
    Analysis {
        generation: snapshot.generation,
        files,
        config_errors,
    }
}

/// "Fix all safe problems in this file": the engine's fix passes over the findings located in
/// `uri` whose edits stay in it, as one edit of the document (`None` when nothing changes).
pub fn fix_all(snapshot: &Snapshot, env: &Env, uri: &Url) -> Option<WorkspaceEdit> {
    let path = env.path_of(uri)?;
    let built = build(snapshot, env);
    let mut session = built
        .sessions
        .into_iter()
        .find(|s| s.checked.iter().any(|(f, _)| s.db.get(*f).path == path))?;
    let target = session.db.find(&path)?;
    let outcome = session.fix_matching(false, &|d| {
        d.file == target
            && d.fix
                .as_ref()
                .is_some_and(|f| f.edits.iter().all(|e| e.file == target))
    });
    let old = outcome.originals.get(&target)?;
    let new = &session.db.get(target).text;
    let edits = diff_edits(old, new, env.encoding);
    let mut by_uri = BTreeMap::new();
    by_uri.insert(uri.clone(), edits);
    Some(workspace_edit(by_uri, snapshot, env))
}

/// Line-level edits turning `old` into `new`, so the editor keeps cursors and marks in the
/// lines that did not change.
pub fn diff_edits(old: &str, new: &str, enc: Encoding) -> Vec<TextEdit> {
    let diff = similar::TextDiff::from_lines(old, new);
    let new_lines: Vec<&str> = diff.iter_new_slices().collect();
    let mut old_starts = Vec::with_capacity(diff.old_len() + 1);
    let mut at = 0;
    for l in diff.iter_old_slices() {
        old_starts.push(at);
        at += l.len();
    }
    old_starts.push(at);
    let index = LineIndex::new(old);
    diff.ops()
        .iter()
        .filter(|op| op.tag() != similar::DiffTag::Equal)
        .map(|op| {
            let (o, n) = (op.old_range(), op.new_range());
            TextEdit {
                range: index.range(old_starts[o.start], old_starts[o.end], enc),
                new_text: new_lines[n].concat(),
            }
        })
        .collect()
}

/// The rule code or name under the cursor, if it is one.
pub fn rule_at(text: &str, pos: Position, enc: Encoding) -> Option<(&'static str, Range)> {
    let index = LineIndex::new(text);
    let at = index.offset(pos, enc);
    let word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let start = text[..at]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| word(c))
        .last()
        .map_or(at, |(i, _)| i);
    let end = text[at..]
        .char_indices()
        .find(|&(_, c)| !word(c))
        .map_or(text.len(), |(i, _)| at + i);
    let meta = crate::rules::find(&text[start..end])?;
    Some((meta.code, index.range(start, end, enc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_edits_rebuild_the_new_text() {
        let old = "a\nb\nc\nd\n";
        let new = "a\nB\nc\nd\ne\n";
        let edits = diff_edits(old, new, Encoding::Utf16);
        assert_eq!(edits.len(), 2);
        // Apply from the end so earlier ranges stay valid.
        let mut text = old.to_owned();
        for e in edits.iter().rev() {
            let idx = LineIndex::new(&text);
            let (s, t) = (
                idx.offset(e.range.start, Encoding::Utf16),
                idx.offset(e.range.end, Encoding::Utf16),
            );
            text.replace_range(s..t, &e.new_text);
        }
        assert_eq!(text, new);
    }

    #[test]
    fn finds_rule_codes_and_names_under_the_cursor() {
        let text = "# wscfg: ignore NGX003, proxy-http-version\nlisten 80;";
        let p = |c| Position {
            line: 0,
            character: c,
        };
        assert_eq!(rule_at(text, p(18), Encoding::Utf16).unwrap().0, "NGX003");
        assert_eq!(rule_at(text, p(16), Encoding::Utf16).unwrap().0, "NGX003");
        assert_eq!(rule_at(text, p(30), Encoding::Utf16).unwrap().0, "NGX001");
        assert!(rule_at(text, p(3), Encoding::Utf16).is_none());
    }

    #[test]
    fn paths_are_relative_to_the_workspace_and_back() {
        let env = Env {
            root: Some(PathBuf::from("/w")),
            encoding: Encoding::Utf16,
            document_changes: false,
            resolve_edits: false,
        };
        let uri = Url::parse("file:///w/conf.d/a%20b.conf").unwrap();
        let path = env.path_of(&uri).unwrap();
        assert_eq!(path, PathBuf::from("conf.d/a b.conf"));
        assert_eq!(env.uri_of(&path).unwrap(), uri);
        assert_eq!(
            env.uri_of(Path::new("conf.d/../x.conf")).unwrap().as_str(),
            "file:///w/x.conf"
        );
        assert_eq!(
            env.path_of(&Url::parse("file:///elsewhere/n.conf").unwrap()),
            Some(PathBuf::from("/elsewhere/n.conf"))
        );
        assert!(
            env.path_of(&Url::parse("untitled:Untitled-1").unwrap())
                .is_none()
        );
    }
}
