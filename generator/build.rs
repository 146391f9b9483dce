//! Builds the widget bundle: widgets/ compiled to wasm32 by a nested cargo in its own target folder, then wasm-bindgen's JS glue; the generator embeds both.

use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let root = manifest
        .parent()
        .expect("the generator sits in the workspace")
        .to_owned();
    for p in [
        "widgets/src",
        "widgets/examples",
        "widgets/Cargo.toml",
        "model/src",
        "model/Cargo.toml",
        "Cargo.lock",
        "Cargo.toml",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // OUT_DIR is <target>/<profile>/build/<pkg>/out: the bundle gets a folder beside <profile>,
    // shared by debug and release builds. Never the outer build's own folder: its lock is held.
    let target_root = out.ancestors().nth(4).unwrap_or(&out).to_owned();
    let wasm_dir = target_root.join("widgets-wasm");
    ensure_target();

    // The bundle every page loads, and the operator bundle (the same widgets and the ones that
    // change a backend) that only the section pages with operations load. One target folder:
    // the dependencies are built once; the two outputs have their own names.
    let base = cargo_wasm(&root, &wasm_dir, &["--lib", "--crate-type", "cdylib"]);
    bindgen(&base, &out, "widgets");
    let operator = cargo_wasm(
        &root,
        &wasm_dir,
        &["--example", "operator", "--features", "operator"],
    );
    bindgen(&operator, &out, "operator");
}

/// `cargo rustc -p widgets <what>` for wasm32 in `wasm_dir`; the path of the module it wrote.
fn cargo_wasm(root: &Path, wasm_dir: &Path, what: &[&str]) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["rustc", "-p", "widgets"])
        .args(what)
        .args(["--target", TARGET])
        .args(["--profile", "wasm-release", "--target-dir"])
        .arg(wasm_dir);
    // The outer build's settings are for the host and would break (or slow) the wasm build.
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if k.starts_with("CARGO_CFG_")
            || k.starts_with("CARGO_FEATURE_")
            || k.starts_with("CARGO_PKG_")
            || k.starts_with("CARGO_MANIFEST_")
            || k.starts_with("CARGO_BUILD_")
            || k.starts_with("CARGO_PROFILE_")
            || matches!(
                k.as_ref(),
                "CARGO_ENCODED_RUSTFLAGS"
                    | "RUSTFLAGS"
                    | "CARGO_TARGET_DIR"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "RUSTC_WORKSPACE_WRAPPER"
                    | "RUSTC_WRAPPER"
                    | "TARGET"
                    | "HOST"
                    | "PROFILE"
                    | "OUT_DIR"
                    | "OPT_LEVEL"
                    | "DEBUG"
                    | "NUM_JOBS"
                    | "RUSTDOC"
                    | "CARGO_LLVM_COV"
            )
        {
            cmd.env_remove(&key);
        }
    }
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("cannot run cargo for the widgets: {e}"));
    assert!(
        status.success(),
        "building the widgets for {TARGET} failed (see above); `rustup target add {TARGET}` if its standard library is missing"
    );
    let dir = wasm_dir.join(TARGET).join("wasm-release");
    if what.contains(&"--example") {
        dir.join("examples").join(format!("{}.wasm", what[1]))
    } else {
        dir.join("widgets.wasm")
    }
}

/// wasm-bindgen's web glue for `wasm`: `<name>.js` and `<name>_bg.wasm` in `out`.
fn bindgen(wasm: &Path, out: &Path, name: &str) {
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(wasm)
        .out_name(name)
        .typescript(false)
        // The library's default differs from the CLI's; the glue keeps its `new URL(..)` default.
        .omit_default_module_path(false)
        .remove_name_section(true)
        .remove_producers_section(true);
    bindgen
        .web(true)
        .and_then(|b| b.generate(out))
        .unwrap_or_else(|e| panic!("wasm-bindgen on {}: {e}", wasm.display()));
    for f in [format!("{name}.js"), format!("{name}_bg.wasm")] {
        assert!(out.join(&f).is_file(), "wasm-bindgen wrote no {f}");
    }
}

/// Adds the wasm32 standard library when this toolchain lacks it (rust-toolchain.toml asks for
/// it, but a toolchain installed before that line was written may not have it).
fn ensure_target() {
    let sysroot = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let present = sysroot.is_some_and(|s| Path::new(&s).join("lib/rustlib").join(TARGET).is_dir());
    if !present {
        let ok = Command::new("rustup")
            .args(["target", "add", TARGET])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "the {TARGET} standard library is missing and `rustup target add {TARGET}` failed"
        );
    }
}
