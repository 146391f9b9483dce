//! The widget bundle (built by build.rs from widgets/) written into the site under content-hashed names, and where pages load it from.

pub const JS: &str = include_str!(concat!(env!("OUT_DIR"), "/widgets.js"));
pub const WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/widgets_bg.wasm"));

/// Paths of the bundle's two files, named by their content so a browser never mixes versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub js: String,
    pub wasm: String,
}

pub fn bundle() -> Bundle {
    let mut both = JS.as_bytes().to_vec();
    both.extend_from_slice(WASM);
    let h = super::write::hash(&both) as u32;
    Bundle {
        js: format!("assets/widgets-{h:08x}.js"),
        wasm: format!("assets/widgets-{h:08x}.wasm"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_is_embedded_and_small() {
        assert!(WASM.starts_with(b"\0asm"), "a WebAssembly module");
        assert!(JS.contains("as default }"), "the web target's init");
        let b = bundle();
        assert!(b.js.starts_with("assets/widgets-") && b.js.ends_with(".js"));
        assert_eq!(
            b.js.trim_end_matches(".js"),
            b.wasm.trim_end_matches(".wasm")
        );
        // Budget: 150 KB gzipped for all widgets; raw size is a loose stand-in here.
        assert!(
            WASM.len() + JS.len() < 600 * 1024,
            "{} bytes",
            WASM.len() + JS.len()
        );
    }
}
