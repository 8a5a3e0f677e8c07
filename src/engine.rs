//! One run: read the files, lint them per format, and apply fixes in passes until nothing
//! more can be fixed, refusing any result that no longer parses.

use crate::config::{Config, ConfigSet};
use crate::diagnostic::{Diagnostic, Severity, dedupe};
pub use crate::exec::{par_map, release, set_one_shot};
use crate::fix::{Applicability, apply_edits, select_edits};
use crate::formats::Format;
use crate::rules::RuleKind;
use crate::source::{FileId, SourceDb, Span};
use crate::suppress;
use crate::workspace::{self, ReadError};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Fix passes without progress before giving up on reaching a fixed point (each pass
/// re-lints the result). A pass that leaves fewer fixable findings than any pass before is
/// progress and does not count: fixes that overlap are taken one per pass, so twelve servers
/// in one start command, or twelve findings fixed at one spot, need twelve passes.
const MAX_FIX_PASSES: usize = 10;
/// Fix passes in all, progress or not: each re-lints every file, so a file with thousands of
/// fixes at one spot would take minutes; it is left as it is instead.
const MAX_TOTAL_FIX_PASSES: usize = 100;

/// Whether fix passes are still getting somewhere: see [`MAX_FIX_PASSES`].
struct Progress {
    fewest: usize,
    stalled: usize,
    passes: usize,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            fewest: usize::MAX,
            stalled: 0,
            passes: 0,
        }
    }
}

impl Progress {
    /// Called before each pass with the number of fixable findings; false once more than
    /// [`MAX_FIX_PASSES`] passes left no fewer than the best pass before them, or after
    /// [`MAX_TOTAL_FIX_PASSES`] passes.
    fn keep_going(&mut self, fixable: usize) -> bool {
        if fixable < self.fewest {
            self.fewest = fixable;
        } else {
            self.stalled += 1;
        }
        self.passes += 1;
        self.stalled <= MAX_FIX_PASSES && self.passes <= MAX_TOTAL_FIX_PASSES
    }
}

pub struct Session {
    pub db: SourceDb,
    /// Each file's configuration (the closest configuration file, or `--config FILE`).
    pub configs: ConfigSet,
    /// The files the user asked about (named or found under a named directory).
    pub checked: Vec<(FileId, Format)>,
    /// Problems reading files: reported as diagnostics on the file.
    pub read_problems: Vec<Diagnostic>,
    /// Each file's index in `configs`, once resolved.
    config_of_file: HashMap<FileId, usize>,
    /// nginx files that are not UTF-8, checked with the invalid bytes replaced: their text is
    /// not the file's, so no fix is written to them.
    not_utf8: HashSet<FileId>,
    /// How many of `checked` have had their dependency files read (see
    /// [`Session::read_dependency_files`]).
    deps_read: usize,
    /// Checked files that are only there for the project view (the repository around the
    /// files the user named): linted like the others, so the named files get the verdict a
    /// check of the whole project gives them, but never reported, fixed or counted.
    context: FxHashSet<FileId>,
}

impl Session {
    /// A session where every file uses `config`.
    pub fn new(config: Config) -> Self {
        Session::with_configs(ConfigSet::fixed(config))
    }

    pub fn with_configs(configs: ConfigSet) -> Self {
        Session {
            db: SourceDb::default(),
            configs,
            checked: Vec::new(),
            read_problems: Vec::new(),
            config_of_file: HashMap::new(),
            not_utf8: HashSet::new(),
            deps_read: 0,
            context: FxHashSet::default(),
        }
    }

