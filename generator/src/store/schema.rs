//! Schema migrations, applied in order; `PRAGMA user_version` records how many ran.

/// Each entry moves the schema one version up. Never edit a released entry: add a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: snapshots, outcomes with raw bodies, metrics and their samples, per-day summary.
    r"
    CREATE TABLE snapshots (
        id           INTEGER PRIMARY KEY,
        taken_at_ms  INTEGER NOT NULL,
        slug         TEXT NOT NULL UNIQUE,
        day          TEXT NOT NULL,
        overall      TEXT NOT NULL,
        failed       INTEGER NOT NULL,
        outcome_count INTEGER NOT NULL,
        sample_count INTEGER NOT NULL,
        doc          TEXT NOT NULL
    );
    CREATE INDEX snapshots_by_time ON snapshots(taken_at_ms, id);
    CREATE INDEX snapshots_by_day ON snapshots(day, taken_at_ms);
    CREATE TABLE outcomes (
        snapshot_id  INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        position     INTEGER NOT NULL,
        endpoint     TEXT NOT NULL,
        kind         TEXT NOT NULL,
        http_status  INTEGER,
        latency_ms   REAL NOT NULL,
        bytes        INTEGER NOT NULL,
        body         BLOB,
        PRIMARY KEY (snapshot_id, position)
    ) WITHOUT ROWID;
    CREATE TABLE metrics (
        id      INTEGER PRIMARY KEY,
        name    TEXT NOT NULL UNIQUE,
        unit    TEXT NOT NULL,
        better  TEXT NOT NULL
    );
    CREATE TABLE samples (
        metric_id    INTEGER NOT NULL REFERENCES metrics(id),
        taken_at_ms  INTEGER NOT NULL,
        snapshot_id  INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        value        REAL NOT NULL,
        PRIMARY KEY (metric_id, taken_at_ms, snapshot_id)
    ) WITHOUT ROWID;
    CREATE TABLE days (
        day      TEXT PRIMARY KEY,
        count    INTEGER NOT NULL,
        worst    TEXT NOT NULL,
        first_ms INTEGER NOT NULL,
        last_ms  INTEGER NOT NULL
    ) WITHOUT ROWID;
    ",
    // 2: what each output folder was last built from, and the hash of every file written there.
    r"
    CREATE TABLE builds (
        out_dir           TEXT PRIMARY KEY,
        fingerprint       TEXT NOT NULL,
        token             TEXT NOT NULL,
        last_snapshot_id  INTEGER NOT NULL
    );
    CREATE TABLE build_files (
        out_dir  TEXT NOT NULL,
        path     TEXT NOT NULL,
        hash     INTEGER NOT NULL,
        PRIMARY KEY (out_dir, path)
    ) WITHOUT ROWID;
    ",
    // 3: analysis state: how far each stage has read, alert states and history, detector
    // states, hourly rollups of every metric (trends read these, not raw samples) and of every
    // endpoint's successful readings (uptime reads these).
    r"
    CREATE TABLE analysis_marks (
        stage    TEXT PRIMARY KEY,
        last_id  INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE alert_states (
        rule    TEXT NOT NULL,
        metric  TEXT NOT NULL,
        state   TEXT NOT NULL,
        PRIMARY KEY (rule, metric)
    ) WITHOUT ROWID;
    CREATE TABLE alert_history (
        id          INTEGER PRIMARY KEY,
        rule        TEXT NOT NULL,
        metric      TEXT NOT NULL,
        severity    TEXT NOT NULL,
        fired_ms    INTEGER NOT NULL,
        resolved_ms INTEGER,
        peak        REAL,
        snapshots   TEXT NOT NULL,
        UNIQUE (rule, metric, fired_ms)
    );
    CREATE INDEX alert_history_by_time ON alert_history(fired_ms);
    CREATE TABLE detectors (
        metric      TEXT PRIMARY KEY,
        last_ms     INTEGER NOT NULL,
        state       BLOB NOT NULL,
        last_score  TEXT
    ) WITHOUT ROWID;
    CREATE TABLE rollups (
        metric_id  INTEGER NOT NULL,
        hour       INTEGER NOT NULL,
        count      INTEGER NOT NULL,
        sum        REAL NOT NULL,
        sumsq      REAL NOT NULL,
        min        REAL NOT NULL,
        max        REAL NOT NULL,
        PRIMARY KEY (metric_id, hour)
    ) WITHOUT ROWID;
    CREATE TABLE uptime (
        hour      INTEGER NOT NULL,
        endpoint  TEXT NOT NULL,
        ok        INTEGER NOT NULL,
        total     INTEGER NOT NULL,
        PRIMARY KEY (hour, endpoint)
    ) WITHOUT ROWID;
    CREATE TABLE uptime_days (
        day       INTEGER NOT NULL,
        endpoint  TEXT NOT NULL,
        ok        INTEGER NOT NULL,
        total     INTEGER NOT NULL,
        PRIMARY KEY (day, endpoint)
    ) WITHOUT ROWID;
    INSERT INTO uptime (hour, endpoint, ok, total)
        SELECT s.taken_at_ms / 3600000, o.endpoint, sum(o.kind = 'ok'), count(*)
        FROM outcomes o JOIN snapshots s ON s.id = o.snapshot_id
        GROUP BY s.taken_at_ms / 3600000, o.endpoint;
    INSERT INTO uptime_days (day, endpoint, ok, total)
        SELECT hour / 24, endpoint, sum(ok), sum(total) FROM uptime GROUP BY hour / 24, endpoint;
    INSERT INTO rollups (metric_id, hour, count, sum, sumsq, min, max)
        SELECT metric_id, taken_at_ms / 3600000, count(*), sum(value), sum(value * value), min(value), max(value)
        FROM samples GROUP BY metric_id, taken_at_ms / 3600000;
    ",
    // 4: failed readings by endpoint, so a page's "recent errors" never scans the whole history.
    r"
    CREATE INDEX outcomes_failed ON outcomes(endpoint, snapshot_id) WHERE kind != 'ok';
    ",
    // 5: notifications sent, per channel and alert episode, so none is sent twice (restarts too).
    r"
    CREATE TABLE notices (
        channel   TEXT NOT NULL,
        rule      TEXT NOT NULL,
        metric    TEXT NOT NULL,
        episode   INTEGER NOT NULL,
        kind      TEXT NOT NULL,
        sent_ms   INTEGER NOT NULL,
        PRIMARY KEY (channel, rule, metric, episode, kind)
    ) WITHOUT ROWID;
    ",
    // 6: daily reports made (local day), so each is made and mailed once, late ones marked.
    r"
    CREATE TABLE reports (
        day       TEXT PRIMARY KEY,
        made_ms   INTEGER NOT NULL,
        late      INTEGER NOT NULL
    ) WITHOUT ROWID;
    ",
    // 7: how many of a day's snapshots were degraded and down, so the calendar shows how much
    // of the day went wrong, not only its worst moment.
    r"
    ALTER TABLE days ADD COLUMN degraded INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE days ADD COLUMN down INTEGER NOT NULL DEFAULT 0;
    UPDATE days SET
        degraded = (SELECT count(*) FROM snapshots s WHERE s.day = days.day AND s.overall = 'degraded'),
        down = (SELECT count(*) FROM snapshots s WHERE s.day = days.day AND s.overall = 'down');
    ",
    // 8: each file's size, and each output folder's file count and size, so every build says
    // how big the site is without listing it. Sizes written before are unknown (0) until the
    // file is written or kept again.
    r"
    ALTER TABLE build_files ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE builds ADD COLUMN files INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE builds ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
    UPDATE builds SET files = (SELECT count(*) FROM build_files f WHERE f.out_dir = builds.out_dir);
    ",
    // 9: each key metric's hourly means over its completed hours, as trends last read them from
    // the rollups (a build read two weeks of rollups for each of them, a third of the analysis
    // of one new snapshot). A snapshot stored into an hour a cache covers removes that cache.
    r"
    CREATE TABLE hour_means (
        metric_id  INTEGER PRIMARY KEY,
        from_hour  INTEGER NOT NULL,
        to_hour    INTEGER NOT NULL,
        means      BLOB NOT NULL
    );
    ",
];
