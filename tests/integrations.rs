//! The files other tools read: `.pre-commit-hooks.yaml` (its `files:` pattern covers every
//! format wscfg reads) and the composite GitHub Action `action.yml`, whose steps are run here
//! the way the Actions runner runs them (inputs through `env:`, `$GITHUB_PATH`,
//! `$GITHUB_OUTPUT`), with wscfg already on PATH so no `cargo install` is needed.

mod common;
use common::{BROKEN, Project};
use saphyr::{LoadableYamlNode, Yaml};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(file: &str) -> Yaml<'static> {
    let text: &'static str = Box::leak(
        std::fs::read_to_string(root().join(file))
            .unwrap()
            .into_boxed_str(),
    );
    Yaml::load_from_str(text).unwrap().remove(0)
}

fn str_of<'a>(y: &'a Yaml, key: &str) -> &'a str {
    y.as_mapping_get(key)
        .and_then(Yaml::as_str)
        .unwrap_or_else(|| panic!("no string `{key}`"))
}

#[test]
fn pre_commit_hooks_cover_every_format() {
    let hooks = load(".pre-commit-hooks.yaml");
    let hooks = hooks.as_sequence().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| str_of(h, "id")).collect();
    assert_eq!(ids, ["wscfg", "wscfg-fix"]);
    for h in hooks {
        assert_eq!(str_of(h, "language"), "rust");
        assert!(str_of(h, "entry").starts_with("wscfg "));
        // pre-commit matches `files` with Python's re.search; this pattern is in the common
        // subset of Python's and Rust's syntax.
        let files = regex::Regex::new(str_of(h, "files")).unwrap();
        for path in [
            "nginx.conf",
            "deploy/nginx/nginx.conf",
            "etc/nginx/conf.d/app.conf",
            "docker/default.conf.template",
            "etc/nginx/sites-enabled/chat",
            "proxy/chat.nginx",
            "fly.toml",
            "services/api/fly.staging.toml",
            "railway.toml",
            "railway.json",
            "apprunner.yaml",
            "k8s/ingress.yaml",
            "deploy/chart-rendered.yml",
            "haproxy/haproxy.cfg",
            "render.yaml",
            "infra/alb.template",
            "apache2/sites-enabled/chat.conf",
            // What the project view reads: a changed app re-judges the manifests beside it.
            "server.js",
            "web/src/socket.tsx",
            "api/main.py",
            "package.json",
            "requirements-prod.txt",
            "pyproject.toml",
            "Procfile",
            "Dockerfile",
            "api.Dockerfile",
            "docker-compose.prod.yml",
            ".env.production",
        ] {
            assert!(files.is_match(path), "{} misses {path}", str_of(h, "id"));
        }
        for path in [
            "README.md",
            "src/main.rs",
            "Cargo.toml",
            "package-lock.json",
            "flyer.toml",
        ] {
            assert!(!files.is_match(path), "{} matches {path}", str_of(h, "id"));
        }
    }
}

