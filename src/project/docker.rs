//! What a Dockerfile says about the port its container listens on: `EXPOSE`, and the port the
//! server in `CMD`/`ENTRYPOINT` is started on (read with the shared start-command parser), with
//! `ENV PORT=…` substituted for `$PORT`.

use crate::project::start_command::{self, Invocation, ListenProblem};
use crate::source::Span;

/// One instruction: its keyword (upper-cased) and arguments, with the span of the arguments.
#[derive(Debug)]
pub struct Instruction {
    pub keyword: String,
    pub args: String,
    pub args_span: Span,
}

/// Instructions with `\` continuations joined (the span covers the continued lines).
pub fn instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let mut end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        while text[pos..end].trim_end().ends_with('\\') && end < text.len() {
            end = text[end + 1..]
                .find('\n')
                .map_or(text.len(), |i| end + 1 + i);
        }
        let line = &text[pos..end];
        let trimmed = line.trim_start();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            let lead = line.len() - trimmed.len();
            let kw_len = trimmed
                .find(|c: char| c.is_whitespace())
                .unwrap_or(trimmed.len());
            let args = trimmed[kw_len..].trim_start();
            let args_start = pos + lead + (trimmed.len() - args.len());
            let args = args.trim_end();
            out.push(Instruction {
                keyword: trimmed[..kw_len].to_ascii_uppercase(),
                args: args.to_owned(),
                args_span: Span::new(args_start, args_start + args.len()),
            });
        }
        pos = end + 1;
    }
    out
}

/// A port a Dockerfile shows, where it says so, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DockerPort {
    pub port: u16,
    pub span: Span,
    /// "CMD starts uvicorn on port 8000", "EXPOSE 8000".
    pub what: String,
}

#[derive(Debug, Default)]
pub struct DockerPorts {
    /// The port the start command's server listens on.
    pub listen: Option<DockerPort>,
    pub expose: Vec<DockerPort>,
}

/// The start command of a `CMD`/`ENTRYPOINT`: exec form (a JSON array) is joined into a shell
/// line; each word keeps where it is in the file only for shell form.
pub fn command_of(ins: &Instruction) -> Option<(String, Option<usize>)> {
    if ins.args.starts_with('[') {
        let words: Vec<String> = serde_json::from_str(&ins.args).ok()?;
        let quoted: Vec<String> = words
            .iter()
            .map(|w| {
                if w.is_empty() || w.contains(|c: char| c.is_whitespace() || "'\"$\\".contains(c)) {
                    format!("'{}'", w.replace('\'', "'\\''"))
                } else {
                    w.clone()
                }
            })
            .collect();
        Some((quoted.join(" "), None))
    } else {
        Some((ins.args.clone(), Some(ins.args_span.start)))
    }
}

/// Where `word` stands alone in `hay` (not part of a longer number).
fn find_number(hay: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = hay[from..].find(word).map(|i| from + i) {
        let before = hay[..i].chars().next_back();
        let after = hay[i + word.len()..].chars().next();
        if !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
        {
            return Some(i);
        }
        from = i + word.len();
    }
    None
}

