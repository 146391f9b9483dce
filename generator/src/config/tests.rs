//! Config checking: defaults, the example file, and errors that name the key.

use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::from_toml(text, Path::new("lookout.toml"))
}

#[test]
fn empty_file_gives_demo_defaults() {
    let c = parse("").expect("defaults");
    assert_eq!(c.backend.base_url.as_str(), "http://127.0.0.1:8765/");
    assert_eq!(c.backend.kind, BackendKind::Pharos);
    assert_eq!(c.backend.modules.len(), 13);
    assert_eq!(c.interval, Duration::from_secs(60));
    assert_eq!(c, Config::defaults());
    assert!(!c.site.live_from_backend);
    assert!(
        parse("[site]\nlive_source = \"backend\"")
            .expect("backend")
            .site
            .live_from_backend
    );
}

#[test]
fn public_url_is_what_browsers_call_and_base_url_what_lookout_reads() {
    let c = parse(
        "[backend]\nbase_url = \"http://10.0.0.5:8765\"\npublic_url = \"https://pharos.example.com/api\"\n",
    )
    .expect("config");
    assert_eq!(c.backend.base_url.as_str(), "http://10.0.0.5:8765/");
    assert_eq!(c.site.api_base, "https://pharos.example.com/api");
    assert_eq!(
        parse("").expect("defaults").site.api_base,
        "http://127.0.0.1:8765"
    );
    for bad in ["ftp://x", "https://user:pw@x.example", "not a url"] {
        let e = parse(&format!("[backend]\npublic_url = {bad:?}\n")).expect_err(bad);
        assert!(e.to_string().contains("backend.public_url"), "{e}");
    }
    // Each source has its own.
    let c = parse(
        "[[source]]\nname = \"a\"\nbase_url = \"http://10.0.0.5:1\"\npublic_url = \"https://a.example\"\n",
    )
    .expect("source");
    assert_eq!(c.site.api_base, "https://a.example");
}

#[test]
fn example_config_is_valid_and_matches_defaults() {
    let c = parse(EXAMPLE).expect("example parses");
    assert_eq!(c, Config::defaults());
}

#[test]
fn unknown_keys_are_named() {
    let e = parse("[backend]\nbase_ur = \"http://x\"\n").expect_err("typo");
    let msg = e.to_string();
    assert!(msg.contains("base_ur"), "{msg}");
    assert!(msg.contains("lookout.toml"), "{msg}");
}

#[test]
fn bad_values_name_their_key() {
    let cases = [
        ("[backend]\nbase_url = \"ftp://x\"", "backend.base_url"),
        ("[backend]\nbase_url = \"http://u:p@x\"", "backend.base_url"),
        ("[backend]\ntoken_env = \"Bearer abc\"", "backend.token_env"),
        ("[backend]\ntimeout_ms = 0", "backend.timeout_ms"),
        (
            "[backend]\ntime_window_days = 91",
            "backend.time_window_days",
        ),
        ("[backend]\nkind = \"soap\"", "backend.kind"),
        ("[backend]\nkind = \"json\"", "endpoint"),
        (
            "[schedule]\ninterval_seconds = 5",
            "schedule.interval_seconds",
        ),
        ("[serve]\nbind = \"nowhere\"", "serve.bind"),
        ("[demo]\nspeed = -1.0", "demo.speed"),
        ("[site]\nlive_source = \"cdn\"", "site.live_source"),
        ("[notify]\nrepeat_minutes = 99999", "notify.repeat_minutes"),
        ("[[webhook]]\nurl = \"ftp://x\"", "webhook.url"),
        (
            "[[webhook]]\nurl = \"http://x\"\nurl_env = \"V\"",
            "webhook",
        ),
        (
            "[[webhook]]\nurl = \"http://x\"\nformat = \"teams\"",
            "webhook.format",
        ),
        (
            "[backend]\nkind = \"json\"\n[site]\nlive_source = \"backend\"\n[[endpoint]]\nname = \"a\"\nurl = \"/x\"",
            "site.live_source",
        ),
        (
            "[[endpoint]]\nname = \"a b\"\nurl = \"/x\"",
            "endpoint.name",
        ),
    ];
    for (text, key) in cases {
        let e = parse(text).expect_err(text);
        assert!(e.to_string().contains(&format!("`{key}`")), "{text}: {e}");
    }
}

