//! APR002 request-timeout-beyond-limit: the server allows requests longer than App Runner's
//! 120-second cap.

use super::AppRunnerContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::project::start_command::{self, Invocation};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "APR002",
    name: "request-timeout-beyond-limit",
    format: Some(Format::AppRunner),
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "the server's own request timeout exceeds App Runner's 120-second cap",
};

/// App Runner's total limit per HTTP request.
pub const LIMIT_SECS: u64 = 120;

pub struct RequestTimeoutBeyondLimit;

fn message(server: &str, written: &str, secs: u64) -> String {
    let allowed = if secs == 0 {
        format!("`{written}` turns {server}'s timeout off")
    } else {
        format!("`{written}` lets {server} work on a request for {secs} s")
    };
    format!(
        "{allowed}, but App Runner ends every request after {LIMIT_SECS} s in total (reading the \
         request and writing the response): longer requests, streams and long polls are cut there"
    )
}

const HELP: &str = "keep requests under 120 s (set the server's timeout to at most 120), and move long \
                    work to a background job the client polls; long-lived connections need ECS/Fargate \
                    behind an Application Load Balancer";

impl<'a> Rule<AppRunnerContext<'a>> for RequestTimeoutBeyondLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AppRunnerContext<'a>, out: &mut Vec<Diagnostic>) {
        if let Some(cmd) = cx.run_command() {
            for s in &cmd.parsed.simple {
                let Some(inv) = Invocation::find(s) else {
                    continue;
                };
                let Some((secs, opt)) = inv.request_timeout() else {
                    continue;
                };
                if secs != 0 && secs <= LIMIT_SECS {
                    continue;
                }
                let range = opt.value.map_or(opt.flag.span.clone(), |(w, _)| {
                    opt.flag.span.start.min(w.span.start)..w.span.end
                });
                let written = cmd
                    .lit
                    .value
                    .get(range.clone())
                    .unwrap_or(&opt.flag.text)
                    .to_owned();
                out.push(
                    META.diag(
                        cx.file,
                        cx.command_span(&cmd, range),
                        message(inv.program_name(), &written, secs),
                    )
                    .help(HELP),
                );
            }
        }
        // GUNICORN_CMD_ARGS="--timeout 300" in run.env.
        for (name, value) in cx.run_env() {
            if name != "GUNICORN_CMD_ARGS" {
                continue;
            }
            let Some(args) = value.as_str() else { continue };
            let line = format!("gunicorn {args}");
            let parsed = start_command::parse(&line);
            let Some(inv) = parsed.simple.first().and_then(Invocation::find) else {
                continue;
            };
            let Some((secs, opt)) = inv.request_timeout() else {
                continue;
            };
            if secs != 0 && secs <= LIMIT_SECS {
                continue;
            }
            let end = opt.value.map_or(opt.flag.span.end, |(w, _)| w.span.end);
            let written = &line[opt.flag.span.start..end];
            out.push(
                META.diag(
                    cx.file,
                    value.span,
                    format!("GUNICORN_CMD_ARGS: {}", message("gunicorn", written, secs)),
                )
                .help(HELP),
            );
        }
    }
}
