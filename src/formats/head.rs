//! The first bytes of a file, read at most once while `Format::detect` asks several formats
//! whether a file is theirs.

use std::cell::OnceCell;
use std::io::Read;
use std::path::Path;

/// How much of a file content sniffing reads.
pub const HEAD_BYTES: u64 = 64 * 1024;

pub struct Head<'p> {
    path: &'p Path,
    /// The head as text, and how many bytes were read.
    text: OnceCell<(String, usize)>,
}

impl<'p> Head<'p> {
    pub fn new(path: &'p Path) -> Self {
        Head {
            path,
            text: OnceCell::new(),
        }
    }

    pub fn path(&self) -> &'p Path {
        self.path
    }

    /// The file name, `""` when it has none.
    pub fn name(&self) -> &'p str {
        self.path.file_name().and_then(|n| n.to_str()).unwrap_or("")
    }

    /// The head of the file (lossy UTF-8); empty when it cannot be read.
    pub fn text(&self) -> &str {
        &self.read().0
    }

    /// Whether the file may go on after the head (it filled all [`HEAD_BYTES`]).
    pub fn is_cut(&self) -> bool {
        self.read().1 as u64 >= HEAD_BYTES
    }

    /// The whole file (lossy UTF-8, at most `limit` bytes); empty when it cannot be read.
    /// Not cached: for the rare question the head cannot answer.
    pub fn whole(&self, limit: u64) -> String {
        let mut buf = Vec::new();
        if crate::workspace::check_readable(self.path, u64::MAX).is_ok() {
            let _ =
                std::fs::File::open(self.path).and_then(|f| f.take(limit).read_to_end(&mut buf));
        }
        without_bom(&buf)
    }

    fn read(&self) -> &(String, usize) {
        self.text.get_or_init(|| {
            let mut buf = Vec::new();
            // Only regular files are opened: opening a FIFO would block until someone writes.
            if crate::workspace::check_readable(self.path, u64::MAX).is_err() {
                return (String::new(), 0);
            }
            let _ = std::fs::File::open(self.path)
                .and_then(|f| f.take(HEAD_BYTES).read_to_end(&mut buf));
            (without_bom(&buf), buf.len())
        })
    }
}

/// The text of `bytes` (lossy UTF-8) without a leading byte order mark: editors on Windows
/// write one, and YAML, JSON and HCL readers skip it, so it must not hide what a file is.
fn without_bom(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned()
}
