//! `scripts/new-rule` on a copy of the rule tree: it creates the rule file, registers it once
//! (`mod` line and `RULES`), writes the page skeleton and the fixture folder, and refuses to
//! scaffold a code or name that exists.

use std::path::Path;
use std::process::Command;

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn new_rule(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new("python3")
        .arg("scripts/new-rule")
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .expect("python3 is not installed: scripts/new-rule is a Python script (apt-get install python3)")
}

#[test]
#[ignore = "needs python3: cargo test -- --include-ignored"]
fn scaffolds_and_registers_a_rule_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_tree(Path::new("src/rules"), &root.join("src/rules"));
    copy_tree(Path::new("rules"), &root.join("rules"));
    copy_tree(Path::new("fixtures"), &root.join("fixtures"));

    let out = new_rule(root, &["HAP002", "timeout-server-fin-short"]);
    assert!(out.status.success(), "{out:?}");
    let rule = std::fs::read_to_string(root.join("src/rules/haproxy/timeout_server_fin_short.rs"))
        .unwrap();
    assert!(rule.contains("code: \"HAP002\""), "{rule}");
    assert!(
        rule.contains("name: \"timeout-server-fin-short\""),
        "{rule}"
    );
    assert!(rule.contains("format: Some(Format::Haproxy)"), "{rule}");
    assert!(rule.contains("impl<'a> Rule<HaproxyContext<'a>> for TimeoutServerFinShort"));
    let module = std::fs::read_to_string(root.join("src/rules/haproxy/mod.rs")).unwrap();
    assert_eq!(module.matches("mod timeout_server_fin_short;").count(), 1);
    assert_eq!(
        module
            .matches("&timeout_server_fin_short::TimeoutServerFinShort,")
            .count(),
        1
    );
    let page = std::fs::read_to_string(root.join("rules/HAP002.md")).unwrap();
    assert!(
        page.starts_with("# HAP002 timeout-server-fin-short\n"),
        "{page}"
    );
    assert!(page.contains("## Example") && page.contains("## References"));
    assert!(page.contains("```haproxy title=\"before\""), "{page}");
    assert!(
        root.join("fixtures/haproxy/timeout_server_fin_short")
            .is_dir()
    );

    // Nothing is scaffolded twice, and an existing name is refused under another code.
    let again = new_rule(root, &["HAP002", "timeout-server-fin-short"]);
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    let taken = new_rule(root, &["HAP003", "tunnel-timeout-missing"]);
    assert_eq!(taken.status.code(), Some(2), "{taken:?}");
    let unknown = new_rule(root, &["ZZZ001", "anything"]);
    assert_eq!(unknown.status.code(), Some(2), "{unknown:?}");
    let after = std::fs::read_to_string(root.join("src/rules/haproxy/mod.rs")).unwrap();
    assert_eq!(after, module, "a refused run changed mod.rs");
}
