//! lint + render + fix on one nginx file: valid spans and edits, nothing changed outside the
//! edits, unparsable files untouched, fixed files parse, keep line endings, fix is idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wscfg::fuzzing::nginx_fix(data);
});
