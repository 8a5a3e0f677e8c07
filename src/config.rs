//! Configuration: which rules run, at what severity, where they are silenced, and the facts
//! about the deployment wscfg cannot see (target nginx version, WebSocket paths, include
//! layout).
//!
//! Each checked file uses the closest `wscfg.toml`, `.wscfg.toml` or `pyproject.toml` with a
//! `[tool.wscfg]` table, found in its directory or a directory above it. A file may
//! `extend = "../wscfg.toml"` another; its own settings win. `--config FILE` replaces
//! discovery for every file; `--config KEY=VALUE` (a line of TOML) and the rule flags
//! (`--select`, `--extend-select`, `--ignore`) apply on top of every file's configuration.

use crate::diagnostic::Severity;
pub use crate::formats::fly::Settings as FlySettings;
pub use crate::formats::nginx::Settings as NginxSettings;
pub use crate::formats::nginx::settings::parse_version;
pub use crate::formats::nginx::settings::{IncludeMapping, parse_context};
use crate::formats::nginx::tree::Context;
use crate::rules::RuleMeta;
pub use crate::suggest::did_you_mean;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Looked for in this order in each directory, from the checked file upward.
pub const CONFIG_NAMES: &[&str] = &["wscfg.toml", ".wscfg.toml", "pyproject.toml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    extend: Option<String>,
    select: Option<Vec<String>>,
    extend_select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    severity: Option<BTreeMap<String, Severity>>,
    per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    nginx: Option<RawNginx>,
    fly: Option<RawFly>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFly {
    websocket_ports: Option<Vec<u16>>,
    low_hard_limit: Option<u32>,
    target_hard_limit: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawNginx {
    version: Option<String>,
    min_read_timeout: Option<String>,
    websocket_paths: Option<Vec<String>>,
    include_map: Option<Vec<IncludeMapping>>,
    context: Option<String>,
    modules: Option<Vec<String>>,
    extra_directives: Option<Vec<String>>,
}

/// `pyproject.toml`: only `[tool.wscfg]` is read; everything else belongs to other tools.
#[derive(Deserialize)]
struct PyProject {
    tool: Option<PyTool>,
}

#[derive(Deserialize)]
struct PyTool {
    wscfg: Option<toml::Table>,
}

/// `pyproject.toml` read for its `[tool.wscfg]` table, with errors located in the file.
#[derive(Deserialize)]
struct PyProjectWscfg {
    tool: Option<PyToolWscfg>,
}

#[derive(Deserialize)]
struct PyToolWscfg {
    wscfg: Option<RawConfig>,
}

impl NginxSettings {
    fn apply(&mut self, raw: RawNginx) -> Result<(), String> {
        if let Some(v) = raw.version {
            self.version =
                Some(parse_version(&v).ok_or_else(|| format!("bad nginx version `{v}`"))?);
        }
        if let Some(t) = raw.min_read_timeout {
            self.min_read_timeout_ms = crate::formats::nginx::values::parse_time_ms(&t)
                .ok_or_else(|| format!("bad nginx time `{t}` for min-read-timeout"))?;
        }
        if let Some(p) = raw.websocket_paths {
            self.websocket_paths = p;
        }
        if let Some(m) = raw.include_map {
            self.include_map = m;
        }
        if let Some(c) = raw.context {
            self.context = Some(parse_context(&c)?);
        }
        if let Some(m) = raw.modules {
            let known = crate::formats::nginx::directives::third_party_modules();
            if let Some(bad) = m.iter().find(|m| !known.contains(&m.as_str())) {
                return Err(format!(
                    "unknown nginx module `{bad}` in [nginx] modules{} (known: {}); list the \
                     directives of other modules in [nginx] extra-directives",
                    did_you_mean(bad, known.iter().copied()),
                    known.join(", ")
                ));
            }
            self.modules = Some(m);
        }
        if let Some(d) = raw.extra_directives {
            self.extra_directives = d;
        }
        Ok(())
    }
}

impl FlySettings {
    fn apply(&mut self, raw: RawFly) -> Result<(), String> {
        if let Some(p) = raw.websocket_ports {
            self.websocket_ports = p;
        }
        if let Some(v) = raw.low_hard_limit {
            self.low_hard_limit = v;
        }
        if let Some(v) = raw.target_hard_limit {
            self.target_hard_limit = v;
        }
        if self.target_hard_limit <= self.low_hard_limit {
            return Err(format!(
                "[fly] target-hard-limit ({}) must be above low-hard-limit ({})",
                self.target_hard_limit, self.low_hard_limit
            ));
        }
        Ok(())
    }
}

/// One source of rule selection: a configuration file, a `--config KEY=VALUE` or the
/// command line. Later layers win.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    /// Replaces the selection so far when present.
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
}

/// `[per-file-ignores]`: rules silenced in files matching a glob. The glob is relative to
/// the directory of the configuration file that declares it; a glob without `/` also
/// matches a file name in any directory.
#[derive(Debug, Clone)]
struct PerFileIgnore {
    base: PathBuf,
    pattern: String,
    matcher: globset::GlobMatcher,
    rules: Vec<String>,
}

impl PerFileIgnore {
    fn matches(&self, path: &Path) -> bool {
        let abs = absolute(path);
        if let Ok(rel) = abs.strip_prefix(&self.base)
            && self.matcher.is_match(rel)
        {
            return true;
        }
        !self.pattern.contains('/')
            && abs
                .file_name()
                .is_some_and(|n| self.matcher.is_match(Path::new(n)))
    }
}

#[derive(Debug, Default, Clone)]
pub struct Config {
    /// The configuration file (the closest one, not the ones it extends).
    pub path: Option<PathBuf>,
    layers: Vec<Layer>,
    /// Rule selector and severity, in the order they were declared (later wins a tie).
    severity: Vec<(String, Severity)>,
    per_file_ignores: Vec<PerFileIgnore>,
    pub nginx: NginxSettings,
    /// Bounds and access of the run (command-line flags only).
    pub limits: crate::workspace::Limits,
    pub fly: FlySettings,
}

/// How specifically `selector` names `meta`: `ALL` least, a code prefix by its length, the
/// full code or name most. `None` when it does not name the rule.
pub fn specificity(selector: &str, meta: &RuleMeta) -> Option<usize> {
    if selector.eq_ignore_ascii_case("ALL") {
        Some(0)
    } else if meta.is_named(selector) {
        Some(usize::MAX)
    } else if !selector.is_empty()
        && selector.starts_with(|c: char| c.is_ascii_alphabetic())
        && meta.code.len() > selector.len()
        && meta.code[..selector.len()].eq_ignore_ascii_case(selector)
    {
        Some(selector.len())
    } else {
        None
    }
}

fn best(selectors: &[String], meta: &RuleMeta) -> Option<usize> {
    selectors.iter().filter_map(|s| specificity(s, meta)).max()
}

/// Checks that a selector names at least one rule, suggesting the closest name if not.
pub fn check_selector(selector: &str) -> Result<(), String> {
    let all = crate::rules::all();
    if all.iter().any(|m| specificity(selector, m).is_some()) {
        return Ok(());
    }
    let candidates = all.iter().flat_map(|m| [m.code, m.name]);
    Err(format!(
        "unknown rule `{selector}`{}; `wscfg rules` lists them",
        did_you_mean(selector, candidates)
    ))
}

/// Turns a TOML/serde error into `file:line:col: message; did you mean …?`.
fn describe_toml_error(source: &str, text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().to_owned();
    let mut ticked = message.split('`').skip(1).step_by(2);
    let suggestion =
        if message.starts_with("unknown field") || message.starts_with("unknown variant") {
            ticked
                .next()
                .map(|word| did_you_mean(word, ticked.clone()))
                .unwrap_or_default()
        } else {
            String::new()
        };
    let message = message
        .replacen("unknown field", "unknown key", 1)
        .replacen("unknown variant", "unknown value", 1);
    format!("{source}{}: {message}{suggestion}", toml_location(text, e))
}

/// `:line:col` of a TOML error, or nothing when it has no place.
fn toml_location(text: &str, e: &toml::de::Error) -> String {
    e.span()
        .map(|s| {
            let before = &text[..s.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            format!(":{line}:{col}")
        })
        .unwrap_or_default()
}

/// Makes a path absolute without requiring it to exist; existing paths are canonicalised
/// so symlinked directories compare equal.
pub fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_owned())
}

