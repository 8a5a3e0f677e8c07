//! Finding the files to check and reading them safely: only regular files, bounded size,
//! symlinks never followed out of the tree, text that must be UTF-8.

use crate::formats::Format;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Files larger than this are reported, not read (override with `--max-file-size`).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;
/// Blocks nested deeper than this are a located error (override with `--max-depth`).
pub const DEFAULT_MAX_DEPTH: usize = 256;
/// `--max-depth` may not go above this: nested locations are selected recursively, and this
/// depth stays far inside a 2 MiB thread stack.
pub const MAX_MAX_DEPTH: usize = 1024;
/// Files one configuration may pull in through `include`, counting a file each time it is
/// included (override with `--max-includes`).
pub const DEFAULT_MAX_INCLUDES: usize = 10_000;

/// The bounds of a run and what it may touch, set from the command line.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_file_size: u64,
    pub max_depth: usize,
    pub max_includes: usize,
    /// Read includes that resolve outside the checked roots (`--allow-include-outside-root`).
    pub allow_include_outside_root: bool,
    /// Check and fix files through symbolic links (`--follow-symlinks`).
    pub follow_symlinks: bool,
    /// Directories includes may read from. Empty: derived from the checked files (see
    /// [`roots_for`]).
    pub roots: Vec<PathBuf>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_depth: DEFAULT_MAX_DEPTH,
            max_includes: DEFAULT_MAX_INCLUDES,
            allow_include_outside_root: false,
            follow_symlinks: false,
            roots: Vec::new(),
        }
    }
}

/// Parses `1048576`, `64K`, `50M`, `1G` (binary units) for `--max-file-size`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => s.split_at(i),
        None => (s, ""),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("bad size `{s}` (bytes, or a number with K, M or G)"))?;
    let mult: u64 = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => {
            return Err(format!(
                "bad size `{s}` (bytes, or a number with K, M or G)"
            ));
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("size `{s}` is too large"))
}

