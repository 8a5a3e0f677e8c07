//! Source files, byte spans and line/column lookup shared by every format.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// A half-open byte range into one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }
    pub fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    pub fn overlaps(&self, other: &Span) -> bool {
        // Two insertions at the same point conflict too: their order would be arbitrary.
        if self.is_empty() || other.is_empty() {
            return self.start <= other.end && other.start <= self.end;
        }
        self.start < other.end && other.start < self.end
    }
}

/// Index of a file in a [`SourceDb`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// 1-based line and column (columns count Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug)]
pub struct SourceFile {
    /// Path as the user named it (relative paths stay relative), used in every message.
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
    crlf: bool,
    tab_indented: bool,
    /// The text is ASCII, so a column is a byte distance.
    ascii: bool,
    /// Characters before every multiple of [`CHAR_BLOCK`] bytes, so columns on a 10 MB line
    /// cost a bounded count, not a scan from the start of the line.
    chars_before_block: Vec<usize>,
    /// Read from outside the checked root (`--allow-include-outside-root`): its text is
    /// judged but never quoted in a message.
    pub outside_root: bool,
}

const CHAR_BLOCK: usize = 4096;

/// Characters in `bytes`: bytes that do not continue a UTF-8 sequence.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        // Counted first: grown by doubling, a big file's index would be a third larger.
        let newlines = || memchr::memchr_iter(b'\n', text.as_bytes());
        let mut line_starts = Vec::with_capacity(1 + newlines().count());
        line_starts.push(0);
        line_starts.extend(newlines().map(|i| i + 1));
        let crlf = memchr::memmem::find(text.as_bytes(), b"\r\n").is_some();
        let tab_indented = memchr::memmem::find(text.as_bytes(), b"\n\t").is_some();
        let ascii = text.is_ascii();
        let mut chars_before_block = vec![0];
        if !ascii {
            chars_before_block.reserve(text.len() / CHAR_BLOCK + 1);
            for chunk in text.as_bytes().chunks(CHAR_BLOCK) {
                let last = *chars_before_block.last().expect("starts with 0");
                chars_before_block.push(last + count_chars(chunk));
            }
        }
        SourceFile {
            path,
            text,
            line_starts,
            crlf,
            tab_indented,
            ascii,
            chars_before_block,
            outside_root: false,
        }
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = if self.ascii {
            offset - start + 1
        } else {
            let offset = floor_char_boundary(&self.text, offset);
            if offset - start <= CHAR_BLOCK {
                // A short distance: count it, rather than two block prefixes.
                count_chars(&self.text.as_bytes()[start..offset]) + 1
            } else {
                self.chars_before(offset) - self.chars_before(start) + 1
            }
        };
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Characters in the text before byte `offset` (a character boundary).
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / CHAR_BLOCK;
        self.chars_before_block[block]
            + count_chars(&self.text.as_bytes()[block * CHAR_BLOCK..offset])
    }

    /// Byte offset of the start of the line holding `offset`.
    pub fn line_start(&self, offset: usize) -> usize {
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        self.line_starts[line]
    }

    /// Byte offset just before the line break that ends the line holding `offset`.
    pub fn line_end(&self, offset: usize) -> usize {
        let bytes = self.text.as_bytes();
        let offset = offset.min(bytes.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        // The next line's start is just after this line's `\n` (none on the last line).
        let mut i = self
            .line_starts
            .get(line)
            .map_or(bytes.len(), |&next| next - 1);
        if i > 0 && i <= bytes.len() && bytes.get(i) == Some(&b'\n') && bytes[i - 1] == b'\r' {
            i -= 1;
        }
        i
    }

    /// Whitespace that starts the line holding `offset`.
    pub fn indentation_at(&self, offset: usize) -> &str {
        let start = self.line_start(offset);
        let rest = &self.text[start..];
        let n = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        &rest[..n]
    }

    pub fn same_line(&self, a: usize, b: usize) -> bool {
        self.line_start(a) == self.line_start(b)
    }

    /// The line break style the file already uses, so inserted lines match it.
    pub fn newline(&self) -> &'static str {
        if self.crlf { "\r\n" } else { "\n" }
    }

    /// The line break ending the line that holds `offset` (the file's style for a last line
    /// without one): lines inserted there use it, so in a file mixing styles every line
    /// already there keeps its own.
    pub fn newline_at(&self, offset: usize) -> &'static str {
        let rest = &self.text.as_bytes()[self.line_end(offset)..];
        if rest.starts_with(b"\r\n") {
            "\r\n"
        } else if rest.starts_with(b"\n") {
            "\n"
        } else {
            self.newline()
        }
    }

    /// Whether some line of the file is indented with a tab.
    pub fn tab_indented(&self) -> bool {
        self.tab_indented
    }

    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.range()]
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Every file a run has read, addressed by [`FileId`]. Fixes replace texts in place so the
/// next lint pass sees the fixed bytes.
#[derive(Default, Debug)]
pub struct SourceDb {
    files: Vec<SourceFile>,
    /// The first file added under each path, so looking up includes stays linear overall.
    by_path: std::collections::HashMap<PathBuf, FileId>,
    /// The files under each directory (as their paths name it), for listings that would
    /// otherwise scan every file once per directory asked about.
    by_dir: std::collections::HashMap<PathBuf, Vec<FileId>>,
}