impl Config {
    /// Reads a configuration file and the files it extends, with the default limits.
    pub fn load(path: &Path) -> Result<Config, String> {
        Config::load_within(path, &crate::workspace::Limits::default())
    }

    /// Reads a configuration file and the files it extends, each through the bounded reader.
    /// `extend` may only name files inside the checked roots or the git repository of `path`
    /// unless `--allow-include-outside-root` says otherwise.
    pub fn load_within(path: &Path, limits: &crate::workspace::Limits) -> Result<Config, String> {
        let path_abs = absolute(path);
        let mut allowed = if limits.roots.is_empty() {
            crate::workspace::roots_for([path_abs.as_path()])
        } else {
            limits.roots.clone()
        };
        allowed.extend(repository_of(&path_abs));
        let reading = Reading {
            allowed,
            limits,
            seen: Vec::new(),
        };
        let mut config = Config::default();
        config.load_chain(&path_abs, reading)?;
        config.path = Some(path.to_owned());
        Ok(config)
    }

    /// Applies `path` on top of `self`, after the files it extends.
    fn load_chain(&mut self, path: &Path, mut reading: Reading) -> Result<(), String> {
        let seen = &mut reading.seen;
        if seen.iter().any(|p| p == path) {
            return Err(format!(
                "{}: `extend` makes a cycle ({})",
                path.display(),
                seen.iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" -> ")
            ));
        }
        seen.push(path.to_owned());
        // The first file is the one discovered or named; only what it extends can be outside.
        let outside = seen.len() > 1 && !reading.inside(path);
        let text = crate::workspace::read_text(path, reading.limits.max_file_size)
            .map_err(|e| e.message)?;
        let raw = read_raw(path, &text, outside)?.ok_or_else(|| {
            format!(
                "{}: no [tool.wscfg] table in this pyproject.toml",
                path.display()
            )
        })?;
        let base = path.parent().unwrap_or(Path::new("/")).to_owned();
        if let Some(parent) = &raw.extend {
            let target = absolute(&base.join(parent));
            if !reading.limits.allow_include_outside_root && !reading.inside(&target) {
                return Err(format!(
                    "{}: `extend` names {}, outside the checked root and repository; pass \
                     --allow-include-outside-root to read it",
                    path.display(),
                    target.display()
                ));
            }
            self.load_chain(&target, reading)?;
        }
        self.apply(raw, &base).map_err(|e| {
            if outside {
                format!("{}: {OUTSIDE_DETAILS}", path.display())
            } else {
                format!("{}: {e}", path.display())
            }
        })
    }

    /// A configuration from TOML text alone (no file, so no `extend`); per-file-ignores are
    /// relative to the current directory.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| describe_toml_error("configuration", text, &e))?;
        if raw.extend.is_some() {
            return Err("`extend` needs a configuration file".into());
        }
        let mut config = Config::default();
        config.apply(raw, &absolute(Path::new(".")))?;
        Ok(config)
    }

    /// `--config KEY=VALUE`: one line of TOML applied on top, e.g. `nginx.version = "1.22"`
    /// or `ignore = ["NGX006"]`.
    pub fn apply_override(&mut self, text: &str) -> Result<(), String> {
        let raw: RawConfig = toml::from_str(text)
            .map_err(|e| describe_toml_error(&format!("--config '{text}'"), text, &e))?;
        if raw.extend.is_some() {
            return Err(format!("--config '{text}': `extend` only works in a file"));
        }
        self.apply(raw, &absolute(Path::new(".")))
            .map_err(|e| format!("--config '{text}': {e}"))
    }

    fn apply(&mut self, raw: RawConfig, base: &Path) -> Result<(), String> {
        let named = raw
            .select
            .iter()
            .flatten()
            .chain(raw.extend_select.iter().flatten())
            .chain(raw.ignore.iter().flatten())
            .chain(raw.severity.iter().flat_map(|s| s.keys()))
            .chain(
                raw.per_file_ignores
                    .iter()
                    .flat_map(|p| p.values().flatten()),
            );
        for name in named {
            check_selector(name)?;
        }
        self.layers.push(Layer {
            select: raw.select,
            extend_select: raw.extend_select.unwrap_or_default(),
            ignore: raw.ignore.unwrap_or_default(),
        });
        self.severity.extend(raw.severity.unwrap_or_default());
        for (pattern, rules) in raw.per_file_ignores.unwrap_or_default() {
            let glob = globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("bad glob in [per-file-ignores]: {e}"))?;
            self.per_file_ignores.push(PerFileIgnore {
                base: base.to_owned(),
                pattern,
                matcher: glob.compile_matcher(),
                rules,
            });
        }
        if let Some(n) = raw.nginx {
            self.nginx.apply(n)?;
        }
        if let Some(f) = raw.fly {
            self.fly.apply(f)?;
        }
        Ok(())
    }

    /// The closest configuration in `start` (a file or directory) or a directory above it.
    pub fn discover(start: &Path) -> Result<Option<Config>, String> {
        match find_config_file(start) {
            Some(p) => Config::load(&p).map(Some),
            None => Ok(None),
        }
    }

    /// Adds the command line's rule selection as the last layer.
    pub fn push_layer(&mut self, layer: Layer) -> Result<(), String> {
        for name in layer
            .select
            .iter()
            .flatten()
            .chain(&layer.extend_select)
            .chain(&layer.ignore)
        {
            check_selector(name)?;
        }
        self.layers.push(layer);
        Ok(())
    }

    /// Whether the rule runs at all (select / extend-select / ignore, layer by layer; in one
    /// layer the more specific selector wins and `ignore` wins a tie).
    pub fn enabled(&self, meta: &RuleMeta) -> bool {
        let mut on = true;
        for layer in &self.layers {
            let pos = layer
                .select
                .as_deref()
                .and_then(|s| best(s, meta))
                .max(best(&layer.extend_select, meta));
            let neg = best(&layer.ignore, meta);
            let wins = |p: Option<usize>| p.is_some() && neg.is_none_or(|n| Some(n) < p);
            if layer.select.is_some() || neg.is_some() {
                on = wins(pos);
            } else if pos.is_some() {
                on = true;
            }
        }
        on
    }

    /// Whether the rule is silenced for this file by `[per-file-ignores]`.
    pub fn ignored_in(&self, meta: &RuleMeta, path: &Path) -> bool {
        self.per_file_ignores
            .iter()
            .any(|p| best(&p.rules, meta).is_some() && p.matches(path))
    }

    /// Whether the rule reports in this file.
    pub fn enabled_for(&self, meta: &RuleMeta, path: &Path) -> bool {
        self.enabled(meta) && !self.ignored_in(meta, path)
    }

    pub fn severity(&self, meta: &RuleMeta) -> Severity {
        self.severity
            .iter()
            .enumerate()
            .filter_map(|(i, (sel, s))| specificity(sel, meta).map(|sp| ((sp, i), *s)))
            .max_by_key(|(k, _)| *k)
            .map_or(meta.severity, |(_, s)| s)
    }
}