/// `platform_port` is a `PORT` the platform sets at run time (fly.toml `[env]`), which wins
/// over the Dockerfile's own `ENV PORT`.
pub fn ports(text: &str, platform_port: Option<u16>) -> DockerPorts {
    let mut out = DockerPorts::default();
    let mut env_port: Option<(u16, &'static str)> = None;
    let mut last_cmd: Option<&Instruction> = None;
    let all = instructions(text);
    for ins in &all {
        match ins.keyword.as_str() {
            "EXPOSE" => {
                for w in ins.args.split_whitespace() {
                    let num = w.split('/').next().unwrap_or("");
                    if let Ok(port) = num.parse::<u16>() {
                        let at = find_number(&ins.args, num).unwrap_or(0) + ins.args_span.start;
                        out.expose.push(DockerPort {
                            port,
                            span: Span::new(at, at + num.len()),
                            what: format!("EXPOSE {port}"),
                        });
                    }
                }
            }
            "ENV" => {
                let a = ins.args.trim();
                let value = a
                    .strip_prefix("PORT=")
                    .or_else(|| a.strip_prefix("PORT "))
                    .map(|v| v.split_whitespace().next().unwrap_or("").trim_matches('"'));
                if let Some(p) = value.and_then(|v| v.parse().ok()) {
                    env_port = Some((p, "`ENV PORT` in the Dockerfile"));
                }
            }
            "CMD" | "ENTRYPOINT" => last_cmd = Some(ins),
            _ => {}
        }
    }
    if let Some(p) = platform_port {
        env_port = Some((p, "`PORT` in fly.toml [env]"));
    }
    let Some(ins) = last_cmd else {
        return out;
    };
    let Some((cmd, offset)) = command_of(ins) else {
        return out;
    };
    out.listen = command_listen(
        &cmd,
        offset,
        (ins.args_span, &ins.args),
        &ins.keyword,
        env_port.map(|(p, by)| (p, by.to_owned())),
    );
    out
}

/// The port the server a start command (`cmd`, at `offset` in its file when it is the file's
/// own text, else somewhere in `whole`, given with its text) listens on; `keyword` names the command in messages
/// ("CMD", "Procfile `web`"), `env_port` is the value `$PORT` has and who sets it.
pub fn command_listen(
    cmd: &str,
    offset: Option<usize>,
    (whole, whole_text): (Span, &str),
    keyword: &str,
    env_port: Option<(u16, String)>,
) -> Option<DockerPort> {
    let parsed = start_command::parse(cmd);
    for simple in &parsed.simple {
        let Some(inv) = Invocation::find(simple) else {
            continue;
        };
        let server = inv.program_name().to_owned();
        let port_words = inv.option(&["--port", "-p", "--bind", "-b"]);
        let uses_port_var = port_words.iter().any(|o| {
            o.text()
                .is_some_and(|t| t.contains("$PORT") || t.contains("${PORT"))
        });
        if uses_port_var && let Some((p, by)) = &env_port {
            return Some(DockerPort {
                port: *p,
                span: whole,
                what: format!("{keyword} starts {server} on $PORT, which {by} sets to {p}"),
            });
        }
        let Some(listen) = inv.listen(cmd) else {
            continue;
        };
        for (problem, range) in &listen.problems {
            let (port, default) = match problem {
                ListenProblem::FixedPort(p) => (*p, false),
                ListenProblem::DefaultPort(p) => (*p, true),
                _ => continue,
            };
            let span = match offset {
                Some(o) => Span::new(o + range.start, o + range.end),
                None if default => whole,
                None => {
                    let digits = port.to_string();
                    find_number(whole_text, &digits)
                        .map(|i| Span::new(whole.start + i, whole.start + i + digits.len()))
                        .unwrap_or(whole)
                }
            };
            let what = if default {
                format!(
                    "{keyword} starts {} with no port, so it listens on its default {port}",
                    listen.server
                )
            } else {
                format!("{keyword} starts {} on port {port}", listen.server)
            };
            return Some(DockerPort { port, span, what });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_and_exec_form_ports() {
        let text =
            "FROM python:3.12-slim\nEXPOSE 8000\nCMD uvicorn main:app --host 0.0.0.0 --port 8000\n";
        let p = ports(text, None);
        assert_eq!(p.expose[0].port, 8000);
        let l = p.listen.unwrap();
        assert_eq!(l.port, 8000);
        assert_eq!(&text[l.span.range()], "8000");
        assert!(text[..l.span.start].ends_with("--port "));

        let text = "FROM node:20\nCMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"9000\"]\n";
        let l = ports(text, None).listen.unwrap();
        assert_eq!((l.port, &text[l.span.range()]), (9000, "9000"));

        let text = "ENV PORT=8080\nCMD gunicorn -k uvicorn.workers.UvicornWorker -b 0.0.0.0:$PORT app:app\n";
        assert_eq!(ports(text, None).listen.unwrap().port, 8080);
        assert_eq!(ports(text, Some(9000)).listen.unwrap().port, 9000);
    }

    #[test]
    fn continuation_lines_are_one_instruction() {
        let text = "RUN apt-get update \\\n  && apt-get install -y curl\nEXPOSE 3000\n";
        let all = instructions(text);
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].keyword, "EXPOSE");
    }
}
