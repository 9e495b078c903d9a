//! Any bytes, with or without a URL and content type: extraction must
//! return, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let url = url::Url::parse("https://example.org/news/a").ok();
    let article = bulletin_extract::extract(data, url.as_ref(), Some("text/html; charset=windows-1252"));
    assert!(article.reading_time_minutes >= 1);
    let _ = bulletin_extract::sanitize_fragment(&String::from_utf8_lossy(data), None);
});
