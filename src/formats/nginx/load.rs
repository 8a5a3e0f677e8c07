//! Reading a run's nginx files: parse each once, resolve `include` the way nginx does
//! (relative to the configuration prefix, globs in sorted order), find the root files and
//! the context each root's body is in. An `nginx -T` dump is split into the files it holds,
//! and its includes resolve against those files only.

use super::ast::{DirId, ParsedFile};
use super::dump;
use super::parser;
use super::problem::{LoadProblem, Problem};
use super::settings::Settings as NginxSettings;
use super::tree::{Context, IncludeMap, ParsedFiles};
use crate::diagnostic::clip;
use crate::source::{FileId, SourceDb};
use crate::workspace::{self, Limits};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Files the nginx package ships beside nginx.conf; repositories rarely copy them.
pub const PACKAGED_FILES: &[&str] = &[
    "mime.types",
    "fastcgi_params",
    "fastcgi.conf",
    "uwsgi_params",
    "scgi_params",
    "proxy_params",
    "koi-utf",
    "koi-win",
    "win-utf",
];

/// One glob walk stops after this many matches (`--max-includes` then reports the excess).
const MAX_GLOB_MATCHES: usize = 1_000_000;

pub struct Loaded {
    pub parsed: ParsedFiles,
    pub includes: IncludeMap,
    /// Files to lint as roots, with the context their top level is in.
    pub roots: Vec<(FileId, Context)>,
    pub problems: Vec<LoadProblem>,
}

/// The files of one `nginx -T` dump, added to the run as files of their own.
struct Dump {
    /// Each dumped path and the file it became, in dump order.
    files: Vec<(PathBuf, FileId)>,
    /// nginx's configuration prefix: the directory of the main (first) file.
    prefix: PathBuf,
}

impl Dump {
    /// The dumped files an include pattern names, sorted as glob(3) returns them.
    fn resolve(&self, pattern: &str) -> Vec<FileId> {
        let full = self.prefix.join(pattern);
        if !is_glob(pattern) {
            return self
                .files
                .iter()
                .filter(|(p, _)| *p == full)
                .map(|(_, id)| *id)
                .take(1)
                .collect();
        }
        let Ok(glob) = globset::GlobBuilder::new(&full.to_string_lossy())
            .literal_separator(true)
            .build()
        else {
            return Vec::new();
        };
        let matcher = glob.compile_matcher();
        let mut found: Vec<&(PathBuf, FileId)> = self
            .files
            .iter()
            .filter(|(p, _)| matcher.is_match(p))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found.into_iter().map(|(_, id)| *id).collect()
    }
}

/// Replaces every `nginx -T` dump among the checked files by the files it holds.
fn expand_dumps(db: &mut SourceDb, checked: &[FileId]) -> (Vec<FileId>, Vec<Dump>) {
    let mut files = Vec::new();
    let mut dumps = Vec::new();
    for &f in checked {
        let Some(sections) = dump::split(&db.get(f).text).filter(|s| !s.is_empty()) else {
            files.push(f);
            continue;
        };
        let prefix = sections[0]
            .path
            .parent()
            .map(Path::to_owned)
            .unwrap_or_default();
        let mut d = Dump {
            files: Vec::new(),
            prefix,
        };
        for s in sections {
            // A later lint of the same run (fix passes) finds the files already added.
            let id = match db.find(&s.path) {
                Some(id) if db.get(id).text == s.text => id,
                _ => db.add(s.path.clone(), s.text),
            };
            d.files.push((s.path, id));
            files.push(id);
        }
        dumps.push(d);
    }
    (files, dumps)
}

pub fn load(db: &mut SourceDb, checked: &[FileId], settings: &NginxSettings) -> Loaded {
    load_limited(db, checked, settings, &Limits::default())
}

