//! A module going down fires the default "Module down" alert: three snapshots of the demo
//! backend in an error spike (the annotations module unhealthy), two and a half minutes apart
//! in all, on the tests' clock.

use serde_json::Value;

use lookout::demo::sim::{Incident, Incidents};

use crate::support::{TOKEN, demo_for, temp};

#[test]
fn a_module_going_down_fires_the_default_status_alert() {
    let dir = temp("module-alert");
    let start = crate::support::clock().now_ms();
    let (_demo, server) = demo_for(
        "http://127.0.0.1:8000",
        11,
        Incidents::Fixed(vec![Incident::ErrorSpike]),
        crate::support::clock(),
    );
    let config = lookout::config::Config::from_toml(
        &format!("[backend]\nbase_url = \"{}\"\n", server.base_url()),
        std::path::Path::new("t.toml"),
    )
    .expect("config");
    let mut store = lookout::store::Store::open(&dir.join("data")).expect("store");
    let token = lookout::collect::Token::new(TOKEN.into());
    let site = dir.join("site");
    for at in [0, 75_000, 150_000] {
        let clock = lookout::clock::Clock::starting_at(start + at);
        let (_, snap) =
            lookout::app::snapshot(&config, &mut store, token.as_ref(), clock).expect("snapshot");
        assert!(
            snap.modules
                .iter()
                .any(|m| m.name.eq_ignore_ascii_case("annotations")
                    && m.status == model::Status::Down),
            "the module is down in the snapshot: {:?}",
            snap.modules
        );
        lookout::app::build(&config, &mut store, &site, false, clock).expect("build");
    }
    let analysis: Value = serde_json::from_str(
        &std::fs::read_to_string(site.join("data/analysis.json")).expect("analysis"),
    )
    .expect("json");
    let firing: Vec<(&str, &str)> = analysis["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter(|a| a["phase"] == "firing")
        .filter_map(|a| Some((a["rule"].as_str()?, a["metric"].as_str()?)))
        .collect();
    assert!(
        firing.contains(&("Module down", "status.module.annotations")),
        "{firing:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