impl SourceDb {
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.by_path.entry(path.clone()).or_insert(id);
        if let Some(dir) = path.parent() {
            self.by_dir.entry(dir.to_path_buf()).or_default().push(id);
        }
        self.files.push(SourceFile::new(path, text));
        id
    }
    /// Marks a file as read from outside the checked root (see [`SourceFile::outside_root`]).
    pub fn mark_outside_root(&mut self, id: FileId) {
        self.files[id.0 as usize].outside_root = true;
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }
    /// The files whose path's parent is `dir`, spelled as they were added.
    pub fn in_dir(&self, dir: &Path) -> &[FileId] {
        self.by_dir.get(dir).map_or(&[], Vec::as_slice)
    }
    pub fn set_text(&mut self, id: FileId, text: String) {
        let path = self.files[id.0 as usize].path.clone();
        self.files[id.0 as usize] = SourceFile::new(path, text);
    }
    pub fn ids(&self) -> impl Iterator<Item = FileId> + '_ {
        (0..self.files.len() as u32).map(FileId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_and_lines() {
        let f = SourceFile::new("x".into(), "ab\r\nçd\nx".into());
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(4), LineCol { line: 2, column: 1 });
        assert_eq!(f.line_col(6), LineCol { line: 2, column: 2 });
        assert_eq!(f.line_col(8), LineCol { line: 3, column: 1 });
        assert_eq!(f.line_end(0), 2);
        assert_eq!(f.newline(), "\r\n");
        // Each line's own ending; the file's style on the last line, which has none.
        assert_eq!(f.newline_at(1), "\r\n");
        assert_eq!(f.newline_at(5), "\n");
        assert_eq!(f.newline_at(9), "\r\n");
    }

    #[test]
    fn columns_agree_on_every_path() {
        // ASCII text; non-ASCII text with short lines; a non-ASCII line longer than a block.
        let long = format!("x\n{}é{}", "é".repeat(3000), "a".repeat(5000));
        for text in ["abc\ndef", "é\nàb", long.as_str()] {
            let f = SourceFile::new("x".into(), text.to_owned());
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
                let column = text[line_start..offset].chars().count() + 1;
                assert_eq!(f.line_col(offset).column, column, "offset {offset}");
            }
        }
    }

    #[test]
    fn insertions_at_one_point_overlap() {
        assert!(Span::empty(3).overlaps(&Span::empty(3)));
        assert!(!Span::new(0, 3).overlaps(&Span::new(3, 5)));
        assert!(Span::empty(3).overlaps(&Span::new(3, 5)));
    }
}
