//! Finding the files to check and reading them safely: only regular files, bounded size,
//! symlinks never followed out of the tree, text that must be UTF-8.

use crate::formats::Format;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Files larger than this are reported, not read (override with `--max-file-size`).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

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

/// How directories are walked: ignore files, and paths never to check.
#[derive(Debug, Default, Clone)]
pub struct WalkOptions {
    /// Do not read `.gitignore`, `.ignore`, `.git/info/exclude` and the global git ignore.
    pub no_ignore: bool,
    /// A named file in no known format is skipped instead of being an error (pre-commit
    /// names every file its `files:` pattern matches, including `.conf` files of other tools).
    pub ignore_unknown: bool,
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
            exclude,
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
/// walking are never followed, so nothing outside a walked directory is read through one
/// (a symlink the user names is read: it is the root).
pub fn discover_with(paths: &[PathBuf], options: &WalkOptions) -> (Vec<Discovered>, Vec<String>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        match fs::symlink_metadata(root) {
            Err(e) => errors.push(format!("{}: {e}", root.display())),
            Ok(_) if options.excluded(root, Path::new("")) => {}
            Ok(m) if !m.is_dir() && !root.is_dir() => match Format::detect(root, true) {
                Some(format) => found.push(Discovered {
                    path: root.clone(),
                    format,
                }),
                None if options.ignore_unknown => {}
                None => errors.push(format!(
                    "{}: not a file format wscfg knows ({})",
                    root.display(),
                    Format::names()
                )),
            },
            Ok(_) => {
                let mut builder = ignore::WalkBuilder::new(root);
                builder
                    .follow_links(false)
                    .standard_filters(!options.no_ignore)
                    .hidden(false)
                    .require_git(false);
                let (walk_root, opts) = (root.clone(), options.clone());
                let walker = builder
                    .filter_entry(move |e| {
                        e.file_name() != ".git"
                            && (e.depth() == 0 || !opts.excluded(e.path(), &walk_root))
                    })
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
