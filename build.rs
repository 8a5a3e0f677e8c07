//! Embeds every `rules/CODE.md` page so `wscfg explain` needs no files at run time.

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let mut pages: Vec<_> = std::fs::read_dir("rules")
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "md"))
                .collect()
        })
        .expect(
            "rules/ holds the rule pages `wscfg explain` prints; a package without it is broken",
        );
    pages.sort();
    let mut out = String::from("pub static PAGES: &[(&str, &str)] = &[\n");
    for p in pages {
        let code = p.file_stem().unwrap().to_string_lossy().into_owned();
        let abs = std::fs::canonicalize(&p).unwrap();
        writeln!(out, "    ({code:?}, include_str!({:?})),", abs.display()).unwrap();
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("rule_pages.rs");
    std::fs::write(dest, out).unwrap();
}
