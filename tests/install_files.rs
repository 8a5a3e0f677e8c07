//! What an installation puts beside the binary, generated from the command line itself:
//! `wscfg completions SHELL` (clap_complete) and the hidden `wscfg manpage` (clap_mangen).

mod common;

use common::Project;
use std::process::Command;

#[test]
fn every_shell_gets_a_script_naming_the_commands_and_options() {
    let p = Project::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = p.run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        // Fish names long options without their dashes.
        for word in ["check", "explain", "init", "output-format", "unsafe-fixes"] {
            assert!(r.stdout.contains(word), "{shell} script lacks {word}");
        }
    }
    let r = p.run(&["completions", "tcsh"]);
    assert_eq!(r.code, 2, "an unknown shell is a usage error");
    assert!(r.stderr.contains("possible values"), "{}", r.stderr);
}

/// Bash loads the script and its completion function answers as bash would ask it (`complete
/// -F` passes the command, the current word and the previous one).
#[test]
fn bash_completes_commands_and_option_values() {
    let p = Project::new();
    let script = p.run(&["completions", "bash"]).stdout;
    p.write("wscfg.bash", &script);
    let complete = |line: &str| -> String {
        let words: Vec<&str> = line.split(' ').collect();
        let cmd = format!(
            "set -e; source ./wscfg.bash; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{line}'; \
             COMP_POINT={}; _wscfg wscfg \"${{COMP_WORDS[COMP_CWORD]}}\" \
             \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            words
                .iter()
                .map(|w| format!("'{w}'"))
                .collect::<Vec<_>>()
                .join(" "),
            words.len() - 1,
            line.len()
        );
        let out = Command::new("bash")
            .args(["-c", &cmd])
            .current_dir(p.path())
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(complete("wscfg ex"), "explain\n");
    let formats = complete("wscfg check --output-format ");
    for f in ["human", "concise", "json", "sarif", "github", "junit"] {
        assert!(formats.lines().any(|l| l == f), "{f} missing: {formats}");
    }
}

#[test]
fn man_page_documents_the_commands() {
    let p = Project::new();
    let r = p.run(&["manpage"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with(".ie"), "{}", &r.stdout[..80]);
    assert!(r.stdout.contains(".TH wscfg 1"), "{}", r.stdout);
    assert!(r.stdout.contains("wscfg\\-check(1)"), "{}", r.stdout);
    assert!(!p.run(&["--help"]).stdout.contains("manpage"));

    let r = p.run(&["manpage", "--out-dir", "man"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let check = p.read("man/wscfg-check.1");
    assert!(check.contains(".TH wscfg-check 1"), "{check}");
    assert!(
        check.contains("wscfg\\-check \\- Report problems"),
        "{check}"
    );
    assert!(check.contains("\\-\\-output\\-format"), "{check}");
    for page in [
        "wscfg.1",
        "wscfg-fix.1",
        "wscfg-explain.1",
        "wscfg-completions.1",
    ] {
        assert!(
            p.path().join("man").join(page).is_file(),
            "{page} not written"
        );
    }
    assert!(!p.path().join("man/wscfg-manpage.1").exists());
}
