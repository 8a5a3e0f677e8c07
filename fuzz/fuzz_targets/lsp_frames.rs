//! The language server's framing: arbitrary client bytes read into bounded frames and
//! answered without quoting them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wscfg::fuzzing::lsp_frames(data);
});
