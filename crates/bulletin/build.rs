//! Embeds the offline demo site (`demo/`) into the binary.

use std::fs;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, root, out);
        } else if path.extension().is_some_and(|e| e != "py") {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, path));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("demo");
    println!("cargo:rerun-if-changed=demo");
    println!("cargo:rerun-if-changed=build.rs");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    // The files are copied into OUT_DIR and included from there: a target
    // folder shared by several checkouts (as CI's is) must never point into
    // another checkout, which may be gone.
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let mut code = String::from("pub static DEMO_FILES: &[(&str, &[u8])] = &[\n");
    for (rel, path) in files {
        let copy = out_dir.join("demo").join(&rel);
        if let Some(parent) = copy.parent()
            && let Err(e) = fs::create_dir_all(parent)
        {
            panic!("cannot create {}: {e}", parent.display());
        }
        if let Err(e) = fs::copy(&path, &copy) {
            panic!("cannot copy {} to {}: {e}", path.display(), copy.display());
        }
        code.push_str(&format!(
            "    ({rel:?}, include_bytes!(concat!(env!(\"OUT_DIR\"), \"/demo/{rel}\"))),\n"
        ));
    }
    code.push_str("];\n");
    let out = out_dir.join("demo_files.rs");
    if let Err(e) = fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}
