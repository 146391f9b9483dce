//! Every page kind in Chromium at a 360 px phone and a 1366 px desktop: no page scrolls
//! sideways (a wide table or chart scrolls in its own box), and no chart text is under 10 CSS px.

use serde_json::Value;

use crate::support::temp;
use crate::webdriver::Browser;

/// What overflows the page sideways, and chart text under 10 px, as the page measures it.
const MEASURE: &str = r#"
var w = WIDTH, out = [];
var de = document.documentElement;
if (de.scrollWidth > w) {
  out.push('page ' + de.scrollWidth + ' > ' + w);
  // The widest elements not inside a box that scrolls itself.
  // HTML elements and whole SVGs (what is inside an SVG is clipped by it).
  var all = Array.from(document.body.querySelectorAll('*')).filter(function (el) { return !el.ownerSVGElement; });
  // Inside a box that scrolls (or clips) and itself fits: contained.
  var inScroller = function (el) {
    for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (p.ownerSVGElement || p.tagName.toLowerCase() === 'svg') continue;
      var o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return p.getBoundingClientRect().right <= w + 0.5;
    }
    return false;
  };
  var name = function (el) { return el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : ''); };
  var placed = function (el) { var p = getComputedStyle(el).position; return p === 'absolute' || p === 'fixed'; };
  var bad = all.filter(function (el) { return el.getBoundingClientRect().right > w + 0.5 && (placed(el) || !inScroller(el)); });
  bad.slice(0, 4).forEach(function (el) { out.push(name(el) + ' right ' + Math.round(el.getBoundingClientRect().right)); });
  // Where the first one sits: its ancestors' widths.
  if (!bad.length) {
    // Nothing outside a scroll box sticks out: find the element whose removal ends the
    // overflow, level by level.
    var path = [], el = document.body;
    for (var depth = 0; depth < 12 && el; depth++) {
      var next = null;
      for (var i = 0; i < el.children.length; i++) {
        var c = el.children[i], old = c.style.display;
        c.style.display = 'none';
        var fits = de.scrollWidth <= w;
        c.style.display = old;
        if (fits) { next = c; break; }
      }
      if (!next) break;
      path.push(name(next) + ':' + Math.round(next.getBoundingClientRect().width));
      el = next;
    }
    out.push('culprit ' + path.join(' > '));
  }
  if (bad.length) {
    var chain = [];
    for (var p = bad[0]; p && p !== document.body; p = p.parentElement) chain.push(name(p) + ':' + Math.round(p.getBoundingClientRect().width));
    out.push('in ' + chain.join(' < '));
  }
}
Array.from(document.querySelectorAll('svg text')).forEach(function (t) {
  // The outermost SVG's scale in CSS px (not the pinch zoom a phone may apply on top).
  var svg = t.ownerSVGElement;
  while (svg && svg.ownerSVGElement) svg = svg.ownerSVGElement;
  var box = svg ? svg.getBoundingClientRect() : null;
  if (!box || !box.width || !t.textContent.trim()) return;
  var vb = svg.viewBox && svg.viewBox.baseVal;
  var scale = vb && vb.width ? box.width / vb.width : 1;
  var px = parseFloat(getComputedStyle(t).fontSize) * scale;
  if (px < 9.95) out.push('text ' + JSON.stringify(t.textContent.slice(0, 20)) + ' ' + px.toFixed(1) + 'px');
});
return out.slice(0, 12);
"#;

#[test]
fn no_page_kind_scrolls_sideways_on_a_phone_and_chart_text_stays_readable() {
    let dir = temp("phone");
    let Some(browser) = Browser::start(&dir.join("profile")) else {
        return;
    };
    let (_, _, site) = crate::support::site_of_every_kind(&dir);
    let preview = lookout::serve::start(&site, ([127, 0, 0, 1], 0).into()).expect("serve");
    let latest: Value = serde_json::from_str(
        &std::fs::read_to_string(site.join("data/latest.json")).expect("latest"),
    )
    .expect("json");
    let snapshot = latest["page"].as_str().expect("page").to_owned();
    let first = |dir: &str, prefix: &str| -> String {
        let mut names: Vec<String> = std::fs::read_dir(site.join(dir))
            .map(|r| {
                r.filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        let n = names
            .into_iter()
            .find(|n| n.starts_with(prefix) && n.ends_with(".html") && n != "index.html")
            .unwrap_or_else(|| panic!("a page in {dir} starting {prefix:?}"));
        format!("{dir}/{n}")
    };
    let pages = [
        "index.html".to_owned(),
        snapshot,
        "history/index.html".to_owned(),
        first("history", "20"),
        "alerts/index.html".to_owned(),
        "incidents/index.html".to_owned(),
        "latency/index.html".to_owned(),
        first("latency", "reported-"),
        first("latency", "method-"),
        "dependencies.html".to_owned(),
        "metrics.html".to_owned(),
        "ranges/24h.html".to_owned(),
        first("components", ""),
        first("modules", ""),
        first("endpoints", ""),
        "reports/index.html".to_owned(),
        first("reports", "20"),
        "sections/websocket.html".to_owned(),
        "sections/middleware-pipeline.html".to_owned(),
        "404.html".to_owned(),
    ];
    let mut problems = Vec::new();
    for (width, mobile) in [(360, true), (1366, false)] {
        browser.viewport(width, 800, mobile);
        for p in &pages {
            browser.goto(&format!("{}{p}", preview.url()));
            let found = browser.eval(&MEASURE.replace("WIDTH", &width.to_string()));
            let found: Vec<&str> = found
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if !found.is_empty() {
                problems.push(format!("{p} at {width} px: {}", found.join("; ")));
            }
        }
    }
    // The probe can fail: a page that does overflow, with small text.
    std::fs::write(
        site.join("wide.html"),
        "<!doctype html><meta name=viewport content=\"width=device-width\"><div style=\"width:900px\">x</div><svg viewBox=\"0 0 1000 100\" width=\"100%\"><text x=\"0\" y=\"50\" font-size=\"12\">tiny</text></svg>",
    )
    .expect("probe page");
    browser.viewport(360, 800, true);
    browser.goto(&format!("{}wide.html", preview.url()));
    let probe = browser.eval(&MEASURE.replace("WIDTH", "360")).to_string();
    assert!(probe.contains("page ") && probe.contains("tiny"), "{probe}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
