//! The files every page needs: the style sheet, the icon, the widget bundles and the 404 page.

use super::kinds::{Inputs, PageKind};
use super::views::{self, Common};
use super::write::Writer;
use super::{BuildError, FAVICON, STYLE_CSS, paths, render, widgets};

pub(super) struct Assets;

impl PageKind for Assets {
    fn name(&self) -> &'static str {
        "assets"
    }

    fn paths(&self, i: &Inputs<'_>) -> Vec<String> {
        vec![
            paths::STYLE.to_owned(),
            paths::FAVICON.to_owned(),
            paths::NOT_FOUND.to_owned(),
            i.ctx.bundle.js.clone(),
            i.ctx.bundle.wasm.clone(),
            i.ctx.operator.js.clone(),
            i.ctx.operator.wasm.clone(),
        ]
    }

    fn render(&self, i: &Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        let ctx = i.ctx;
        w.put(paths::STYLE, STYLE_CSS.as_bytes())?;
        w.put(paths::FAVICON, FAVICON.as_bytes())?;
        w.put(&ctx.bundle.js, widgets::JS.as_bytes())?;
        w.put(&ctx.bundle.wasm, widgets::WASM)?;
        w.put(&ctx.operator.js, widgets::OPERATOR_JS.as_bytes())?;
        w.put(&ctx.operator.wasm, widgets::OPERATOR_WASM)?;
        let nf = views::NotFoundPage {
            c: Common {
                root: "/".to_owned(),
                ..ctx.common(paths::NOT_FOUND, "Not found".into(), false)
            },
        };
        w.put(paths::NOT_FOUND, render(paths::NOT_FOUND, &nf)?.as_bytes())
    }
}
