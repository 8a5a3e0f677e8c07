//! App Runner fixtures and rule pages, through the engine.

mod support;

use wscfg::formats::Format;

#[test]
fn detects_both_extensions() {
    for name in ["apprunner.yaml", "apprunner.yml", "svc/apprunner.yaml"] {
        assert_eq!(
            Format::detect(std::path::Path::new(name), false),
            Some(Format::AppRunner),
            "{name}"
        );
    }
    assert_eq!(
        Format::detect(std::path::Path::new("apprunner.yaml.bak"), false),
        None
    );
}

#[test]
fn syntax_errors_are_located_not_panics() {
    for text in [
        "version: 1.0\nrun:\n  command: [unclosed\n",
        "version: 1.0\nversion: 1.0\n",
        "run:\n\tcommand: x\n",
        "é: [\n",
    ] {
        let path = std::env::temp_dir()
            .join("wscfg-syntax")
            .join("apprunner.yaml");
        let diags = support::lint_text(&path, text, Format::AppRunner);
        let d = diags
            .iter()
            .find(|d| d.code == "APR000")
            .unwrap_or_else(|| panic!("{text:?}: {diags:?}"));
        assert!(
            d.span.end <= text.len() && text.is_char_boundary(d.span.start),
            "{text:?}: {:?}",
            d.span
        );
    }
}

#[test]
fn odd_documents_do_not_panic() {
    for text in [
        "",
        "---\n",
        "- a\n- b\n",
        "version: [1]\nruntime: {a: 1}\nbuild: 3\nrun: x\n",
        "run:\n  command: >\n    gunicorn\n    --timeout 900\n    app:app\n",
        "&a x: *a\n",
        "run: !!str x\n",
    ] {
        let path = std::env::temp_dir()
            .join("wscfg-odd")
            .join("apprunner.yaml");
        let _ = support::lint_text(&path, text, Format::AppRunner);
    }
}
