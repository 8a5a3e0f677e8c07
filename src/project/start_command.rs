//! Start commands as platforms run them (`railway.toml` startCommand, `apprunner.yaml`
//! run.command): split like a POSIX shell splits words, cut into simple commands at `&&`,
//! `||`, `;`, `|` and `&`, with `sh -c "…"` looked into, and each simple command recognised
//! as a known server (uvicorn, gunicorn, …) with the options it was given. Offsets are byte
//! offsets into the command string, so a fix can edit exactly one word.

use std::ops::Range;

/// One shell word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word after quote removal (no expansion: `$PORT` stays `$PORT`).
    pub text: String,
    /// Where the word is written, quotes included.
    pub span: Range<usize>,
}

impl Word {
    /// The word is written exactly as its text (no quotes, no backslashes).
    pub fn is_bare(&self, cmd: &str) -> bool {
        cmd[self.span.clone()] == self.text
    }
}

/// A simple command: the words between two control operators.
#[derive(Clone, Debug)]
pub struct Simple {
    pub words: Vec<Word>,
    /// Whether the words came from inside `sh -c "…"` (the command then runs in a shell
    /// whatever the platform does).
    pub in_shell: bool,
}

#[derive(Clone, Debug)]
pub struct Parsed {
    pub simple: Vec<Simple>,
    /// The whole command is wrapped in `sh -c` / `bash -c`.
    pub wrapped_in_shell: bool,
    /// More than one simple command (control operators outside a `sh -c` string).
    pub compound: bool,
}

/// Splits `cmd` into simple commands. Unbalanced quotes end the word at the end of input.
pub fn parse(cmd: &str) -> Parsed {
    let top = split(cmd, 0);
    let compound = top.len() > 1;
    let mut simple = Vec::new();
    let mut wrapped = false;
    for s in top {
        match shell_c_script(cmd, &s) {
            Some((base, script)) => {
                if !compound {
                    wrapped = true;
                }
                for mut inner in split(script, base) {
                    inner.in_shell = true;
                    simple.push(inner);
                }
            }
            None => simple.push(s),
        }
    }
    Parsed {
        simple,
        wrapped_in_shell: wrapped,
        compound,
    }
}

/// `sh -c '…'` (or bash/dash/zsh, with `exec` or a path before it): the script and the
/// offset of its first byte, when the script is written verbatim inside its quotes.
fn shell_c_script<'a>(cmd: &'a str, s: &Simple) -> Option<(usize, &'a str)> {
    let mut i = 0;
    while s.words.get(i).is_some_and(|w| w.text == "exec") {
        i += 1;
    }
    let prog = basename(&s.words.get(i)?.text);
    if !matches!(prog, "sh" | "bash" | "dash" | "zsh" | "ash") {
        return None;
    }
    let flag = s.words.get(i + 1)?;
    if !(flag.text.starts_with('-') && flag.text.contains('c')) {
        return None;
    }
    let script = s.words.get(i + 2)?;
    let raw = &cmd[script.span.clone()];
    let quoted = (raw.starts_with('"') && raw.ends_with('"')
        || raw.starts_with('\'') && raw.ends_with('\''))
        && raw.len() >= 2;
    if quoted && raw[1..raw.len() - 1] == script.text {
        Some((
            script.span.start + 1,
            &cmd[script.span.start + 1..script.span.end - 1],
        ))
    } else {
        // An unquoted script is one word: text added after it would become the script's
        // `$0`, `$1`… and never reach the program, so a fix there would repeat forever.
        None
    }
}

fn split(cmd: &str, base: usize) -> Vec<Simple> {
    let mut out = Vec::new();
    let mut words = Vec::new();
    let bytes = cmd.as_bytes();
    let mut i = 0;
    let flush = |words: &mut Vec<Word>, out: &mut Vec<Simple>| {
        if !words.is_empty() {
            out.push(Simple {
                words: std::mem::take(words),
                in_shell: false,
            });
        }
    };
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\n' | b';' | b'&' | b'|' => {
                flush(&mut words, &mut out);
                i += 1;
            }
            b'#' if words.is_empty() || bytes[i - 1].is_ascii_whitespace() => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {
                let start = i;
                let mut text = String::new();
                while i < bytes.len() {
                    match bytes[i] {
                        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' => break,
                        b'\'' => {
                            let close = cmd[i + 1..].find('\'').map_or(cmd.len(), |p| i + 1 + p);
                            text.push_str(&cmd[i + 1..close]);
                            i = (close + 1).min(cmd.len());
                        }
                        b'"' => {
                            i += 1;
                            while i < bytes.len() && bytes[i] != b'"' {
                                if bytes[i] == b'\\'
                                    && i + 1 < bytes.len()
                                    && matches!(bytes[i + 1], b'"' | b'\\' | b'$' | b'`')
                                {
                                    i += 1;
                                }
                                let ch = cmd[i..].chars().next().expect("inside the string");
                                text.push(ch);
                                i += ch.len_utf8();
                            }
                            i = (i + 1).min(cmd.len());
                        }
                        b'\\' if i + 1 < bytes.len() => {
                            let ch = cmd[i + 1..].chars().next().expect("inside the string");
                            if ch != '\n' {
                                text.push(ch);
                            }
                            i += 1 + ch.len_utf8();
                        }
                        _ => {
                            let ch = cmd[i..].chars().next().expect("inside the string");
                            text.push(ch);
                            i += ch.len_utf8();
                        }
                    }
                }
                words.push(Word {
                    text,
                    span: base + start..base + i,
                });
            }
        }
    }
    flush(&mut words, &mut out);
    out
}

