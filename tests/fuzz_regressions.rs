//! Replays, on stable Rust, what the fuzz targets in fuzz/ check: every input a fuzzer ever
//! crashed on (fuzz/regressions/<target>/) and every seed the fuzzers start from (fixtures/
//! and tests/corpus/) go through the same checks (`wscfg::fuzzing`).

use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn target(name: &str) -> fn(&[u8]) {
    match name {
        "nginx_parse" => wscfg::fuzzing::nginx_parse,
        "nginx_fix" => wscfg::fuzzing::nginx_fix,
        "manifest_parse" => wscfg::fuzzing::manifest_parse,
        "manifest_fix" => wscfg::fuzzing::manifest_fix,
        "terraform" => wscfg::fuzzing::terraform,
        "lsp_frames" => wscfg::fuzzing::lsp_frames,
        other => {
            panic!("fuzz/regressions/{other}: no such fuzz target in tests/fuzz_regressions.rs")
        }
    }
}

fn run(name: &str, input: &Path) {
    let data = std::fs::read(input).unwrap();
    let f = target(name);
    if let Err(e) = std::panic::catch_unwind(|| f(&data)) {
        let msg = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        panic!("{name} fails on {}: {msg}", input.display());
    }
}

#[test]
fn every_crash_the_fuzzers_found_stays_fixed() {
    let mut n = 0;
    for dir in std::fs::read_dir("fuzz/regressions").unwrap() {
        let dir = dir.unwrap().path();
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        for input in files(&dir) {
            run(&name, &input);
            n += 1;
        }
    }
    assert!(n > 0, "fuzz/regressions holds no inputs");
}

#[test]
fn every_seed_passes_every_nginx_target() {
    let mut seeds: Vec<PathBuf> = files(Path::new("fixtures/nginx"));
    seeds.extend(files(Path::new("tests/corpus/nginx")));
    seeds.retain(|p| p.extension().is_none_or(|e| e != "md"));
    assert!(seeds.len() > 100, "seeds missing: {}", seeds.len());
    for s in &seeds {
        run("nginx_parse", s);
        run("nginx_fix", s);
    }
}

#[test]
fn every_terraform_fixture_passes_the_terraform_target() {
    let mut seeds: Vec<PathBuf> = files(Path::new("fixtures"));
    seeds.extend(files(Path::new("tests/corpus")));
    seeds.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        name.ends_with(".tf") || name.ends_with(".tf.json")
    });
    assert!(
        seeds
            .iter()
            .filter(|p| p.to_string_lossy().ends_with(".tf.json"))
            .count()
            >= 5,
        "Terraform JSON seeds missing"
    );
    assert!(
        seeds.len() >= 20,
        "Terraform seeds missing: {}",
        seeds.len()
    );
    for s in &seeds {
        run("terraform", s);
    }
}

#[test]
fn every_manifest_fixture_passes_the_pipeline_checks() {
    let mut n = 0;
    for dir in [
        "fixtures/fly",
        "fixtures/railway",
        "fixtures/apprunner",
        "tests/corpus/fly",
    ] {
        for p in files(Path::new(dir)) {
            let Some(format) = wscfg::formats::Format::detect(&p, true) else {
                continue;
            };
            if format == wscfg::formats::Format::Nginx {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            let name = p.file_name().unwrap().to_str().unwrap().to_owned();
            if let Err(e) = std::panic::catch_unwind(|| {
                wscfg::fuzzing::pipeline(format, &name, &text);
                for prefix in 0u8..10 {
                    let mut data = vec![prefix];
                    data.extend_from_slice(text.as_bytes());
                    wscfg::fuzzing::manifest_parse(&data);
                }
            }) {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panic!("{}: {msg}", p.display());
            }
            n += 1;
        }
    }
    assert!(n > 50, "manifest fixtures missing: {n}");
}
