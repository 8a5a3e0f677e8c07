//! Command-line behaviour around the findings: --statistics, --show-fixes, --quiet,
//! --severity, --exit-non-zero-on-fix, and how directories are walked (ignore files,
//! --no-ignore, --exclude, symlinks).

mod common;
use common::{BROKEN, Project};

/// Only NGX006 (a warning, with a safe fix) fires here.
const ONLY_TIMEOUT: &str = "server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://app:8080;\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection \"upgrade\";\n    }\n}\n";

#[test]
fn statistics_count_per_rule() {
    let p = Project::new();
    p.write("a/nginx.conf", BROKEN)
        .write("b/nginx.conf", BROKEN)
        .write("c/nginx.conf", ONLY_TIMEOUT);
    let r = p.run(&["check", "--statistics", "."]);
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["3", "NGX006", "read-timeout-short", "[*]"]
    );
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    assert!(
        lines
            .iter()
            .any(|l| l.split_whitespace().take(2).eq(["2", "NGX001"]))
    );
    let r = p.run(&["check", "--statistics", "--output-format", "json", "."]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["code"], "NGX006");
    assert_eq!(v[0]["count"], 3);
    let r = p.run(&["check", "--statistics", "--output-format", "sarif", "."]);
    assert_eq!(r.code, 2);
}