/// Parses a configuration file's text; `Ok(None)` for a `pyproject.toml` without
/// `[tool.wscfg]`. The errors of a file `outside` the checked root give its location only:
/// a parser message quotes the file's values.
fn read_raw(path: &Path, text: &str, outside: bool) -> Result<Option<RawConfig>, String> {
    let source = path.display().to_string();
    let describe = |e: toml::de::Error| {
        if outside {
            format!("{source}{}: {OUTSIDE_DETAILS}", toml_location(text, &e))
        } else {
            describe_toml_error(&source, text, &e)
        }
    };
    if path.file_name().is_some_and(|n| n == "pyproject.toml") {
        let py: PyProjectWscfg = toml::from_str(text).map_err(describe)?;
        return Ok(py.tool.and_then(|t| t.wscfg));
    }
    toml::from_str(text).map(Some).map_err(describe)
}

const OUTSIDE_DETAILS: &str =
    "not a valid wscfg configuration (details are not shown for a file outside the checked root)";

/// What reading one chain of `extend`s needs: where files may be, the bounds, the files read.
struct Reading<'a> {
    allowed: Vec<PathBuf>,
    limits: &'a crate::workspace::Limits,
    seen: Vec<PathBuf>,
}

impl Reading<'_> {
    fn inside(&self, path: &Path) -> bool {
        crate::workspace::lexically_inside(path, &self.allowed)
            && (!path.exists() || crate::workspace::really_inside(path, &self.allowed))
    }
}

