//! A real editor against `wscfg server`: Neovim's built-in LSP client, headless, scripted by
//! tests/neovim_lsp.sh (open a broken nginx.conf, read the diagnostics, hover, apply a quick fix
//! and "fix all" through Neovim's own edit machinery and incremental sync, see them go away).
//! Runs when asked for (`cargo test -- --include-ignored`); then Neovim is required: CI installs
//! it (`apt-get install -y neovim`), and there is no silent skip.

use std::process::Command;

#[test]
#[ignore = "needs Neovim (nvim): cargo test -- --include-ignored"]
fn neovim_lsp_client_round_trip() {
    if Command::new("nvim").arg("--version").output().is_err() {
        panic!(
            "nvim is not installed: this test drives wscfg server from a real Neovim \
             (>= 0.7). Install it with `apt-get install -y neovim` (CI does)."
        );
    }
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/neovim_lsp.sh"))
        .arg(env!("CARGO_BIN_EXE_wscfg"))
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the Neovim session failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    // Neovim saw the diagnostics at the right place (line 5, columns 9-22 in its terms)...
    assert!(
        stdout.contains("DIAG 5:9-5:22 NGX001 ERROR `location /ws/` is proxied with HTTP/1.0"),
        "{stdout}"
    );
    assert!(stdout.contains("DIAG 5:9-5:22 NGX006 WARN"), "{stdout}");
    // ...offered the quick fixes, the safe ones preferred, and fix-all...
    assert!(
        stdout.contains("ACTION quickfix Add `proxy_http_version 1.1;` (NGX001) (preferred)"),
        "{stdout}"
    );
    assert!(stdout.contains("ACTION source.fixAll.wscfg"), "{stdout}");
    // Hover shows the rule page; fix-all's edit came through codeAction/resolve.
    assert!(
        stdout.contains("HOVER # NGX001 proxy-http-version"),
        "{stdout}"
    );
    assert!(stdout.contains("resolved fix all"), "{stdout}");
    // ...and after applying them through its own edits the file is clean, comments intact.
    assert!(
        stdout.contains("after fix all: 0 diagnostic(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "TEXT             proxy_pass http://127.0.0.1:9000; # → backend 🚀\nTEXT             proxy_http_version 1.1;"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("\nOK\n"), "{stdout}");
}