/// A path made absolute against the current directory, with `.` and `..` resolved by name
/// alone: nothing on disk is looked at.
pub fn lexical_absolute(path: &Path) -> PathBuf {
    use std::path::Component;
    let joined = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The directories a run may read includes from: for each named path, the current directory
/// when the path is inside it, else the directory named (or the directory of the file named).
/// Each root is given both as written (made absolute) and with symbolic links resolved.
pub fn roots_for<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Vec<PathBuf> {
    let cwd = lexical_absolute(Path::new("."));
    let mut out = Vec::new();
    for p in paths {
        let abs = lexical_absolute(p);
        let root = if abs.starts_with(&cwd) {
            cwd.clone()
        } else if fs::metadata(&abs).is_ok_and(|m| m.is_dir()) {
            abs
        } else {
            abs.parent().map_or(abs.clone(), Path::to_owned)
        };
        if let Ok(real) = fs::canonicalize(&root) {
            out.push(real);
        }
        out.push(root);
    }
    out.sort();
    out.dedup();
    out
}

/// Whether `path` lies inside one of `roots`, by name (no file system access).
pub fn lexically_inside(path: &Path, roots: &[PathBuf]) -> bool {
    let abs = lexical_absolute(path);
    roots.iter().any(|r| abs.starts_with(r))
}

/// Whether an existing `path` lies inside one of `roots` once symbolic links are resolved.
/// A path that cannot be resolved (a symlink loop, a dangling link) is not inside.
pub fn really_inside(path: &Path, roots: &[PathBuf]) -> bool {
    fs::canonicalize(path).is_ok_and(|real| roots.iter().any(|r| real.starts_with(r)))
}

#[derive(Debug)]
pub struct ReadError {
    pub message: String,
    /// Byte offset of the first invalid byte when the file is not UTF-8.
    pub offset: Option<usize>,
    /// The part of the file that could be read, to show where the problem is.
    pub partial_text: Option<String>,
}

impl ReadError {
    fn plain(message: String) -> Self {
        ReadError {
            message,
            offset: None,
            partial_text: None,
        }
    }
}

/// Pseudo file systems whose files are not configuration: `/proc/self/environ` and the like
/// look like empty regular files but hold secrets, `/dev/zero` never ends.
const NEVER_CONFIGURATION: &[&str] = &["/proc", "/sys", "/dev"];

/// Whether `path` is something wscfg may read as a file: a regular file (after symbolic
/// links) of at most `max_size` bytes, not under `/proc`, `/sys` or `/dev`. The error says
/// why not. Nothing is opened, so a FIFO or a device never blocks or reads forever.
pub fn check_readable(path: &Path, max_size: u64) -> Result<fs::Metadata, String> {
    let meta = fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let real = fs::canonicalize(path).unwrap_or_else(|_| lexical_absolute(path));
    if let Some(fs) = NEVER_CONFIGURATION.iter().find(|p| real.starts_with(p)) {
        return Err(format!(
            "{} is under {fs}, which is never read as configuration",
            path.display()
        ));
    }
    if !meta.is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    if meta.len() > max_size {
        return Err(format!(
            "{} is {} bytes, over the {max_size}-byte limit (--max-file-size)",
            path.display(),
            meta.len()
        ));
    }
    Ok(meta)
}

/// Reads a regular file as UTF-8 text: the one reader for every file wscfg opens, bounded
/// as [`check_readable`] says.
pub fn read_text(path: &Path, max_size: u64) -> Result<String, ReadError> {
    let meta = check_readable(path, max_size).map_err(ReadError::plain)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    fs::File::open(path)
        .and_then(|f| f.take(max_size + 1).read_to_end(&mut bytes))
        .map_err(|e| ReadError::plain(format!("cannot read {}: {e}", path.display())))?;
    if bytes.len() as u64 > max_size {
        return Err(ReadError::plain(format!(
            "{} grew over the {max_size}-byte limit while being read",
            path.display()
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        ReadError {
            message: format!(
                "{} is not valid UTF-8 (invalid byte 0x{:02x} at offset {valid})",
                path.display(),
                bytes[valid]
            ),
            offset: Some(valid),
            partial_text: Some(String::from_utf8_lossy(&bytes).into_owned()),
        }
    })
}

/// A file discovered under the paths the user named, with the format it was detected as.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub path: PathBuf,
    pub format: Format,
}

/// How directories are walked: ignore files, and paths never to check.
#[derive(Debug, Default, Clone)]
pub struct WalkOptions {
    /// Do not read `.gitignore`, `.ignore`, `.git/info/exclude` and the global git ignore.
    pub no_ignore: bool,
    /// A named file in no known format is skipped instead of being an error (pre-commit
    /// names every file its `files:` pattern matches, including `.conf` files of other tools).
    pub ignore_unknown: bool,
    /// `--follow-symlinks`: follow symbolic links met while walking (loops are reported by
    /// the walker, not followed forever).
    pub follow_links: bool,
    /// `--max-file-size` for the ignore files read while walking (default
    /// [`DEFAULT_MAX_FILE_SIZE`]).
    pub max_file_size: Option<u64>,
    /// Stop walking once this many files are found (the project around named files): the
    /// walk of a huge directory stays bounded.
    pub max_found: Option<usize>,
    exclude: Vec<(String, globset::GlobMatcher)>,
}

impl WalkOptions {
    pub fn new(no_ignore: bool, exclude: &[String]) -> Result<Self, String> {
        let exclude = exclude
            .iter()
            .map(|p| {
                globset::GlobBuilder::new(p.trim_start_matches("./"))
                    .literal_separator(true)
                    .build()
                    .map(|g| (p.clone(), g.compile_matcher()))
                    .map_err(|e| format!("--exclude {p}: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(WalkOptions {
            no_ignore,
            ignore_unknown: false,
            follow_links: false,
            max_file_size: None,
            max_found: None,
            exclude,
        })
    }

    /// Why the ignore files `dir` holds cannot be read, if one of them is not a small
    /// regular file. The walker reads them with no bound, so a `.gitignore` linked to
    /// `/dev/zero` or a FIFO is refused here, before the walker gets to it.
    fn unreadable_ignore_file(&self, dir: &Path) -> Option<String> {
        if self.no_ignore {
            return None;
        }
        let max = self.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE);
        [".gitignore", ".ignore", ".git/info/exclude"]
            .iter()
            .map(|name| dir.join(name))
            .filter(|p| fs::symlink_metadata(p).is_ok())
            .find_map(|p| check_readable(&p, max).err())
            .map(|e| {
                format!(
                    "{e}; {} is not walked (--no-ignore skips ignore files)",
                    dir.display()
                )
            })
    }

    /// `--exclude`: a glob matches the path as given (without a leading `./`), the path
    /// below the walked directory, or, for a glob without `/`, the file or directory name.
    pub fn excluded(&self, path: &Path, root: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let shown = path.strip_prefix(".").unwrap_or(path);
        let below = path.strip_prefix(root).unwrap_or(path);
        let name = path.file_name().map(Path::new);
        self.exclude.iter().any(|(pattern, m)| {
            m.is_match(shown)
                || m.is_match(below)
                || (!pattern.contains('/') && name.is_some_and(|n| m.is_match(n)))
        })
    }
}

/// Walks the named paths (files are taken as named, directories walked with .gitignore
/// respected and symlinks not followed) and keeps the files whose format is recognised.
/// Errors (a missing path) are returned for the caller to report.
pub fn discover(paths: &[PathBuf]) -> (Vec<Discovered>, Vec<String>) {
    discover_with(paths, &WalkOptions::default())
}

/// [`discover`] with ignore files and `--exclude` as the options say. Symlinks met while
/// walking are not followed (unless `follow_links`), so nothing outside a walked directory is
/// read through one (a symlink the user names is read: it is the root).
pub fn discover_with(paths: &[PathBuf], options: &WalkOptions) -> (Vec<Discovered>, Vec<String>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        // A path the user named is taken through a symbolic link; a loop is an error here.
        match fs::metadata(root) {
            Err(e) => errors.push(format!("{}: {e}", root.display())),
            Ok(m) if !m.is_dir() && !m.is_file() => errors.push(format!(
                "{}: not a regular file (only regular files are read)",
                root.display()
            )),
            Ok(_) if options.excluded(root, Path::new("")) => {}
            Ok(m) if !m.is_dir() && !root.is_dir() => match Format::detect(root, true) {
                Some(format) => found.push(Discovered {
                    path: root.clone(),
                    format,
                }),
                None if options.ignore_unknown => {}
                None => errors.push(match fs::File::open(root) {
                    Err(e) => format!("cannot read {}: {e}", root.display()),
                    Ok(_) => format!(
                        "{}: not a file format wscfg knows ({})",
                        root.display(),
                        Format::names()
                    ),
                }),
            },
            Ok(_) => {
                // The walker also reads the ignore files of the directories above the root.
                let above = lexical_absolute(root);
                if let Some(e) = above
                    .ancestors()
                    .find_map(|d| options.unreadable_ignore_file(d))
                {
                    errors.push(e);
                    continue;
                }
                let mut builder = ignore::WalkBuilder::new(root);
                builder
                    .follow_links(options.follow_links)
                    .standard_filters(!options.no_ignore)
                    .hidden(false)
                    .require_git(false);
                let (walk_root, opts) = (root.clone(), options.clone());
                let refused = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
                let refused_here = refused.clone();
                builder.filter_entry(move |e| {
                    if e.file_name() == ".git"
                        || (e.depth() > 0 && opts.excluded(e.path(), &walk_root))
                    {
                        return false;
                    }
                    let unreadable = (e.depth() > 0 && e.file_type().is_some_and(|t| t.is_dir()))
                        .then(|| opts.unreadable_ignore_file(e.path()))
                        .flatten();
                    unreadable
                        .map(|u| {
                            refused_here
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(u)
                        })
                        .is_none()
                });
                let (files, errs) = walk_dir(&builder, options.max_found);
                found.extend(files);
                errors.extend(errs);
                errors.extend(std::mem::take(
                    &mut *refused.lock().unwrap_or_else(|p| p.into_inner()),
                ));
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    (found, errors)
}

/// Walks one directory on every core (`ignore`'s parallel walker): the format of each file
/// is detected in the worker that found it. Returns the recognised files and the walk's
/// errors, both sorted, so the result does not depend on the scheduling (unless `max` stops
/// the walk: then which files were found first does).
fn walk_dir(builder: &ignore::WalkBuilder, max: Option<usize>) -> (Vec<Discovered>, Vec<String>) {
    use ignore::WalkState;
    use std::sync::Mutex;
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let (found, errors) = (&found, &errors);
        Box::new(move |entry| {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    if let Some(format) = Format::detect(e.path(), false) {
                        let d = Discovered {
                            path: e.into_path(),
                            format,
                        };
                        let mut found = found.lock().unwrap_or_else(|p| p.into_inner());
                        found.push(d);
                        if max.is_some_and(|m| found.len() >= m) {
                            return WalkState::Quit;
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => errors
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(e.to_string()),
            }
            WalkState::Continue
        })
    });
    let found = found.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut errors = errors.into_inner().unwrap_or_else(|p| p.into_inner());
    errors.sort();
    (found, errors)
}

/// What marks the directory a project's files belong to: its wscfg configuration or its git
/// repository.
const PROJECT_MARKERS: &[&str] = &["wscfg.toml", ".wscfg.toml", ".git"];

/// Files the project view may read around the named files: the walk of a repository with
/// more stops there, and the files it found first are the project view (with a warning).
pub const MAX_PROJECT_FILES: usize = 10_000;

/// The directory a named path belongs to: the nearest one, from the path up, that holds a
/// wscfg.toml or a .git. `None` when there is none (a file in /tmp): then the named files
/// are the whole project, as before.
pub fn project_root(path: &Path) -> Option<PathBuf> {
    project_root_within(path, None)
}

/// [`project_root`], where `folder` (an editor's workspace folder) is a root too.
pub fn project_root_within(path: &Path, folder: Option<&Path>) -> Option<PathBuf> {
    let abs = lexical_absolute(path);
    let start = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent()?
    };
    start
        .ancestors()
        .find(|d| Some(*d) == folder || PROJECT_MARKERS.iter().any(|m| d.join(m).exists()))
        .map(Path::to_owned)
}

/// A root spelled as `wscfg check` run there would spell its files: `.` for the current
/// directory, relative below or above it, absolute elsewhere.
fn spelled_from_cwd(root: &Path) -> PathBuf {
    let cwd = lexical_absolute(Path::new("."));
    if let Ok(below) = root.strip_prefix(&cwd) {
        return Path::new(".").join(below);
    }
    match cwd.strip_prefix(root) {
        Ok(above) => above.components().map(|_| "..").collect(),
        Err(_) => root.to_owned(),
    }
}

/// The files of the projects the named `paths` belong to that are not among `named`: what
/// the project view reads beside them, so a named file gets the verdict `wscfg check` run on
/// its project gives it. Walked as a named directory is (ignore files, `--exclude`); a
/// named directory that is its own project root adds nothing. Returns the files, at most
/// [`MAX_PROJECT_FILES`], and whether the walk stopped there.
pub fn project_files(
    paths: &[PathBuf],
    named: &[Discovered],
    options: &WalkOptions,
    folder: Option<&Path>,
) -> (Vec<Discovered>, bool) {
    let mut roots: Vec<PathBuf> = Vec::new();
    for p in paths {
        let Some(root) = project_root_within(p, folder) else {
            continue;
        };
        let walked = lexical_absolute(p).is_dir() && lexical_absolute(p) == root;
        if !walked && !roots.contains(&root) {
            roots.push(root);
        }
    }
    if roots.is_empty() {
        return (Vec::new(), false);
    }
    let spelled: Vec<PathBuf> = roots.iter().map(|r| spelled_from_cwd(r)).collect();
    let named: std::collections::HashSet<PathBuf> =
        named.iter().map(|d| lexical_absolute(&d.path)).collect();
    // Errors met walking around the named files are not the user's question. The named
    // files are among those found, so the walk may find that many more.
    let walk = WalkOptions {
        max_found: Some(MAX_PROJECT_FILES + named.len() + 1),
        ..options.clone()
    };
    let (mut found, _) = discover_with(&spelled, &walk);
    found.retain(|d| !named.contains(&lexical_absolute(&d.path)));
    // `./server.js` is shown as `server.js`, as beside a named `fly.toml`.
    for d in &mut found {
        if let Ok(plain) = d.path.strip_prefix(".") {
            d.path = plain.to_owned();
        }
    }
    let over = found.len() > MAX_PROJECT_FILES;
    found.truncate(MAX_PROJECT_FILES);
    (found, over)
}

/// The project roots of `paths` (see [`project_root`]), for the include roots of a run.
pub fn project_roots<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = paths.into_iter().filter_map(project_root).collect();
    out.sort();
    out.dedup();
    out
}
