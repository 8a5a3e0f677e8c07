//! APR003 schema: apprunner.yaml does not follow App Runner's configuration file reference.

use super::AppRunnerContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::apprunner::{
    BUILD_KEYS, ENV_ENTRY_KEYS, NETWORK_KEYS, PHASES, RUN_KEYS, RUNTIMES, SECRET_ENTRY_KEYS,
    TOP_KEYS,
};
use crate::formats::spanned::{Kind, Node, did_you_mean};
use crate::rules::{FixAvailability, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "APR003",
    name: "schema",
    format: Some(Format::AppRunner),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "apprunner.yaml breaks App Runner's configuration file reference",
};

pub struct Schema;

struct Check<'c, 'a> {
    cx: &'c AppRunnerContext<'a>,
    out: &'c mut Vec<Diagnostic>,
}

impl Check<'_, '_> {
    fn report(&mut self, span: Span, message: String, help: impl Into<crate::diagnostic::Text>) {
        self.out
            .push(META.diag(self.cx.file, span, message).help(help));
    }

    fn unknown_keys(&mut self, path: &str, node: &Node, known: &[&str]) {
        for e in node.as_map().unwrap_or(&[]) {
            if known.contains(&e.key.as_str()) {
                continue;
            }
            let service_setting = [
                "scaling",
                "autoscaling",
                "auto_scaling",
                "health_check",
                "healthcheck",
                "health-check",
                "instance",
                "cpu",
                "memory",
                "vpc",
                "network_configuration",
            ];
            let help = if service_setting.contains(&e.key.to_ascii_lowercase().as_str()) {
                "scaling, health checks and instance size are service settings (console, API or \
                 CloudFormation: AutoScalingConfiguration, HealthCheckConfiguration, \
                 InstanceConfiguration), not keys of apprunner.yaml"
                    .to_owned()
            } else {
                match did_you_mean(&e.key, known) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None if path.is_empty() => format!("the top level takes: {}", known.join(", ")),
                    None => format!("`{path}` takes: {}", known.join(", ")),
                }
            };
            let shown = if path.is_empty() {
                e.key.clone()
            } else {
                format!("{path}.{}", e.key)
            };
            self.report(
                e.key_span,
                format!(
                    "`{shown}` is not a key of apprunner.yaml, so App Runner does not apply it"
                ),
                help,
            );
        }
    }

    fn require_map<'n>(&mut self, path: &str, node: &'n Node) -> Option<&'n Node> {
        if node.as_map().is_some() {
            return Some(node);
        }
        self.report(
            node.span,
            format!("`{path}` must be a mapping, not {}", node.type_name()),
            "see App Runner's configuration file reference for its keys",
        );
        None
    }

    fn top(&mut self, root: &Node) {
        let start = root
            .as_map()
            .and_then(|m| m.first())
            .map_or(Span::new(0, 0), |e| e.key_span);
        if root.as_map().is_none() {
            self.report(
                root.span,
                format!(
                    "apprunner.yaml must be a mapping with `version`, `runtime`, `build` and `run`, not {}",
                    root.type_name()
                ),
                "start from `version: 1.0`, `runtime: python3`, `build: commands: build: [...]`, `run: command: ...`",
            );
            return;
        }
        self.unknown_keys("", root, TOP_KEYS);
        match root.get("version") {
            None => self.report(
                start,
                "`version` is missing; App Runner requires `version: 1.0`".into(),
                "add `version: 1.0` as the first line",
            ),
            Some(v) => {
                let ok = match &v.kind {
                    Kind::Float(f) => *f == 1.0,
                    Kind::Int(i) => *i == 1,
                    Kind::Str(s) => s.value.trim() == "1.0",
                    _ => false,
                };
                if !ok {
                    self.report(
                        v.span,
                        format!(
                            "`version` is `{}`; the only configuration file version is 1.0",
                            self.cx.db.get(self.cx.file).slice(v.span)
                        ),
                        "write `version: 1.0`",
                    );
                }
            }
        }
        match root.get("runtime") {
            None => self.report(
                start,
                "`runtime` is missing; App Runner needs the managed runtime to build with".into(),
                format!(
                    "add e.g. `runtime: python3` (one of {})",
                    RUNTIMES.join(", ")
                ),
            ),
            Some(r) => match r.as_str() {
                None => self.report(
                    r.span,
                    format!(
                        "`runtime` must be a string naming a managed runtime, not {}",
                        r.type_name()
                    ),
                    format!("one of {}", RUNTIMES.join(", ")),
                ),
                Some(name) if !RUNTIMES.contains(&name) => {
                    let help = match did_you_mean(&name.replace('.', ""), RUNTIMES) {
                        Some(k) => format!("did you mean `{k}`?"),
                        None => format!("one of {}", RUNTIMES.join(", ")),
                    };
                    self.report(
                        r.span,
                        format!("`runtime: {name}` is not an App Runner managed runtime"),
                        help,
                    );
                }
                Some(_) => {}
            },
        }
    }

    fn build(&mut self, root: &Node) {
        let Some(build) = root.get("build") else {
            if let Some(e) = root.as_map().and_then(|m| m.first()) {
                self.report(
                    e.key_span,
                    "`build` is missing; App Runner requires build commands".into(),
                    "add `build: commands: build: [ ... ]`",
                );
            }
            return;
        };
        let Some(build) = self.require_map("build", build) else {
            return;
        };
        self.unknown_keys("build", build, BUILD_KEYS);
        let key = root.entry("build").map_or(build.span, |e| e.key_span);
        let Some(commands) = build.get("commands") else {
            self.report(
                key,
                "`build.commands` is missing; App Runner requires build commands".into(),
                "add `commands: build: [ ... ]`",
            );
            return;
        };
        if commands.as_map().is_none() {
            self.report(
                commands.span,
                format!("`build.commands` must be a mapping of pre-build / build / post-build to commands, not {}", commands.type_name()),
                "nest the commands under a phase: `commands:` then `build:` then the list",
            );
            return;
        }
        self.unknown_keys("build.commands", commands, PHASES);
        if commands.get("build").is_none() {
            let at = build
                .entry("commands")
                .map_or(commands.span, |e| e.key_span);
            self.report(
                at,
                "`build.commands.build` is missing; it is the one required build phase".into(),
                "add `build:` with the commands that build the app",
            );
        }
        if let Some(env) = build.get("env") {
            self.env_list("build.env", env, ENV_ENTRY_KEYS);
        }
    }

    fn env_list(&mut self, path: &str, node: &Node, known: &[&str]) {
        let Some(items) = node.as_array() else {
            self.report(
                node.span,
                format!(
                    "`{path}` must be a list of `name:` / `{}:` entries, not {}",
                    known[1],
                    node.type_name()
                ),
                format!(
                    "write `- name: NAME` and `{}: …` for each variable",
                    known[1]
                ),
            );
            return;
        };
        for item in items {
            if item.as_map().is_none() {
                self.report(
                    item.span,
                    format!(
                        "each `{path}` entry must be a mapping with `name` and `{}`",
                        known[1]
                    ),
                    format!("write `- name: NAME` and `{}: …`", known[1]),
                );
                continue;
            }
            if path.ends_with(".env")
                && let Some(e) = item.entry("value-from")
            {
                self.report(e.key_span, format!("`value-from` belongs in `run.secrets`: `{path}` entries take `name` and `value`"), "move this entry to `run.secrets` (`name` and `value-from`)");
                continue;
            }
            self.unknown_keys(path, item, known);
        }
    }

    fn run(&mut self, root: &Node) {
        let Some(run) = root.get("run") else {
            if let Some(e) = root.as_map().and_then(|m| m.first()) {
                self.report(
                    e.key_span,
                    "`run` is missing; App Runner needs `run.command` to start the app".into(),
                    "add `run: command: <start command>`",
                );
            }
            return;
        };
        let Some(run) = self.require_map("run", run) else {
            return;
        };
        self.unknown_keys("run", run, RUN_KEYS);
        match run.get("command") {
            None => {
                let key = root.entry("run").map_or(run.span, |e| e.key_span);
                self.report(
                    key,
                    "`run.command` is missing; it is required".into(),
                    "add `command:` with the command that starts the app",
                );
            }
            Some(c) if c.as_str().is_none() => self.report(
                c.span,
                format!("`run.command` must be a string, not {}", c.type_name()),
                "write the start command on one line",
            ),
            Some(_) => {}
        }
        if let Some(net) = run.get("network")
            && let Some(net) = self.require_map("run.network", net)
        {
            self.unknown_keys("run.network", net, NETWORK_KEYS);
            if let (None, Some(port)) = self.cx.port() {
                let text = self.cx.db.get(self.cx.file).slice(port.span).to_owned();
                self.report(
                    port.span,
                    format!(
                        "`run.network.port` is `{text}`, not a port number; App Runner sends \
                         traffic to this number (8080 when unset)"
                    ),
                    "write the number the app listens on, e.g. `port: 8080` (the app reads it \
                     from $PORT)",
                );
            }
            if let Some(env) = net.get("env")
                && env.as_str().is_none()
            {
                self.report(
                    env.span,
                    format!(
                        "`run.network.env` must name an environment variable, not {}",
                        env.type_name()
                    ),
                    "e.g. `env: APP_PORT`",
                );
            }
        }
        if let Some(env) = run.get("env") {
            self.env_list("run.env", env, ENV_ENTRY_KEYS);
        }
        if let Some(secrets) = run.get("secrets") {
            self.env_list("run.secrets", secrets, SECRET_ENTRY_KEYS);
        }
    }
}

impl<'a> Rule<AppRunnerContext<'a>> for Schema {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AppRunnerContext<'a>, out: &mut Vec<Diagnostic>) {
        if cx.declared.is_some() {
            return; // a service declared in infrastructure code has no apprunner.yaml
        }
        let mut c = Check { cx, out };
        let root = cx.root;
        c.top(root);
        if root.as_map().is_some() {
            c.build(root);
            c.run(root);
        }
    }
}
