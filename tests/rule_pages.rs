//! Every rule has a page in rules/ with the parts users rely on, `wscfg explain` prints it,
//! and its examples are real: the "before" block triggers the rule, the "after" block does not.

use std::path::PathBuf;
use wscfg::config::Config;
use wscfg::engine::Session;
use wscfg::formats::Format;

struct Example {
    title: String,
    lang: String,
    body: String,
}

fn examples(page: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let lang = info.split_whitespace().next().unwrap_or("").to_owned();
        let title = info
            .split_once("title=\"")
            .and_then(|(_, t)| t.split_once('"'))
            .map(|(t, _)| t.to_owned())
            .unwrap_or_default();
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        out.push(Example {
            title,
            lang,
            body: body.join("\n") + "\n",
        });
    }
    out
}

/// The file name an example is checked as: `title="before: sites-available/app"` names it,
/// otherwise the usual file of the rule's platform.
fn file_name(code: &str, ex: &Example) -> String {
    if let Some((_, name)) = ex.title.split_once(':') {
        return name.trim().to_owned();
    }
    match (&code[..3], ex.lang.as_str()) {
        ("NGX", _) => "nginx.conf",
        ("FLY", _) => "fly.toml",
        ("RWY", "json") => "railway.json",
        ("RWY", _) => "railway.toml",
        ("APR", _) => "apprunner.yaml",
        ("K8S", _) => "ingress.yaml",
        ("HAP", _) => "haproxy.cfg",
        ("APA", _) => "httpd.conf",
        ("RND", _) => "render.yaml",
        ("GCR", _) => "service.yaml",
        ("AWS", "json") => "template.json",
        ("AWS", _) => "template.yaml",
        // Engine rules (suppressions) take their format from the example's language.
        (_, "nginx") => "nginx.conf",
        (_, "toml") => "fly.toml",
        (_, "yaml") => "apprunner.yaml",
        _ => panic!("{code}: no default file name for a {} example", ex.lang),
    }
    .to_owned()
}

/// Lints the files of one example together (a project rule's example is several files, each
/// block titled with its path: `title="before: frontend/.env.production"`).
fn codes_for(dir: &std::path::Path, files: &[(String, &str)], latin1: bool) -> Vec<String> {
    let mut s = Session::new(Config::default());
    for (name, body) in files {
        let path: PathBuf = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let bytes: Vec<u8> = if latin1 {
            body.chars()
                .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
                .collect()
        } else {
            body.as_bytes().to_vec()
        };
        std::fs::write(&path, bytes).unwrap();
        let format = Format::detect(&path, true).expect("example format detected");
        s.add_file(path, format);
    }
    s.lint().iter().map(|d| d.code.to_owned()).collect()
}

#[test]
fn every_rule_has_a_complete_page_with_working_examples() {
    let mut failures = Vec::new();
    for meta in wscfg::rules::all() {
        let Some(page) = wscfg::rules::page(meta.code) else {
            failures.push(format!("{}: no rules/{}.md", meta.code, meta.code));
            continue;
        };
        let title = format!("# {} {}", meta.code, meta.name);
        if page.lines().next() != Some(title.as_str()) {
            failures.push(format!("{}: first line must be `{title}`", meta.code));
        }
        for section in ["## Example", "## References"] {
            if !page.contains(section) {
                failures.push(format!("{}: missing `{section}`", meta.code));
            }
        }
        let refs = page.split("## References").nth(1).unwrap_or("");
        if !refs.contains("https://") {
            failures.push(format!("{}: references cite no URL", meta.code));
        }
        let exs = examples(page);
        for (which, must_fire) in [("before", true), ("after", false)] {
            let files: Vec<(String, &str)> = exs
                .iter()
                .filter(|e| e.title.starts_with(which))
                .map(|e| (file_name(meta.code, e), e.body.as_str()))
                .collect();
            if files.is_empty() {
                failures.push(format!("{}: no `{which}` example", meta.code));
                continue;
            }
            let dir = tempfile::tempdir().unwrap();
            // NGX093 is about bytes a Markdown page cannot hold: its "before" is saved as Latin-1.
            let latin1 = meta.code == "NGX093" && must_fire;
            let codes = codes_for(dir.path(), &files, latin1);
            let fired = codes.iter().any(|c| c == meta.code);
            if fired != must_fire {
                failures.push(format!(
                    "{}: the `{which}` example {} (got {codes:?})",
                    meta.code,
                    if must_fire {
                        "does not trigger the rule"
                    } else {
                        "still triggers the rule"
                    }
                ));
            }
            if !must_fire && codes.iter().any(|c| c.ends_with("000")) {
                failures.push(format!("{}: the `after` example does not parse", meta.code));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_page_belongs_to_a_rule() {
    for entry in std::fs::read_dir("rules").unwrap() {
        let path = entry.unwrap().path();
        let code = path.file_stem().unwrap().to_str().unwrap();
        assert!(
            wscfg::rules::find(code).is_some(),
            "{} documents no rule",
            path.display()
        );
    }
}

/// The rules table in README.md is the registry, row for row, so it cannot go stale.
#[test]
fn readme_lists_every_rule() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let rows: Vec<String> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| code | name | format | severity | fix |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(str::to_owned)
        .collect();
    let expected: Vec<String> = wscfg::rules::all()
        .iter()
        .map(|m| {
            format!(
                "| {} | {} | {} | {} | {} |",
                m.code,
                m.name,
                m.scope(),
                m.severity.as_str(),
                m.fix.as_str()
            )
        })
        .collect();
    assert_eq!(
        rows, expected,
        "regenerate the table in README.md from `wscfg rules`"
    );
}