#[test]
fn wrong_types_are_reported_with_the_key() {
    let e = parse("[backend]\nretries = \"three\"").expect_err("type");
    assert!(e.to_string().contains("retries"), "{e}");
}

#[test]
fn extra_endpoints_resolve_against_base() {
    let c = parse(
        "[backend]\nbase_url = \"https://api.example.com/v2\"\nkind = \"json\"\n\
         [[endpoint]]\nname = \"stats\"\nurl = \"/stats\"\n\
         [[endpoint]]\nname = \"other\"\nurl = \"http://10.0.0.1:9/m\"\nauth = true\n",
    )
    .expect("json config");
    assert_eq!(
        c.endpoints[0].url.as_str(),
        "https://api.example.com/v2/stats"
    );
    assert_eq!(c.endpoints[1].url.as_str(), "http://10.0.0.1:9/m");
    assert!(c.endpoints[1].auth);
}

#[test]
fn default_alert_rules_and_custom_ones() {
    let c = parse("").expect("defaults");
    let names: Vec<&str> = c.alerts.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Backend down",
            "Component down",
            "Module down",
            "Worker queue above 100",
            "Cache hit rate below 50%",
            "Workers degraded",
            "Source down",
            "Certificate expires within 14 days"
        ]
    );
    // Nothing of Lookout's own readings: failed reads are no error rate, read times no latency.
    assert!(c.alerts.iter().all(|r| !r.metric.starts_with("probe.")));
    let c = parse(
        "[alerts]\ndefaults = false\n\
         [[alert]]\nname = \"slow search\"\nmetric = \"performance.method.search.*.average_ms\"\nop = \">\"\nthreshold = 300\nclear = 250\nfor = \"5m\"\nkeep_firing_for = \"2m\"\nseverity = \"critical\"\nmissing = \"resolve\"\n\
         [[alert]]\nname = \"odd latency\"\nmetric = \"probe.latency_p95\"\nkind = \"anomaly\"\nmin_severity = \"high\"\n",
    )
    .expect("custom alerts");
    assert_eq!(c.alerts.len(), 2);
    assert_eq!(c.alerts[0].for_ms, 300_000);
    assert_eq!(c.alerts[0].keep_firing_for_ms, 120_000);
    assert!(matches!(
        c.alerts[1].condition,
        model::alert::Condition::Anomaly { .. }
    ));
}

#[test]
fn bad_alert_rules_name_their_key() {
    let cases = [
        (
            "[[alert]]\nname = \"a\"\nmetric = \"m\"\nthreshold = 1",
            "alert.op",
        ),
        (
            "[[alert]]\nname = \"a\"\nmetric = \"m\"\nop = \"=>\"\nthreshold = 1",
            "alert.op",
        ),
        (
            "[[alert]]\nname = \"a\"\nmetric = \"m\"\nop = \">\"",
            "alert.threshold",
        ),
        (
            "[[alert]]\nname = \"a\"\nmetric = \"m\"\nop = \">\"\nthreshold = 5\nclear = 6",
            "alert.clear",
        ),
        (
            "[[alert]]\nname = \"a\"\nmetric = \"m\"\nop = \">\"\nthreshold = 5\nfor = \"soon\"",
            "alert.for",
        ),
        (
            "[[alert]]\nname = \"a\"\nmetric = \"m\"\nop = \">\"\nthreshold = 5\nseverity = \"loud\"",
            "alert.severity",
        ),
        (
            "[[alert]]\nname = \"Workers degraded\"\nmetric = \"m\"\nop = \">\"\nthreshold = 5",
            "alert.name",
        ),
        (
            "[[alert]]\nname = \"a\"\nmetric = \"m\"\nkind = \"magic\"",
            "alert.kind",
        ),
    ];
    for (text, key) in cases {
        let e = parse(text).expect_err(text);
        assert!(e.to_string().contains(&format!("`{key}`")), "{text}: {e}");
    }
    assert_eq!(alerts::parse_duration("90s"), Some(90_000));
    assert_eq!(alerts::parse_duration("0"), Some(0));
    assert_eq!(alerts::parse_duration("2x"), None);
}

