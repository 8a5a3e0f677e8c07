//! Runs every fixture under fixtures/<format>/<rule_name>/:
//! - `fires_*` must produce the rule of its directory, `quiet_*` must not;
//! - the diagnostics of every fixture are snapshotted (insta);
//! - fixing a `fires_*` file (safe and unsafe fixes) must give its `.fixed` twin byte for byte,
//!   and that result must lint clean of every rule and be a fixed point.
//!
//! A fixture may also be a directory (`fixtures/project/<rule>/fires_<case>/`): a small
//! repository linted as a whole, as `wscfg check <dir>` would. Its fixed twin is the directory
//! `fires_<case>.fixed/` holding the whole expected tree.

mod common;

use std::path::{Path, PathBuf};
use wscfg::config::Config;
use wscfg::engine::Session;
use wscfg::formats::Format;

struct Fixture {
    path: PathBuf,
    rule: &'static wscfg::rules::RuleMeta,
    fires: bool,
}

fn fixed_twin(path: &Path) -> PathBuf {
    let name = path.file_name().unwrap().to_str().unwrap();
    if path.is_dir() {
        return path.with_file_name(format!("{name}.fixed"));
    }
    let (stem, ext) = name.split_once('.').unwrap();
    path.with_file_name(format!("{stem}.fixed.{ext}"))
}

