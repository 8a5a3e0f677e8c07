//! Real-world configurations (tests/realworld/<format>/, copied byte for byte from public
//! repositories; tests/realworld/SOURCES.md names each one's origin): every file is read
//! without a panic and every rule's findings on them (code and line, with `--select ALL`) are
//! pinned in one snapshot, so a change of behaviour on real configs shows in review.
//!
//! Each file is read as the format of its directory: the file names follow the
//! `<owner>__<repo>__<path>` convention, so name-based detection cannot be relied on.

mod common;

use std::fmt::Write as _;
use std::path::Path;
use wscfg::config::{Config, Layer};
use wscfg::engine::Session;
use wscfg::formats::Format;

fn format_of(dir: &str) -> Format {
    match dir {
        "nginx" => Format::Nginx,
        "fly" => Format::Fly,
        "railway" => Format::Railway,
        "kubernetes" => Format::Kubernetes,
        "haproxy" => Format::Haproxy,
        "apache" => Format::Apache,
        other => panic!("tests/realworld/{other}: no format of that name"),
    }
}

fn findings() -> (usize, String) {
    let root = Path::new("tests/realworld");
    let mut out = String::new();
    let mut count = 0;
    for path in common::files_under(root) {
        let rel = path.strip_prefix(root).unwrap();
        if rel.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let dir = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap();
        let mut config = Config::default();
        config
            .push_layer(Layer {
                select: Some(vec!["ALL".to_owned()]),
                ..Layer::default()
            })
            .unwrap();
        let mut s = Session::new(config);
        s.add_file(path.clone(), format_of(dir));
        let mut diags = s.lint();
        diags.sort_by_key(|d| (d.file, d.span.start, d.code));
        count += 1;
        writeln!(out, "{}", rel.display()).unwrap();
        for d in &diags {
            let file = s.db.get(d.file);
            let line = file.line_col(d.span.start).line;
            let name = file.path.file_name().unwrap().to_string_lossy();
            writeln!(out, "  {}:{line} {}", name, d.code).unwrap();
        }
    }
    (count, out)
}

#[test]
fn realworld_files_are_read_and_their_findings_are_pinned() {
    let (count, out) = findings();
    assert!(
        count >= 40,
        "tests/realworld holds {count} files (want 40+)"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn every_realworld_file_has_its_origin_in_sources() {
    let root = Path::new("tests/realworld");
    let sources = std::fs::read_to_string(root.join("SOURCES.md")).unwrap();
    for path in common::files_under(root) {
        let name = path.file_name().unwrap().to_str().unwrap();
        if name.ends_with(".md") {
            continue;
        }
        assert!(
            sources.contains(&format!("`{name}`")),
            "{name} is not listed in tests/realworld/SOURCES.md"
        );
    }
}
