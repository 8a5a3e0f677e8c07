//! RWY001 start-command-binding: the start command runs a server on a loopback address or on
//! a port other than the `$PORT` Railway injects (or passes `$PORT` where no shell expands it).

use super::{Env, RailwayContext, StartCommand};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::railway::Section;
use crate::project::start_command::{Invocation, ListenProblem};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "RWY001",
    name: "start-command-binding",
    format: Some(Format::Railway),
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    summary: "startCommand listens on localhost or a fixed port instead of 0.0.0.0:$PORT",
};

pub struct StartCommandBinding;

fn describe(p: &ListenProblem) -> String {
    match p {
        ListenProblem::LoopbackHost(h) => {
            format!("binds to `{h}`, a loopback address Railway's proxy cannot reach")
        }
        ListenProblem::DefaultLoopbackHost(h) => {
            format!("listens on `{h}` (its default: no host is given)")
        }
        ListenProblem::FixedPort(n) => format!("listens on the fixed port {n}"),
        ListenProblem::DefaultPort(n) => {
            format!("listens on port {n} (its default), not on `$PORT`")
        }
    }
}

/// `/bin/sh -c "exec …"`, as Railway's documentation wraps start commands that need
/// variables; only for commands that need no quoting inside the double quotes.
fn wrap_in_shell(command: &str, single: bool) -> Option<String> {
    if command.contains(['"', '\\', '`']) {
        return None;
    }
    let exec = if single { "exec " } else { "" };
    Some(format!("/bin/sh -c \"{exec}{}\"", command.trim()))
}

impl StartCommandBinding {
    fn check_env(&self, cx: &RailwayContext<'_>, env: &Env<'_>, out: &mut Vec<Diagnostic>) {
        let Some(cmd) = cx.start_command(env) else {
            return;
        };
        let value = &cmd.lit.value;
        let shell = cmd.parsed.wrapped_in_shell || !cmd.exec_form;
        let mut reported_literal = false;
        let listens: Vec<_> = cmd
            .parsed
            .simple
            .iter()
            .filter_map(|s| Invocation::find(s)?.listen(value))
            .collect();
        // One fix for every server in the command: each rewrites the same literal (the whole
        // of it when it is wrapped or written with escapes), so fixes made one server at a
        // time would overlap and take a pass each.
        let fix = combined_fix(cx, &cmd, &listens, shell);
        for listen in &listens {
            let first_range = &listen.problems[0].1;
            let mut problems: Vec<String> = Vec::new();
            for (p, _) in &listen.problems {
                let d = describe(p);
                if !problems.contains(&d) {
                    problems.push(d);
                }
            }
            let message = format!(
                "`{}` in startCommand{} {}; Railway sends traffic and health checks to 0.0.0.0:$PORT, \
                 so requests fail with 502 \"Application failed to respond\"",
                listen.server,
                env.suffix(),
                problems.join(", and ")
            );
            let fix = listen.changes.as_ref().and(fix.clone());
            if !shell {
                reported_literal = true;
            }
            let mut d = META
                .diag(cx.file, cx.command_span(&cmd, first_range.clone()), message)
                .help(format!(
                    "listen on every interface and on the port Railway injects, e.g. `{}`{}",
                    suggestion(listen.server),
                    if shell {
                        ""
                    } else {
                        "; this service builds from a Dockerfile, where Railway runs the start command \
                         without a shell, so wrap it: `/bin/sh -c \"exec … --port $PORT\"`"
                    }
                ))
                .fix(fix);
            for (p, r) in listen.problems.iter().skip(1) {
                if r != first_range {
                    d = d.label(cx.file, cx.command_span(&cmd, r.clone()), describe(p));
                }
            }
            out.push(d);
        }
        if !shell && !reported_literal {
            self.literal_port(cx, env, &cmd, out);
        }
    }