/// [`load`] within the run's limits: file size, nesting depth, include count, and the roots
/// includes may read from.
pub fn load_limited(
    db: &mut SourceDb,
    checked: &[FileId],
    settings: &NginxSettings,
    limits: &Limits,
) -> Loaded {
    let mut parsed: ParsedFiles = HashMap::new();
    let mut includes: IncludeMap = HashMap::new();
    let mut problems = Vec::new();
    let (checked, dumps) = expand_dumps(db, checked);
    let checked = &checked[..];
    let dump_of = |f: FileId| {
        dumps
            .iter()
            .find(|d| d.files.iter().any(|(_, id)| *id == f))
    };
    let mut queue: Vec<FileId> = checked.to_vec();
    let mut seen: HashSet<FileId> = checked.iter().copied().collect();
    let bounds = if limits.roots.is_empty() {
        workspace::roots_for(checked.iter().map(|&f| db.get(f).path.as_path()))
    } else {
        limits.roots.clone()
    };
    // Read from outside only when asked for, and then never quoted.
    let outside = |t: &Path| {
        !workspace::lexically_inside(t, &bounds) || !workspace::really_inside(t, &bounds)
    };
    let roots = (!limits.allow_include_outside_root).then(|| bounds.clone());
    let mut included = 0usize;
    let mut limit_hit = false;

    // Relative includes resolve against the configuration prefix, which is the directory
    // of the main file (nginx.conf): try those first, then the including file's directories.
    let main_dirs: Vec<PathBuf> = checked
        .iter()
        .filter(|&&f| dump_of(f).is_none())
        .filter(|&&f| {
            db.get(f)
                .path
                .file_name()
                .is_some_and(|n| n == "nginx.conf")
        })
        .filter_map(|&f| db.get(f).path.parent().map(Path::to_owned))
        .collect();

    // The named files are parsed up front, on every core when there are several.
    let mut preparsed: HashMap<FileId, ParsedFile> = {
        let db: &SourceDb = db;
        let results = crate::exec::par_map(checked, |&f| parse_file(db, f, limits.max_depth));
        checked.iter().copied().zip(results).collect()
    };
    while let Some(file) = queue.pop() {
        let p = preparsed
            .remove(&file)
            .unwrap_or_else(|| parse_file(db, file, limits.max_depth));
        // nginx stops at its first error; the rest of the file is still linted.
        if let Some(e) = p.errors.first() {
            problems.push(LoadProblem::new(
                Problem::Syntax,
                file,
                e.span,
                e.message.clone(),
            ));
        }
        let path = db.get(file).path.clone();
        for (i, d) in p.directives.iter().enumerate() {
            if d.name() != "include" || d.args.len() != 1 || limit_hit {
                continue;
            }
            let dir = DirId(i as u32);
            if let Some(dump) = dump_of(file) {
                // What nginx read is all in the dump: the pattern names dumped files only.
                let pattern = &d.args[0].value;
                let ids = dump.resolve(pattern);
                if ids.is_empty() && !is_glob(pattern) && !pattern.contains('$') {
                    problems.push(LoadProblem::new(
                        Problem::IncludeNotFound,
                        file,
                        d.span(),
                        format!("included file `{pattern}` is not in the nginx -T dump"),
                    ));
                }
                for &id in &ids {
                    if seen.insert(id) {
                        queue.push(id);
                    }
                }
                includes.insert((file, dir), ids);
                continue;
            }
            let pattern = map_components(&d.args[0].value, &settings.include_map);
            let found = resolve(&pattern, &path, &main_dirs, roots.as_deref());
            for outside in &found.outside {
                problems.push(
                    LoadProblem::new(
                        Problem::IncludeOutsideRoot,
                        file,
                        d.span(),
                        format!(
                            "`include {}` resolves to {}, outside the checked directory; it was not read",
                            clip(&d.args[0].value),
                            clip(&outside.display().to_string())
                        ),
                    )
                    .help(
                        "wscfg reads only files inside the directories it checks; pass \
                         --allow-include-outside-root to read this one too",
                    ),
                );
            }
            for (_, message) in &found.unreadable {
                problems.push(LoadProblem::new(
                    Problem::IncludeNotFound,
                    file,
                    d.span(),
                    message,
                ));
            }
            let targets = found.files;
            if targets.is_empty() {
                if found.outside.is_empty()
                    && found.unreadable.is_empty()
                    && !is_glob(&pattern)
                    && !is_packaged(&pattern)
                    && !pattern.contains('$')
                {
                    problems.push(
                        LoadProblem::new(
                            Problem::IncludeNotFound,
                            file,
                            d.span(),
                            format!("included file `{}` was not found", clip(&d.args[0].value)),
                        )
                        .help(
                            "directives in it are not checked; if the deployment maps paths \
                             (sites-enabled → sites-available), set [nginx] include-map in wscfg.toml",
                        ),
                    );
                }
                continue;
            }
            if included + targets.len() > limits.max_includes {
                limit_hit = true;
                problems.push(LoadProblem::new(
                    Problem::Syntax,
                    file,
                    d.span(),
                    format!(
                        "this include would bring the files read through includes to {}, over the \
                         limit of {} (--max-includes); it and the includes after it were not read",
                        included + targets.len(),
                        limits.max_includes
                    ),
                ));
                continue;
            }
            included += targets.len();
            let mut ids = Vec::new();
            for t in targets {
                let id = match db.find(&t) {
                    Some(id) => id,
                    None => match workspace::read_text(&t, limits.max_file_size) {
                        Ok(text) => add_read(db, t, text, &outside),
                        // nginx reads bytes: an included Latin-1 file is read too (NGX093).
                        Err(workspace::ReadError {
                            message,
                            offset: Some(at),
                            partial_text: Some(text),
                        }) => {
                            let id = add_read(db, t, text, &outside);
                            problems.push(LoadProblem::not_utf8(db, id, at, message));
                            id
                        }
                        Err(e) => {
                            problems.push(LoadProblem::new(
                                Problem::IncludeNotFound,
                                file,
                                d.span(),
                                e.message,
                            ));
                            continue;
                        }
                    },
                };
                if seen.insert(id) {
                    queue.push(id);
                }
                ids.push(id);
            }
            includes.insert((file, dir), ids);
        }
        parsed.insert(file, p);
    }

    report_cycles(&parsed, &includes, &mut problems);
    let roots = find_roots(db, checked, &parsed, &includes, settings);
    Loaded {
        parsed,
        includes,
        roots,
        problems,
    }
}