pub fn basename(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

/// `NAME=value` words before the program: environment assignments for that command only.
pub fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() || first == '_')
        .then_some(())
        .filter(|_| chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(|_| (name, value))
}

/// Programs that run another program given after them (with their own options first).
const WRAPPERS: &[&str] = &[
    "exec",
    "env",
    "npx",
    "bunx",
    "pnpx",
    "nohup",
    "time",
    "opentelemetry-instrument",
    "ddtrace-run",
    "dotenv",
    "infisical",
    "doppler",
];
/// Runners that run a program after a sub-command word (`poetry run`, `bundle exec`, …).
const RUNNERS: &[(&str, &str)] = &[
    ("poetry", "run"),
    ("pipenv", "run"),
    ("uv", "run"),
    ("pdm", "run"),
    ("hatch", "run"),
    ("rye", "run"),
    ("bundle", "exec"),
    ("pnpm", "exec"),
    ("pnpm", "dlx"),
    ("yarn", "dlx"),
    ("yarn", "exec"),
    ("npm", "exec"),
    ("bun", "x"),
    ("newrelic-admin", "run-program"),
];

/// The server program a simple command runs, after wrappers such as `exec`, `npx`,
/// `python -m` or `poetry run`, and `NAME=value` assignments.
#[derive(Clone, Debug)]
pub struct Invocation<'a> {
    /// `NAME=value` words in front of the program.
    pub assignments: Vec<&'a Word>,
    /// Index in `words` of the program (`uvicorn`, `node`, …).
    pub program: usize,
    pub words: &'a [Word],
}

impl<'a> Invocation<'a> {
    pub fn find(s: &'a Simple) -> Option<Invocation<'a>> {
        let words = &s.words;
        let mut assignments = Vec::new();
        let mut i = 0;
        loop {
            let w = words.get(i)?;
            let name = basename(&w.text);
            if assignment(&w.text).is_some() {
                assignments.push(w);
                i += 1;
            } else if WRAPPERS.contains(&name) {
                i += 1;
                // Options of the wrapper itself, and `--` before the program.
                while let Some(o) = words.get(i) {
                    if o.text.starts_with('-') || assignment(&o.text).is_some() {
                        if assignment(&o.text).is_some() {
                            assignments.push(o);
                        }
                        i += 1;
                    } else {
                        break;
                    }
                }
            } else if let Some((_, sub)) = RUNNERS.iter().find(|(r, _)| *r == name) {
                i += 1;
                while words.get(i).is_some_and(|o| o.text.starts_with('-')) {
                    i += 1;
                }
                if words.get(i).is_some_and(|o| o.text == *sub) {
                    i += 1;
                }
                while words
                    .get(i)
                    .is_some_and(|o| o.text.starts_with('-') && o.text != "--")
                {
                    i += 1;
                }
                if words.get(i).is_some_and(|o| o.text == "--") {
                    i += 1;
                }
            } else if is_python(name) && words.get(i + 1).is_some_and(|o| o.text == "-m") {
                i += 2;
            } else {
                return Some(Invocation {
                    assignments,
                    program: i,
                    words,
                });
            }
        }
    }

    pub fn program_name(&self) -> &'a str {
        basename(&self.words[self.program].text)
    }