fn fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    for format_dir in std::fs::read_dir("fixtures").unwrap() {
        for rule_dir in std::fs::read_dir(format_dir.unwrap().path()).unwrap() {
            let rule_dir = rule_dir.unwrap().path();
            let name = rule_dir
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .replace('_', "-");
            let rule = wscfg::rules::find(&name)
                .unwrap_or_else(|| panic!("{} names no rule", rule_dir.display()));
            // A directory named fires_*/quiet_* is a tree fixture; its files are not fixtures.
            let is_tree = |p: &Path| {
                p.is_dir()
                    && p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("fires_") || n.starts_with("quiet_"))
            };
            let trees: Vec<PathBuf> = std::fs::read_dir(&rule_dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| is_tree(p))
                .collect();
            let files: Vec<PathBuf> = common::files_under(&rule_dir)
                .into_iter()
                .filter(|p| !trees.iter().any(|t| p.starts_with(t)))
                .collect();
            for entry in trees.into_iter().chain(files) {
                let file = entry.file_name().unwrap().to_str().unwrap();
                if file.contains(".fixed.") || file.ends_with(".fixed") {
                    continue;
                }
                let fires = file.starts_with("fires_");
                if fires || file.starts_with("quiet_") {
                    out.push(Fixture {
                        path: entry,
                        rule,
                        fires,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// A directory fixture as `wscfg check <dir>` sees it.
fn session_for_tree(dir: &Path) -> Session {
    let (found, errors) = wscfg::workspace::discover(&[dir.to_owned()]);
    assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
    let mut s = Session::new(Config::default());
    for f in found {
        s.add_file(f.path, f.format);
    }
    s
}

/// The session of a fixture: its file (or, for a directory, every file under it).
fn session_of(f: &Fixture) -> Session {
    if f.path.is_dir() {
        session_for_tree(&f.path)
    } else {
        let text = std::fs::read_to_string(&f.path).unwrap();
        session_for(&f.path, text)
    }
}

/// Fixes a directory fixture in memory and compares every file with its fixed twin.
fn check_fixed_tree(f: &Fixture, failures: &mut Vec<String>) {
    let twin = fixed_twin(&f.path);
    let mut s = session_for_tree(&f.path);
    let has_fix = s
        .lint()
        .iter()
        .any(|d| d.code == f.rule.code && d.fix.is_some());
    if !has_fix {
        if twin.exists() {
            failures.push(format!(
                "{}: no fix offered but {} exists",
                f.path.display(),
                twin.display()
            ));
        }
        if !s.fix(true).originals.is_empty() {
            failures.push(format!(
                "{}: changed by fixes but has no {}",
                f.path.display(),
                twin.display()
            ));
        }
        return;
    }
    if !twin.is_dir() {
        failures.push(format!(
            "{}: fix offered but {} is missing",
            f.path.display(),
            twin.display()
        ));
        return;
    }
    s.fix(true);
    let mut compared = 0;
    for (file, _) in s.checked.clone() {
        let src = s.db.get(file);
        let rel = src.path.strip_prefix(&f.path).unwrap();
        let expected = std::fs::read_to_string(twin.join(rel)).unwrap_or_else(|_| {
            panic!(
                "{}: {} has no {}",
                f.path.display(),
                twin.display(),
                rel.display()
            )
        });
        compared += 1;
        if src.text != expected {
            failures.push(format!(
                "{}: fix differs from {}:\n{}",
                src.path.display(),
                twin.display(),
                wscfg::fix::unified_diff("expected", &expected, &src.text)
            ));
        }
    }
    assert_eq!(
        compared,
        common::files_under(&twin).len(),
        "{}: the twin has other files",
        twin.display()
    );
    let mut again = session_for_tree(&twin);
    let left = concise(&mut again);
    if !left.is_empty() {
        failures.push(format!(
            "{}: fixed tree is not clean:\n{left}",
            twin.display()
        ));
    }
    if !again.fix(true).originals.is_empty() {
        failures.push(format!(
            "{}: fixing the fixed tree changed it",
            twin.display()
        ));
    }
}

fn session_for(path: &Path, text: String) -> Session {
    let format: Format = Format::detect(path, true)
        .unwrap_or_else(|| panic!("{}: format not detected", path.display()));
    let config = Config::discover(path).unwrap().unwrap_or_default();
    let mut s = Session::new(config);
    s.add_text(path.to_owned(), text, format);
    s
}

fn concise(s: &mut Session) -> String {
    let diags = s.lint();
    wscfg::render::concise::render(&s.db, &diags)
}

#[test]
fn every_rule_has_fixtures_that_fire_and_stay_quiet() {
    let all = fixtures();
    for meta in wscfg::rules::all() {
        if meta.code.ends_with("000") || meta.code.starts_with("NGX09") {
            continue; // reported by loaders; covered by parser and corpus tests
        }
        let fires = all
            .iter()
            .filter(|f| f.rule.code == meta.code && f.fires)
            .count();
        let quiet = all
            .iter()
            .filter(|f| f.rule.code == meta.code && !f.fires)
            .count();
        assert!(
            fires >= 2,
            "{} has {fires} fires_ fixtures (want 2+)",
            meta.code
        );
        assert!(
            quiet >= 2,
            "{} has {quiet} quiet_ fixtures (want 2+)",
            meta.code
        );
    }
}

#[test]
fn fixtures_fire_or_stay_quiet_as_named() {
    let mut failures = Vec::new();
    let mut snapshot = String::new();
    for f in fixtures() {
        let mut s = session_of(&f);
        let diags = s.lint();
        let fired = diags.iter().any(|d| d.code == f.rule.code);
        if fired != f.fires {
            failures.push(format!(
                "{}: {} {}",
                f.path.display(),
                f.rule.code,
                if f.fires { "did not fire" } else { "fired" }
            ));
        }
        snapshot.push_str(&format!("== {}\n", f.path.display()));
        snapshot.push_str(&wscfg::render::concise::render(&s.db, &diags));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    insta::assert_snapshot!("fixture_diagnostics", snapshot);
}

#[test]
fn fixes_match_fixed_files_lint_clean_and_are_fixed_points() {
    let mut failures = Vec::new();
    for f in fixtures().into_iter().filter(|f| f.fires) {
        if f.path.is_dir() {
            check_fixed_tree(&f, &mut failures);
            continue;
        }
        let text = std::fs::read_to_string(&f.path).unwrap();
        let mut s = session_for(&f.path, text.clone());
        let has_fix = s
            .lint()
            .iter()
            .any(|d| d.code == f.rule.code && d.fix.is_some());
        let twin = fixed_twin(&f.path);
        if !has_fix {
            if twin.exists() {
                failures.push(format!(
                    "{}: no fix offered but {} exists",
                    f.path.display(),
                    twin.display()
                ));
            }
            // With no twin, the fixes other rules offer must leave it alone too.
            if !s.fix(true).originals.is_empty() {
                failures.push(format!(
                    "{}: changed by fixes but has no {}",
                    f.path.display(),
                    twin.display()
                ));
            }
            continue;
        }
        let Ok(expected) = std::fs::read_to_string(&twin) else {
            failures.push(format!(
                "{}: fix offered but {} is missing",
                f.path.display(),
                twin.display()
            ));
            continue;
        };
        s.fix(true);
        let file = s.checked[0].0;
        let fixed = s.db.get(file).text.clone();
        if fixed != expected {
            failures.push(format!(
                "{}: fix differs from {}:\n{}",
                f.path.display(),
                twin.display(),
                wscfg::fix::unified_diff("expected", &expected, &fixed)
            ));
            continue;
        }
        let mut again = session_for(&f.path, fixed.clone());
        let left = concise(&mut again);
        if !left.is_empty() {
            failures.push(format!(
                "{}: fixed file is not clean:\n{left}",
                twin.display()
            ));
        }
        let outcome = again.fix(true);
        if !outcome.originals.is_empty() {
            failures.push(format!(
                "{}: fixing the fixed file changed it",
                twin.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