/// Parses a file of the run, reading it as a template when its name or text says so.
fn parse_file(db: &SourceDb, file: FileId, max_depth: usize) -> ParsedFile {
    let f = db.get(file);
    let template = super::template::scan(Some(&f.path), &f.text);
    parser::parse_recovering(&f.text, max_depth, template)
}

fn is_glob(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

pub(super) fn is_packaged(p: &str) -> bool {
    Path::new(p)
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| PACKAGED_FILES.contains(&n))
}

/// Applies `include-map` replacements to whole path components, in order.
fn map_components(pattern: &str, map: &[super::settings::IncludeMapping]) -> String {
    let mut parts: Vec<String> = pattern.split('/').map(str::to_owned).collect();
    for m in map {
        for p in parts.iter_mut() {
            if *p == m.from {
                p.clone_from(&m.to);
            }
        }
    }
    parts.join("/")
}

/// What an include pattern names: the files to read, the places outside the checked roots
/// it points at (not read), and targets that exist but cannot be read.
#[derive(Default)]
struct Resolution {
    files: Vec<PathBuf>,
    outside: Vec<PathBuf>,
    unreadable: Vec<(PathBuf, String)>,
}

/// Files an include pattern names, sorted as glob(3) returns them. Absolute paths under the
/// usual nginx prefixes are looked up relative to the repository's configuration directory.
/// With `roots`, nothing outside them is read or even looked at: a path outside them by name
/// is reported without touching the disk, one that leaves them through a symbolic link once
/// it is resolved.
fn resolve(
    pattern: &str,
    including: &Path,
    main_dirs: &[PathBuf],
    roots: Option<&[PathBuf]>,
) -> Resolution {
    let inside = |p: &Path| roots.is_none_or(|r| workspace::lexically_inside(p, r));
    let prefixed = [
        "/etc/nginx/",
        "/usr/local/nginx/conf/",
        "/usr/local/etc/nginx/",
    ]
    .iter()
    .find_map(|pre| pattern.strip_prefix(pre));
    let relative = prefixed.unwrap_or(pattern);
    let mut res = Resolution::default();
    if Path::new(relative).is_absolute() {
        if inside(Path::new(relative)) {
            expand(Path::new("/"), relative, roots, &mut res);
        } else {
            res.outside
                .push(workspace::lexical_absolute(Path::new(relative)));
        }
        return res;
    }
    // nginx resolves relative paths against its prefix, the directory of nginx.conf: the
    // checked main files, else the closest directory above the including file that has one.
    // Only when there is no such file, the including file's own directory and its parents.
    let dirs = || {
        including.ancestors().skip(1).take(4).filter(|d| {
            inside(if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            })
        })
    };
    let mut bases: Vec<PathBuf> = main_dirs.to_vec();
    bases.extend(
        dirs()
            .find(|d| d.join("nginx.conf").is_file())
            .map(Path::to_owned),
    );
    if bases.is_empty() {
        bases.extend(dirs().map(Path::to_owned));
    }
    let mut outside = Vec::new();
    for base in bases {
        let target = base.join(relative);
        if !inside(&target) {
            outside.push(workspace::lexical_absolute(&target));
            continue;
        }
        expand(&base, relative, roots, &mut res);
        if !res.files.is_empty() || !res.outside.is_empty() || !res.unreadable.is_empty() {
            return res;
        }
    }
    if prefixed.is_some() && roots.is_none() {
        // Opted in to reading outside the roots: the absolute path itself.
        expand(Path::new("/"), pattern, roots, &mut res);
        return res;
    }
    outside.dedup();
    res.outside = outside;
    res
}