    /// Words after the program.
    pub fn args(&self) -> &'a [Word] {
        &self.words[self.program + 1..]
    }

    /// The value of an option written `--name value`, `--name=value`, `-n value` or `-nvalue`.
    pub fn option(&self, names: &[&str]) -> Vec<OptValue<'a>> {
        let args = self.args();
        let mut out = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let w = &args[i];
            if w.text == "--" {
                break;
            }
            for n in names {
                if w.text == *n {
                    out.push(OptValue {
                        flag: w,
                        value: args.get(i + 1).map(|v| (v, 0)),
                    });
                } else if let Some(rest) = w.text.strip_prefix(n) {
                    let long = n.starts_with("--");
                    if long && rest.starts_with('=') {
                        out.push(OptValue {
                            flag: w,
                            value: Some((w, n.len() + 1)),
                        });
                    } else if !long && n.len() == 2 && !rest.is_empty() {
                        out.push(OptValue {
                            flag: w,
                            value: Some((w, n.len())),
                        });
                    }
                }
            }
            i += 1;
        }
        out
    }

    /// Whether a flag (without value) is present.
    pub fn has_flag(&self, names: &[&str]) -> bool {
        self.args().iter().take_while(|w| w.text != "--").any(|w| {
            names
                .iter()
                .any(|n| w.text == *n || w.text.starts_with(&format!("{n}=")))
        })
    }

    /// The first word after the program that is not an option, or an option's value.
    pub fn positional(&self, value_options: &[&str]) -> Option<(usize, &'a Word)> {
        let args = self.args();
        let mut i = 0;
        while i < args.len() {
            let t = &args[i].text;
            if t == "--" {
                return args.get(i + 1).map(|w| (self.program + 2 + i, w));
            }
            if t.starts_with('-') {
                if value_options.contains(&t.as_str()) {
                    i += 1;
                }
                i += 1;
                continue;
            }
            return Some((self.program + 1 + i, &args[i]));
        }
        None
    }
}

fn is_python(name: &str) -> bool {
    name == "python"
        || name
            .strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// An option's value: the word, and where the value starts inside it (after `--x=` or `-p`).
#[derive(Clone, Copy, Debug)]
pub struct OptValue<'a> {
    pub flag: &'a Word,
    pub value: Option<(&'a Word, usize)>,
}

impl OptValue<'_> {
    pub fn text(&self) -> Option<&str> {
        self.value.map(|(w, at)| &w.text[at..])
    }
    /// Byte range of the value in the command string, when the value is written verbatim.
    pub fn value_range(&self, cmd: &str) -> Option<Range<usize>> {
        let (w, at) = self.value?;
        if at == 0 {
            return Some(w.span.clone());
        }
        w.is_bare(cmd).then(|| w.span.start + at..w.span.end)
    }
}

/// A port written in a command: `$PORT`, another variable, or a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortExpr {
    /// `$PORT`, `${PORT}`, `${PORT:-8000}`, …
    PortVar,
    /// Some other variable or substitution: nothing can be said.
    Other,
    Number(u16),
}

pub fn port_expr(text: &str) -> PortExpr {
    let t = text.trim();
    if t.contains("$PORT") || t.contains("${PORT") {
        PortExpr::PortVar
    } else if let Ok(n) = t.parse::<u16>() {
        PortExpr::Number(n)
    } else {
        PortExpr::Other
    }
}

/// A host an address is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostExpr {
    /// 0.0.0.0, ::, [::]: every interface.
    All,
    /// localhost, 127.x, ::1: unreachable from the platform's proxy.
    Loopback,
    Other,
}

pub fn host_expr(text: &str) -> HostExpr {
    let t = text.trim().trim_matches(|c| c == '[' || c == ']');
    if matches!(t, "0.0.0.0" | "::" | "" | "*") {
        HostExpr::All
    } else if t == "localhost" || t == "::1" || t.starts_with("127.") {
        HostExpr::Loopback
    } else {
        HostExpr::Other
    }
}

/// `host:port` as gunicorn and hypercorn take it (`[::]:8000`, `0.0.0.0:$PORT`, `unix:/x`).
pub fn split_bind(text: &str) -> Option<(&str, &str)> {
    if text.starts_with("unix:") || text.starts_with("fd://") {
        return None;
    }
    if let Some(rest) = text.strip_prefix('[') {
        let close = rest.find(']')?;
        let port = rest[close + 1..].strip_prefix(':')?;
        return Some((&text[..close + 2], port));
    }
    match text.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Some((h, p)),
        _ => Some((text, "")),
    }
}

