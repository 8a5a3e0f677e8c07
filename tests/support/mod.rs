//! Runs every fixture of one format through `wscfg::engine::Session`.
//!
//! Layout: `fixtures/<format>/<rule_name>/` holds `fires_*` and `quiet_*` cases. A case is a
//! file (`fires_x.toml`) or, when the rule needs files beside the manifest (dependency files),
//! a directory (`fires_x/`) holding a small project whose manifests are linted in place. The
//! expected result of `wscfg fix --unsafe-fixes` on a manifest `m.ext` is `m.fixed.ext` beside it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use wscfg::config::Config;
use wscfg::diagnostic::Diagnostic;
use wscfg::engine::Session;
use wscfg::formats::Format;

pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// `name.fixed.ext` for `name.ext`.
pub fn fixed_path(manifest: &Path) -> PathBuf {
    let name = manifest.file_name().unwrap().to_string_lossy();
    let fixed = match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.fixed.{ext}"),
        None => format!("{name}.fixed"),
    };
    manifest.with_file_name(fixed)
}

fn is_fixed(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().contains(".fixed."))
}

/// The manifests of one case: the file itself, or the files of a directory case that are
/// manifests of `format` by name.
pub fn manifests(case: &Path, format: Format) -> Vec<PathBuf> {
    if case.is_file() {
        return vec![case.to_path_buf()];
    }
    let mut out: Vec<PathBuf> = std::fs::read_dir(case)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !is_fixed(p) && Format::detect(p, false) == Some(format))
        .collect();
    out.sort();
    out
}

pub fn lint_text(path: &Path, text: &str, format: Format) -> Vec<Diagnostic> {
    let mut s = Session::new(Config::default());
    s.add_text(path.to_path_buf(), text.to_owned(), format);
    s.lint()
}

/// Applies every fix (unsafe ones too) and returns the new text, `None` when nothing changed.
pub fn fix_text(path: &Path, text: &str, format: Format) -> Option<String> {
    let mut s = Session::new(Config::default());
    let id = s.add_text(path.to_path_buf(), text.to_owned(), format);
    let outcome = s.fix(true);
    assert!(
        outcome.notes.is_empty(),
        "{}: fix notes {:?}",
        path.display(),
        outcome.notes
    );
    outcome
        .originals
        .contains_key(&id)
        .then(|| s.db.get(id).text.clone())
}

fn describe(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|d| format!("  {} {:?} {}", d.code, d.span, d.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What one fixture directory showed, for the summary.
#[derive(Default, Debug)]
pub struct Outcome {
    pub fires: usize,
    pub quiet: usize,
    pub fixed: usize,
}

/// Checks every case of `fixtures/<format_dir>/<rule>/` against the rule's code.
pub fn check_rule_dir(dir: &Path, format: Format) -> Outcome {
    let rule_name = dir.file_name().unwrap().to_string_lossy().replace('_', "-");
    let meta = wscfg::rules::all()
        .into_iter()
        .find(|m| m.name == rule_name && m.format == format)
        .unwrap_or_else(|| panic!("{}: no {format:?} rule named {rule_name}", dir.display()));
    let mut outcome = Outcome::default();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !is_fixed(p))
        .collect();
    cases.sort();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let fires = name.starts_with("fires_");
        assert!(
            fires || name.starts_with("quiet_"),
            "{}: fixture names start with fires_ or quiet_",
            case.display()
        );
        let manifests = manifests(&case, format);
        assert!(
            !manifests.is_empty(),
            "{}: no {format:?} manifest",
            case.display()
        );
        for m in manifests {
            let text = std::fs::read_to_string(&m).unwrap();
            let diags = lint_text(&m, &text, format);
            let hits: Vec<_> = diags
                .iter()
                .filter(|d| d.code == meta.code)
                .cloned()
                .collect();
            if fires {
                assert!(
                    !hits.is_empty(),
                    "{}: expected {}, got:\n{}",
                    m.display(),
                    meta.code,
                    describe(&diags)
                );
                outcome.fires += 1;
            } else {
                assert!(
                    hits.is_empty(),
                    "{}: {} must stay quiet, got:\n{}",
                    m.display(),
                    meta.code,
                    describe(&hits)
                );
                outcome.quiet += 1;
            }
            // Every finding points inside a file of the run, on character boundaries.
            for d in &diags {
                if d.file == wscfg::source::FileId(0) {
                    assert!(
                        d.span.end <= text.len()
                            && text.is_char_boundary(d.span.start)
                            && text.is_char_boundary(d.span.end)
                    );
                }
            }
            let fixed_file = fixed_path(&m);
            let fixed = fix_text(&m, &text, format);
            match (fixed_file.exists(), fixed) {
                (true, Some(fixed)) => {
                    let expected = std::fs::read_to_string(&fixed_file).unwrap();
                    assert_eq!(
                        fixed,
                        expected,
                        "{}: fix differs from {}",
                        m.display(),
                        fixed_file.display()
                    );
                    let after = lint_text(&m, &fixed, format);
                    assert!(
                        after.is_empty(),
                        "{}: not clean after fixing:\n{}",
                        fixed_file.display(),
                        describe(&after)
                    );
                    assert_eq!(
                        fix_text(&m, &fixed, format),
                        None,
                        "{}: not a fixed point",
                        fixed_file.display()
                    );
                    outcome.fixed += 1;
                }
                (true, None) => panic!(
                    "{}: has {} but wscfg fixes nothing",
                    m.display(),
                    fixed_file.display()
                ),
                (false, Some(fixed)) => panic!(
                    "{}: wscfg fixes it but there is no {}; the fix gives:\n{fixed}",
                    m.display(),
                    fixed_file.display()
                ),
                (false, None) => {}
            }
        }
    }
    assert!(
        outcome.fires > 0 && outcome.quiet > 0,
        "{}: needs fires_ and quiet_ cases",
        dir.display()
    );
    outcome
}