/// The git repository `path` is in: the closest directory above it holding `.git`.
fn repository_of(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|d| d.join(".git").exists())
        .map(Path::to_owned)
}

/// The closest configuration file for `start`: `wscfg.toml`, `.wscfg.toml`, or a
/// `pyproject.toml` that has a `[tool.wscfg]` table.
pub fn find_config_file(start: &Path) -> Option<PathBuf> {
    let start = absolute(start);
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        if let Some(found) = config_in(d, crate::workspace::DEFAULT_MAX_FILE_SIZE) {
            return Some(found);
        }
        dir = d.parent();
    }
    None
}

/// The configuration file in `dir`; a `pyproject.toml` is read (within `max_size`) to see
/// whether it has a `[tool.wscfg]` table.
fn config_in(dir: &Path, max_size: u64) -> Option<PathBuf> {
    CONFIG_NAMES.iter().map(|n| dir.join(n)).find(|c| {
        c.is_file()
            && (c.file_name() != Some("pyproject.toml".as_ref())
                || crate::workspace::read_text(c, max_size).is_ok_and(|t| {
                    toml::from_str::<PyProject>(&t)
                        .is_ok_and(|p| p.tool.is_some_and(|t| t.wscfg.is_some()))
                }))
    })
}

/// What the command line adds to every configuration.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config KEY=VALUE` lines, in order.
    pub toml: Vec<String>,
    pub layer: Layer,
    pub nginx_context: Option<Vec<Context>>,
    pub nginx_version: Option<(u32, u32, u32)>,
    /// `--max-file-size`, `--max-depth`, `--max-includes`, `--allow-include-outside-root`,
    /// `--follow-symlinks` and the checked roots: the same for every file of the run.
    pub limits: Option<crate::workspace::Limits>,
}

