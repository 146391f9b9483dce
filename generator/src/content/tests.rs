//! Tests of reading incidents and maintenance windows.

use super::*;

const HOUR: i64 = 3_600_000;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lookout-content-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("maintenance")).expect("mkdir");
    d
}

#[test]
fn reads_both_front_matter_styles_and_reports_bad_files() {
    let dir = temp_dir("load");
    std::fs::write(
        dir.join("redis-outage.md"),
        "+++\ntitle = \"Redis outage\"\nstatus = \"Identified\"\naffected = [\"redis\", \"Auth\"]\nstart = 2026-11-20T14:00:00Z\n+++\nRedis <b>is</b> down.\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("maintenance/db-upgrade.md"),
        "---\ntitle: Database upgrade\naffected: [database]\nstart: 2026-11-21 10:00\nend: 2026-11-21 12:00\n---\nPostgres 17.\n",
    )
    .expect("write");
    std::fs::write(dir.join("broken.md"), "no front matter here").expect("write");
    std::fs::write(dir.join("notes.txt"), "ignored").expect("write");
    let c = load(&dir);
    assert_eq!(c.entries.len(), 2, "{c:?}");
    assert_eq!(c.problems.len(), 1);
    assert!(c.problems[0].contains("broken.md") && c.problems[0].contains("front matter"));
    let m = &c.entries[0];
    assert_eq!(
        (m.kind, m.title.as_str()),
        (Kind::Maintenance, "Database upgrade")
    );
    assert_eq!(m.end_ms.map(|e| e - m.start_ms), Some(2 * HOUR));
    let i = &c.entries[1];
    assert_eq!(
        (i.kind, i.status.as_str(), i.slug.as_str()),
        (Kind::Incident, "identified", "redis-outage")
    );
    assert!(i.affects("auth") && i.affects("REDIS") && !i.affects("database"));
    assert!(i.html.contains("&lt;b&gt;is&lt;/b&gt;"), "{}", i.html);
    assert!(i.is_open(i.start_ms + HOUR));
    assert!(load(&dir.join("missing")).entries.is_empty());
}

#[test]
fn maintenance_mutes_only_named_parts_inside_its_window() {
    let e = parse(
        Path::new("maintenance/x.md"),
        "+++\ntitle = \"x\"\naffected = [\"redis\"]\nstart = \"2026-11-21T10:00:00Z\"\nend = \"2026-11-21T12:00:00Z\"\n+++\n",
        Kind::Maintenance,
    )
    .expect("parse");
    let c = Content {
        entries: vec![e.clone()],
        problems: Vec::new(),
    };
    let inside = e.start_ms + HOUR;
    assert!(c.muting("status.component.redis", inside).is_some());
    assert!(c.muting("status.component.database", inside).is_none());
    assert!(
        c.muting("cache.redis_hits", inside).is_none(),
        "whole segments only"
    );
    assert!(c.muting("status.component.redis", e.start_ms - 1).is_none());
    assert!(
        c.muting("status.component.redis", e.start_ms + 2 * HOUR)
            .is_none()
    );
    assert!(e.is_upcoming(e.start_ms - 1));
}

#[test]
fn bad_front_matter_says_what_is_wrong() {
    let p = Path::new("x.md");
    let err = |t: &str| parse(p, t, Kind::Incident).err().unwrap_or_default();
    assert!(err("+++\ntitle = \"a\"\n+++\n").contains("start"));
    assert!(err("+++\nstart = \"2026-11-21\"\n+++\n").contains("title"));
    assert!(err("+++\ntitle = \"a\"\nstart = \"soon\"\n+++\n").contains("not a date-time"));
    assert!(
        err("+++\ntitle = \"a\"\nstart = \"2026-11-21\"\nend = \"2026-11-20\"\n+++\n")
            .contains("before start")
    );
    assert!(err("+++\ntitle = \"a\"\nstart = \"2026-11-21\"\n").contains("not closed"));
    assert!(
        err("+++\ntitle = \"a\"\nkind = \"party\"\nstart = \"2026-11-21\"\n+++\n").contains("kind")
    );
}
