//! The site's time zone (`site.time_zone`): every time a reader sees is written in it and
//! names it, so a time is never read in the wrong zone. Days (history, day pages, rollups) stay
//! UTC days, which keeps every permanent URL the same whatever the zone.

use model::time::Civil;

/// A checked IANA zone; UTC unless configured.
#[derive(Debug, Clone)]
pub struct Zone {
    tz: jiff::tz::TimeZone,
    name: String,
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Default for Zone {
    fn default() -> Zone {
        Zone::utc()
    }
}

impl Zone {
    pub fn utc() -> Zone {
        Zone {
            tz: jiff::tz::TimeZone::UTC,
            name: "UTC".to_owned(),
        }
    }

    /// The zone of an IANA name (`Europe/Berlin`), or why not.
    pub fn named(name: &str) -> Result<Zone, String> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("utc") {
            return Ok(Zone::utc());
        }
        jiff::tz::TimeZone::get(name)
            .map(|tz| Zone {
                tz,
                name: name.to_owned(),
            })
            .map_err(|_| format!("{name:?} is not a known time zone (e.g. UTC, Europe/Berlin)"))
    }

    /// The IANA name (`UTC` by default), as column heads and axes name the zone.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_utc(&self) -> bool {
        self.name == "UTC"
    }

    /// The offset from UTC at `ms`, in ms: no abbreviation, so no allocation (chart ticks and
    /// table rows ask for it per point).
    pub fn offset_ms(&self, ms: i64) -> i64 {
        if self.is_utc() {
            return 0;
        }
        jiff::Timestamp::from_millisecond(ms)
            .map_or(0, |ts| i64::from(self.tz.to_offset(ts).seconds()) * 1000)
    }

    /// The offset at `ms`, in ms, and the zone's abbreviation then (`CET`, `CEST`).
    pub fn offset_at(&self, ms: i64) -> (i64, String) {
        let ts = jiff::Timestamp::from_millisecond(ms);
        match ts {
            Ok(ts) if !self.is_utc() => {
                let info = self.tz.to_offset_info(ts);
                let abbr = info.abbreviation();
                // Zones without a letter abbreviation get "+0530" in tzdb; say it as UTC+05:30.
                let abbr = if abbr.starts_with(['+', '-']) {
                    format!("UTC{}", info.offset())
                } else {
                    abbr.to_owned()
                };
                (i64::from(info.offset().seconds()) * 1000, abbr)
            }
            _ => (0, "UTC".to_owned()),
        }
    }

    /// Local civil fields of `ms`.
    pub fn civil(&self, ms: i64) -> Civil {
        Civil::from_ms(ms + self.offset_ms(ms))
    }

    /// `2026-11-22 01:06:55 CET` (`... UTC` by default), for people.
    pub fn human(&self, ms: i64) -> String {
        let (off, abbr) = self.offset_at(ms);
        model::time::format_human_in(ms, off, &abbr)
    }

    /// `HH:MM:SS` in the zone, where the column head names the zone.
    pub fn clock(&self, ms: i64) -> String {
        let c = self.civil(ms);
        format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second)
    }

    /// The offsets in force from `from_ms` to `to_ms`, for the widgets (`model::time::ZoneTable`);
    /// empty for UTC, which they write without one.
    pub fn table(&self, from_ms: i64, to_ms: i64) -> String {
        if self.is_utc() {
            return String::new();
        }
        let item = |t: i64| {
            let (off, abbr) = self.offset_at(t);
            format!("{t} {} {abbr}", off / 1000)
        };
        let mut out = vec![item(from_ms)];
        if let Ok(ts) = jiff::Timestamp::from_millisecond(from_ms) {
            for tr in self.tz.following(ts) {
                let t = tr.timestamp().as_millisecond();
                if t > to_ms {
                    break;
                }
                out.push(item(t));
            }
        }
        out.join(";")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_795_306_015_000; // 2026-11-22T00:06:55Z

    #[test]
    fn utc_reads_as_before() {
        let z = Zone::utc();
        assert_eq!(z.human(T), "2026-11-22 00:06:55 UTC");
        assert_eq!(z.human(T), model::time::format_human(T));
        assert_eq!(z.clock(T), "00:06:55");
        assert!(Zone::named("utc").expect("a zone").is_utc());
    }

    #[test]
    fn a_zone_shifts_and_names_itself_through_daylight_saving() {
        let z = Zone::named("Europe/Berlin").expect("a zone");
        assert_eq!(z.human(T), "2026-11-22 01:06:55 CET");
        // 2026-07-01T12:00:00Z is summer time.
        assert_eq!(z.human(1_782_907_200_000), "2026-07-01 14:00:00 CEST");
        let k = Zone::named("Asia/Kolkata").expect("a zone");
        assert_eq!(k.human(T), "2026-11-22 05:36:55 IST");
        assert!(Zone::named("Mars/Olympus").is_err());
        // What the widgets get reads the same as what the page says.
        let table =
            model::time::ZoneTable::parse(&z.table(T - 400 * 86_400_000, T + 400 * 86_400_000))
                .expect("a table");
        for t in [T, 1_782_907_200_000, T + 200 * 86_400_000] {
            assert_eq!(table.human(t), z.human(t));
        }
        assert_eq!(Zone::utc().table(0, T), "");
    }
}
