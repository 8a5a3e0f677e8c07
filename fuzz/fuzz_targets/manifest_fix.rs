//! lint + render + fix on one platform manifest (the first byte picks fly.toml, railway.toml,
//! railway.json or apprunner.yaml), with the checks of nginx_fix.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wscfg::fuzzing::manifest_fix(data);
});
