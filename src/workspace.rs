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

/// Reads a regular file as UTF-8 text. FIFOs, devices and directories are refused before
/// they are opened, so nothing blocks or reads forever.
pub fn read_text(path: &Path, max_size: u64) -> Result<String, ReadError> {
    let meta = fs::metadata(path)
        .map_err(|e| ReadError::plain(format!("cannot read {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(ReadError::plain(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    if meta.len() > max_size {
        return Err(ReadError::plain(format!(
            "{} is {} bytes, over the {max_size}-byte limit (--max-file-size)",
            path.display(),
            meta.len()
        )));
    }
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

/// Walks the named paths (files are taken as named, directories walked with .gitignore
/// respected and symlinks not followed) and keeps the files whose format is recognised.
/// Errors (a missing path) are returned for the caller to report.
pub fn discover(paths: &[PathBuf]) -> (Vec<Discovered>, Vec<String>) {
    discover_with(paths, false)
}

/// [`discover`], following symbolic links inside directories when `follow_links` is set
/// (loops are reported by the walker, not followed forever).
pub fn discover_with(paths: &[PathBuf], follow_links: bool) -> (Vec<Discovered>, Vec<String>) {
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
            Ok(m) if !m.is_dir() => match Format::detect(root, true) {
                Some(format) => found.push(Discovered {
                    path: root.clone(),
                    format,
                }),
                None => errors.push(match fs::File::open(root) {
                    Err(e) => format!("cannot read {}: {e}", root.display()),
                    Ok(_) => format!("{}: not a file format wscfg knows (nginx)", root.display()),
                }),
            },
            Ok(_) => {
                let walker = ignore::WalkBuilder::new(root)
                    .follow_links(follow_links)
                    .hidden(false)
                    .filter_entry(|e| e.file_name() != ".git")
                    .build();
                for entry in walker {
                    match entry {
                        Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                            if let Some(format) = Format::detect(e.path(), false) {
                                found.push(Discovered {
                                    path: e.into_path(),
                                    format,
                                });
                            }
                        }
                        Ok(_) => {}
                        Err(e) => errors.push(e.to_string()),
                    }
                }
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    (found, errors)
}
