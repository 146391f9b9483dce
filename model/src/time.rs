//! UTC calendar arithmetic and ISO 8601 parsing/formatting without a date library (keeps wasm small).

/// A UTC civil time broken into fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub millis: u32,
}

const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m, d)
}

impl Civil {
    pub fn from_ms(ms: i64) -> Civil {
        let days = ms.div_euclid(MS_PER_DAY);
        let rem = ms.rem_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let secs = (rem / 1000) as u32;
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            millis: (rem % 1000) as u32,
        }
    }

    pub fn to_ms(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * MS_PER_DAY
            + i64::from(self.hour) * 3_600_000
            + i64::from(self.minute) * 60_000
            + i64::from(self.second) * 1000
            + i64::from(self.millis)
    }
}

/// `2026-11-22T00:06:55Z`
pub fn format_iso(ms: i64) -> String {
    let c = Civil::from_ms(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `2026-11-22 00:06:55 UTC`, for people.
pub fn format_human(ms: i64) -> String {
    format_human_in(ms, 0, "UTC")
}

/// `ms` at `offset_ms` from UTC, named `zone`: `2026-11-22 01:06:55 CET`. The one format of
/// times for people, whatever knows the zone (the generator's tz database, a page's table).
pub fn format_human_in(ms: i64, offset_ms: i64, zone: &str) -> String {
    let c = Civil::from_ms(ms + offset_ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} {zone}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `2026-11-22`
pub fn day_of(ms: i64) -> String {
    let c = Civil::from_ms(ms);
    format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
}

/// `HH:MM:SS`
pub fn time_of_day(ms: i64) -> String {
    let c = Civil::from_ms(ms);
    format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second)
}

/// The permanent, URL-safe name of a snapshot taken at `ms`: `2026-11-22/000655`.
pub fn snapshot_slug(ms: i64) -> String {
    let c = Civil::from_ms(ms);
    format!(
        "{:04}-{:02}-{:02}/{:02}{:02}{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// Start of the UTC day (`YYYY-MM-DD`) in ms, if the text is a valid date.
pub fn parse_day(s: &str) -> Option<i64> {
    parse_iso(&format!("{s}T00:00:00Z"))
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses ISO 8601 / RFC 3339 date-times as backends write them: `T` or space between date and
/// time, optional fraction, and `Z`, `+HH:MM`, `+HHMM` or no zone (read as UTC, as Pharos means it).
pub fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() < 19 || !s.is_char_boundary(10) || !s.is_char_boundary(19) {
        return None;
    }
    let (date, rest) = s.split_at(10);
    let b = date.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = num(&date[0..4])? as i32;
    let month = num(&date[5..7])?;
    let day = num(&date[8..10])?;
    let sep = rest.as_bytes()[0];
    if sep != b'T' && sep != b't' && sep != b' ' {
        return None;
    }
    let t = &rest[1..9];
    let tb = t.as_bytes();
    if tb[2] != b':' || tb[5] != b':' {
        return None;
    }
    let hour = num(&t[0..2])?;
    let minute = num(&t[3..5])?;
    let second = num(&t[6..8])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut tail = &rest[9..];
    let mut millis = 0u32;
    if let Some(frac) = tail.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let mut ms_text = frac[..digits.min(3)].to_owned();
        while ms_text.len() < 3 {
            ms_text.push('0');
        }
        millis = num(&ms_text)?;
        tail = &frac[digits..];
    }
    let offset_min: i64 = match tail {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match tail.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let body = tail[1..].replace(':', "");
            if body.len() != 4 {
                return None;
            }
            let h = i64::from(num(&body[0..2])?);
            let m = i64::from(num(&body[2..4])?);
            sign * (h * 60 + m)
        }
    };
    let civil = Civil {
        year,
        month,
        day,
        hour,
        minute,
        second: second.min(59),
        millis,
    };
    Some(civil.to_ms() - offset_min * 60_000)
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// A time zone as a page carries it to the widgets (`data-tz`): from each instant on, an offset
/// and its abbreviation, as the generator read them from the tz database (the browser's own
/// names differ by locale, so the widgets and the static page would say different things).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ZoneTable(Vec<(i64, i64, String)>);

impl ZoneTable {
    /// `from_ms offset_s abbr;...`, oldest first; `None` when any part is not that.
    pub fn parse(s: &str) -> Option<ZoneTable> {
        let mut out = Vec::new();
        for item in s.split(';').filter(|i| !i.trim().is_empty()) {
            let mut f = item.split_whitespace();
            let from = f.next()?.parse().ok()?;
            let off: i64 = f.next()?.parse().ok()?;
            let abbr = f.next()?;
            if f.next().is_some() || off.abs() > 86_400 || abbr.len() > 12 {
                return None;
            }
            out.push((from, off * 1000, abbr.to_owned()));
        }
        (!out.is_empty()).then_some(ZoneTable(out))
    }

    /// The offset (ms) and abbreviation in force at `ms` (the first entry's before it starts).
    pub fn at(&self, ms: i64) -> (i64, &str) {
        let e = self.0.iter().rev().find(|e| e.0 <= ms).or(self.0.first());
        e.map_or((0, "UTC"), |e| (e.1, e.2.as_str()))
    }

    /// `2026-11-22 01:06:55 CET`, as the generator writes it.
    pub fn human(&self, ms: i64) -> String {
        let (off, abbr) = self.at(ms);
        format_human_in(ms, off, abbr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_table_reads_its_offsets_and_refuses_garbage() {
        // Berlin: CET, then CEST from 2026-03-29T01:00Z.
        let t = ZoneTable::parse("0 3600 CET;1774746000000 7200 CEST").expect("a table");
        assert_eq!(t.human(1_774_745_999_000), "2026-03-29 01:59:59 CET");
        assert_eq!(t.human(1_774_746_000_000), "2026-03-29 03:00:00 CEST");
        assert_eq!(t.at(-5).1, "CET");
        for bad in ["", "x 1 A", "0 99999 A", "0 1", "0 1 A B"] {
            assert_eq!(ZoneTable::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn civil_round_trips_across_eras() {
        for days in [-800_000, -1, 0, 1, 59, 10_957, 20_000, 800_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn parses_pharos_and_rfc3339_timestamps() {
        let naive = parse_iso("2026-11-22T00:06:55.485660").expect("naive");
        assert_eq!(format_iso(naive), "2026-11-22T00:06:55Z");
        assert_eq!(naive % 1000, 485);
        let zoned = parse_iso("2026-11-22T02:06:55+02:00").expect("zoned");
        assert_eq!(zoned, naive - 485);
        assert_eq!(parse_iso("2026-11-22 00:06:55"), Some(naive - 485));
        assert_eq!(parse_iso("2026-11-22T00:06:55Z"), Some(naive - 485));
        assert_eq!(parse_iso("2026-02-30T00:00:00"), None);
        assert_eq!(parse_iso("2026-11-22T25:00:00"), None);
        assert_eq!(parse_iso("garbage"), None);
        assert_eq!(parse_iso("2026-11-22T00:06:55+0"), None);
        assert_eq!(parse_iso("2026-11-22T00:06:55é"), None);
    }

    #[test]
    fn slugs_and_days() {
        let ms = parse_iso("2024-02-29T23:59:58Z").expect("leap day");
        assert_eq!(snapshot_slug(ms), "2024-02-29/235958");
        assert_eq!(day_of(ms), "2024-02-29");
        assert_eq!(time_of_day(ms), "23:59:58");
        assert_eq!(
            parse_day("2024-02-29"),
            Some(ms - ms.rem_euclid(86_400_000))
        );
        assert_eq!(format_human(ms), "2024-02-29 23:59:58 UTC");
    }
}
