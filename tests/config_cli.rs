//! Configuration from the command line's point of view: discovery per file, `extend`,
//! `[per-file-ignores]`, `--config FILE` and `--config KEY=VALUE`, and errors for unknown keys.

mod common;
use common::{BROKEN, Project};

#[test]
fn each_file_uses_its_closest_configuration() {
    let p = Project::new();
    p.write("wscfg.toml", "ignore = [\"NGX006\"]\n")
        .write(
            "api/.wscfg.toml",
            "extend = \"../wscfg.toml\"\nignore = [\"NGX001\"]\n",
        )
        .write("web/wscfg.toml", "select = [\"NGX001\"]\n")
        .write("nginx.conf", BROKEN)
        .write("api/nginx.conf", BROKEN)
        .write("web/nginx.conf", BROKEN);
    let r = p.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let by_file = |f: &str| -> Vec<String> {
        r.stdout
            .lines()
            .filter(|l| l.starts_with(&format!("{f}:")))
            .map(|l| {
                l.split(": ")
                    .nth(1)
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(by_file("./nginx.conf"), ["NGX001", "NGX002", "NGX003"]);
    // api inherits the NGX006 ignore and adds NGX001.
    assert_eq!(by_file("./api/nginx.conf"), ["NGX002", "NGX003"]);
    // web does not extend: only its own selection counts.
    assert_eq!(by_file("./web/nginx.conf"), ["NGX001"]);
}

#[test]
fn per_file_ignores_use_globs_relative_to_the_configuration() {
    let p = Project::new();
    p.write(
        "wscfg.toml",
        "[per-file-ignores]\n\"legacy/**/*.conf\" = [\"NGX001\", \"NGX002\"]\n\"edge.conf\" = [\"NGX\"]\n",
    )
    .write("legacy/old/nginx.conf", BROKEN)
    .write("deploy/edge.conf", BROKEN)
    .write("nginx.conf", BROKEN);
    let r = p.run(&[
        "check",
        "--output-format",
        "concise",
        "legacy",
        "deploy",
        "nginx.conf",
    ]);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines.iter().all(|l| !l.starts_with("deploy/edge.conf")),
        "{}",
        r.stdout
    );
    let legacy: Vec<_> = lines.iter().filter(|l| l.starts_with("legacy/")).collect();
    assert_eq!(legacy.len(), 2, "NGX003 and NGX006 stay: {legacy:?}");
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("nginx.conf")).count(),
        4
    );
}

#[test]
fn config_key_value_overrides_every_file() {
    let p = Project::new();
    p.write("wscfg.toml", "ignore = [\"NGX006\"]\n")
        .write("nginx.conf", BROKEN);
    let r = p.run(&[
        "check",
        "--output-format",
        "concise",
        "--config",
        "nginx.version = \"1.29.7\"",
        "--config",
        "extend-select = [\"NGX006\"]",
        "nginx.conf",
    ]);
    // nginx >= 1.29.7 proxies with HTTP/1.1: NGX001 is gone; NGX006 is back.
    assert_eq!(r.codes(), ["NGX002", "NGX003", "NGX006"], "{}", r.stderr);
}

#[test]
fn config_file_replaces_discovery() {
    let p = Project::new();
    p.write("wscfg.toml", "ignore = [\"NGX006\"]\n")
        .write("ci/strict.toml", "select = [\"NGX006\"]\n")
        .write("nginx.conf", BROKEN);
    let r = p.run(&[
        "check",
        "--output-format",
        "concise",
        "--config",
        "ci/strict.toml",
        "nginx.conf",
    ]);
    assert_eq!(r.codes(), ["NGX006"]);
}

#[test]
fn cli_select_replaces_and_ignore_subtracts() {
    let p = Project::new();
    p.write("wscfg.toml", "ignore = [\"NGX006\"]\n")
        .write("nginx.conf", BROKEN);
    let r = p.run(&[
        "check",
        "--output-format",
        "concise",
        "--select",
        "NGX",
        "--ignore",
        "NGX002",
        "nginx.conf",
    ]);
    assert_eq!(r.codes(), ["NGX001", "NGX003", "NGX006"]);
}

#[test]
fn unknown_keys_are_errors_with_a_suggestion() {
    let p = Project::new();
    p.write(
        "wscfg.toml",
        "select = [\"NGX001\"]\n\n[nginx]\nverison = \"1.22\"\n",
    )
    .write("nginx.conf", BROKEN);
    let r = p.run(&["check", "nginx.conf"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("wscfg.toml:4:1: unknown key `verison`")
            && r.stderr.contains("did you mean `version`?"),
        "{}",
        r.stderr
    );
    let r = p.run(&["check", "--config", "ignroe = []", "nginx.conf"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean `ignore`?"), "{}", r.stderr);
    let r = p.run(&["check", "--config", "nosuchfile.toml", "nginx.conf"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no such file"), "{}", r.stderr);
}

#[test]
fn pyproject_tool_wscfg_is_read() {
    let p = Project::new();
    p.write(
        "pyproject.toml",
        "[project]\nname = \"app\"\n\n[tool.wscfg]\nignore = [\"NGX006\", \"NGX003\"]\n",
    )
    .write("nginx.conf", BROKEN);
    let r = p.run(&["check", "--output-format", "concise", "nginx.conf"]);
    assert_eq!(r.codes(), ["NGX001", "NGX002"]);
}