#[test]
fn show_fixes_lists_available_and_applied_fixes() {
    let p = Project::new();
    p.write("nginx.conf", ONLY_TIMEOUT);
    let r = p.run(&[
        "check",
        "--show-fixes",
        "--output-format",
        "concise",
        "nginx.conf",
    ]);
    assert!(
        r.stdout
            .contains("nginx.conf:3:5: NGX006 fix (wscfg fix): "),
        "{}",
        r.stdout
    );
    let r = p.run(&[
        "fix",
        "--unsafe-fixes",
        "--show-fixes",
        "--quiet",
        "nginx.conf",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .starts_with("Applied 1 fix(es):\n  nginx.conf:\n    NGX006 (read-timeout-short): "),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("+++"), "--quiet prints no diff");
    assert!(p.read("nginx.conf").contains("proxy_read_timeout"));
}

#[test]
fn quiet_prints_findings_only() {
    let p = Project::new();
    p.write("nginx.conf", BROKEN);
    let loud = p.run(&["check", "nginx.conf"]);
    assert!(loud.stderr.contains("problem(s) found"));
    let r = p.run(&["check", "--quiet", "nginx.conf"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("NGX001"));
    assert_eq!(r.stderr, "");
}

#[test]
fn severity_sets_the_exit_threshold() {
    let p = Project::new();
    p.write("nginx.conf", ONLY_TIMEOUT);
    assert_eq!(p.run(&["check", "nginx.conf"]).code, 1);
    let r = p.run(&[
        "check",
        "--severity",
        "error",
        "--output-format",
        "concise",
        "nginx.conf",
    ]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.codes(),
        ["NGX006"],
        "findings below the threshold are still shown"
    );
    assert_eq!(
        p.run(&["check", "--fail-on", "error", "nginx.conf"]).code,
        0
    );
    assert_eq!(
        p.run(&["check", "--severity", "warning", "nginx.conf"])
            .code,
        1
    );
    // A configured severity moves the finding across the threshold.
    p.write("wscfg.toml", "[severity]\nread-timeout-short = \"error\"\n");
    assert_eq!(
        p.run(&["check", "--severity", "error", "nginx.conf"]).code,
        1
    );
}

#[test]
fn exit_non_zero_on_fix() {
    let p = Project::new();
    p.write("nginx.conf", ONLY_TIMEOUT);
    assert_eq!(p.run(&["fix", "--unsafe-fixes", "nginx.conf"]).code, 0);
    p.write("nginx.conf", ONLY_TIMEOUT);
    assert_eq!(
        p.run(&[
            "fix",
            "--unsafe-fixes",
            "--exit-non-zero-on-fix",
            "nginx.conf"
        ])
        .code,
        1
    );
    // Nothing left to change: 0 again.
    assert_eq!(
        p.run(&[
            "fix",
            "--unsafe-fixes",
            "--exit-non-zero-on-fix",
            "nginx.conf"
        ])
        .code,
        0
    );
}

#[test]
fn walking_respects_ignore_files_unless_told_not_to() {
    let p = Project::new();
    p.write(".gitignore", "build/\n")
        .write("deploy/.ignore", "old.conf\n")
        .write("build/nginx.conf", BROKEN)
        .write("deploy/old.conf", BROKEN)
        .write("deploy/nginx.conf", BROKEN);
    let files = |r: &common::Run| {
        let mut f: Vec<String> = r
            .stdout
            .lines()
            .map(|l| l.split(':').next().unwrap().to_owned())
            .collect();
        f.dedup();
        f
    };
    let r = p.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(files(&r), ["./deploy/nginx.conf"]);
    let r = p.run(&["check", "--output-format", "concise", "--no-ignore", "."]);
    assert_eq!(
        files(&r),
        [
            "./build/nginx.conf",
            "./deploy/nginx.conf",
            "./deploy/old.conf"
        ]
    );
    // A file named on the command line is checked even if ignored.
    let r = p.run(&["check", "--output-format", "concise", "build/nginx.conf"]);
    assert_eq!(files(&r), ["build/nginx.conf"]);
}

#[test]
fn exclude_applies_to_walked_and_named_files() {
    let p = Project::new();
    p.write("vendor/nginx.conf", BROKEN)
        .write("deploy/staging/nginx.conf", BROKEN)
        .write("deploy/nginx.conf", BROKEN);
    let r = p.run(&[
        "check",
        "--output-format",
        "concise",
        "--exclude",
        "vendor",
        "--exclude",
        "deploy/staging/**",
        ".",
    ]);
    let mut files: Vec<&str> = r
        .stdout
        .lines()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    files.dedup();
    assert_eq!(files, ["./deploy/nginx.conf"]);
    let r = p.run(&[
        "check",
        "--output-format",
        "concise",
        "--exclude",
        "vendor/*.conf",
        "vendor/nginx.conf",
        "deploy/nginx.conf",
    ]);
    assert!(
        r.stdout.lines().all(|l| l.starts_with("deploy/")),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.is_empty());
}

#[cfg(unix)]
#[test]
fn symlinks_never_lead_out_of_the_checked_root() {
    let outside = Project::new();
    outside.write("secret/nginx.conf", BROKEN);
    let p = Project::new();
    p.write("site/nginx.conf", ONLY_TIMEOUT);
    std::os::unix::fs::symlink(
        outside.path().join("secret/nginx.conf"),
        p.path().join("site/linked.conf"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret"),
        p.path().join("site/linked-dir"),
    )
    .unwrap();
    let r = p.run(&["check", "--output-format", "concise", "site"]);
    assert_eq!(r.codes(), ["NGX006"], "{}", r.stdout);
    assert!(
        r.stdout.lines().all(|l| l.starts_with("site/nginx.conf:")),
        "{}",
        r.stdout
    );
}

/// Configuration files are looked up once per directory; a file that is a symbolic link
/// still takes the configuration of the directory its target is in, and its neighbours the
/// configuration of their own directory.
#[cfg(unix)]
#[test]
fn a_linked_file_uses_the_configuration_of_its_target() {
    let p = Project::new();
    p.write(
        "real/wscfg.toml",
        "[severity]\nread-timeout-short = \"error\"\n",
    )
    .write("real/app.conf", ONLY_TIMEOUT)
    .write("site/own.conf", ONLY_TIMEOUT);
    std::os::unix::fs::symlink(
        p.path().join("real/app.conf"),
        p.path().join("site/linked.conf"),
    )
    .unwrap();
    let severity_of = |file: &str| {
        let r = p.run(&["check", "--severity", "error", file]);
        r.code
    };
    assert_eq!(severity_of("site/linked.conf"), 1);
    assert_eq!(severity_of("site/own.conf"), 0);
    let r = p.run(&[
        "check",
        "--severity",
        "error",
        "--output-format",
        "concise",
        "site/own.conf",
        "site/linked.conf",
    ]);
    assert!(
        r.stdout.contains("site/linked.conf:3:5: NGX006 [error]")
            && r.stdout.contains("site/own.conf:3:5: NGX006 [warning]"),
        "{}",
        r.stdout
    );
}
