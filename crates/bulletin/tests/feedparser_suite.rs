//! Universal Feed Parser's `Expect:` suite through `bulletin parse-feed`
//! (issue 5): the well-formed pass rate must stay at or above 90%, and no
//! ill-formed document may crash or pass unflagged. The translation of the
//! expectations is `bench/feedparser_expect.py`; this runs it on this build.

use std::path::Path;
use std::process::Command;

#[test]
fn feedparser_expectations_hold_at_ninety_percent() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let corpus = repo.join("../shared/corpus/feeds/feedparser/tests/wellformed");
    if !corpus.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the feedparser corpus is required in CI: {}",
            corpus.display()
        );
        eprintln!("skipped: {} is missing", corpus.display());
        return;
    }
    let run = Command::new("python3")
        .arg(repo.join("bench/feedparser_expect.py"))
        .args(["--bin", env!("CARGO_BIN_EXE_bulletin"), "--min-pass", "0.9"])
        .output();
    let Ok(run) = run else {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 is required in CI"
        );
        eprintln!("skipped: python3 not found");
        return;
    };
    let out = String::from_utf8_lossy(&run.stdout);
    println!("{out}");
    assert!(
        run.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
}