impl Overrides {
    fn apply(&self, config: &mut Config) -> Result<(), String> {
        if let Some(l) = &self.limits {
            config.limits = l.clone();
        }
        for t in &self.toml {
            config.apply_override(t)?;
        }
        config.push_layer(self.layer.clone())?;
        if let Some(c) = &self.nginx_context {
            config.nginx.context = Some(c.clone());
        }
        if let Some(v) = self.nginx_version {
            config.nginx.version = Some(v);
        }
        Ok(())
    }
}

/// The configurations of one run: each file's closest configuration file (or the one named
/// with `--config FILE`), with the command line's overrides applied, loaded once each.
#[derive(Debug)]
pub struct ConfigSet {
    /// Index 0 is the configuration of files with no configuration file above them.
    configs: Vec<Config>,
    fixed: bool,
    overrides: Overrides,
    by_file: HashMap<PathBuf, usize>,
    by_dir: HashMap<PathBuf, usize>,
    /// The closest configuration file at or above each directory looked at so far, so a walk
    /// up from a deep tree stats each directory once.
    file_for_dir: HashMap<PathBuf, Option<PathBuf>>,
    /// Problems met while resolving files found during the run (included files).
    pub errors: Vec<String>,
}

impl ConfigSet {
    /// Every file uses `config` (`--config FILE`, or a library caller's configuration).
    pub fn fixed(config: Config) -> Self {
        ConfigSet {
            configs: vec![config],
            fixed: true,
            overrides: Overrides::default(),
            by_file: HashMap::new(),
            by_dir: HashMap::new(),
            file_for_dir: HashMap::new(),
            errors: Vec::new(),
        }
    }

