//! A property test: real Pharos answers with random hostile leaves and keys (the largest and
//! smallest floats, NaN and numbers as text, control characters, 300-character names, many
//! keys, deep nesting) go through collect, the store and a build; every number kept is one a
//! chart can draw, no string holds a control character, and every build finishes.

use proptest::prelude::*;
use serde_json::Value;

use super::tests::{FIXTURE_TARGETS, fixture, reading_for, target};
use super::*;

/// A small deterministic generator, so a failing case shrinks to its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.next() % xs.len() as u64) as usize]
    }
}

const NUMBERS: [f64; 8] = [1e308, -1e308, f64::MAX, 5e-324, 0.0, -1.0, 1e15, 123.456];
const TEXTS: [&str; 6] = [
    "\u{1b}[2J\u{1b}]0;x\u{7}",
    "a\0b\r\nX-Forged: 1",
    "<script>alert(1)</script>",
    "\u{202e}evil\u{200b}",
    "",
    "NaN",
];

fn hostile_leaf(r: &mut Rng) -> Value {
    match r.next() % 5 {
        0 | 1 => Value::from(*r.pick(&NUMBERS)),
        2 => Value::from(*r.pick(&TEXTS)),
        3 => Value::from("n".repeat(300)),
        _ => serde_json::json!({ "v": *r.pick(&NUMBERS) }),
    }
}

/// `v` with about one leaf in `1/rate` replaced, keys bent, objects widened, some nesting.
fn bend(v: &mut Value, r: &mut Rng, rate: u64, depth: usize) {
    match v {
        Value::Object(o) => {
            let old = std::mem::take(o);
            for (k, mut x) in old {
                bend(&mut x, r, rate, depth + 1);
                let k = match r.next() % 8 {
                    0 => format!("{k}{}", r.pick(&TEXTS)),
                    1 => format!("{k}{}", "k".repeat(300)),
                    _ => k,
                };
                o.insert(k, x);
            }
            if r.next().is_multiple_of(16) {
                for i in 0..500 {
                    o.insert(format!("extra{i}"), hostile_leaf(r));
                }
            }
        }
        Value::Array(a) => {
            a.iter_mut().for_each(|x| bend(x, r, rate, depth + 1));
            if r.next().is_multiple_of(16) {
                let copy = a.clone();
                for _ in 0..50 {
                    a.extend(copy.iter().cloned());
                }
            }
        }
        _ if r.next().is_multiple_of(rate) => *v = hostile_leaf(r),
        _ => {}
    }
    if depth < 3 && r.next().is_multiple_of(64) {
        let inner = std::mem::take(v);
        *v = (0..100).fold(inner, |x, _| Value::Array(vec![x]));
    }
}

/// A case that failed once: a part name near the bound made a longer metric name.
#[test]
fn a_long_part_name_keeps_its_metric_names_bounded() {
    check(11_071_024_927_035_284_646, 3).expect("the case that failed once");
}

fn clean(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

proptest! {
    // A fixed seed: the same cases on every run (no test may hang on chance), none written
    // into the source tree. Change the seed to explore; a failure prints its shrunk case.
    #![proptest_config(ProptestConfig {
        cases: 32,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x010c_00c7),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn hostile_answers_go_through_collect_store_and_build(seed in 1u64.., rate in 1u64..6) {
        check(seed, rate)?;
    }
}

/// One case: fixtures bent from `seed` at `rate`, through collect, store and build.
fn check(seed: u64, rate: u64) -> Result<(), TestCaseError> {
    let mut r = Rng(seed);
    let readings: Vec<RawReading> = FIXTURE_TARGETS
        .iter()
        .map(|(file, endpoint)| {
            let (status, body) = fixture(file);
            let mut v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            bend(&mut v, &mut r, rate, 0);
            let body = serde_json::to_vec(&v).unwrap_or_default();
            reading_for(&target(endpoint), status, &body)
        })
        .collect();
    let at = 1_795_003_200_000 + (seed % 1_000_000) as i64 * 60_000;
    let a = assemble(at, 1.0, readings);
    let s = &a.snapshot;
    for m in &s.metrics {
        prop_assert!(
            m.value.is_finite() && m.value.abs() <= guard::MAX_ABS,
            "{} = {}",
            m.name,
            m.value
        );
        prop_assert!(
            clean(&m.name) && m.name.len() <= guard::NAME_MAX,
            "{:?}",
            m.name
        );
    }
    for p in s.components.iter().chain(&s.modules) {
        prop_assert!(
            clean(&p.name) && clean(&p.word) && clean(&p.message),
            "{p:?}"
        );
    }
    for f in &s.facts {
        prop_assert!(clean(&f.name) && clean(&f.value), "{f:?}");
    }
    for o in &s.outcomes {
        prop_assert!(o.detail.as_deref().is_none_or(clean), "{:?}", o.detail);
    }

    // The store keeps it, and a build of it finishes with nothing hostile in the pages.
    let dir = std::env::temp_dir().join(format!("lookout-prop-{}-{seed}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut store = crate::store::Store::open(&dir.join("data")).expect("store");
    store.insert(&a).expect("insert");
    let config = crate::config::Config::defaults();
    let clock = crate::clock::Clock::starting_at(at + 1000);
    crate::app::build(&config, &mut store, &dir.join("site"), false, clock).expect("build");
    let index = std::fs::read_to_string(dir.join("site/index.html")).expect("index");
    let escape = char::from(0x1b);
    prop_assert!(
        !index.contains(escape) && !index.contains(char::from(0)),
        "a control character"
    );
    prop_assert!(!index.contains("<script>alert(1)"), "markup");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
