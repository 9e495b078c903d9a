//! Any text: Bulletin's tokenizer, in its faithful mode, must give
//! html5ever's tree builder what html5ever's own tokenizer gives it, so
//! both build the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    if let Some((ours, theirs)) = bulletin_extract::differs_from_html5ever(&html) {
        panic!("trees differ for {html:?}\nours:\n{ours}\ntheirs:\n{theirs}");
    }
});
