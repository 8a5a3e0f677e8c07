//! Real-world nginx files (tests/corpus, copied from public repositories): every one is read
//! without a panic, and exactly the deliberately broken ones give a located NGX000.

mod common;

use std::path::Path;
use wscfg::engine::Session;

/// Files that nginx itself refuses, each for a reason its project documents.
const BROKEN: &[(&str, &str)] = &[
    (
        "crossplane/tests/configs/bad-args/nginx.conf",
        "invalid number of arguments in \"user\"",
    ),
    (
        "crossplane/tests/configs/includes-globbed/servers/locations/not-included.conf",
        "unexpected end of file",
    ),
    (
        "crossplane/tests/configs/includes-regular/conf.d/bar.conf",
        "unexpected end of file",
    ),
    (
        "crossplane/tests/configs/includes-regular/conf.d/foo.conf",
        "unexpected end of file",
    ),
    (
        "crossplane/tests/configs/missing-semicolon/broken-above.conf",
        "not terminated by \";\"",
    ),
    (
        "crossplane/tests/configs/missing-semicolon/broken-below.conf",
        "not terminated by \";\"",
    ),
    (
        "crossplane/tests/configs/quote-behavior/nginx.conf",
        "after a quoted string",
    ),
    (
        "crossplane/tests/configs/spelling-mistake/nginx.conf",
        "unknown directive \"proxy_passs\"",
    ),
    (
        "gixy/tests/plugins/simply/origins/origin_wo_slash.conf",
        "\"if\" directive is not allowed here",
    ),
];

#[test]
fn every_nginx_corpus_file_is_read_and_only_broken_ones_fail() {
    let root = Path::new("tests/corpus/nginx");
    let all = common::files_under(root);
    assert!(all.len() > 100, "corpus missing: {}", all.len());
    let mut failures = Vec::new();
    for path in all {
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        if rel.ends_with(".md") {
            continue;
        }
        let mut s = Session::new(Default::default());
        s.add_file(path.clone(), wscfg::formats::Format::Nginx);
        let diags = s.lint();
        let syntax: Vec<_> = diags.iter().filter(|d| d.code == "NGX000").collect();
        match BROKEN.iter().find(|(p, _)| *p == rel) {
            Some((_, why)) => {
                if !syntax
                    .iter()
                    .any(|d| s.db.get(d.file).path == path && d.message.contains(why))
                {
                    failures.push(format!("{rel}: expected NGX000 `{why}`, got {syntax:?}"));
                }
                for d in &syntax {
                    let lc = s.db.get(d.file).line_col(d.span.start);
                    assert!(lc.line >= 1 && lc.column >= 1);
                }
            }
            None => {
                for d in syntax {
                    failures.push(format!("{rel}: unexpected NGX000: {}", d.message));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