#[test]
fn no_dependencies_are_built_in_and_config_gives_them() {
    let c = parse("").expect("defaults");
    assert!(c.site.depends_on.is_empty(), "{:?}", c.site.depends_on);
    let c = parse("[depends_on]\nSearch = [\"Redis\"]\n").expect("custom");
    assert_eq!(c.site.depends_on.len(), 1);
    assert_eq!(
        c.site.depends_on.get("search"),
        Some(&vec!["redis".to_owned()])
    );
    let e = parse("[depends_on]\nsearch = [\"search\"]\n").expect_err("self");
    assert!(e.to_string().contains("`depends_on`"), "{e}");
}

#[test]
fn sources_are_named_checked_and_backend_stays_the_short_form() {
    let c = parse(
        "[backend]\nbase_url = \"http://127.0.0.1:8765\"\n\
         [[source]]\nname = \"queue\"\nkind = \"json\"\nbase_url = \"http://10.0.0.2:9000/api\"\ntoken_env = \"QUEUE_TOKEN\"\nconcurrency = 2\n\
         [[source.endpoint]]\nname = \"stats\"\nurl = \"stats\"\n",
    )
    .expect("two sources");
    assert_eq!(c.source_name, "pharos");
    assert_eq!(c.backend.kind, BackendKind::Pharos);
    assert_eq!(c.more_sources.len(), 1);
    let q = &c.more_sources[0];
    assert_eq!(
        (q.name.as_str(), q.backend.kind),
        ("queue", BackendKind::Json)
    );
    assert_eq!(
        (q.backend.token_env.as_str(), q.backend.concurrency),
        ("QUEUE_TOKEN", 2)
    );
    assert_eq!(
        q.endpoints[0].url.as_str(),
        "http://10.0.0.2:9000/api/stats"
    );
    // Only [[source]] tables: the first leads, named as written.
    let c = parse(
        "[[source]]\nname = \"api\"\nkind = \"json\"\n[[source.endpoint]]\nname = \"h\"\nurl = \"/h\"\n\
         [[source]]\nname = \"core\"\n",
    )
    .expect("sources only");
    assert_eq!(
        (c.source_name.as_str(), c.backend.kind),
        ("api", BackendKind::Json)
    );
    assert_eq!(c.more_sources[0].name, "core");
    for (text, key) in [
        ("[[source]]\nname = \"Bad Name\"\n", "source.name"),
        ("[[source]]\nname = \"pharos\"\n[backend]\n", "source.name"),
        (
            "[[source]]\nname = \"a\"\n[[source]]\nname = \"a\"\n",
            "source.name",
        ),
        (
            "[[source]]\nname = \"a\"\nconcurrency = 0\n",
            "backend.concurrency",
        ),
        ("[[source]]\nname = \"a\"\nkind = \"json\"\n", "endpoint"),
    ] {
        let e = parse(text).expect_err(text);
        assert!(e.to_string().contains(&format!("`{key}`")), "{text}: {e}");
    }
    let e = parse("[[source]]\nname = \"a\"\nconcurrency = 0\n").expect_err("concurrency");
    assert!(e.to_string().contains("[[source]] \"a\""), "{e}");
}

