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
                    format!("{}{indent}{kv}", self.src.newline_at(at)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply_edits;

    fn with<R>(text: &str, f: impl FnOnce(&Editor<'_>) -> R) -> R {
        let src = SourceFile::new("fly.toml".into(), text.to_owned());
        let doc = super::super::parse(text).unwrap();
        let ed = Editor {
            file: FileId(0),
            src: &src,
            doc: &doc,
        };
        f(&ed)
    }

    fn entry<'d>(doc: &'d FlyDoc, name: &str) -> &'d Entry {
        doc.tables
            .iter()
            .flat_map(|t| &t.entries)
            .find(|e| e.name == name)
            .unwrap()
    }

    #[test]
    fn deleting_keeps_every_other_byte() {
        let cases = [
            (
                "[[services]]\n  internal_port = 1 # why\n  protocol = 'tcp'\n",
                "internal_port",
                "[[services]]\n  protocol = 'tcp'\n",
            ),
            (
                "[[services]]\r\ninternal_port = 1\r\nprotocol = 'tcp'\r\n",
                "internal_port",
                "[[services]]\r\nprotocol = 'tcp'\r\n",
            ),
            // No final newline: the break before the last line goes instead.
            (
                "[[services]]\ninternal_port = 1\nprotocol = 'tcp'",
                "protocol",
                "[[services]]\ninternal_port = 1",
            ),
            (
                "[http_service]\nconcurrency.type = 'x'\nforce_https = true\n",
                "type",
                "[http_service]\nforce_https = true\n",
            ),
            (
                "[[services]]\nports = [{ port = 1, handlers = [], force_https = true }]\n",
                "handlers",
                "[[services]]\nports = [{ port = 1, force_https = true }]\n",
            ),
            (
                "[[services]]\nports = [{ port = 1, force_https = true }]\n",
                "port",
                "[[services]]\nports = [{ force_https = true }]\n",
            ),
            (
                "[[services]]\nports = [{ port = 1 }]\n",
                "port",
                "[[services]]\nports = [{  }]\n",
            ),
        ];
        for (text, key, want) in cases {
            let got = with(text, |ed| {
                let e = ed.delete_entry(entry(ed.doc, key)).unwrap();
                apply_edits(text, &[e])
            });
            assert_eq!(got, want, "{text:?}");
            assert!(super::super::parses(&got));
        }
    }

    #[test]
    fn inserting_matches_indentation_and_line_endings() {
        let cases = [
            (
                "[http_service]\n  internal_port = 1\n\n[env]\n",
                None,
                "[http_service]\n  internal_port = 1\n  n = 0\n\n[env]\n",
            ),
            (
                "[http_service]\r\n    internal_port = 1\r\n",
                None,
                "[http_service]\r\n    internal_port = 1\r\n    n = 0\r\n",
            ),
            (
                "[http_service]\n  internal_port = 1\n  force_https = true",
                Some("internal_port"),
                "[http_service]\n  internal_port = 1\n  n = 0\n  force_https = true",
            ),
            (
                "[env]\n  X = '1'\n[http_service] # web\n",
                None,
                "[env]\n  X = '1'\n[http_service] # web\n  n = 0\n",
            ),
            (
                "services = [{ internal_port = 1 }]\n",
                None,
                "services = [{ internal_port = 1, n = 0 }]\n",
            ),
            ("services = [{}]\n", None, "services = [{ n = 0 }]\n"),
        ];
        for (text, after, want) in cases {
            let got = with(text, |ed| {
                let after = after.map(|k| entry(ed.doc, k).clone());
                let table = ed.doc.services[0].table;
                let e = ed.insert_entry(table, after.as_ref(), "n = 0").unwrap();
                apply_edits(text, &[e])
            });
            assert_eq!(got, want, "{text:?}");
            assert!(super::super::parses(&got));
        }
        // A service that only exists through `[[services.ports]]` has no header to write under.
        with("[[services.ports]]\nport = 1\n", |ed| {
            assert!(
                ed.insert_entry(ed.doc.services[0].table, None, "n = 0")
                    .is_none()
            );
        });
    }

    #[test]
    fn array_items_go_with_one_comma() {
        let text = "h = [\"tls\", \"http\"]\ni = [\n  'http',\n  'tls',\n]\nj = [\"http\"]\n";
        let doc = super::super::parse(text).unwrap();
        let src = SourceFile::new("f".into(), text.into());
        let ed = Editor {
            file: FileId(0),
            src: &src,
            doc: &doc,
        };
        let arrays: Vec<(Span, Vec<Span>)> = {
            let d = toml_edit::Document::parse(text).unwrap();
            ["h", "i", "j"]
                .iter()
                .map(|k| {
                    let v = d.get(k).unwrap().as_value().unwrap();
                    let a = v.as_array().unwrap();
                    let sp = |r: std::ops::Range<usize>| Span::new(r.start, r.end);
                    (
                        sp(v.span().unwrap()),
                        a.iter().map(|x| sp(x.span().unwrap())).collect(),
                    )
                })
                .collect()
        };
        let edits = vec![
            ed.remove_array_item(arrays[0].0, &arrays[0].1, 1),
            ed.remove_array_item(arrays[1].0, &arrays[1].1, 0),
            ed.remove_array_item(arrays[2].0, &arrays[2].1, 0),
        ];
        assert_eq!(
            apply_edits(text, &edits),
            "h = [\"tls\"]\ni = [\n  'tls',\n]\nj = []\n"
        );
    }
}
