//! Inline suppressions end to end: the fixtures of WSC001–WSC003 (fires, quiet, fixed), the
//! examples on their rule pages, and how suppressions interact with fixes and configuration.

mod common;
use common::{BROKEN, Project};
use std::path::{Path, PathBuf};

const RULES: &[(&str, &str)] = &[
    ("WSC001", "unused_suppression"),
    ("WSC002", "suppression_without_reason"),
    ("WSC003", "invalid_suppression"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn codes_in(p: &Project, file: &str) -> Vec<String> {
    p.run(&["check", "--output-format", "concise", file])
        .codes()
}

fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[test]
fn fixtures_fire_stay_quiet_and_fix() {
    for (code, dir) in RULES {
        let files = fixture_files(&root().join("fixtures/nginx").join(dir));
        assert!(files.iter().any(|f| {
            f.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("fires_")
        }));
        assert!(files.iter().any(|f| {
            f.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("quiet_")
        }));
        for f in &files {
            let name = f.file_name().unwrap().to_str().unwrap().to_owned();
            if name.contains(".fixed.") {
                continue;
            }
            let p = Project::new();
            p.write("nginx.conf", &std::fs::read_to_string(f).unwrap());
            let codes = codes_in(&p, "nginx.conf");
            if name.starts_with("fires_") {
                assert!(codes.iter().any(|c| c == code), "{name}: {codes:?}");
                let fixed = f.with_file_name(name.replace(".conf", ".fixed.conf"));
                if fixed.exists() {
                    p.run(&["fix", "--unsafe-fixes", "nginx.conf"]);
                    assert_eq!(
                        p.read("nginx.conf"),
                        std::fs::read_to_string(&fixed).unwrap(),
                        "{name}"
                    );
                    assert_eq!(
                        codes_in(&p, "nginx.conf"),
                        Vec::<String>::new(),
                        "{name} fixed"
                    );
                }
            } else {
                assert_eq!(codes, Vec::<String>::new(), "{name}");
            }
        }
    }
}

#[test]
fn rule_page_examples() {
    for (code, _) in RULES {
        let page = std::fs::read_to_string(root().join(format!("rules/{code}.md"))).unwrap();
        assert!(page.starts_with(&format!("# {code} ")));
        assert!(page.contains("## References"));
        for (title, must_fire) in [("before", true), ("after", false)] {
            let start = page
                .find(&format!("```nginx title=\"{title}\"\n"))
                .unwrap_or_else(|| panic!("{code} has no {title} example"));
            let body = &page[start..];
            let body = &body[body.find('\n').unwrap() + 1..];
            let body = &body[..body.find("```").unwrap()];
            let p = Project::new();
            p.write("nginx.conf", body);
            let codes = codes_in(&p, "nginx.conf");
            assert_eq!(
                codes.iter().any(|c| c == code),
                must_fire,
                "{code} {title}: {codes:?}"
            );
            if !must_fire {
                assert_eq!(codes, Vec::<String>::new(), "{code} after is clean");
            }
        }
        // `wscfg explain` shows the page.
        let p = Project::new();
        assert!(
            p.run(&["explain", code])
                .stdout
                .starts_with(&format!("# {code} "))
        );
    }
}

#[test]
fn suppressions_apply_to_their_line_and_file() {
    let p = Project::new();
    p.write(
        "a.conf",
        "server {\n    listen 80;\n    # wscfg: ignore NGX001 -- legacy upstream\n    # the chat endpoint\n    location /ws/ {  # wscfg: ignore upgrade-header-missing -- set by the include\n        proxy_pass http://app:8080;\n    }\n}\n",
    )
    .write(
        "b.conf",
        "# wscfg: ignore-file NGX006, NGX003 -- reviewed\nserver {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://app:8080;\n    }\n}\n",
    );
    assert_eq!(codes_in(&p, "a.conf"), ["NGX003", "NGX006"]);
    assert_eq!(codes_in(&p, "b.conf"), ["NGX001", "NGX002"]);
}

#[test]
fn suppressed_findings_are_not_fixed() {
    let p = Project::new();
    let text = "server {\n    listen 80;\n    # wscfg: ignore NGX001, NGX002, NGX003 -- the upstream is HTTP/1.0 long-polling\n    location /ws/ {\n        proxy_pass http://app:8080;\n        proxy_read_timeout 1h;\n        proxy_send_timeout 1h;\n    }\n}\n";
    p.write("nginx.conf", text);
    let r = p.run(&["fix", "--unsafe-fixes", "nginx.conf"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(p.read("nginx.conf"), text);
}

#[test]
fn unused_is_not_reported_for_rules_that_did_not_run() {
    let p = Project::new();
    p.write(
        "wscfg.toml",
        "ignore = [\"NGX006\"]\n[per-file-ignores]\n\"nginx.conf\" = [\"NGX002\"]\n",
    )
    .write(
        "nginx.conf",
        "server {\n    listen 80;\n    # wscfg: ignore NGX006, NGX002 -- pings every 20s\n    location / {\n        root /srv;\n    }\n}\n",
    );
    assert_eq!(codes_in(&p, "nginx.conf"), Vec::<String>::new());
    // Once the rules run, the suppression is reported as unused.
    let r = p.run(&[
        "check",
        "--output-format",
        "concise",
        "--isolated",
        "nginx.conf",
    ]);
    assert_eq!(r.codes(), ["WSC001"], "{}", r.stderr);
}

#[test]
fn a_file_with_a_syntax_error_reports_no_unused_suppression() {
    let p = Project::new();
    p.write(
        "nginx.conf",
        "# wscfg: ignore NGX006 -- pings\nserver {\n    location /ws/ {\n        proxy_pass http://app\n}\n",
    );
    assert_eq!(codes_in(&p, "nginx.conf"), ["NGX000"]);
}

#[test]
fn suppression_rules_obey_the_configuration() {
    let p = Project::new();
    p.write(
        "nginx.conf",
        &format!("# wscfg: ignore-file NGX090\n{BROKEN}"),
    );
    assert!(codes_in(&p, "nginx.conf").contains(&"WSC002".to_owned()));
    let r = p.run(&[
        "check",
        "--output-format",
        "concise",
        "--ignore",
        "WSC",
        "nginx.conf",
    ]);
    assert!(
        !r.codes().iter().any(|c| c.starts_with("WSC")),
        "{:?}",
        r.codes()
    );
}