/// A server whose listening address the command decides.
#[derive(Clone, Copy, Debug)]
struct ServerSpec {
    program: &'static str,
    /// Sub-command that starts serving (`flask run`, `next start`), if any.
    sub: &'static [&'static str],
    host_opts: &'static [&'static str],
    port_opts: &'static [&'static str],
    /// Options taking `host:port` together.
    bind_opts: &'static [&'static str],
    /// Options that bind something else (a unix socket, a file descriptor): nothing to judge.
    other_socket_opts: &'static [&'static str],
    /// Host used without a host option; `None` when it depends on things wscfg cannot see.
    default_host: Option<&'static str>,
    /// Port used without a port option; `None` when the server reads `$PORT` itself.
    default_port: Option<u16>,
    /// Flag spelling for inserting a missing host / port / bind, `None` when wscfg does not
    /// insert (the flag syntax or placement is not certain).
    insert_host: Option<&'static str>,
    insert_port: Option<&'static str>,
    insert_bind: Option<&'static str>,
    /// Missing options go after the first positional argument (`streamlit run app.py`).
    insert_after_target: bool,
    /// Whether wscfg rewrites values in this command at all.
    fixable: bool,
}

impl ServerSpec {
    /// A server that decides its own address (reads `$PORT`, or its default depends on what
    /// wscfg cannot see): no options, no defaults, nothing inserted. Entries add what they
    /// know with struct-update syntax.
    const fn named(program: &'static str) -> Self {
        ServerSpec {
            program,
            sub: &[],
            host_opts: &[],
            port_opts: &[],
            bind_opts: &[],
            other_socket_opts: &[],
            default_host: None,
            default_port: None,
            insert_host: None,
            insert_port: None,
            insert_bind: None,
            insert_after_target: false,
            fixable: true,
        }
    }

    /// The common shape: separate host and port options, loopback and `default_port` when
    /// they are missing, and `--host 0.0.0.0` / `--port $PORT` inserted for them.
    const fn host_port(
        program: &'static str,
        host_opts: &'static [&'static str],
        port_opts: &'static [&'static str],
        default_port: u16,
    ) -> Self {
        ServerSpec {
            host_opts,
            port_opts,
            default_host: Some("127.0.0.1"),
            default_port: Some(default_port),
            insert_host: Some("--host 0.0.0.0"),
            insert_port: Some("--port $PORT"),
            ..Self::named(program)
        }
    }
}

const SERVERS: &[ServerSpec] = &[
    ServerSpec {
        other_socket_opts: &["--uds", "--fd"],
        ..ServerSpec::host_port("uvicorn", &["--host"], &["--port"], 8000)
    },
    ServerSpec {
        bind_opts: &["-b", "--bind"],
        other_socket_opts: &["--insecure-bind", "--quic-bind"],
        default_host: Some("127.0.0.1"),
        default_port: Some(8000),
        insert_bind: Some("--bind 0.0.0.0:$PORT"),
        ..ServerSpec::named("hypercorn")
    },
    ServerSpec {
        other_socket_opts: &["-u", "--unix-socket", "--fd", "-e", "--endpoint"],
        insert_host: Some("-b 0.0.0.0"),
        insert_port: Some("-p $PORT"),
        ..ServerSpec::host_port("daphne", &["-b", "--bind"], &["-p", "--port"], 8000)
    },
    // gunicorn binds 0.0.0.0:$PORT by itself when PORT is set and no bind is given.
    ServerSpec {
        bind_opts: &["-b", "--bind"],
        ..ServerSpec::named("gunicorn")
    },
    ServerSpec {
        other_socket_opts: &["--uds"],
        ..ServerSpec::host_port("granian", &["--host"], &["--port"], 8000)
    },
    ServerSpec {
        sub: &["run"],
        ..ServerSpec::host_port("flask", &["--host", "-h"], &["--port", "-p"], 5000)
    },
    // `next start` listens on 0.0.0.0 and reads $PORT unless told otherwise.
    ServerSpec {
        sub: &["start"],
        host_opts: &["-H", "--hostname"],
        port_opts: &["-p", "--port"],
        ..ServerSpec::named("next")
    },
    ServerSpec {
        sub: &["preview"],
        default_host: Some("localhost"),
        ..ServerSpec::host_port("vite", &["--host"], &["--port"], 4173)
    },
    // Streamlit listens on every interface unless server.address says otherwise.
    ServerSpec {
        sub: &["run"],
        host_opts: &["--server.address"],
        port_opts: &["--server.port"],
        default_port: Some(8501),
        insert_port: Some("--server.port $PORT"),
        insert_after_target: true,
        ..ServerSpec::named("streamlit")
    },
    // `rails server` reads $PORT; its default binding depends on RAILS_ENV.
    ServerSpec {
        sub: &["s", "server"],
        host_opts: &["-b", "--binding"],
        port_opts: &["-p", "--port"],
        ..ServerSpec::named("rails")
    },
];

/// What is wrong with where a server listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListenProblem {
    /// Bound to a loopback address given in the command.
    LoopbackHost(String),
    /// No host given, and the server's default is loopback.
    DefaultLoopbackHost(&'static str),
    /// A fixed port given in the command.
    FixedPort(u16),
    /// No port given, and the server neither reads `$PORT` nor is told it.
    DefaultPort(u16),
}