    /// Each file uses its closest configuration file, with `overrides` applied.
    pub fn discovering(overrides: Overrides) -> Result<Self, String> {
        let mut default = Config::default();
        overrides.apply(&mut default)?;
        Ok(ConfigSet {
            configs: vec![default],
            fixed: false,
            overrides,
            by_file: HashMap::new(),
            by_dir: HashMap::new(),
            file_for_dir: HashMap::new(),
            errors: Vec::new(),
        })
    }

    /// `--isolated`: no configuration file, only `overrides`.
    pub fn isolated(overrides: Overrides) -> Result<Self, String> {
        let mut config = Config::default();
        overrides.apply(&mut config)?;
        Ok(ConfigSet::fixed(config))
    }

    /// `--config FILE` with `overrides` applied: discovery is off.
    pub fn from_file(path: &Path, overrides: Overrides) -> Result<Self, String> {
        let mut config = Config::load_within(path, &overrides.limits.clone().unwrap_or_default())?;
        overrides.apply(&mut config)?;
        let mut set = ConfigSet::fixed(config);
        set.overrides = overrides;
        Ok(set)
    }

    /// The index of the configuration that applies to `path` (a file, or a directory for
    /// standard input).
    pub fn resolve(&mut self, path: &Path) -> Result<usize, String> {
        if self.fixed {
            return Ok(0);
        }
        self.resolve_absolute(absolute(path))
    }

    /// Whether every file uses one configuration (nothing to resolve).
    pub fn is_fixed(&self) -> bool {
        self.fixed
    }

    /// [`ConfigSet::resolve`] for a path already made [`absolute`] (the caller may do that
    /// for many files at once, on every core).
    pub fn resolve_absolute(&mut self, abs: PathBuf) -> Result<usize, String> {
        if self.fixed {
            return Ok(0);
        }
        let dir = if abs.is_dir() {
            abs.clone()
        } else {
            abs.parent().map_or_else(|| abs.clone(), Path::to_owned)
        };
        self.resolve_dir(dir)
    }

    /// The index of the configuration for files in `dir`, an [`absolute`] directory.
    pub fn resolve_dir(&mut self, dir: PathBuf) -> Result<usize, String> {
        if self.fixed {
            return Ok(0);
        }
        if let Some(&i) = self.by_dir.get(&dir) {
            return Ok(i);
        }
        let i = match self.config_file_for_dir(&dir) {
            None => 0,
            Some(file) => match self.by_file.get(&file) {
                Some(&i) => i,
                None => {
                    let limits = self.overrides.limits.clone().unwrap_or_default();
                    let mut config = Config::load_within(&file, &limits)?;
                    self.overrides.apply(&mut config)?;
                    self.configs.push(config);
                    self.by_file.insert(file, self.configs.len() - 1);
                    self.configs.len() - 1
                }
            },
        };
        self.by_dir.insert(dir, i);
        Ok(i)
    }

    /// [`find_config_file`] for a directory, remembering every directory on the way up.
    fn config_file_for_dir(&mut self, dir: &Path) -> Option<PathBuf> {
        let max_size = self
            .overrides
            .limits
            .as_ref()
            .map_or(crate::workspace::DEFAULT_MAX_FILE_SIZE, |l| l.max_file_size);
        let mut pending = Vec::new();
        let mut cur = Some(dir);
        let found = loop {
            let Some(d) = cur else { break None };
            if let Some(known) = self.file_for_dir.get(d) {
                break known.clone();
            }
            if let Some(f) = config_in(d, max_size) {
                self.file_for_dir.insert(d.to_owned(), Some(f.clone()));
                break Some(f);
            }
            pending.push(d.to_owned());
            cur = d.parent();
        };
        for d in pending {
            self.file_for_dir.insert(d, found.clone());
        }
        found
    }

    /// Like [`resolve`](Self::resolve), for files found during the run: a problem is kept
    /// in [`errors`](Self::errors) and the file gets the default configuration.
    pub fn resolve_or_default(&mut self, path: &Path) -> usize {
        match self.resolve(path) {
            Ok(i) => i,
            Err(e) => {
                if !self.errors.contains(&e) {
                    self.errors.push(e);
                }
                0
            }
        }
    }