/// Checks every rule directory of a format, and that every rule of the format (but the
/// syntax-error one) has one.
pub fn check_format(format_dir: &str, format: Format) -> Vec<(String, Outcome)> {
    let root = fixtures_root().join(format_dir);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for d in &dirs {
        out.push((
            d.file_name().unwrap().to_string_lossy().into_owned(),
            check_rule_dir(d, format),
        ));
    }
    for m in wscfg::rules::all()
        .into_iter()
        .filter(|m| m.format == format)
    {
        if m.name == "syntax-error" {
            continue;
        }
        assert!(
            dirs.iter()
                .any(|d| d.file_name().unwrap().to_string_lossy() == m.name.replace('-', "_")),
            "{} ({}) has no fixtures under {}",
            m.code,
            m.name,
            root.display()
        );
    }
    out
}

/// The fenced blocks of a rule page: (info string, body).
pub fn code_blocks(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            if info.is_empty() {
                continue;
            }
            let mut body = String::new();
            for l in lines.by_ref() {
                if l.starts_with("```") {
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            out.push((info.trim().to_owned(), body));
        }
    }
    out
}

/// `title="x"` of a block's info string.
pub fn title(info: &str) -> Option<&str> {
    let at = info.find("title=\"")? + 7;
    let end = info[at..].find('"')? + at;
    Some(&info[at..end])
}

/// Lints a rule page's before/after examples: the `before` block must trigger the rule and the
/// `after` block must not. Blocks titled with a file name (`requirements.txt`) are written
/// beside the manifest, so rules that read the project see them; a title ending in
/// ` (before)` or ` (after)` limits the file to that example.
pub fn check_page(code: &str, format: Format, manifest_name: &dyn Fn(&str) -> &'static str) {
    let meta = wscfg::rules::find(code).unwrap();
    let page = wscfg::rules::page(code).unwrap_or_else(|| panic!("{code} has no page"));
    assert!(
        page.starts_with(&format!("# {code} {}\n", meta.name)),
        "{code}: page title must be `# {code} {}`",
        meta.name
    );
    for section in ["## Example", "## References"] {
        assert!(page.contains(section), "{code}: page needs {section}");
    }
    let refs = &page[page.find("## References").unwrap()..];
    assert!(refs.contains("https://"), "{code}: references need URLs");
    let blocks = code_blocks(page);
    let lang_of = |t: &str| blocks.iter().find(|(i, _)| title(i) == Some(t)).cloned();
    let (before_info, before) =
        lang_of("before").unwrap_or_else(|| panic!("{code}: no before block"));
    let (_, after) = lang_of("after").unwrap_or_else(|| panic!("{code}: no after block"));
    let lang = before_info.split_whitespace().next().unwrap().to_owned();
    for (text, must_fire) in [(before, true), (after, false)] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let (this, other) = if must_fire {
            (" (before)", " (after)")
        } else {
            (" (after)", " (before)")
        };
        for (info, body) in &blocks {
            match title(info) {
                Some("before" | "after") | None => {}
                Some(file) if file.ends_with(other) => {}
                Some(file) => {
                    let name = file.strip_suffix(this).unwrap_or(file);
                    std::fs::write(dir.path().join(name), body).unwrap()
                }
            }
        }
        let path = dir.path().join(manifest_name(&lang));
        std::fs::write(&path, &text).unwrap();
        let diags = lint_text(&path, &text, format);
        let fired = diags.iter().any(|d| d.code == code);
        assert_eq!(
            fired,
            must_fire,
            "{code}: {} example:\n{text}\n{}",
            if must_fire { "before" } else { "after" },
            describe(&diags)
        );
    }
}
