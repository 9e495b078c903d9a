//! Any bytes as a feed: a parsed feed or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let base = url::Url::parse("https://example.org/feed.xml").ok();
    let _ = bulletin_feeds::parse_feed(data, base.as_ref());
});
