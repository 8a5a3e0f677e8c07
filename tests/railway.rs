//! Railway fixtures and rule pages, through the engine.

mod support;

use wscfg::formats::Format;

#[test]
fn railway_fixtures() {
    let results = support::check_format("railway", Format::Railway);
    for (rule, o) in &results {
        eprintln!(
            "railway/{rule}: {} fire, {} quiet, {} fixed",
            o.fires, o.quiet, o.fixed
        );
    }
    assert_eq!(results.len(), 6);
}

#[test]
fn railway_pages() {
    for m in wscfg::rules::all()
        .into_iter()
        .filter(|m| m.format == Format::Railway)
    {
        if m.name == "syntax-error" {
            assert!(
                wscfg::rules::page(m.code).is_some(),
                "{} has no page",
                m.code
            );
            continue;
        }
        support::check_page(m.code, Format::Railway, &|lang| match lang {
            "json" | "jsonc" => "railway.json",
            _ => "railway.toml",
        });
    }
}

#[test]
fn discovery_finds_both_railway_forms() {
    let root =
        support::fixtures_root().join("railway/sleep_drops_sockets/fires_socketio_dependency");
    let (found, errors) = wscfg::workspace::discover(&[root]);
    assert!(errors.is_empty(), "{errors:?}");
    let names: Vec<_> = found
        .iter()
        .map(|f| {
            (
                f.path.file_name().unwrap().to_string_lossy().into_owned(),
                f.format,
            )
        })
        .collect();
    assert_eq!(names, [("railway.json".to_owned(), Format::Railway)]);
    for name in ["railway.toml", "railway.json"] {
        assert_eq!(
            Format::detect(std::path::Path::new(name), false),
            Some(Format::Railway)
        );
    }
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