/// Adds what `pattern` names under `base` to `res`. A name that exists but is not a regular
/// file (a directory, a FIFO, a device) is kept so that reading it reports why.
fn expand(base: &Path, pattern: &str, roots: Option<&[PathBuf]>, res: &mut Resolution) {
    // Symbolic links may lead out of the roots: judged once resolved.
    let check = |p: PathBuf, res: &mut Resolution| match roots {
        None => res.files.push(p),
        Some(r) => match std::fs::canonicalize(&p) {
            Ok(real) if r.iter().any(|root| real.starts_with(root)) => res.files.push(p),
            Ok(real) => res.outside.push(real),
            Err(e) => res
                .unreadable
                .push((p.clone(), format!("cannot read {}: {e}", p.display()))),
        },
    };
    if !is_glob(pattern) {
        let p = base.join(pattern);
        if std::fs::symlink_metadata(&p).is_ok() {
            check(p, res);
        }
        return;
    }
    // Walk from the deepest directory without glob characters.
    let literal: Vec<&str> = pattern.split('/').take_while(|c| !is_glob(c)).collect();
    let start = base.join(literal.join("/"));
    if let Some(r) = roots
        && std::fs::symlink_metadata(&start).is_ok()
        && !workspace::really_inside(&start, r)
    {
        res.outside.extend(std::fs::canonicalize(&start).ok());
        return;
    }
    let Ok(glob) = globset::GlobBuilder::new(&base.join(pattern).to_string_lossy())
        .literal_separator(true)
        .build()
    else {
        return;
    };
    let matcher = glob.compile_matcher();
    let depth = pattern.split('/').count() - literal.len();
    let mut out: Vec<PathBuf> = ignore::WalkBuilder::new(&start)
        .standard_filters(false)
        .follow_links(false)
        .max_depth(Some(depth))
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| matcher.is_match(p))
        .take(MAX_GLOB_MATCHES)
        .collect();
    out.sort();
    for p in out {
        check(p, res);
    }
}