    /// A Dockerfile service whose start command says `$PORT` without a shell to expand it.
    fn literal_port(
        &self,
        cx: &RailwayContext<'_>,
        env: &Env<'_>,
        cmd: &StartCommand<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let value = &cmd.lit.value;
        let Some(at) = value.find("$PORT").or_else(|| value.find("${PORT")) else {
            return;
        };
        let end = value[at..]
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .map_or(value.len(), |e| at + e);
        let fix = wrap_in_shell(value, !cmd.parsed.compound)
            .and_then(|w| cx.command_edits(cmd, &[(0..value.len(), w)]))
            .map(|e| {
                Fix::unsafe_(
                    "run the start command through /bin/sh so $PORT is expanded",
                    e,
                )
            });
        let mut d = META
            .diag(
                cx.file,
                cx.command_span(cmd, at..end),
                format!(
                    "startCommand{} passes `{}` literally: this service builds from a Dockerfile, and \
                     Railway runs such start commands in exec form, without a shell to expand variables",
                    env.suffix(),
                    &value[at..end]
                ),
            )
            .help("wrap the command in a shell: `/bin/sh -c \"exec <command>\"`")
            .fix(fix);
        if let Some((_, f)) = cx.builder(env) {
            d = d.label(cx.file, f.node.span, "Dockerfile builder set here");
        }
        out.push(d);
    }
}

/// The edits that make every server in the command listen on 0.0.0.0 and `$PORT` (those
/// whose flag syntax is certain), wrapped in `/bin/sh -c` when no shell would expand `$PORT`.
fn combined_fix(
    cx: &RailwayContext<'_>,
    cmd: &StartCommand<'_>,
    listens: &[crate::project::start_command::Listen],
    shell: bool,
) -> Option<Fix> {
    let changes: Vec<_> = listens
        .iter()
        .filter_map(|l| l.changes.clone())
        .flatten()
        .collect();
    if changes.is_empty() {
        return None;
    }
    if shell {
        return cx
            .command_edits(cmd, &changes)
            .map(|e| Fix::safe("listen on 0.0.0.0 and $PORT", e));
    }
    // Without a shell `$PORT` would arrive literally: wrap the fixed command.
    let value = &cmd.lit.value;
    let mut fixed = value.clone();
    let mut sorted = changes;
    sorted.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for (r, s) in sorted {
        fixed.replace_range(r, &s);
    }
    let wrapped = wrap_in_shell(&fixed, !cmd.parsed.compound)?;
    cx.command_edits(cmd, &[(0..value.len(), wrapped)])
        .map(|e| {
            Fix::unsafe_(
                "listen on 0.0.0.0 and $PORT, run through /bin/sh so $PORT is expanded",
                e,
            )
        })
}

fn suggestion(server: &str) -> &'static str {
    match server {
        "hypercorn" => "hypercorn --bind 0.0.0.0:$PORT app:app",
        "gunicorn" => "gunicorn --bind 0.0.0.0:$PORT app:app",
        "daphne" => "daphne -b 0.0.0.0 -p $PORT project.asgi:application",
        "granian" => "granian --host 0.0.0.0 --port $PORT app:app",
        "flask" => "flask run --host 0.0.0.0 --port $PORT",
        "next" => "next start -H 0.0.0.0 -p $PORT",
        "vite" => "vite preview --host 0.0.0.0 --port $PORT",
        "streamlit" => "streamlit run app.py --server.port $PORT --server.address 0.0.0.0",
        "rails" => "rails server -b 0.0.0.0 -p $PORT",
        "node" => "read process.env.PORT in the app and listen on 0.0.0.0",
        _ => "uvicorn main:app --host 0.0.0.0 --port $PORT",
    }
}

impl<'a> Rule<RailwayContext<'a>> for StartCommandBinding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RailwayContext<'a>, out: &mut Vec<Diagnostic>) {
        for env in cx.environments() {
            let decides = cx.overrides(
                &env,
                &[
                    (Section::Deploy, "startCommand"),
                    (Section::Build, "builder"),
                    (Section::Build, "dockerfilePath"),
                ],
            );
            if decides {
                self.check_env(cx, &env, out);
            }
        }
    }
}
