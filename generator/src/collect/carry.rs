//! A part the previous snapshot showed and this one could not read stays, as unknown: a failed
//! answer must not make a component or module vanish from the page.

use model::{PartHealth, Snapshot, Status};

/// The word of a part carried over from an earlier snapshot.
pub const NOT_READ: &str = "not read";

/// Adds to `now` each part of `previous` it lacks, as unknown with when it was last reported,
/// when some answer of `now` failed (with every answer read, a part that is gone is gone: the
/// backend stopped reporting it).
pub fn carry_unread(now: &mut Snapshot, previous: Option<&Snapshot>) {
    let Some(prev) = previous else { return };
    if now.outcomes.iter().all(|o| o.kind.is_ok()) {
        return;
    }
    let when = model::time::format_human(prev.taken_at_ms);
    for (from, into) in [
        (&prev.components, &mut now.components),
        (&prev.modules, &mut now.modules),
    ] {
        for p in from {
            if into.iter().any(|q| q.name == p.name) {
                continue;
            }
            // Carried already: it keeps the time it was last really reported.
            let message = if p.word == NOT_READ {
                p.message.clone()
            } else if p.message.is_empty() {
                format!(
                    "not read in this snapshot; last reported {} at {when}",
                    p.status.label()
                )
            } else {
                format!(
                    "not read in this snapshot; last reported {} at {when}: {}",
                    p.status.label(),
                    p.message
                )
            };
            into.push(PartHealth {
                name: p.name.clone(),
                status: Status::Unknown,
                word: NOT_READ.to_owned(),
                message,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::OutcomeKind;

    fn part(name: &str, status: Status, word: &str, message: &str) -> PartHealth {
        PartHealth {
            name: name.into(),
            status,
            word: word.into(),
            message: message.into(),
        }
    }

    /// The store tests' snapshot, its one reading failed or not, with these modules.
    fn snap(at: i64, failed: bool, modules: Vec<PartHealth>) -> Snapshot {
        let mut s = crate::store::tests::assembled(at, Status::Unknown, 1.0).snapshot;
        s.modules = modules;
        if failed {
            s.outcomes[0].http_status = Some(503);
            s.outcomes[0].kind = OutcomeKind::HttpError;
        }
        s
    }

    #[test]
    fn an_unread_part_stays_unknown_with_when_it_was_last_reported() {
        let first = snap(
            0,
            false,
            vec![part("Search", Status::Down, "unhealthy", "db")],
        );
        let mut second = snap(60_000, true, vec![]);
        carry_unread(&mut second, Some(&first));
        let p = &second.modules[0];
        assert_eq!(
            (p.name.as_str(), p.status, p.word.as_str()),
            ("Search", Status::Unknown, NOT_READ)
        );
        assert!(
            p.message.contains("last reported Down at 1970-01-01 00:00"),
            "{}",
            p.message
        );
        // Still unread a minute later: the time it was last really reported stays.
        let mut third = snap(120_000, true, vec![]);
        carry_unread(&mut third, Some(&second));
        assert_eq!(third.modules[0].message, p.message);
        // Everything read and the part absent: the backend no longer reports it.
        let mut fourth = snap(180_000, false, vec![]);
        carry_unread(&mut fourth, Some(&third));
        assert!(fourth.modules.is_empty());
        // A part read now is never overwritten.
        let mut fifth = snap(
            240_000,
            true,
            vec![part("Search", Status::Healthy, "ok", "")],
        );
        carry_unread(&mut fifth, Some(&first));
        assert_eq!(fifth.modules.len(), 1);
        assert_eq!(fifth.modules[0].status, Status::Healthy);
    }
}