/// Reports each include cycle once, at the include that closes it.
fn report_cycles(parsed: &ParsedFiles, includes: &IncludeMap, out: &mut Vec<LoadProblem>) {
    let mut edges: HashMap<FileId, Vec<(DirId, FileId)>> = HashMap::new();
    for (&(from, dir), targets) in includes {
        for &t in targets {
            edges.entry(from).or_default().push((dir, t));
        }
    }
    for list in edges.values_mut() {
        list.sort();
    }
    // Iterative depth-first search with colours: grey = on the current path.
    let mut colour: HashMap<FileId, u8> = HashMap::new();
    let mut starts: Vec<FileId> = parsed.keys().copied().collect();
    starts.sort();
    for s in starts {
        if colour.contains_key(&s) {
            continue;
        }
        let mut stack: Vec<(FileId, usize)> = vec![(s, 0)];
        colour.insert(s, 1);
        while let Some((f, i)) = stack.last_mut() {
            let f = *f;
            let next = edges.get(&f).and_then(|e| e.get(*i)).copied();
            *i += 1;
            match next {
                None => {
                    colour.insert(f, 2);
                    stack.pop();
                }
                Some((dir, t)) => match colour.get(&t) {
                    Some(1) => {
                        let d = parsed[&f].get(dir);
                        out.push(LoadProblem::new(
                            Problem::IncludeCycle,
                            f,
                            d.span(),
                            format!(
                                "`include {}` leads back to a file that includes this one; nginx rejects include cycles",
                                d.args[0].value
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        colour.insert(t, 1);
                        stack.push((t, 0));
                    }
                },
            }
        }
    }
}

/// Checked files that no other file includes are roots; a file only reachable through a
/// cycle of checked files becomes a root too, so nothing goes unchecked.
fn find_roots(
    db: &SourceDb,
    checked: &[FileId],
    parsed: &ParsedFiles,
    includes: &IncludeMap,
    settings: &NginxSettings,
) -> Vec<(FileId, Context)> {
    let included: HashSet<FileId> = includes.values().flatten().copied().collect();
    let mut roots: Vec<FileId> = checked
        .iter()
        .copied()
        .filter(|f| !included.contains(f) && parsed.contains_key(f))
        .collect();
    let mut adjacency: HashMap<FileId, Vec<FileId>> = HashMap::new();
    for ((from, _), targets) in includes {
        adjacency.entry(*from).or_default().extend(targets);
    }
    let mut reached: HashSet<FileId> = HashSet::new();
    let reach = |start: Vec<FileId>, reached: &mut HashSet<FileId>| {
        let mut stack = start;
        while let Some(f) = stack.pop() {
            if reached.insert(f) {
                stack.extend(adjacency.get(&f).into_iter().flatten());
            }
        }
    };
    reach(roots.clone(), &mut reached);
    for &f in checked {
        if parsed.contains_key(&f) && !reached.contains(&f) {
            roots.push(f);
            reach(vec![f], &mut reached);
        }
    }
    roots
        .into_iter()
        .map(|f| {
            let ctx = root_context(&db.get(f).text, &parsed[&f], settings);
            (f, ctx)
        })
        .collect()
}

/// The context a file's top level is in: stated by `# wscfg: context http,server` or
/// `--context`, else implied by the directives it holds.
pub fn root_context(text: &str, p: &ParsedFile, settings: &NginxSettings) -> Context {
    let stated = p.comments.iter().find_map(|c| {
        let body = text[c.range()].trim_start_matches('#').trim();
        let list = body
            .strip_prefix("wscfg:")?
            .trim()
            .strip_prefix("context")?;
        super::settings::parse_context(list.trim()).ok()
    });
    if let Some(last) = stated
        .or_else(|| settings.context.clone())
        .and_then(|v| v.last().copied())
    {
        return last;
    }
    let has = |names: &[&str]| p.roots.iter().any(|&r| names.contains(&p.get(r).name()));
    if has(&[
        "http",
        "events",
        "stream",
        "worker_processes",
        "load_module",
        "user",
        "pid",
    ]) {
        Context::Main
    } else if has(&[
        "server",
        "upstream",
        "map",
        "geo",
        "log_format",
        "split_clients",
    ]) {
        Context::Http
    } else if has(&["location", "listen", "server_name"]) {
        Context::Server
    } else {
        Context::Location
    }
}

/// Adds an included file to the sources, marked when it lies outside the checked root.
fn add_read(
    db: &mut SourceDb,
    path: PathBuf,
    text: String,
    outside: &dyn Fn(&Path) -> bool,
) -> FileId {
    let hide = outside(&path);
    let id = db.add(path, text);
    if hide {
        db.mark_outside_root(id);
    }
    id
}
