//! Railway fixtures and rule pages, through the engine.

mod support;

use wscfg::formats::Format;

#[test]
fn discovery_finds_every_manifest_kind_in_a_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (path, text) in [
        (
            "api/railway.toml",
            "[deploy]\nstartCommand = \"node server.js\"\n",
        ),
        (
            "web/railway.json",
            "{\"deploy\": {\"startCommand\": \"next start\"}}",
        ),
        ("worker/apprunner.yml", "version: 1.0\nruntime: python3\n"),
        ("svc/apprunner.yaml", "version: 1.0\nruntime: nodejs18\n"),
        ("api/pyproject.toml", "[project]\nname = \"x\"\n"),
        ("web/package.json", "{\"dependencies\": {}}"),
        ("ci/compose.yaml", "services:\n  web:\n    build: .\n"),
    ] {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let (found, errors) = wscfg::workspace::discover(&[root.to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    let got: Vec<_> = found
        .iter()
        .map(|f| {
            (
                f.path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                f.format,
            )
        })
        .collect();
    assert_eq!(
        got,
        // Dependency manifests and compose files are app-side files of the project view.
        [
            ("api/pyproject.toml".to_owned(), Format::App),
            ("api/railway.toml".to_owned(), Format::Railway),
            ("ci/compose.yaml".to_owned(), Format::App),
            ("svc/apprunner.yaml".to_owned(), Format::AppRunner),
            ("web/package.json".to_owned(), Format::App),
            ("web/railway.json".to_owned(), Format::Railway),
            ("worker/apprunner.yml".to_owned(), Format::AppRunner),
        ]
    );
    // A file the user names is recognised by its content.
    let named =
        support::fixtures_root().join("railway/start_command_binding/fires_uvicorn_localhost.toml");
    assert_eq!(Format::detect(&named, true), Some(Format::Railway));
    assert_eq!(Format::detect(&named, false), None);
}

#[test]
fn syntax_errors_are_located_not_panics() {
    for (name, text) in [
        ("railway.toml", "[deploy]\nstartCommand = \"uvicorn\n"),
        (
            "railway.json",
            "{\n\t\"deploy\": {\n\t\t\"startCommand\": \n}",
        ),
        ("railway.json", ""),
        ("railway.toml", "[deploy]\nstartCommand = 3\n[deploy]\n"),
    ] {
        let path = std::env::temp_dir().join("wscfg-syntax").join(name);
        let diags = support::lint_text(&path, text, Format::Railway);
        if text.is_empty() {
            continue;
        }
        let d = diags
            .iter()
            .find(|d| d.code == "RWY000")
            .unwrap_or_else(|| panic!("{text:?}: {diags:?}"));
        assert!(d.span.end <= text.len(), "{text:?}: {:?}", d.span);
    }
}

#[test]
fn odd_values_do_not_panic() {
    for text in [
        "[deploy]\nstartCommand = 42\nhealthcheckPath = []\nsleepApplication = \"yes\"\n",
        "deploy = \"x\"\nenvironments = 3\nbuild = []\n",
        "[deploy]\nstartCommand = \"\"\"\nuvicorn app:app\n  --port 8000\"\"\"\n",
        "[deploy]\nstartCommand = \"sh -c '\"\n",
        "[environments.staging]\ndeploy = { startCommand = \"uvicorn \\u00e9:app --port 80\" }\n",
        "[[deploy]]\nx = 1\n",
    ] {
        let path = std::env::temp_dir().join("wscfg-odd").join("railway.toml");
        let _ = support::lint_text(&path, text, Format::Railway);
        let _ = support::fix_text(&path, text, Format::Railway);
    }
}

#[test]
fn fixes_on_random_start_commands_keep_files_parsing() {
    let atoms = [
        "uvicorn",
        "gunicorn",
        "hypercorn",
        "daphne",
        "granian",
        "flask run",
        "next start",
        "vite preview",
        "streamlit run a.py",
        "rails s",
        "--host 127.0.0.1",
        "--port 8000",
        "-b localhost:80",
        "-p 3000",
        "--bind=127.0.0.1",
        "$PORT",
        "&&",
        ";",
        "sh -c",
        "'",
        "é",
        "app:app",
        "--port=1",
    ];
    let mut seed: u64 = 7;
    let mut changed = 0;
    for i in 0..600 {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1442695040888963407);
        let mut cmd = String::new();
        for k in 0..(seed >> 40) % 7 {
            let pick = ((seed >> (k * 5)) % atoms.len() as u64) as usize;
            cmd.push_str(atoms[pick]);
            cmd.push(' ');
        }
        let builder = if seed.is_multiple_of(5) {
            "DOCKERFILE"
        } else {
            "RAILPACK"
        };
        let (name, text) = match i % 3 {
            0 => (
                "railway.toml",
                format!(
                    "[build]\nbuilder = \"{builder}\"\n[deploy]\nstartCommand = {}\n",
                    toml_edit::Value::from(cmd.as_str())
                ),
            ),
            1 => (
                "railway.toml",
                format!("[deploy]\nstartCommand = '''{}'''\n", cmd.replace('\'', "")),
            ),
            _ => (
                "railway.json",
                format!(
                    "{{\"build\": {{\"builder\": \"{builder}\"}}, \"deploy\": {{\"startCommand\": {}}}}}",
                    serde_json::to_string(&cmd).unwrap()
                ),
            ),
        };
        let path = std::env::temp_dir().join("wscfg-random").join(name);
        let _ = support::lint_text(&path, &text, Format::Railway);
        if let Some(fixed) = support::fix_text(&path, &text, Format::Railway) {
            changed += 1;
            let diags = support::lint_text(&path, &fixed, Format::Railway);
            assert!(
                !diags.iter().any(|d| d.code == "RWY000"),
                "{text}\n=>\n{fixed}"
            );
        }
    }
    assert!(changed > 50, "{changed}");
}

/// Fuzzing found (fuzz/regressions/manifest_fix/railway-sh-c-wrapper-repeated) a Dockerfile
/// service whose exec-form start command runs more servers than there are fix passes, in a
/// literal written with escapes: each server's fix rewrote the whole literal, so only one
/// applied per pass (the findings share the literal's span) and the file never settled. One fix
/// now covers every server.
#[test]
fn many_servers_in_one_escaped_start_command_are_fixed_in_one_pass() {
    let servers: Vec<String> = (0..12)
        .map(|i| format!("uvicorn app{i}:app --port {}", 8000 + i))
        .collect();
    let cmd = servers.join(" &\t");
    let text = format!(
        "{{\"build\": {{\"builder\": \"DOCKERFILE\"}}, \"deploy\": {{\"startCommand\": {}}}}}\n",
        serde_json::to_string(&cmd).unwrap()
    );
    assert!(
        text.contains("\\t"),
        "the literal is written with an escape"
    );
    let path = std::env::temp_dir().join("wscfg-many").join("railway.json");
    let before = support::lint_text(&path, &text, Format::Railway);
    // Escapes leave no verbatim text to point into: the findings share the literal's span,
    // and the railway loader keeps one finding per span, so one fix must cover all 12.
    assert!(before.iter().any(|d| d.code == "RWY001"));
    let fixed = support::fix_text(&path, &text, Format::Railway).expect("the fixes settle");
    assert_eq!(fixed.matches("/bin/sh -c").count(), 1, "{fixed}");
    assert_eq!(fixed.matches("--port $PORT").count(), 12, "{fixed}");
    assert_eq!(fixed.matches("--host 0.0.0.0").count(), 12, "{fixed}");
    let after = support::lint_text(&path, &fixed, Format::Railway);
    assert!(!after.iter().any(|d| d.code == "RWY001"), "{after:?}");
    assert_eq!(support::fix_text(&path, &fixed, Format::Railway), None);
}
