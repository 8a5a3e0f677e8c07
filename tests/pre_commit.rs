//! Runs tests/pre-commit.sh: the real `pre-commit` tool installs this repository's hooks
//! (`language: rust`) and proves that `wscfg` fails on a broken nginx file, `wscfg-fix`
//! fixes it, and both pass afterwards. pre-commit must be installed (`pip install
//! pre-commit`; the CI script installs it). It runs when asked for (`cargo test --
//! --include-ignored`), and then fails without pre-commit, it does not skip.

use std::process::Command;

#[test]
#[ignore = "needs pre-commit: cargo test -- --include-ignored"]
fn pre_commit_hooks_fail_then_fix_then_pass() {
    let installed = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        installed,
        "pre-commit is not installed, so the hooks in .pre-commit-hooks.yaml cannot be \
         proven: run `pip install pre-commit` (the CI script does) and run the tests again"
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pre-commit.sh");
    let out = Command::new("bash")
        .arg(script)
        // Nested cargo must not inherit this test binary's build settings.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "tests/pre-commit.sh failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains("wscfg-fix fixed it, then both hooks passed"),
        "{stdout}"
    );
}
