//! `wscfg init`: WebSocket-ready configuration, one module per platform.
//!
//! A generator only writes text. Before anyone sees it, the text goes through the same
//! path `wscfg check` takes: the format's parser, its model (which must recognise the
//! WebSocket parts the generator meant to write) and every rule of the format. A generated
//! file that is not clean is an internal error, never output.

pub mod fly;
pub mod nginx;
pub mod project;
pub mod railway;

use crate::config::Config;
use crate::engine::Session;
use crate::formats::Format;
use std::path::{Path, PathBuf};

/// A generated configuration, checked and ready to print or write.
#[derive(Debug, Clone)]
pub struct Generated {
    pub format: Format,
    pub text: String,
    /// Where it goes when no `-o` is given; `None` means standard output (snippets).
    pub default_path: Option<PathBuf>,
    /// What to do next, printed after the file is written.
    pub next_steps: Vec<String>,
    /// Findings about the project the file is for (not about the generated text), printed
    /// on standard error whatever the output.
    pub advice: Vec<String>,
}

/// Every finding `wscfg check` (default settings, every rule) reports on `text` as a file
/// named `path`, one concise line each.
pub fn lint(format: Format, path: &Path, text: &str) -> Vec<String> {
    let mut session = Session::new(Config::default());
    session.add_text(path.to_owned(), text.to_owned(), format);
    let diags = session.lint();
    crate::render::concise::render(&session.db, &diags)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The message for a generated text the linter or the model does not accept.
pub fn internal_error(format: Format, problem: &str, text: &str) -> String {
    format!(
        "internal error: the generated {} configuration {problem}. This is a bug in wscfg's \
         templates; nothing was written. Please report it with the command line you ran.\n\
         --- generated text ---\n{text}",
        format.as_str()
    )
}

/// Checks `text` with every rule of its format; findings are an internal error.
pub fn require_clean(format: Format, path: &Path, text: &str) -> Result<(), String> {
    let findings = lint(format, path, text);
    if findings.is_empty() {
        Ok(())
    } else {
        Err(internal_error(
            format,
            &format!(
                "does not lint clean:\n{}",
                findings
                    .iter()
                    .map(|f| format!("  {f}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            text,
        ))
    }
}

/// Builds indented configuration text with wrapped `#` comments (nginx and TOML share the
/// comment syntax).
pub(crate) struct Writer {
    out: String,
    depth: usize,
    unit: &'static str,
}

/// Comments wrap at this column.
const WIDTH: usize = 92;

impl Writer {
    pub fn new(unit: &'static str) -> Self {
        Writer {
            out: String::new(),
            depth: 0,
            unit,
        }
    }

    fn indent(&self) -> String {
        self.unit.repeat(self.depth)
    }

    /// A `# ` comment, word-wrapped at [`WIDTH`].
    pub fn comment(&mut self, text: &str) {
        let indent = self.indent();
        let room = WIDTH.saturating_sub(indent.len() + 2).max(40);
        for line in wrap(text, room) {
            self.out.push_str(&indent);
            self.out.push('#');
            if !line.is_empty() {
                self.out.push(' ');
                self.out.push_str(&line);
            }
            self.out.push('\n');
        }
    }

    pub fn line(&mut self, text: &str) {
        self.out.push_str(&self.indent());
        self.out.push_str(text);
        self.out.push('\n');
    }

    pub fn open(&mut self, header: &str) {
        self.line(&format!("{header} {{"));
        self.depth += 1;
    }

    pub fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.line("}");
    }

    pub fn enter(&mut self) {
        self.depth += 1;
    }

    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// One empty line, never two in a row, none at the start.
    pub fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Greedy word wrap; words longer than `width` stay whole. Explicit `\n` start a new line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            if !line.is_empty() && line.len() + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

/// A value spliced into configuration text: no whitespace, quotes, comment or block
/// characters, so a flag can never add a directive or change the file's structure.
pub(crate) fn plain_word(flag: &str, value: &str, also_forbidden: &[char]) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!("{flag} cannot be empty"));
    }
    if let Some(c) = value.chars().find(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, ';' | '{' | '}' | '"' | '\'' | '#' | '\\' | '`')
            || also_forbidden.contains(c)
    }) {
        return Err(format!(
            "{flag} `{value}` contains {c:?}, which wscfg does not write into configuration"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_and_width() {
        let lines = wrap("aaa bbb ccc ddd", 7);
        assert_eq!(lines, vec!["aaa bbb", "ccc ddd"]);
        assert_eq!(wrap("one\ntwo", 80), vec!["one", "two"]);
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            vec!["averyveryverylongword", "x"]
        );
    }

    #[test]
    fn writer_indents_and_wraps_comments() {
        let mut w = Writer::new("    ");
        w.open("server");
        w.comment("why");
        w.line("listen 80;");
        w.close();
        assert_eq!(w.finish(), "server {\n    # why\n    listen 80;\n}\n");
    }

    #[test]
    fn plain_word_refuses_structure() {
        assert!(plain_word("--ws-path", "/ws/", &[]).is_ok());
        for bad in ["", "/ws; return 200", "/a{", "x\"", "/ws #x", "a\nb"] {
            assert!(plain_word("--ws-path", bad, &[]).is_err(), "{bad:?}");
        }
        assert!(plain_word("--app", "a$b", &['$']).is_err());
    }
}
