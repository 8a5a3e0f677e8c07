//! Byte offsets ↔ LSP positions, and incremental document edits.
//!
//! LSP positions are (line, character) where `character` counts code units of the negotiated
//! encoding: UTF-16 unless the client offered `utf-8` (or `utf-32`) in
//! `general.positionEncodings`. Lines end at `\n`, `\r\n` or a lone `\r`, as the specification
//! says; a position past the end of a line means the end of that line.

use lsp_types::{Position, PositionEncodingKind, Range, TextDocumentContentChangeEvent};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// The server's pick among the encodings the client offers: UTF-8 (no conversion) first,
    /// then UTF-16 (the protocol's default, always allowed), UTF-32 only if it is all there is.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        let offered = offered.unwrap_or(&[]);
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else if offered.is_empty() || offered.contains(&PositionEncodingKind::UTF16) {
            Encoding::Utf16
        } else if offered.contains(&PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    fn units(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
            Encoding::Utf32 => 1,
        }
    }
}

/// Where each line of a text starts, in bytes.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { text, starts }
    }

    /// Byte offset where the content of `line` ends (before its line break).
    fn line_end(&self, line: usize) -> usize {
        match self.starts.get(line + 1) {
            None => self.text.len(),
            Some(&next) => {
                let b = self.text.as_bytes();
                if next >= 2 && b[next - 2] == b'\r' && b[next - 1] == b'\n' {
                    next - 2
                } else {
                    next - 1
                }
            }
        }
    }

    pub fn position(&self, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        // An offset between `\r` and `\n` belongs to the end of the line.
        let start = self.starts[line];
        let upto = offset.min(self.line_end(line).max(start));
        let character = self.text[start..upto].chars().map(|c| enc.units(c)).sum();
        Position {
            line: line as u32,
            character,
        }
    }

    pub fn range(&self, start: usize, end: usize, enc: Encoding) -> Range {
        Range {
            start: self.position(start, enc),
            end: self.position(end, enc),
        }
    }

    /// The byte offset of a position; lines past the end clamp to the end of the text and
    /// characters past the end of a line (or inside a character) to the nearest boundary
    /// before them.
    pub fn offset(&self, pos: Position, enc: Encoding) -> usize {
        let line = pos.line as usize;
        let Some(&start) = self.starts.get(line) else {
            return self.text.len();
        };
        let end = self.line_end(line);
        let mut units = 0u32;
        for (i, c) in self.text[start..end].char_indices() {
            let next = units + enc.units(c);
            if next > pos.character {
                return start + i;
            }
            units = next;
        }
        end
    }
}

/// Applies one `didChange` content change to `text`.
pub fn apply_change(text: &mut String, change: &TextDocumentContentChangeEvent, enc: Encoding) {
    match change.range {
        None => text.clone_from(&change.text),
        Some(range) => {
            let index = LineIndex::new(text);
            let start = index.offset(range.start, enc);
            let end = index.offset(range.end, enc).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn positions_count_code_units_of_the_encoding() {
        // "a😀b" : 😀 is 4 bytes, 2 UTF-16 units, 1 scalar.
        let text = "x\r\na😀b\rcé\n";
        let idx = LineIndex::new(text);
        let b = text.find('b').unwrap();
        assert_eq!(idx.position(b, Encoding::Utf16), pos(1, 3));
        assert_eq!(idx.position(b, Encoding::Utf8), pos(1, 5));
        assert_eq!(idx.position(b, Encoding::Utf32), pos(1, 2));
        // A lone \r ends a line.
        let c = text.find('c').unwrap();
        assert_eq!(idx.position(c, Encoding::Utf16), pos(2, 0));
        assert_eq!(idx.position(text.len(), Encoding::Utf16), pos(3, 0));
        // Round trips at every char boundary.
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for (i, _) in text.char_indices() {
                let p = idx.position(i, enc);
                let back = idx.offset(p, enc);
                // Offsets on a line break map to the line end, which is where they are.
                assert!(
                    back == i || &text[back..i] == "\r",
                    "{enc:?} {i} {p:?} {back}"
                );
            }
        }
    }

    #[test]
    fn offsets_clamp() {
        let text = "ab\r\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(pos(0, 99), Encoding::Utf16), 2);
        assert_eq!(idx.offset(pos(9, 0), Encoding::Utf16), text.len());
        // Inside a surrogate pair: the boundary before it.
        let idx = LineIndex::new("😀x");
        assert_eq!(idx.offset(pos(0, 1), Encoding::Utf16), 0);
        assert_eq!(idx.offset(pos(0, 2), Encoding::Utf16), 4);
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let mut text = String::from("héllo\nwörld\n");
        let change = |l1, c1, l2, c2, t: &str| TextDocumentContentChangeEvent {
            range: Some(Range {
                start: pos(l1, c1),
                end: pos(l2, c2),
            }),
            range_length: None,
            text: t.into(),
        };
        apply_change(&mut text, &change(1, 1, 1, 2, "o"), Encoding::Utf16);
        assert_eq!(text, "héllo\nworld\n");
        apply_change(&mut text, &change(0, 5, 1, 0, " "), Encoding::Utf16);
        assert_eq!(text, "héllo world\n");
        apply_change(&mut text, &change(0, 0, 0, 0, "😀"), Encoding::Utf8);
        apply_change(&mut text, &change(0, 4, 0, 4, "!"), Encoding::Utf8);
        assert_eq!(text, "😀!héllo world\n");
    }

    #[test]
    fn negotiation_prefers_utf8_and_defaults_to_utf16() {
        use PositionEncodingKind as K;
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(Some(&[K::UTF16, K::UTF8])),
            Encoding::Utf8
        );
        assert_eq!(Encoding::negotiate(Some(&[K::UTF32])), Encoding::Utf32);
        assert_eq!(Encoding::negotiate(Some(&[K::UTF16])), Encoding::Utf16);
    }
}