#[test]
fn every_kind_as_a_further_source() {
    let c = parse(
        "[backend]\nbase_url = \"http://10.0.0.5:8765\"\n\
         [[source]]\nname = \"node\"\nkind = \"prometheus\"\nbase_url = \"http://10.0.0.5:9100\"\npart_metric = \"node_scrape_collector_success\"\npart_label = \"collector\"\n\
         [[source]]\nname = \"website\"\nkind = \"http\"\nurl = \"https://www.example.com/health\"\njson_path = \"status\"\njson_equals = \"ok\"\n\
         [[source]]\nname = \"postgres\"\nkind = \"tcp\"\naddress = \"10.0.0.6:5432\"\n",
    )
    .expect("the README's example");
    let kinds: Vec<BackendKind> = c.more_sources.iter().map(|s| s.backend.kind).collect();
    assert_eq!(
        kinds,
        [BackendKind::Prometheus, BackendKind::Http, BackendKind::Tcp]
    );
    let node = &c.more_sources[0].backend;
    assert_eq!(
        node.prom.parts,
        Some(("node_scrape_collector_success".into(), "collector".into()))
    );
    assert_eq!(
        c.more_sources[1].backend.base_url.as_str(),
        "https://www.example.com/health"
    );
    assert_eq!(
        c.more_sources[1].backend.check.json_equals,
        Some(("status".into(), "ok".into()))
    );
    assert_eq!(
        c.more_sources[2].backend.base_url.as_str(),
        "tcp://10.0.0.6:5432"
    );
    let e = parse("[backend]\nkind = \"prometheus\"\nmax_series = 0\n").expect_err("0 series");
    assert!(e.to_string().contains("max_series"), "{e}");
    let e =
        parse("[backend]\nkind = \"prometheus\"\npart_metric = \"up\"\n").expect_err("no label");
    assert!(e.to_string().contains("part_label"), "{e}");
}

#[test]
fn the_example_configs_of_the_designs_apis_are_valid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    for (file, endpoints) in [("admin-api.toml", 6), ("ml-api.toml", 3)] {
        let text = std::fs::read_to_string(dir.join(file)).expect("example");
        let c = parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(c.endpoints.len(), endpoints, "{file}");
        assert!(
            c.endpoints.iter().any(|e| !e.maps.is_empty()),
            "{file} maps an array"
        );
    }
}

#[test]
fn sections_name_their_tables_and_operations_need_a_section_page() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let text = std::fs::read_to_string(dir.join("admin-api.toml")).expect("example");
    let c = parse(&text).expect("valid");
    let ws = &c.site.sections[0];
    assert_eq!(
        (ws.title.as_str(), ws.slug.as_str(), ws.page, ws.primary),
        ("WebSocket", "websocket", true, true)
    );
    assert_eq!(
        ws.meter,
        Some(("websocket.active".into(), "websocket.max".into()))
    );
    let conns = &ws.tables[0];
    assert_eq!(
        conns.live_url,
        "https://admin.example.com/api/v1/admin/websocket/connections"
    );
    assert_eq!(conns.mapping.ops.actions[0].method, "POST");
    assert!(conns.mapping.ops.actions[0].confirm.is_some());
    assert_eq!(ws.tables[1].mapping.rows, 20);
    let pipe = &c.site.sections[1];
    assert_eq!(
        pipe.flow.as_ref().and_then(|f| f.enabled.as_deref()),
        Some("enabled")
    );
    let ops = &pipe.tables[0].mapping.ops;
    assert_eq!(
        ops.toggle.as_ref().map(|t| t.method.as_str()),
        Some("PATCH")
    );
    assert_eq!(
        ops.reorder
            .as_ref()
            .map(|r| (r.method.as_str(), r.url.is_none())),
        Some(("PUT", true))
    );

    let base = "[[source]]\nname = \"a\"\nkind = \"json\"\nbase_url = \"http://x/\"\n[[source.endpoint]]\nname = \"e\"\nurl = \"e\"\n[[source.endpoint.map]]\nitems = \"l\"\nkey = \"id\"\ntable = \"T\"\n";
    let with = |more: &str| parse(&format!("{base}{more}"));
    let e = with("[[source.endpoint.map.action]]\nlabel = \"Go\"\nurl = \"{id}/go\"\n")
        .expect_err("no section page");
    assert!(e.to_string().contains("page = true"), "{e}");
    let e =
        with("[[source.section]]\ntitle = \"S\"\ntables = [\"U\"]\n").expect_err("no such table");
    assert!(e.to_string().contains("\"U\" is no table"), "{e}");
    let e = with("[[source.endpoint.map.action]]\nlabel = \"Go\"\nurl = \"https://evil/{id}\"\n")
        .expect_err("absolute");
    assert!(e.to_string().contains("relative URL"), "{e}");
    let e =
        with("[[source.endpoint.map.action]]\nlabel = \"Go\"\nmethod = \"GET\"\nurl = \"{id}\"\n")
            .expect_err("GET");
    assert!(e.to_string().contains("POST, PUT, PATCH or DELETE"), "{e}");
    let e = with("[[source.section]]\ntitle = \"S\"\nmeter = [\"a\"]\n").expect_err("one metric");
    assert!(e.to_string().contains("two metrics"), "{e}");
    let e = with("rows = 0\n").expect_err("no rows");
    assert!(e.to_string().contains("rows"), "{e}");
    let ok = with("[[source.endpoint.map.action]]\nlabel = \"Go\"\nurl = \"{id}/go\"\n[[source.section]]\ntitle = \"S\"\npage = true\ntables = [\"T\"]\n").expect("valid");
    assert_eq!(ok.site.sections[0].tables[0].live_url, "http://x/e");
}

