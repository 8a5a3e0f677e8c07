//! fly.toml, railway.toml/json, apprunner.yaml parsers and the project scanners (start
//! commands, requirements, pyproject, Pipfile, lock files, package.json) on arbitrary text:
//! no panic, spans inside the text. The first byte picks the parser.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wscfg::fuzzing::manifest_parse(data);
});