    /// Loads the configuration of every checked file, so a broken configuration file is an
    /// error before anything is linted.
    pub fn resolve_configs(&mut self) -> Result<(), String> {
        let todo: Vec<FileId> = self
            .checked
            .iter()
            .map(|(f, _)| *f)
            .filter(|f| !self.config_of_file.contains_key(f))
            .collect();
        if self.configs.is_fixed() {
            self.config_of_file.extend(todo.iter().map(|&f| (f, 0)));
            return Ok(());
        }
        // Resolving symbolic links is most of the cost: it is done once per directory (a
        // file that is no link itself is in its directory's real path), on every core.
        let db = &self.db;
        let parent_of = |f: FileId| -> &Path {
            match db.get(f).path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            }
        };
        let mut parents: Vec<&Path> = Vec::new();
        let mut seen: FxHashSet<&Path> = FxHashSet::default();
        for &f in &todo {
            let p = parent_of(f);
            if seen.insert(p) {
                parents.push(p);
            }
        }
        let real: FxHashMap<&Path, Option<PathBuf>> = parents
            .iter()
            .copied()
            .zip(par_map(&parents, |p| std::fs::canonicalize(p).ok()))
            .collect();
        let dirs = par_map(&todo, |&f| {
            let path = &db.get(f).path;
            let plain_file = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file());
            match &real[parent_of(f)] {
                Some(dir) if plain_file => Ok(dir.clone()),
                _ => Err(crate::config::absolute(path)),
            }
        });
        for (file, dir) in todo.into_iter().zip(dirs) {
            let config = match dir {
                Ok(dir) => self.configs.resolve_dir(dir)?,
                Err(abs) => self.configs.resolve_absolute(abs)?,
            };
            self.config_of_file.insert(file, config);
        }
        Ok(())
    }

    fn config_index(&mut self, file: FileId) -> usize {
        if let Some(&i) = self.config_of_file.get(&file) {
            return i;
        }
        let path = self.db.get(file).path.clone();
        let i = self.configs.resolve_or_default(&path);
        self.config_of_file.insert(file, i);
        i
    }

    /// The configuration that applies to `file`.
    pub fn config_of(&mut self, file: FileId) -> &Config {
        let i = self.config_index(file);
        self.configs.get(i)
    }

    pub fn add_text(&mut self, path: std::path::PathBuf, text: String, format: Format) -> FileId {
        let id = self.db.add(path, text);
        self.checked.push((id, format));
        id
    }

    /// Reads a discovered file; an unreadable or non-UTF-8 file becomes a located diagnostic.
    pub fn add_file(&mut self, path: std::path::PathBuf, format: Format) {
        let text = workspace::read_text(&path, self.limits().max_file_size);
        self.add_read(path, format, text);
    }

    fn add_read(&mut self, path: PathBuf, format: Format, text: Result<String, ReadError>) {
        match text {
            Ok(text) => {
                self.add_text(path, text, format);
            }
            // nginx reads bytes: a Latin-1 comment or string is valid configuration.
            Err(ReadError {
                message,
                offset: Some(at),
                partial_text: Some(text),
            }) if format == Format::Nginx => {
                let id = self.add_text(path, text, format);
                self.not_utf8.insert(id);
                let d = crate::rules::nginx::not_utf8(&self.db, id, at, &message);
                self.read_problems.push(d);
            }
            Err(ReadError {
                message,
                offset,
                partial_text,
            }) => {
                let id = self.db.add(path, partial_text.unwrap_or_default());
                let at = offset.unwrap_or(0);
                let span = Span::new(at, (at + 1).min(self.db.get(id).text.len()).max(at));
                self.read_problems.push(
                    crate::rules::table::row(format)
                        .syntax
                        .diag(id, span, message),
                );
            }
        }
    }

    /// Reads discovered files, on every core when there are several (the reading is
    /// independent; the files are added in the order given).
    pub fn add_files(&mut self, files: Vec<workspace::Discovered>) {
        let max = self.limits().max_file_size;
        let read = par_map(&files, |f| workspace::read_text(&f.path, max));
        for (f, text) in files.into_iter().zip(read) {
            self.add_read(f.path, f.format, text);
        }
    }

    /// Reads the files around the named ones that the project view needs (see
    /// [`Session::context`]): they are linted, and their findings dropped.
    pub fn add_context_files(&mut self, files: Vec<workspace::Discovered>) {
        let first = self.db.ids().count();
        self.add_files(files);
        self.mark_context_from(first);
    }

    /// [`Session::add_context_files`] for a file whose text is at hand (an editor's buffer).
    pub fn add_context_text(&mut self, path: PathBuf, text: String, format: Format) {
        let id = self.add_text(path, text, format);
        self.context.insert(id);
    }

    fn mark_context_from(&mut self, first: usize) {
        let added = self.db.ids().skip(first);
        self.context.extend(added);
    }

    /// The files the user asked about: the checked files that are not there for the
    /// project view alone.
    pub fn targets(&self) -> impl Iterator<Item = (FileId, Format)> + '_ {
        self.checked
            .iter()
            .copied()
            .filter(|(f, _)| !self.context.contains(f))
    }

    /// Whether a finding is one to report: in a named file, or in a file a named file
    /// includes (`reached`, see [`crate::rules::driver::Run::reached`]).
    fn reported(&self, d: &Diagnostic, reached: &FxHashSet<FileId>) -> bool {
        self.context.is_empty()
            || reached.contains(&d.file)
            || (self.is_checked(d.file) && !self.context.contains(&d.file))
    }

    /// The run's limits (from the command line; the same in every configuration).
    pub fn limits(&self) -> &workspace::Limits {
        &self.configs.get(0).limits
    }

    pub fn is_checked(&self, file: FileId) -> bool {
        self.checked_format(file).is_some()
    }

    /// `checked` is in the order files were added, which is `FileId` order.
    fn checked_format(&self, file: FileId) -> Option<Format> {
        self.checked
            .binary_search_by_key(&file, |(f, _)| *f)
            .ok()
            .map(|i| self.checked[i].1)
    }

    /// Every finding, sorted by path then position.
    ///
    /// Files are linted in groups that share a configuration (usually one group per format);
    /// each finding is then judged by the configuration of the file it is in: rule selection,
    /// `[per-file-ignores]` and severity. Syntax errors are always reported.
    pub fn lint(&mut self) -> Vec<Diagnostic> {
        let mut groups: BTreeMap<(usize, Format), Vec<FileId>> = BTreeMap::new();
        for i in 0..self.checked.len() {
            let (f, fmt) = self.checked[i];
            let config = self.config_index(f);
            groups.entry((config, fmt)).or_default().push(f);
        }
        self.read_dependency_files();
        let mut out = self.read_problems.clone();
        // The project view first: deployment manifests ask it where WebSockets are served.
        let project = crate::project::Scan::build(&self.db, &self.checked);
        let ws = project.websocket_evidence(&self.db);
        let reached = std::sync::Mutex::new(FxHashSet::default());
        for ((config, format), files) in groups {
            let config = self.configs.get(config);
            let run = crate::rules::driver::Run {
                files: &files,
                config,
                ws: &ws,
                context: &self.context,
                reached: &reached,
            };
            let found = (crate::rules::table::row(format).lint)(&mut self.db, &run);
            // Taken over, not copied, when it is the first: a big configuration's findings
            // would otherwise be held twice at the run's peak.
            if out.is_empty() {
                out = found;
            } else {
                out.extend(found);
            }
        }
        out.extend(crate::rules::app::lint(
            &mut self.db,
            &self.checked,
            project,
            self.configs.get(0),
        ));
        dedupe(&mut out);
        let mut judge = Judge::default();
        let judged: Vec<Diagnostic> = out
            .into_iter()
            .filter_map(|d| self.judge_cached(&mut judge, d))
            .collect();
        let mut out = self.apply_suppressions(judged);
        let reached = reached.into_inner().unwrap_or_else(|p| p.into_inner());
        out.retain(|d| self.reported(d, &reached));
        for d in &mut out {
            redact_outside_root(&self.db, d);
        }
        // Sorting by path compares each file's rank among the paths, not the paths.
        let rank = self.path_ranks();
        out.sort_by_key(|d| (rank[d.file.0 as usize], d.span.start, d.code));
        out
    }

    /// Reads the dependency files (requirements, pyproject.toml, package.json, …) of the
    /// checked manifests and start files, and the files beside checked files that their
    /// rules consult, into the run's sources, once: linting never reads the disk, a fix
    /// pass sees the same files, and an editor's unsaved buffer, already in the sources, is
    /// what the rules judge.
    fn read_dependency_files(&mut self) {
        use crate::formats::app_kind::{self, Kind};
        let mut dirs = FxHashSet::default();
        let mut manifests = Vec::new();
        let mut beside = Vec::new();
        for &(file, format) in &self.checked[self.deps_read..] {
            let path = &self.db.get(file).path;
            let kind = app_kind::by_name(path);
            let names: &[&str] = match format {
                // The Dockerfile's `FROM httpd:…` tells the httpd version.
                Format::Apache => &["Dockerfile"],
                // A Railway manifest there takes over the start command (RWY005).
                Format::App if matches!(kind, Some(Kind::Dockerfile | Kind::Procfile)) => {
                    &["railway.toml", "railway.json"]
                }
                _ => &[],
            };
            if let Some(dir) = path.parent() {
                beside.extend(names.iter().map(|n| dir.join(n)));
            }
            let wanted = match format {
                Format::Railway
                | Format::AppRunner
                | Format::CloudRun
                | Format::Aws
                | Format::RenderCom => true,
                // Idle-timeout and Origin rules ask which server the project runs.
                Format::Nginx | Format::Kubernetes | Format::Haproxy => true,
                // Start commands (uvicorn) are judged against the project's dependencies.
                Format::App => matches!(kind, Some(Kind::Dockerfile | Kind::Procfile)),
                _ => false,
            };
            // The search depends on the manifest's directory only.
            if wanted && dirs.insert(path.parent().map(Path::to_path_buf)) {
                manifests.push(path.clone());
            }
        }
        self.deps_read = self.checked.len();
        for m in manifests {
            crate::project::deps::read_into(&mut self.db, &m);
            crate::project::servers::read_into(&mut self.db, &m);
        }
        let max = self.limits().max_file_size;
        for path in beside {
            if self.db.find(&path).is_none()
                && let Ok(text) = workspace::read_text(&path, max)
            {
                self.db.add(path, text);
            }
        }
    }

    /// Each file's place in path order (files with equal paths share a place).
    fn path_ranks(&self) -> Vec<u32> {
        let mut ids: Vec<FileId> = self.db.ids().collect();
        ids.sort_by(|a, b| self.db.get(*a).path.cmp(&self.db.get(*b).path));
        let mut rank = vec![0u32; ids.len()];
        let mut place = 0u32;
        for (i, id) in ids.iter().enumerate() {
            if i > 0 && self.db.get(ids[i - 1]).path != self.db.get(*id).path {
                place += 1;
            }
            rank[id.0 as usize] = place;
        }
        rank
    }

    /// [`Session::judge`] remembering, per file and rule, what the configuration said.
    fn judge_cached(&mut self, cache: &mut Judge, mut d: Diagnostic) -> Option<Diagnostic> {
        let verdict = match cache.verdicts.get(&(d.file, d.code)) {
            Some(v) => *v,
            None => {
                let v = self.verdict(&d);
                cache.verdicts.insert((d.file, d.code), v);
                v
            }
        };
        match verdict {
            Verdict::Drop => None,
            Verdict::Keep(severity) => {
                d.severity = severity;
                Some(d)
            }
        }
    }

    fn verdict(&mut self, d: &Diagnostic) -> Verdict {
        let meta = d.rule;
        let path = self.db.get(d.file).path.clone();
        let config = self.config_of(d.file);
        if crate::rules::kind(meta) != RuleKind::Syntax && !config.enabled_for(meta, &path) {
            return Verdict::Drop;
        }
        Verdict::Keep(config.severity(meta))
    }

    /// Applies the configuration of the finding's file: drops it if its rule is not selected
    /// there (syntax errors always stay), and sets the configured severity.
    fn judge(&mut self, d: Diagnostic) -> Option<Diagnostic> {
        self.judge_cached(&mut Judge::default(), d)
    }

    /// Inline suppressions (`# wscfg: ignore CODE -- reason`), the same for every format
    /// with comments: drops the findings they cover, and reports suppressions that are
    /// malformed (WSC002, WSC003) or silence nothing (WSC001) in the checked files.
    fn apply_suppressions(&mut self, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut files: Vec<FileId> = self
            .checked
            .iter()
            .map(|(f, _)| *f)
            .chain(diags.iter().map(|d| d.file))
            .collect();
        files.sort();
        files.dedup();
        let mut suppressions = Vec::new();
        let mut problems = Vec::new();
        for &f in &files {
            let source = self.db.get(f);
            let Some(comments) = comment_spans(self.format_of(f), &source.path, &source.text)
            else {
                continue;
            };
            let found = suppress::parse_file(f, source, &comments);
            suppressions.extend(found.suppressions);
            if self.is_checked(f) {
                problems.extend(found.problems);
            }
        }
        // A file that does not parse had no rules run on it: its suppressions prove nothing.
        let unparsed: HashSet<FileId> = diags
            .iter()
            .filter(|d| crate::rules::kind(d.rule) == RuleKind::Syntax)
            .map(|d| d.file)
            .collect();
        let db = &self.db;
        let out = suppress::apply(diags, &mut suppressions, |d| {
            db.get(d.file).line_col(d.span.start).line
        });
        for s in &suppressions {
            if !self.is_checked(s.file) || unparsed.contains(&s.file) {
                continue;
            }
            let config = self.config_index(s.file);
            let config = self.configs.get(config);
            let source = self.db.get(s.file);
            let ran = |m: &crate::rules::RuleMeta| config.enabled_for(m, &source.path);
            problems.extend(suppress::unused(s, source, ran));
        }
        let mut out = out;
        for d in problems {
            out.extend(self.judge(d));
        }
        out
    }

    /// Applies fixes in passes. Returns the original text of every file that changed, and
    /// messages about fixes that were refused.
    pub fn fix(&mut self, allow_unsafe: bool) -> FixOutcome {
        self.fix_matching(allow_unsafe, &|_| true)
    }

    /// [`Session::fix`] restricted to the findings `keep` accepts (the language server fixes
    /// one file's findings at a time).
    pub fn fix_matching(
        &mut self,
        allow_unsafe: bool,
        keep: &dyn Fn(&Diagnostic) -> bool,
    ) -> FixOutcome {
        let mut originals: BTreeMap<FileId, String> = BTreeMap::new();
        let mut notes = Vec::new();
        let mut applied = Vec::new();
        // Files still being edited when the passes ran out: fixes that undo or repeat each
        // other. Their result is not trusted.
        let mut unsettled: Vec<FileId> = Vec::new();
        let mut progress = Progress::default();
        loop {
            let diags = self.lint();
            let candidates: Vec<(&Diagnostic, &crate::fix::Fix)> = diags
                .iter()
                .filter(|d| keep(d))
                .filter_map(|d| d.fix.as_ref().map(|f| (d, f)))
                .filter(|(_, f)| allow_unsafe || f.applicability == Applicability::Safe)
                // A fix that would write what is already there changes nothing; taking it
                // would only keep the passes going.
                .filter(|(_, f)| {
                    f.edits.iter().any(|e| {
                        self.db.get(e.file).text.get(e.span.range()) != Some(e.content.as_str())
                    })
                })
                .filter(|(_, f)| {
                    let lossy = f.edits.iter().any(|e| self.not_utf8.contains(&e.file));
                    if lossy {
                        notes.push(format!(
                            "not applied: \"{}\" would edit a file that is not UTF-8 (NGX093)",
                            f.message
                        ));
                        return false;
                    }
                    let writable = f
                        .edits
                        .iter()
                        .all(|e| self.is_checked(e.file) && !self.context.contains(&e.file));
                    if !writable {
                        notes.push(format!(
                            "not applied: \"{}\" would edit a file outside the checked paths",
                            f.message
                        ));
                    }
                    writable
                })
                .collect();
            let taken = select_edits(candidates.iter().map(|(_, f)| *f));
            if taken.is_empty() {
                break;
            }
            if !progress.keep_going(candidates.len()) {
                unsettled = taken.keys().copied().collect();
                break;
            }
            for (d, f) in &candidates {
                if f.edits
                    .iter()
                    .all(|e| taken.get(&e.file).is_some_and(|t| t.contains(e)))
                {
                    applied.push(AppliedFix {
                        file: d.file,
                        code: d.code,
                        name: d.name,
                        message: f.message.to_string(),
                    });
                }
            }
            for (file, edits) in taken {
                let old = self.db.get(file).text.clone();
                let new = apply_edits(&old, &edits);
                originals.entry(file).or_insert(old);
                self.db.set_text(file, new);
            }
        }
        for f in unsettled {
            if let Some(old) = originals.remove(&f) {
                notes.push(format!(
                    "{}: fixes did not settle ({MAX_FIX_PASSES} passes without progress, or {MAX_TOTAL_FIX_PASSES} in all), so the file was not changed",
                    self.db.get(f).path.display()
                ));
                self.db.set_text(f, old);
            }
        }
        // A fix must never turn a file that parsed into one that does not.
        let depth = self.limits().max_depth;
        let broken: Vec<FileId> = originals
            .iter()
            .filter(|(f, old)| {
                let file = self.db.get(**f);
                parses(self.format_of(**f), &file.path, old, depth)
                    && !parses(self.format_of(**f), &file.path, &file.text, depth)
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
        applied.retain(|a| originals.contains_key(&a.file));
        notes.sort();
        notes.dedup();
        FixOutcome {
            originals,
            notes,
            applied,
        }
    }

    fn format_of(&self, file: FileId) -> Format {
        self.checked_format(file).unwrap_or(Format::Nginx)
    }
}

/// What the configuration of a file says about one rule's findings there.
#[derive(Clone, Copy)]
enum Verdict {
    Drop,
    /// Kept, with the configured severity.
    Keep(Severity),
}

/// Verdicts already reached in one lint, by file and rule code.
#[derive(Default)]
struct Judge {
    verdicts: FxHashMap<(FileId, &'static str), Verdict>,
}

/// The comments of a file, for inline suppressions; `None` for a format without comments
/// (JSON: use `[per-file-ignores]`).
fn comment_spans(format: Format, path: &std::path::Path, text: &str) -> Option<Vec<Span>> {
    if !text.contains(suppress::MARKER) {
        // No comment can be a suppression: skip reading the file's comments at all.
        return Some(Vec::new());
    }
    (crate::rules::table::row(format).comments)(path, text)
}

/// Whether `text` parses as `format` (nginx: within the nesting limit).
pub fn parses(format: Format, path: &std::path::Path, text: &str, max_depth: usize) -> bool {
    (crate::rules::table::row(format).parses)(path, text, max_depth)
}

pub struct FixOutcome {
    /// Changed files with their text before the fixes.
    pub originals: BTreeMap<FileId, String>,
    pub notes: Vec<String>,
    /// The fixes applied, in the order they were, for `--show-fixes`.
    pub applied: Vec<AppliedFix>,
}

#[derive(Clone, Debug)]
pub struct AppliedFix {
    /// The file of the finding (its edits may touch others).
    pub file: FileId,
    pub code: &'static str,
    pub name: &'static str,
    pub message: String,
}

/// Whether findings should fail the run.
/// A finding located in a file read from outside the checked root keeps its place and rule
/// but not its words: messages, labels and computed help may quote the file (a secret in
/// `/etc/…` must not end up in CI logs).
fn redact_outside_root(db: &SourceDb, d: &mut Diagnostic) {
    if db.get(d.file).outside_root {
        d.message = format!(
            "{} (in a file outside the checked root: its text is not shown)",
            d.rule.summary
        );
        d.help = d
            .help
            .take()
            .filter(|h| matches!(h, std::borrow::Cow::Borrowed(_)));
    }
    d.labels.retain(|l| !db.get(l.file).outside_root);
}

pub fn has_failures(diags: &[Diagnostic], fail_on: Severity) -> bool {
    diags.iter().any(|d| d.severity >= fail_on)
}

/// Writes the fixed text of a file that held `expected` when it was read. Refused, with the
/// file left as it is, when the file changed since (someone else wrote it), when it is
/// read-only (root could replace it, but its mode says it is not to be edited), when it is a
/// symbolic link and `follow_symlinks` is off (with it, the link's target is written), when
/// it has other hard links (replacing it would split them), or when it is not a regular
/// file. Returns the path written.
pub fn write_fixed(
    path: &Path,
    expected: &str,
    new: &str,
    follow_symlinks: bool,
) -> Result<PathBuf, String> {
    use std::os::unix::fs::MetadataExt;
    let shown = path.display();
    let link = std::fs::symlink_metadata(path).map_err(|e| format!("cannot write {shown}: {e}"))?;
    let target = if link.file_type().is_symlink() {
        if !follow_symlinks {
            return Err(format!(
                "{shown} is a symbolic link; it was not changed (--follow-symlinks writes its target)"
            ));
        }
        std::fs::canonicalize(path).map_err(|e| format!("cannot write {shown}: {e}"))?
    } else {
        path.to_owned()
    };
    let meta = std::fs::metadata(&target).map_err(|e| format!("cannot write {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown} is not a regular file; it was not changed"));
    }
    if meta.permissions().readonly() {
        return Err(format!(
            "{shown} is read-only; it was not changed (make it writable to fix it)"
        ));
    }
    if meta.nlink() > 1 {
        return Err(format!(
            "{shown} has {} hard links; replacing it would split them, so it was not changed",
            meta.nlink()
        ));
    }
    let changed =
        || format!("{shown} changed since wscfg read it; it was not changed (run wscfg fix again)");
    let unchanged = || holds(&target, expected);
    if !unchanged().map_err(|e| format!("cannot write {shown}: {e}"))? {
        return Err(changed());
    }
    // Compared again once the new text is on disk, just before the rename: a line appended
    // while the temporary file was written would otherwise be lost.
    match replace_if(&target, new, unchanged) {
        Ok(true) => Ok(target),
        Ok(false) => Err(changed()),
        Err(e) => Err(format!(
            "cannot write {shown}: {e}; the file was left as it was"
        )),
    }
}

/// Whether the file at `path` holds exactly `expected` (read no further than one byte past
/// it).
fn holds(path: &Path, expected: &str) -> std::io::Result<bool> {
    use std::io::Read;
    let mut now = Vec::with_capacity(expected.len() + 1);
    std::fs::File::open(path)?
        .take(expected.len() as u64 + 1)
        .read_to_end(&mut now)?;
    Ok(now == expected.as_bytes())
}

/// Replaces (or creates) a file atomically: a temporary file in the same directory with the
/// original's permissions (0644 for a new file) and owner (where allowed), flushed to disk,
/// then a rename over it, then the directory flushed. On any error the temporary file is
/// removed and the original is intact.
pub fn write_atomic(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    replace_if(path, text, || Ok(true)).map(|_| ())
}

/// [`write_atomic`], asking `still_wanted` after the temporary file is written and flushed,
/// just before the rename: when it says no, the temporary file is removed, the original is
/// left as it is, and the answer is `false`.
fn replace_if(
    path: &std::path::Path,
    text: &str,
    still_wanted: impl FnOnce() -> std::io::Result<bool>,
) -> std::io::Result<bool> {
    use std::io::Write;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let meta = match std::fs::metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".wscfg-")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    let perms = match &meta {
        Some(m) => {
            // Keeping the owner needs privileges; without them the file becomes the
            // writer's, as with any editor that saves through a temporary file. (Before the
            // mode: chown clears set-id bits.)
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(m.uid()), Some(m.gid()));
            m.permissions()
        }
        None => std::fs::Permissions::from_mode(0o644),
    };
    tmp.as_file().set_permissions(perms)?;
    tmp.as_file().sync_all()?;
    if !still_wanted()? {
        return Ok(false);
    }
    tmp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_passes_go_on_while_findings_get_fewer() {
        let mut p = Progress::default();
        // Fifty overlapping fixes taken one per pass: fifty passes, none of them stalled.
        assert!((1..=50).rev().all(|n| p.keep_going(n)));
        // Then fixes that undo each other: ten more tries, not an eleventh.
        assert!((0..MAX_FIX_PASSES).all(|_| p.keep_going(1)));
        assert!(!p.keep_going(1));
    }

    #[test]
    fn a_line_appended_while_the_temporary_file_is_written_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nginx.conf");
        std::fs::write(&p, "a;\n").unwrap();
        // Someone appends between wscfg's first comparison and the rename.
        let replaced = replace_if(&p, "b;\n", || {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().append(true).open(&p)?;
            f.write_all(b"appended;\n")?;
            holds(&p, "a;\n")
        })
        .unwrap();
        assert!(!replaced);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a;\nappended;\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["nginx.conf"], "the temporary file is removed");
        // Unchanged, it is replaced.
        assert!(replace_if(&p, "b;\n", || holds(&p, "a;\nappended;\n")).unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "b;\n");
    }

    #[test]
    fn fix_passes_stop_after_a_hundred_in_all() {
        let mut p = Progress::default();
        let passes = (0..).take_while(|&i| p.keep_going(10_000 - i)).count();
        assert_eq!(passes, MAX_TOTAL_FIX_PASSES);
    }

    #[test]
    fn fixes_that_keep_adding_findings_stop() {
        let mut p = Progress::default();
        let passes = (1..).take_while(|&n| p.keep_going(n)).count();
        assert_eq!(passes, 1 + MAX_FIX_PASSES);
    }
}