#[test]
fn control_characters_in_the_config_are_refused_where_they_would_forge_lines() {
    for (toml, key) in [
        ("[site]\ntitle = \"a\\r\\nforged\"\n", "site.title"),
        (
            "[backend]\nbase_url = \"http://x/\\u001b[2J\"\n",
            "backend.base_url",
        ),
        (
            "[[alert]]\nname = \"a\\nb\"\nmetric = \"m\"\nabove = 1\n",
            "alert.name",
        ),
    ] {
        let e = Config::from_toml(toml, Path::new("t.toml")).expect_err(toml);
        assert!(e.to_string().contains(key), "{e}");
    }
    assert!(Config::from_toml("[site]\ntitle = \"a\\tb\"\n", Path::new("t.toml")).is_ok());
}

#[test]
fn limits_per_source_are_configurable_and_checked() {
    let c = Config::from_toml(
        "[backend]\nmax_metrics = 10\nmax_parts = 3\nmax_items = 4\n",
        Path::new("t.toml"),
    )
    .expect("config");
    assert_eq!(c.backend.limits.metrics, 10);
    assert_eq!(c.backend.limits.items, 4);
    let e =
        Config::from_toml("[backend]\nmax_metrics = 0\n", Path::new("t.toml")).expect_err("zero");
    assert!(e.to_string().contains("backend.max_metrics"), "{e}");
}

#[test]
fn snapshot_pages_is_all_or_a_number_of_days_within_the_retention() {
    assert_eq!(parse("").expect("default").site.snapshot_pages, None);
    let all = parse("[site]\nsnapshot_pages = \"all\"").expect("all");
    assert_eq!(all.site.snapshot_pages, None);
    let week = parse("[site]\nsnapshot_pages = 7").expect("a week");
    assert_eq!(week.site.snapshot_pages, Some(7));
    for (bad, says) in [
        ("0", "got 0"),
        ("31", "1..=30"),
        ("\"some\"", "got \"some\""),
        ("1.5", "got a float"),
    ] {
        let e = parse(&format!("[site]\nsnapshot_pages = {bad}"))
            .expect_err(bad)
            .to_string();
        assert!(
            e.contains("site.snapshot_pages") && e.contains(says),
            "{bad}: {e}"
        );
    }
}