#[test]
fn hooks_skip_files_of_other_tools() {
    // pre-commit names every `*.conf`; wscfg must not fail on a supervisord.conf.
    let p = Project::new();
    p.write("supervisord.conf", "[program:app]\ncommand=/app\n")
        .write("nginx.conf", BROKEN);
    let r = p.run(&["check", "supervisord.conf"]);
    assert_eq!(
        r.code, 2,
        "without --ignore-unknown a named unknown file is an error"
    );
    let r = p.run(&["check", "--ignore-unknown", "supervisord.conf"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = p.run(&[
        "check",
        "--ignore-unknown",
        "--output-format",
        "concise",
        "supervisord.conf",
        "nginx.conf",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.lines().all(|l| l.starts_with("nginx.conf:")));
}

/// Replaces `${{ expr }}` in an `env:` value the way the runner would, from `values`.
fn expand(value: &str, values: &[(&str, String)]) -> String {
    let mut out = value.to_owned();
    while let Some(start) = out.find("${{") {
        let end = out[start..].find("}}").unwrap() + start + 2;
        let expr = out[start + 3..end - 2].trim().to_owned();
        let v = values
            .iter()
            .find(|(k, _)| *k == expr)
            .unwrap_or_else(|| panic!("the test gives no value for `{expr}`"))
            .1
            .clone();
        out.replace_range(start..end, &v);
    }
    out
}

struct StepRun {
    code: i32,
    stdout: String,
}

/// Whether a step's `if:` holds. The action only compares a step output with a literal
/// (`steps.ID.outputs.KEY == 'VALUE'`); anything else is refused so the test cannot
/// silently misread a condition.
fn condition_holds(condition: &str, values: &[(&str, String)]) -> bool {
    let (lhs, rhs) = condition
        .split_once(" == ")
        .unwrap_or_else(|| panic!("unsupported `if: {condition}`"));
    let literal = rhs
        .trim()
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .unwrap_or_else(|| panic!("unsupported `if: {condition}`"));
    assert!(lhs.starts_with("steps."), "unsupported `if: {condition}`");
    values
        .iter()
        .rev()
        .find(|(k, _)| *k == lhs.trim())
        .is_some_and(|(_, v)| v == literal)
}

/// Runs the steps of action.yml in order, skipping those whose `if:` does not hold; `uses:`
/// steps (the cache) are skipped too.
fn run_action(dir: &Path, inputs: &[(&str, &str)]) -> Vec<(String, StepRun)> {
    let action = load("action.yml");
    assert_eq!(str_of(&action["runs"], "using"), "composite");
    let github_path = dir.join("github_path");
    let github_output = dir.join("github_output");
    std::fs::write(&github_path, "").unwrap();
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_wscfg"))
        .parent()
        .unwrap()
        .to_owned();
    let mut values: Vec<(&str, String)> =
        vec![("github.action_path", root().display().to_string())];
    let declared = action["inputs"].as_mapping().unwrap();
    let names: Vec<String> = declared
        .keys()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect();
    for name in &names {
        let given = inputs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.to_string());
        let default = declared
            .iter()
            .find(|(k, _)| k.as_str() == Some(name))
            .and_then(|(_, v)| v.as_mapping_get("default"))
            .and_then(Yaml::as_str)
            .unwrap_or("")
            .to_owned();
        values.push((
            Box::leak(format!("inputs.{name}").into_boxed_str()),
            given.unwrap_or(default),
        ));
    }
    let mut results = Vec::new();
    for step in action["runs"]["steps"].as_sequence().unwrap() {
        if let Some(condition) = step.as_mapping_get("if").and_then(Yaml::as_str)
            && !condition_holds(condition, &values)
        {
            continue;
        }
        let Some(script) = step.as_mapping_get("run").and_then(Yaml::as_str) else {
            assert!(step.as_mapping_get("uses").is_some());
            continue;
        };
        assert_eq!(str_of(step, "shell"), "bash");
        assert!(
            !script.contains("${{"),
            "inputs reach scripts through env:, never inline"
        );
        std::fs::write(&github_output, "").unwrap();
        let extra_path: Vec<String> = std::fs::read_to_string(&github_path)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        let path = extra_path
            .iter()
            .map(String::as_str)
            .chain([bin_dir.to_str().unwrap(), &std::env::var("PATH").unwrap()])
            .collect::<Vec<_>>()
            .join(":");
        let mut cmd = Command::new("bash");
        cmd.arg("-c").arg(script).current_dir(dir);
        cmd.env("PATH", path)
            .env("GITHUB_PATH", &github_path)
            .env("GITHUB_OUTPUT", &github_output)
            .env("RUNNER_TOOL_CACHE", dir.join("tool-cache"))
            .env("RUNNER_OS", "Linux");
        if let Some(env) = step.as_mapping_get("env").and_then(Yaml::as_mapping) {
            for (k, v) in env {
                cmd.env(k.as_str().unwrap(), expand(v.as_str().unwrap(), &values));
            }
        }
        let out = cmd.output().unwrap();
        let name = str_of(step, "name").to_owned();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success() || name == "Run wscfg",
            "step `{name}` failed: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Outputs of this step, for the steps after it.
        let id = step.as_mapping_get("id").and_then(Yaml::as_str);
        for line in std::fs::read_to_string(&github_output).unwrap().lines() {
            if let (Some(id), Some((k, v))) = (id, line.split_once('=')) {
                values.push((
                    Box::leak(format!("steps.{id}.outputs.{k}").into_boxed_str()),
                    v.to_owned(),
                ));
            }
        }
        results.push((
            name,
            StepRun {
                code: out.status.code().unwrap(),
                stdout,
            },
        ));
    }
    results
}

#[test]
fn the_action_annotates_and_writes_sarif() {
    let p = Project::new();
    p.write("deploy/nginx.conf", BROKEN)
        .write("docs/notes.txt", "not config\n");
    let steps = run_action(
        p.path(),
        &[
            ("args", "deploy --severity warning"),
            ("sarif-file", "wscfg.sarif"),
        ],
    );
    let names: Vec<&str> = steps.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Install wscfg", "Run wscfg"]);
    assert!(steps[0].1.stdout.contains(&format!(
        "wscfg {} is already on PATH",
        env!("CARGO_PKG_VERSION")
    )));
    let run = &steps[1].1;
    assert_eq!(run.code, 1, "findings fail the step");
    assert!(
        run.stdout.lines().any(|l| l.starts_with(
            "::error title=wscfg NGX001 (proxy-http-version),file=deploy/nginx.conf,line=3,col=5,"
        )),
        "{}",
        run.stdout
    );
    let sarif: serde_json::Value = serde_json::from_str(&p.read("wscfg.sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn the_action_passes_on_clean_configuration() {
    let p = Project::new();
    p.write(
        "deploy/nginx.conf",
        "server {\n    listen 80;\n    location / {\n        root /srv;\n    }\n}\n",
    );
    let steps = run_action(p.path(), &[]);
    let run = &steps.last().unwrap().1;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout, "");
}