    pub fn get(&self, index: usize) -> &Config {
        &self.configs[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(code: &str) -> &'static RuleMeta {
        crate::rules::find(code).unwrap()
    }

    #[test]
    fn reads_every_setting() {
        let c = Config::from_toml(
            r#"
            ignore = ["read-timeout-short"]
            [severity]
            NGX001 = "warning"
            [nginx]
            version = "1.22"
            min-read-timeout = "5m"
            websocket-paths = ["/live"]
            include-map = [{ from = "sites-enabled", to = "sites-available" }]
            context = "http,server"
            "#,
        )
        .unwrap();
        assert_eq!(c.nginx.version, Some((1, 22, 0)));
        assert_eq!(c.nginx.min_read_timeout_ms, 300_000);
        assert_eq!(c.nginx.context, Some(vec![Context::Http, Context::Server]));
        assert!(!c.enabled(rule("NGX006")));
        assert!(c.enabled(rule("NGX001")));
        assert_eq!(c.severity(rule("NGX001")), Severity::Warning);
        assert_eq!(c.severity(rule("NGX002")), Severity::Error);
    }

    #[test]
    fn nginx_modules_are_those_of_the_directive_table() {
        let c =
            Config::from_toml("[nginx]\nmodules = [\"lua\"]\nextra-directives = [\"x\"]").unwrap();
        assert_eq!(c.nginx.modules, Some(vec!["lua".to_owned()]));
        assert_eq!(c.nginx.extra_directives, ["x"]);
        assert_eq!(Config::default().nginx.modules, None);
        let e = Config::from_toml("[nginx]\nmodules = [\"luaa\"]").unwrap_err();
        assert!(
            e.contains("unknown nginx module `luaa`") && e.contains("did you mean `lua`?"),
            "{e}"
        );
    }

    #[test]
    fn rejects_unknown_rules_and_keys_with_a_suggestion() {
        let e = Config::from_toml("ignore = [\"NGX999\"]").unwrap_err();
        assert!(e.contains("unknown rule `NGX999`"), "{e}");
        let e = Config::from_toml("ignore = [\"proxy-http-versoin\"]").unwrap_err();
        assert!(e.contains("did you mean `proxy-http-version`?"), "{e}");
        let e = Config::from_toml("[nginx]\nversoin = \"1\"").unwrap_err();
        assert!(
            e.contains(":2:1: unknown key `versoin`") && e.contains("did you mean `version`?"),
            "{e}"
        );
        let e = Config::from_toml("extend-selct = []").unwrap_err();
        assert!(e.contains("did you mean `extend-select`?"), "{e}");
        let e = Config::from_toml("[severity]\nNGX001 = \"warn\"").unwrap_err();
        assert!(e.contains("did you mean `warning`?"), "{e}");
        // Nothing close: no suggestion.
        let e = Config::from_toml("colour = 1").unwrap_err();
        assert!(!e.contains("did you mean"), "{e}");
    }

    #[test]
    fn selection_layers_and_specificity() {
        let mut c = Config::from_toml("select = [\"NGX00\"]\nignore = [\"NGX\"]").unwrap();
        // The more specific select wins over the broader ignore in one layer.
        assert!(c.enabled(rule("NGX001")));
        assert!(!c.enabled(rule("NGX090")));
        c.push_layer(Layer {
            select: None,
            extend_select: vec!["NGX090".into()],
            ignore: vec!["NGX001".into()],
        })
        .unwrap();
        assert!(!c.enabled(rule("NGX001")));
        assert!(c.enabled(rule("NGX090")));
        assert!(c.enabled(rule("NGX002")));
        // A later `select` replaces everything before it.
        c.push_layer(Layer {
            select: Some(vec!["NGX003".into()]),
            ..Layer::default()
        })
        .unwrap();
        assert!(c.enabled(rule("NGX003")));
        assert!(!c.enabled(rule("NGX002")));
        assert!(!c.enabled(rule("NGX090")));
    }

    #[test]
    fn severity_prefers_the_specific_selector() {
        let c = Config::from_toml("[severity]\nNGX001 = \"info\"\nNGX = \"warning\"").unwrap();
        assert_eq!(c.severity(rule("NGX001")), Severity::Info);
        assert_eq!(c.severity(rule("NGX002")), Severity::Warning);
    }

    #[test]
    fn extend_inherits_and_the_closer_file_wins() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("svc/deploy")).unwrap();
        // `extend` stays inside the repository.
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(
            root.join("wscfg.toml"),
            "ignore = [\"NGX006\"]\n[severity]\nNGX001 = \"warning\"\n[nginx]\nversion = \"1.22\"\nmin-read-timeout = \"5m\"\n[per-file-ignores]\n\"legacy/*.conf\" = [\"NGX002\"]\n",
        )
        .unwrap();
        std::fs::write(
            root.join("svc/.wscfg.toml"),
            "extend = \"../wscfg.toml\"\nextend-select = [\"NGX006\"]\n[nginx]\nversion = \"1.30\"\n",
        )
        .unwrap();
        let mut set = ConfigSet::discovering(Overrides::default()).unwrap();
        let conf = root.join("svc/deploy/nginx.conf");
        std::fs::write(&conf, "").unwrap();
        let i = set.resolve(&conf).unwrap();
        let c = set.get(i);
        assert_eq!(
            c.path.as_deref(),
            Some(absolute(&root.join("svc/.wscfg.toml")).as_path())
        );
        assert_eq!(c.nginx.version, Some((1, 30, 0)), "the closer file wins");
        assert_eq!(c.nginx.min_read_timeout_ms, 300_000, "inherited");
        assert_eq!(c.severity(rule("NGX001")), Severity::Warning, "inherited");
        assert!(c.enabled(rule("NGX006")), "extend-select re-enables");
        // Per-file-ignores stay relative to the file that declares them.
        assert!(c.ignored_in(rule("NGX002"), &root.join("legacy/a.conf")));
        assert!(!c.ignored_in(rule("NGX002"), &root.join("svc/legacy/a.conf")));
        // A file above svc/ uses the root configuration.
        let top = root.join("nginx.conf");
        std::fs::write(&top, "").unwrap();
        let j = set.resolve(&top).unwrap();
        assert_ne!(i, j);
        assert!(!set.get(j).enabled(rule("NGX006")));
        assert_eq!(set.get(j).nginx.version, Some((1, 22, 0)));
    }

    #[test]
    fn extend_cycles_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), "extend = \"b.toml\"\n").unwrap();
        std::fs::write(dir.path().join("b.toml"), "extend = \"a.toml\"\n").unwrap();
        let e = Config::load(&dir.path().join("a.toml")).unwrap_err();
        assert!(e.contains("cycle"), "{e}");
    }

    #[test]
    fn pyproject_without_a_wscfg_table_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("wscfg.toml"), "ignore = [\"NGX006\"]\n").unwrap();
        std::fs::write(
            dir.path().join("a/pyproject.toml"),
            "[tool.wscfg]\nignore = [\"NGX001\"]\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("a/b/pyproject.toml"),
            "[tool.black]\nline-length = 88\n",
        )
        .unwrap();
        let found = find_config_file(&dir.path().join("a/b/x.conf")).unwrap();
        assert_eq!(found, absolute(&dir.path().join("a/pyproject.toml")));
        let c = Config::load(&found).unwrap();
        assert!(!c.enabled(rule("NGX001")));
        assert!(
            c.enabled(rule("NGX006")),
            "no extend: the root file is not merged"
        );
        let e = {
            std::fs::write(
                dir.path().join("a/pyproject.toml"),
                "[tool.wscfg]\nignroe = []\n",
            )
            .unwrap();
            Config::load(&found).unwrap_err()
        };
        assert!(e.contains("did you mean `ignore`?"), "{e}");
    }

    #[test]
    fn overrides_are_toml_lines() {
        let mut c = Config::default();
        c.apply_override("nginx.version = \"1.29.7\"").unwrap();
        c.apply_override("ignore = [\"NGX001\"]").unwrap();
        assert!(c.nginx.proxies_http11_by_default());
        assert!(!c.enabled(rule("NGX001")));
        assert!(
            c.apply_override("nginx.verison = \"1\"")
                .unwrap_err()
                .contains("did you mean `version`?")
        );
    }
}
