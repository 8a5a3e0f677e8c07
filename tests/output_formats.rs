//! The machine-readable output formats: SARIF validated against the official 2.1.0 schema,
//! GitHub workflow commands, JUnit XML and concise output as snapshots.

use assert_cmd::Command;
use std::path::Path;

/// A project with a broken WebSocket location whose path and file name carry the characters
/// GitHub needs escaped (`%`, `:` and `,`), a finding with a secondary label in another
/// block, and a clean file.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "deploy/nginx.conf",
        "http {\n    server {\n        listen 80;\n        proxy_set_header Upgrade $http_upgrade;\n        location /ws/100%/ {\n            proxy_set_header Host $host;\n            proxy_pass http://app:8080;\n        }\n    }\n}\n",
    );
    write(
        "deploy/sites-enabled/blue:v1,ws.conf",
        "server {\n    listen 8080;\n    location /socket {\n        proxy_pass http://app;\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection \"upgrade\";\n    }\n}\n",
    );
    write(
        "deploy/clean.conf",
        "server {\n    listen 80;\n    location / {\n        root /srv/www;\n    }\n}\n",
    );
    dir
}

fn wscfg(dir: &Path, args: &[&str]) -> (String, i32) {
    let out = Command::cargo_bin("wscfg")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

fn schema_validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn schema_errors(v: &jsonschema::Validator, log: &serde_json::Value) -> Vec<String> {
    v.iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_is_valid_against_the_official_schema_and_stable() {
    let dir = project();
    let (first, code) = wscfg(dir.path(), &["check", "--output-format", "sarif", "deploy"]);
    assert_eq!(code, 1);
    let log: serde_json::Value = serde_json::from_str(&first).unwrap();
    let validator = schema_validator();
    let errors = schema_errors(&validator, &log);
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");

    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "wscfg");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "rules are listed in code order");
    for r in rules {
        for key in ["name", "shortDescription", "fullDescription", "helpUri"] {
            assert!(!r[key].is_null(), "rule {} lacks {key}", r["id"]);
        }
        assert!(
            ["error", "warning", "note"]
                .contains(&r["defaultConfiguration"]["level"].as_str().unwrap())
        );
    }
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[idx]["id"], res["ruleId"],
            "ruleIndex points at the rule"
        );
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
    }
    // The path with `:` and `,` is a percent-encoded relative URI.
    assert!(results.iter().any(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "deploy/sites-enabled/blue%3Av1%2Cws.conf"
    ));
    // NGX001 on line 5, column 9 of deploy/nginx.conf, with its fix.
    let ngx001 = results
        .iter()
        .find(|r| r["ruleId"] == "NGX001")
        .expect("NGX001 reported");
    assert_eq!(ngx001["level"], "error");
    let region = &ngx001["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(5), Some(9))
    );
    assert!(
        ngx001["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"]
            .as_str()
            .unwrap()
            .contains("proxy_http_version 1.1;")
    );
    // The dropped server-level header is a related location.
    assert!(results.iter().any(|r| {
        r["relatedLocations"]
            .as_array()
            .is_some_and(|l| !l.is_empty())
    }));

    let (second, _) = wscfg(dir.path(), &["check", "--output-format", "sarif", "deploy"]);
    assert_eq!(first, second, "two runs give the same bytes");
    // --diff never mixes a diff into a machine-readable report.
    let (with_diff, _) = wscfg(
        dir.path(),
        &["check", "--diff", "--output-format", "sarif", "deploy"],
    );
    assert_eq!(first, with_diff);
}

#[test]
fn sarif_of_a_clean_run_and_of_a_syntax_error_is_valid() {
    let validator = schema_validator();
    let dir = project();
    let (clean, code) = wscfg(
        dir.path(),
        &["check", "--output-format", "sarif", "deploy/clean.conf"],
    );
    assert_eq!(code, 0);
    let log: serde_json::Value = serde_json::from_str(&clean).unwrap();
    assert_eq!(schema_errors(&validator, &log), Vec::<String>::new());
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);

    std::fs::write(dir.path().join("broken.conf"), "server {\n  listen 80;\n").unwrap();
    let (broken, _) = wscfg(
        dir.path(),
        &["check", "--output-format", "sarif", "broken.conf"],
    );
    let log: serde_json::Value = serde_json::from_str(&broken).unwrap();
    assert_eq!(schema_errors(&validator, &log), Vec::<String>::new());
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "NGX000");
}

#[test]
fn the_validator_rejects_a_broken_log() {
    // Guards the test above: a log missing `version` and with a 0 line must fail.
    let log = serde_json::json!({
        "runs": [{ "tool": { "driver": { "name": "wscfg" } }, "results": [{
            "message": { "text": "x" },
            "locations": [{ "physicalLocation": { "artifactLocation": { "uri": "a" },
                "region": { "startLine": 0 } } }] }] }]
    });
    assert_eq!(schema_errors(&schema_validator(), &log).len(), 2);
}

#[test]
fn github_annotations() {
    let dir = project();
    let (out, code) = wscfg(
        dir.path(),
        &["check", "--output-format", "github", "deploy"],
    );
    assert_eq!(code, 1);
    for line in out.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
    }
    insta::assert_snapshot!("github", out);
}

#[test]
fn junit_report() {
    let dir = project();
    let (out, code) = wscfg(dir.path(), &["check", "--output-format", "junit", "deploy"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("junit", out);
}

#[test]
fn concise_report() {
    let dir = project();
    let (out, code) = wscfg(
        dir.path(),
        &["check", "--output-format", "concise", "deploy"],
    );
    assert_eq!(code, 1);
    insta::assert_snapshot!("concise", out);
}
