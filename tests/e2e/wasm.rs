//! `model` must build for the browser: the widgets run the same analysis code there.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn model_builds_for_wasm32() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    // Its own target folder: the outer `cargo test` holds the lock on the usual one.
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"))
        .join("wasm-check");
    let out = Command::new(cargo)
        .current_dir(&root)
        .args([
            "build",
            "--quiet",
            "-p",
            "lookout-model",
            "--target",
            "wasm32-unknown-unknown",
            "--target-dir",
        ])
        .arg(&target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("run cargo");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "model does not build for wasm32-unknown-unknown (if the target is missing: rustup target add wasm32-unknown-unknown):\n{err}"
    );
    assert!(
        target
            .join("wasm32-unknown-unknown/debug/libmodel.rlib")
            .is_file()
    );
}
