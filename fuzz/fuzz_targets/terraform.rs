//! Terraform (`main.tf`): the HCL parser, the comment scanner and detection on arbitrary
//! text (no panic, spans inside the text), then lint + render + fix with the checks of
//! nginx_fix.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wscfg::fuzzing::terraform(data);
});