/// The listening address of one server invocation, judged for a platform that injects
/// `$PORT` and proxies to every interface.
#[derive(Clone, Debug)]
pub struct Listen {
    pub server: &'static str,
    /// Each problem with the byte range it is about (the value, or the program word).
    pub problems: Vec<(ListenProblem, Range<usize>)>,
    /// The edits that make the command listen on 0.0.0.0 and `$PORT`, when the server's
    /// flag syntax is certain.
    pub changes: Option<Vec<(Range<usize>, String)>>,
}

impl Invocation<'_> {
    /// Judges where this invocation listens (None for programs wscfg does not know).
    pub fn listen(&self, cmd: &str) -> Option<Listen> {
        let name = self.program_name();
        if name == "node" || name == "nodemon" || name == "tsx" || name == "ts-node" {
            return self.node_literal_port();
        }
        let spec = SERVERS.iter().find(|s| s.program == name)?;
        let sub_at = if spec.sub.is_empty() {
            self.program
        } else {
            let (i, w) = self.positional(&["--app", "-A", "--cwd"])?;
            if !spec.sub.contains(&w.text.as_str()) {
                return None;
            }
            i
        };
        if !spec.other_socket_opts.is_empty() && self.has_flag(spec.other_socket_opts) {
            return None;
        }
        let program_range = self.words[self.program].span.clone();
        let mut problems = Vec::new();
        let mut changes = Vec::new();
        let mut certain = spec.fixable;
        let mut inserts: Vec<&'static str> = Vec::new();

        // host:port options.
        if !spec.bind_opts.is_empty() {
            let binds = self.option(spec.bind_opts);
            for b in &binds {
                let Some(text) = b.text() else { continue };
                let Some((host, port)) = split_bind(text) else {
                    continue;
                };
                let host_bad = host_expr(host) == HostExpr::Loopback;
                let port_num = match port_expr(port) {
                    PortExpr::Number(n) => Some(n),
                    _ => None,
                };
                let range = b.value_range(cmd).unwrap_or_else(|| b.flag.span.clone());
                if host_bad {
                    problems.push((ListenProblem::LoopbackHost(host.to_owned()), range.clone()));
                }
                if let Some(n) = port_num {
                    problems.push((ListenProblem::FixedPort(n), range.clone()));
                }
                if host_bad || port_num.is_some() {
                    let new_host = if host_bad { "0.0.0.0" } else { host };
                    let new_port = if port_num.is_some() || port.is_empty() {
                        "$PORT"
                    } else {
                        port
                    };
                    match b.value_range(cmd) {
                        Some(r) => changes.push((r, format!("{new_host}:{new_port}"))),
                        None => certain = false,
                    }
                }
            }
            if binds.is_empty()
                && let (Some(h), Some(p)) = (spec.default_host, spec.default_port)
            {
                problems.push((ListenProblem::DefaultLoopbackHost(h), program_range.clone()));
                problems.push((ListenProblem::DefaultPort(p), program_range.clone()));
                match spec.insert_bind {
                    Some(ins) => inserts.push(ins),
                    None => certain = false,
                }
            }
        }

        // Separate host option.
        if !spec.host_opts.is_empty() {
            let hosts = self.option(spec.host_opts);
            for h in &hosts {
                // `vite preview --host` alone means every interface.
                let text = h.text().filter(|t| !t.starts_with('-'));
                let Some(text) = text else { continue };
                if host_expr(text) == HostExpr::Loopback {
                    let range = h.value_range(cmd).unwrap_or_else(|| h.flag.span.clone());
                    problems.push((ListenProblem::LoopbackHost(text.to_owned()), range));
                    match h.value_range(cmd) {
                        Some(r) => changes.push((r, "0.0.0.0".to_owned())),
                        None => certain = false,
                    }
                }
            }
            if hosts.is_empty()
                && let Some(h) = spec
                    .default_host
                    .filter(|h| host_expr(h) == HostExpr::Loopback)
            {
                problems.push((ListenProblem::DefaultLoopbackHost(h), program_range.clone()));
                match spec.insert_host {
                    Some(ins) => inserts.push(ins),
                    None => certain = false,
                }
            }
        }

        // Separate port option.
        if !spec.port_opts.is_empty() {
            let ports = self.option(spec.port_opts);
            for p in &ports {
                let Some(text) = p.text() else { continue };
                if let PortExpr::Number(n) = port_expr(text) {
                    let range = p.value_range(cmd).unwrap_or_else(|| p.flag.span.clone());
                    problems.push((ListenProblem::FixedPort(n), range));
                    match p.value_range(cmd) {
                        Some(r) => changes.push((r, "$PORT".to_owned())),
                        None => certain = false,
                    }
                }
            }
            if ports.is_empty()
                && let Some(p) = spec.default_port
            {
                problems.push((ListenProblem::DefaultPort(p), program_range.clone()));
                match spec.insert_port {
                    Some(ins) => inserts.push(ins),
                    None => certain = false,
                }
            }
        }

        if problems.is_empty() {
            return None;
        }
        if !inserts.is_empty() {
            let after = if spec.insert_after_target {
                let (i, _) = self.positional(&[])?;
                // `streamlit run app.py`: after the script, which follows the sub-command.
                match self.words.get(i + 1) {
                    Some(w) if i == sub_at => w.span.end,
                    _ => {
                        certain = false;
                        0
                    }
                }
            } else {
                self.words[sub_at].span.end
            };
            let text: String = inserts.iter().map(|s| format!(" {s}")).collect();
            changes.push((after..after, text));
        }
        Some(Listen {
            server: spec.program,
            problems,
            changes: certain.then_some(changes),
        })
    }

    /// `node server.js --port 3000` / `node server.js 3000`: a port only the app knows.
    fn node_literal_port(&self) -> Option<Listen> {
        let (script_at, _) = self.positional(&["-r", "--require", "--import", "--loader", "-e"])?;
        let after = &self.words[script_at + 1..];
        let mut problems = Vec::new();
        for (i, w) in after.iter().enumerate() {
            let value = if matches!(w.text.as_str(), "--port" | "-p") {
                after.get(i + 1)
            } else if i == 0 {
                Some(w)
            } else {
                None
            };
            if let Some(v) = value
                && let PortExpr::Number(n) = port_expr(&v.text)
            {
                problems.push((ListenProblem::FixedPort(n), v.span.clone()));
            }
            if let Some(rest) = w.text.strip_prefix("--port=")
                && let PortExpr::Number(n) = port_expr(rest)
            {
                problems.push((ListenProblem::FixedPort(n), w.span.clone()));
            }
        }
        (!problems.is_empty()).then_some(Listen {
            server: "node",
            problems,
            changes: None,
        })
    }

    /// Whether the invocation runs uvicorn (directly, or as gunicorn's worker class) with its
    /// WebSocket support left on, and the word that says so.
    pub fn runs_uvicorn(&self) -> Option<&Word> {
        match self.program_name() {
            "uvicorn" => {
                let ws_off = self
                    .option(&["--ws"])
                    .iter()
                    .any(|o| o.text() == Some("none"));
                (!ws_off).then(|| &self.words[self.program])
            }
            "gunicorn" => self
                .option(&["-k", "--worker-class"])
                .into_iter()
                .find(|o| {
                    o.text()
                        .is_some_and(|t| t.to_ascii_lowercase().contains("uvicorn"))
                })
                .and_then(|o| o.value.map(|(w, _)| w)),
            _ => None,
        }
    }

    /// Why this invocation serves WebSockets, if its program or options say so.
    pub fn websocket_server(&self) -> Option<String> {
        let name = self.program_name();
        let sub = self.positional(&[]).map(|(_, w)| w.text.as_str());
        let says = |what: &str| Some(what.to_owned());
        match (name, sub) {
            ("daphne", _) => says("daphne, the Django Channels server"),
            ("streamlit", Some("run")) => says("Streamlit, whose browser session is a WebSocket"),
            ("chainlit", Some("run")) => {
                says("Chainlit, which talks to the browser over Socket.IO")
            }
            ("reflex", Some("run")) => says("Reflex, whose state syncs over a WebSocket"),
            ("panel", Some("serve")) | ("bokeh", Some("serve")) => {
                says("a Bokeh server, whose documents sync over a WebSocket")
            }
            ("solara", Some("run")) => says("Solara, whose widgets sync over a WebSocket"),
            ("shiny", Some("run")) => says("Shiny, whose sessions are WebSockets"),
            ("marimo", Some("run" | "edit")) => says("marimo, whose sessions are WebSockets"),
            ("voila", _) | ("jupyter", _) => {
                says("a Jupyter server, whose kernels talk over WebSockets")
            }
            ("mix", Some("phx.server")) => {
                says("Phoenix, whose channels and LiveView use WebSockets")
            }
            ("websockify", _) => says("websockify, a WebSocket proxy"),
            ("y-websocket" | "y-websocket-server", _) => says("y-websocket, a WebSocket server"),
            ("uvicorn" | "hypercorn", _)
                if self
                    .option(&["--ws"])
                    .iter()
                    .any(|o| o.text().is_some_and(|t| t != "none")) =>
            {
                says("an ASGI server told which WebSocket implementation to use (`--ws`)")
            }
            ("gunicorn", _)
                if self
                    .option(&["-k", "--worker-class"])
                    .iter()
                    .any(|o| o.text().is_some_and(|t| t.contains("websocket"))) =>
            {
                says("gunicorn with a WebSocket worker class")
            }
            _ => None,
        }
    }

    /// A request timeout the server enforces itself, in seconds (`0` = none at all), with the
    /// option that sets it.
    pub fn request_timeout(&self) -> Option<(u64, OptValue<'_>)> {
        let opts: &[&str] = match self.program_name() {
            "gunicorn" => &["-t", "--timeout"],
            "daphne" => &["-t", "--http-timeout"],
            _ => return None,
        };
        let o = *self.option(opts).last()?;
        let secs = o.text()?.trim().parse::<f64>().ok()?;
        (secs >= 0.0).then_some((secs.ceil() as u64, o))
    }
}

