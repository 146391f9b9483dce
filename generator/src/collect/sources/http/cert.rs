//! The expiry (`notAfter`) of an X.509 certificate in DER, the one date a certificate check
//! needs.
//!
//! A walk of the few DER elements before the validity, rather than a certificate crate: the
//! crates parse and verify everything (and bring their own ASN.1 and time stacks) where one
//! date is wanted; rustls has already verified the chain.

/// One DER element: its tag, and its content with what follows it.
fn element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |a, &b| (a << 8) | usize::from(b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// `notAfter` of a DER certificate, in milliseconds since the epoch (UTC).
pub fn not_after_ms(der: &[u8]) -> Option<i64> {
    const SEQUENCE: u8 = 0x30;
    let (tag, cert, _) = element(der)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, tbs, _) = element(cert)?;
    if tag != SEQUENCE {
        return None;
    }
    let mut rest = tbs;
    // [0] version, when present.
    if rest.first() == Some(&0xa0) {
        rest = element(rest)?.2;
    }
    // serialNumber, signature, issuer; then validity.
    for _ in 0..3 {
        rest = element(rest)?.2;
    }
    let (tag, validity, _) = element(rest)?;
    if tag != SEQUENCE {
        return None;
    }
    let (_, _not_before, after) = element(validity)?;
    let (tag, not_after, _) = element(after)?;
    time(tag, std::str::from_utf8(not_after).ok()?)
}

/// UTCTime (`YYMMDDhhmmssZ`, years 1950-2049) or GeneralizedTime (`YYYYMMDDhhmmssZ`).
fn time(tag: u8, s: &str) -> Option<i64> {
    let digits = s.strip_suffix('Z')?;
    let (year, rest) = match (tag, digits.len()) {
        (0x17, 12) => {
            let yy: i32 = digits[..2].parse().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &digits[2..])
        }
        (0x18, 14) => (digits[..4].parse().ok()?, &digits[4..]),
        _ => return None,
    };
    let n = |i: usize| rest.get(i..i + 2)?.parse::<u32>().ok();
    let (month, day, hour, minute, second) = (n(0)?, n(2)?, n(4)?, n(6)?, n(8)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = model::time::days_from_civil(year, month, day);
    Some(
        ((days * 24 + i64::from(hour)) * 60 + i64::from(minute)) * 60_000
            + i64::from(second) * 1000,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_both_encodings() {
        assert_eq!(
            time(0x17, "261201120000Z"),
            model::time::parse_iso("2026-12-01T12:00:00Z")
        );
        assert_eq!(
            time(0x17, "491231235959Z"),
            model::time::parse_iso("2049-12-31T23:59:59Z")
        );
        assert_eq!(
            time(0x17, "500101000000Z"),
            model::time::parse_iso("1950-01-01T00:00:00Z")
        );
        assert_eq!(
            time(0x18, "20700101000000Z"),
            model::time::parse_iso("2070-01-01T00:00:00Z")
        );
        assert_eq!(time(0x17, "261301120000Z"), None, "month 13");
        assert_eq!(time(0x17, "2612011200Z"), None);
        assert_eq!(time(0x17, "261201120000"), None, "no zone");
    }

    #[test]
    fn a_certificate_made_by_openssl() {
        // `openssl req -x509 -newkey ec ... -days 30 -outform DER`, whose
        // `openssl x509 -enddate` reads "notAfter=Dec 31 23:48:38 2026 GMT".
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/certs/lookout-test-30d.der");
        let der = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(
            not_after_ms(&der),
            model::time::parse_iso("2026-12-31T23:48:38Z")
        );
    }

    #[test]
    fn garbage_is_no_certificate() {
        assert_eq!(not_after_ms(&[]), None);
        assert_eq!(not_after_ms(&[0x30, 0x82, 0xff]), None);
        assert_eq!(not_after_ms(&[0x02, 0x01, 0x01]), None);
    }
}
