//! What went wrong, when: a part's status readings read as episodes (degraded or down, from when to when), the report's timeline.

/// A stretch of the period a part spent degraded or down: from its first bad reading to the
/// reading it was back (`None`: still at the period's end), and the snapshot where it began.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub part: String,
    /// `down` when any reading of it was down, else `degraded`.
    pub what: &'static str,
    pub from_ms: i64,
    pub to_ms: Option<i64>,
    /// The snapshot page where it began, from the site's root.
    pub href: String,
}

/// The episodes of one part's status readings (0 up, 1 degraded, 2 down), in time order.
pub fn episodes(
    part: &str,
    values: &[(i64, f64)],
    page_of: &dyn Fn(i64) -> String,
) -> Vec<Episode> {
    let mut out: Vec<Episode> = Vec::new();
    let mut open: Option<Episode> = None;
    for &(t, v) in values {
        match (&mut open, v >= 1.0) {
            (None, true) => {
                open = Some(Episode {
                    part: part.to_owned(),
                    what: if v >= 2.0 { "down" } else { "degraded" },
                    from_ms: t,
                    to_ms: None,
                    href: page_of(t),
                });
            }
            (Some(e), true) if v >= 2.0 => e.what = "down",
            (Some(_), false) => {
                if let Some(mut e) = open.take() {
                    e.to_ms = Some(t);
                    out.push(e);
                }
            }
            _ => {}
        }
    }
    out.extend(open);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_readings_make_one_episode_each_until_the_part_is_back() {
        let page = |t: i64| format!("snapshots/{t}.html");
        let values = [
            (0, 0.0),
            (1, 1.0),
            (2, 2.0),
            (3, 1.0),
            (4, 0.0),
            (5, 0.0),
            (6, 1.0),
        ];
        let e = episodes("redis", &values, &page);
        assert_eq!(e.len(), 2);
        assert_eq!(
            (e[0].what, e[0].from_ms, e[0].to_ms, e[0].href.as_str()),
            ("down", 1, Some(4), "snapshots/1.html")
        );
        assert_eq!((e[1].what, e[1].from_ms, e[1].to_ms), ("degraded", 6, None));
        assert!(episodes("redis", &[(0, 0.0), (1, 0.0)], &page).is_empty());
    }
}
