//! The nginx parser on arbitrary bytes: no panic, lossless, errors located inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wscfg::fuzzing::nginx_parse(data);
});
