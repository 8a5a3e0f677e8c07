//! The commands that start the app outside platform manifests: a Dockerfile's last
//! `CMD`/`ENTRYPOINT` and the lines of a `Procfile`. Each keeps where its text is, so a
//! finding can point at the word it is about.

use super::ProjectView;
use super::docker;
use super::kind::Kind;
use crate::source::{FileId, Span};
use std::ops::Range;

pub struct StartCommand {
    pub file: FileId,
    /// The command as a shell line.
    pub cmd: String,
    /// Where `cmd` starts in the file when it is the file's text (shell form, Procfile);
    /// `None` for exec form, whose words were joined.
    pub offset: Option<usize>,
    /// The instruction or line, for findings when `offset` is `None`.
    pub span: Span,
    /// "Dockerfile CMD", "Procfile `web`".
    pub source: String,
}

impl StartCommand {
    /// The span in the file of a range of `cmd`.
    pub fn span_of(&self, range: Range<usize>) -> Span {
        match self.offset {
            Some(o) => Span::new(o + range.start, o + range.end),
            None => self.span,
        }
    }
}

pub fn start_commands(view: &ProjectView) -> Vec<StartCommand> {
    let mut out = Vec::new();
    for &(file, kind) in &view.files {
        let text = &view.db.get(file).text;
        match kind {
            Kind::Dockerfile => {
                let all = docker::instructions(text);
                let last = all
                    .iter()
                    .rev()
                    .find(|i| i.keyword == "CMD" || i.keyword == "ENTRYPOINT");
                if let Some(ins) = last
                    && let Some((cmd, offset)) = docker::command_of(ins)
                {
                    out.push(StartCommand {
                        file,
                        cmd,
                        offset,
                        span: ins.args_span,
                        source: format!("Dockerfile {}", ins.keyword),
                    });
                }
            }
            Kind::Procfile => {
                let mut pos = 0;
                for line in text.split_inclusive('\n') {
                    let body = line.trim_end_matches(['\n', '\r']);
                    if let Some((name, cmd)) = body.split_once(':')
                        && !name.trim().is_empty()
                        && !name.trim_start().starts_with('#')
                    {
                        let lead = cmd.len() - cmd.trim_start().len();
                        let start = pos + name.len() + 1 + lead;
                        let cmd = cmd.trim();
                        out.push(StartCommand {
                            file,
                            cmd: cmd.to_owned(),
                            offset: Some(start),
                            span: Span::new(start, start + cmd.len()),
                            source: format!("Procfile `{}`", name.trim()),
                        });
                    }
                    pos += line.len();
                }
            }
            _ => {}
        }
    }
    out
}
