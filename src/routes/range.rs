//! `Range: bytes=…` for media answers (RFC 9110 section 14): one range is served as 206,
//! none satisfiable as 416, anything else (no header, a syntax error, another unit, several
//! ranges) as the whole body.

/// What to answer for a `Range` header over a body of `len` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeAnswer {
    /// 200 with the whole body.
    Full,
    /// 206 with bytes `start..=end`.
    Partial { start: u64, end: u64 },
    /// 416 with `Content-Range: bytes */len`.
    Unsatisfiable,
}

enum Spec {
    Satisfiable(u64, u64),
    Unsatisfiable,
}

/// Decide how to answer `header` (the `Range` value, if any) for a body of `len` bytes.
pub fn answer(header: Option<&str>, len: u64) -> RangeAnswer {
    let Some(header) = header else {
        return RangeAnswer::Full;
    };
    let header = header.trim();
    let Some(unit_end) = header.find('=') else {
        return RangeAnswer::Full;
    };
    if !header[..unit_end].trim().eq_ignore_ascii_case("bytes") {
        return RangeAnswer::Full;
    }
    let mut specs = Vec::new();
    for part in header[unit_end + 1..].split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match spec(part, len) {
            Some(s) => specs.push(s),
            None => return RangeAnswer::Full, // a syntax error: ignore the header
        }
    }
    let satisfiable: Vec<_> = specs
        .iter()
        .filter_map(|s| match s {
            Spec::Satisfiable(start, end) => Some((*start, *end)),
            Spec::Unsatisfiable => None,
        })
        .collect();
    match (specs.len(), satisfiable.as_slice()) {
        (0, _) => RangeAnswer::Full,
        (_, []) => RangeAnswer::Unsatisfiable,
        (1, [(start, end)]) => RangeAnswer::Partial {
            start: *start,
            end: *end,
        },
        _ => RangeAnswer::Full,
    }
}

fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Digits too many for u64 still denote a (huge) number.
    Some(text.parse().unwrap_or(u64::MAX))
}

fn spec(part: &str, len: u64) -> Option<Spec> {
    let (first, last) = part.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        let suffix = number(last)?;
        return Some(if suffix == 0 || len == 0 {
            Spec::Unsatisfiable
        } else {
            Spec::Satisfiable(len.saturating_sub(suffix), len - 1)
        });
    }
    let start = number(first)?;
    let end = if last.is_empty() {
        None
    } else {
        let end = number(last)?;
        if end < start {
            return None;
        }
        Some(end)
    };
    Some(if start >= len {
        Spec::Unsatisfiable
    } else {
        Spec::Satisfiable(start, end.map_or(len - 1, |e| e.min(len - 1)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use RangeAnswer::*;

    #[test]
    fn the_usual_forms() {
        let p = |start, end| Partial { start, end };
        assert_eq!(answer(None, 100), Full);
        assert_eq!(answer(Some("bytes=0-9"), 100), p(0, 9));
        assert_eq!(answer(Some("bytes=90-"), 100), p(90, 99));
        assert_eq!(answer(Some("bytes=-10"), 100), p(90, 99));
        assert_eq!(answer(Some("bytes=-1000"), 100), p(0, 99));
        assert_eq!(answer(Some("bytes=50-1000"), 100), p(50, 99));
        assert_eq!(answer(Some("Bytes = 1-1"), 100), p(1, 1));
        assert_eq!(answer(Some("bytes=100-"), 100), Unsatisfiable);
        assert_eq!(answer(Some("bytes=100-200"), 100), Unsatisfiable);
        assert_eq!(answer(Some("bytes=-0"), 100), Unsatisfiable);
        assert_eq!(answer(Some("bytes=0-"), 0), Unsatisfiable);
        assert_eq!(answer(Some("bytes=200-300, 400-"), 100), Unsatisfiable);
        assert_eq!(answer(Some("bytes=0-1,5-6"), 100), Full);
        assert_eq!(answer(Some("bytes=9-1"), 100), Full);
        assert_eq!(answer(Some("bytes=a-b"), 100), Full);
        assert_eq!(answer(Some("items=0-1"), 100), Full);
        assert_eq!(
            answer(Some("bytes=99999999999999999999999-"), 100),
            Unsatisfiable
        );
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_in_bounds(header in ".{0,40}", len in 0u64..10_000) {
            if let Partial { start, end } = answer(Some(&header), len) {
                prop_assert!(start <= end && end < len);
            }
        }

        #[test]
        fn well_formed_ranges_are_honoured(a in 0u64..2_000, b in 0u64..2_000, len in 1u64..1_000) {
            let (start, end) = (a.min(b), a.max(b));
            let got = answer(Some(&format!("bytes={start}-{end}")), len);
            if start < len {
                prop_assert_eq!(got, Partial { start, end: end.min(len - 1) });
            } else {
                prop_assert_eq!(got, Unsatisfiable);
            }
        }
    }
}
