//! Byte edits on the original fly.toml text: every other byte (comments, order, blank
//! lines, quoting, a missing final newline) stays as it was.

use super::model::{Entry, FlyDoc, TableId, TableKind};
use crate::fix::Edit;
use crate::source::{FileId, SourceFile, Span};

/// An edit builder for one file.
pub struct Editor<'a> {
    pub file: FileId,
    pub src: &'a SourceFile,
    pub doc: &'a FlyDoc,
}

impl Editor<'_> {
    fn text(&self) -> &str {
        &self.src.text
    }

    pub fn replace(&self, span: Span, content: impl Into<String>) -> Edit {
        Edit::replace(self.file, span, content)
    }

    /// The end of `at`'s line including its line break (or the end of the text).
    fn after_line(&self, at: usize) -> usize {
        let end = self.src.line_end(at);
        let rest = &self.text()[end..];
        if rest.starts_with("\r\n") {
            end + 2
        } else if rest.starts_with('\n') {
            end + 1
        } else {
            end
        }
    }

    /// Removes an entry: its whole line in a standard table (a trailing comment on that line
    /// goes with it), or the entry and one separating comma in an inline table.
    pub fn delete_entry(&self, e: &Entry) -> Option<Edit> {
        let table = self.doc.tables.get(e.table)?;
        match &table.kind {
            TableKind::Standard { .. } | TableKind::Dotted => {
                let start = self.src.line_start(e.start);
                let before = &self.text()[start..e.start];
                if !before.chars().all(|c| c == ' ' || c == '\t') {
                    return None;
                }
                let line_end = self.src.line_end(e.value.end);
                let after = self.text()[e.value.end..line_end].trim_start();
                if !(after.is_empty() || after.starts_with('#')) {
                    return None;
                }
                let end = self.after_line(e.value.end);
                if end == line_end && start > 0 {
                    // Last line without a final newline: take the break before it instead,
                    // so the file still ends without one.
                    let nl = if self.text()[..start].ends_with("\r\n") {
                        2
                    } else {
                        1
                    };
                    return Some(Edit::delete(self.file, Span::new(start - nl, end)));
                }
                Some(Edit::delete(self.file, Span::new(start, end)))
            }
            TableKind::Inline { .. } => {
                let i = table.entries.iter().position(|x| x.key == e.key)?;
                let span = if i > 0 {
                    Span::new(table.entries[i - 1].value.end, e.value.end)
                } else if let Some(next) = table.entries.get(1) {
                    Span::new(e.start, next.start)
                } else {
                    Span::new(e.start, e.value.end)
                };
                Some(Edit::delete(self.file, span))
            }
        }
    }

    /// The indentation for a new entry of a standard table.
    fn indent_for(&self, table: TableId, header: Span) -> String {
        let loc = &self.doc.tables[table];
        if let Some(first) = loc.entries.first() {
            return self.src.indentation_at(first.start).to_owned();
        }
        format!(
            "{}{}",
            self.src.indentation_at(header.start),
            self.doc.key_indent
        )
    }

    /// Adds `key = value` text to a table: on a new line after `after` (or after the
    /// table's last entry, or its header), or before the closing brace of an inline table.
    /// `None` for tables with no header to write under (implied or dotted tables).
    pub fn insert_entry(&self, table: TableId, after: Option<&Entry>, kv: &str) -> Option<Edit> {
        let loc = self.doc.tables.get(table)?;
        match &loc.kind {
            TableKind::Standard {
                header: Some(header),
            } => {
                let anchor = after
                    .map(|e| e.value.end)
                    .or_else(|| loc.entries.iter().map(|e| e.value.end).max())
                    .unwrap_or(header.end);
                let indent = match after {
                    Some(e) => self.src.indentation_at(e.start).to_owned(),
                    None => self.indent_for(table, *header),
                };
                let at = self.src.line_end(anchor);
                Some(Edit::insert(
                    self.file,
                    at,
                    format!("{}{indent}{kv}", self.src.newline()),
                ))
            }
            TableKind::Inline { span } => match after.or(loc.entries.last()) {
                Some(e) => Some(Edit::insert(self.file, e.value.end, format!(", {kv}"))),
                None => Some(Edit::replace(self.file, *span, format!("{{ {kv} }}"))),
            },
            _ => None,
        }
    }

    /// Removes one element of an array, with the comma that separates it from its neighbour.
    pub fn remove_array_item(&self, array: Span, items: &[Span], index: usize) -> Edit {
        let span = if index > 0 {
            Span::new(items[index - 1].end, items[index].end)
        } else if let Some(next) = items.get(1) {
            Span::new(items[0].start, next.start)
        } else {
            let inner = &self.text()[array.range()];
            let empty = if inner.starts_with('[') { "[]" } else { "" };
            return Edit::replace(self.file, array, empty);
        };
        Edit::delete(self.file, span)
    }
}