/// A package a command installs (`pip install 'uvicorn[standard]'`, `npm install ws`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Installed<'a> {
    /// A Python package (else an npm one).
    pub python: bool,
    /// The word naming it, with its version or extras.
    pub word: &'a Word,
}

/// Options of package installers that take a value (`-r requirements.txt`, `-i URL`).
const INSTALL_VALUE_OPTS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--python",
    "--group",
    "-G",
    "--registry",
    "--prefix",
];

/// The packages a simple command installs: pip / pip3 (also behind `python -m` or `uv`),
/// `uv add`, `poetry add`, `pipenv install`, `npm install|i|add`, `yarn|pnpm|bun add`.
pub fn installs(s: &Simple) -> Vec<Installed<'_>> {
    let w = &s.words;
    let name = |i: usize| w.get(i).map(|x| basename(&x.text));
    let mut out = Vec::new();
    for i in 0..w.len() {
        let (python, first) = match (name(i), name(i + 1)) {
            (Some(p), Some("install")) if p == "pip" || p.starts_with("pip3") => (true, i + 2),
            (Some("uv" | "poetry"), Some("add")) => (true, i + 2),
            (Some("pipenv"), Some("install")) => (true, i + 2),
            (Some("npm"), Some("install" | "i" | "add")) => (false, i + 2),
            (Some("yarn" | "pnpm" | "bun"), Some("add")) => (false, i + 2),
            _ => continue,
        };
        let mut j = first;
        while let Some(word) = w.get(j) {
            let t = &word.text;
            if t.starts_with('-') {
                if INSTALL_VALUE_OPTS.contains(&t.as_str()) {
                    j += 1;
                }
            } else if (!t.contains('/') || t.starts_with('@'))
                && !(t.starts_with('.') || t.contains("://") || t.ends_with(".txt"))
            {
                out.push(Installed { python, word });
            }
            j += 1;
        }
        break;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &Simple) -> Vec<&str> {
        s.words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn splits_like_a_shell() {
        let p = parse("cd backend && PORT=1 uvicorn 'main:app' --host \"127.0.0.1\"; echo x|y");
        assert_eq!(p.simple.len(), 4);
        assert_eq!(
            words(&p.simple[1]),
            ["PORT=1", "uvicorn", "main:app", "--host", "127.0.0.1"]
        );
        assert!(p.compound);
        let host = &p.simple[1].words[4];
        assert_eq!(host.span, 47..58);
        assert!(
            !host.is_bare("cd backend && PORT=1 uvicorn 'main:app' --host \"127.0.0.1\"; echo x|y")
        );
    }

    #[test]
    fn looks_into_sh_c() {
        let cmd = r#"/bin/sh -c "exec uvicorn app:app --port 8000""#;
        let p = parse(cmd);
        assert!(p.wrapped_in_shell);
        let inv = Invocation::find(&p.simple[0]).unwrap();
        assert_eq!(inv.program_name(), "uvicorn");
        let port = inv.option(&["--port"]);
        assert_eq!(&cmd[port[0].value_range(cmd).unwrap()], "8000");
    }

    #[test]
    fn finds_the_program_behind_wrappers() {
        for (cmd, prog) in [
            ("python -m uvicorn app:app", "uvicorn"),
            (
                "poetry run gunicorn -k uvicorn.workers.UvicornWorker app:app",
                "gunicorn",
            ),
            ("npx next start -p 3000", "next"),
            ("bundle exec rails s -b 0.0.0.0", "rails"),
            ("env PORT=3 node server.js", "node"),
            ("uv run --no-sync granian app:app", "granian"),
        ] {
            let p = parse(cmd);
            assert_eq!(
                Invocation::find(&p.simple[0]).unwrap().program_name(),
                prog,
                "{cmd}"
            );
        }
    }

    #[test]
    fn option_forms() {
        let cmd = "gunicorn -b127.0.0.1:8000 --bind=0.0.0.0:$PORT -t 300 app:app";
        let p = parse(cmd);
        let inv = Invocation::find(&p.simple[0]).unwrap();
        let binds = inv.option(&["-b", "--bind"]);
        assert_eq!(binds.len(), 2);
        assert_eq!(binds[0].text(), Some("127.0.0.1:8000"));
        assert_eq!(&cmd[binds[1].value_range(cmd).unwrap()], "0.0.0.0:$PORT");
        assert_eq!(inv.option(&["-t", "--timeout"])[0].text(), Some("300"));
        assert_eq!(inv.positional(&["-t", "-b"]).unwrap().1.text, "app:app");
    }

    #[test]
    fn packages_installed_by_commands() {
        let p = parse(
            "pip install -r requirements.txt fastapi 'uvicorn[standard]>=0.30' && npm i -D ws @nestjs/websockets@10 ./local",
        );
        let got: Vec<_> = p
            .simple
            .iter()
            .flat_map(installs)
            .map(|i| (i.python, i.word.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (true, "fastapi"),
                (true, "uvicorn[standard]>=0.30"),
                (false, "ws"),
                (false, "@nestjs/websockets@10")
            ]
        );
        let p = parse("python -m pip install --upgrade pip");
        assert_eq!(installs(&p.simple[0]).len(), 1);
    }

    #[test]
    fn hosts_ports_and_binds() {
        assert_eq!(host_expr("127.0.0.1"), HostExpr::Loopback);
        assert_eq!(host_expr("[::]"), HostExpr::All);
        assert_eq!(port_expr("${PORT:-8000}"), PortExpr::PortVar);
        assert_eq!(port_expr("8000"), PortExpr::Number(8000));
        assert_eq!(split_bind("[::]:8000"), Some(("[::]", "8000")));
        assert_eq!(split_bind("0.0.0.0:$PORT"), Some(("0.0.0.0", "$PORT")));
        assert_eq!(split_bind("unix:/tmp/s"), None);
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "\"", "'", "\\", "a\\", "sh -c", "sh -c '", "é\"ü", "x=\"", "&&&", "#",
        ] {
            let p = parse(s);
            for simple in &p.simple {
                let _ = Invocation::find(simple);
            }
        }
    }

    #[test]
    fn random_commands_never_panic_and_edits_stay_on_char_boundaries() {
        let atoms = [
            "uvicorn",
            "gunicorn",
            "hypercorn",
            "daphne",
            "granian",
            "flask",
            "run",
            "next",
            "start",
            "vite",
            "preview",
            "streamlit",
            "rails",
            "s",
            "node",
            "x.js",
            "--host",
            "--port",
            "-p",
            "-b",
            "--bind",
            "-t",
            "--timeout",
            "127.0.0.1",
            "0.0.0.0",
            "8000",
            "$PORT",
            "=",
            "'",
            "\"",
            "\\",
            "&&",
            ";",
            "|",
            " ",
            " ",
            " ",
            "é",
            "ü",
            "sh",
            "-c",
            "exec",
            "PORT=1",
            "--server.port",
            "--uds",
            ":",
            "[::1]",
            "app:app",
            "#",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut nonempty = 0;
        for _ in 0..4000 {
            let mut cmd = String::new();
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            for _ in 0..(seed >> 33) % 14 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                cmd.push_str(atoms[(seed % atoms.len() as u64) as usize]);
                if seed.is_multiple_of(3) {
                    cmd.push(' ');
                }
            }
            let parsed = parse(&cmd);
            nonempty += usize::from(!parsed.simple.is_empty());
            for simple in &parsed.simple {
                for w in &simple.words {
                    assert!(
                        cmd.is_char_boundary(w.span.start) && cmd.is_char_boundary(w.span.end),
                        "{cmd:?}"
                    );
                }
                let Some(inv) = Invocation::find(simple) else {
                    continue;
                };
                let _ = inv.websocket_server();
                let _ = inv.request_timeout();
                if let Some(listen) = inv.listen(&cmd) {
                    assert!(!listen.problems.is_empty());
                    for (r, _) in listen.changes.unwrap_or_default() {
                        assert!(r.start <= r.end && r.end <= cmd.len(), "{cmd:?}");
                        assert!(
                            cmd.is_char_boundary(r.start) && cmd.is_char_boundary(r.end),
                            "{cmd:?}"
                        );
                    }
                }
            }
        }
        assert!(nonempty > 3000, "{nonempty}");
    }
}
