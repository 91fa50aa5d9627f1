//! The clock, read here and nowhere below: domain crates get times as arguments, so a
//! replay, a deadline or a draw can be recomputed for any moment.

use jiff::Timestamp;

/// Unix seconds now.
pub fn now_unix() -> i64 {
    Timestamp::now().as_second()
}

/// Now as RFC 3339 UTC with milliseconds. Outbox times are compared as text, so every
/// one has this same shape.
pub fn now_rfc3339() -> String {
    rfc3339_millis(Timestamp::now())
}

/// A time as RFC 3339 UTC with milliseconds (`2021-09-01T12:00:00.000Z`).
pub fn rfc3339_millis(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A Unix time as RFC 3339 UTC to the second (`2021-09-01T12:00:00Z`).
pub fn rfc3339_seconds(unix: i64) -> String {
    Timestamp::from_second(unix)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A Unix time for people: `2021-09-01 12:00:00 UTC`.
pub fn readable(unix: i64) -> String {
    Timestamp::from_second(unix)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

/// Today's date (UTC).
pub fn today() -> hemi_governance::Date {
    hemi_governance::Date::from_unix(now_unix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(rfc3339_seconds(1_654_819_200), "2022-06-10T00:00:00Z");
        assert_eq!(readable(1_654_819_200), "2022-06-10 00:00:00 UTC");
        let t = Timestamp::from_millisecond(1_654_819_200_123).unwrap();
        assert_eq!(rfc3339_millis(t), "2022-06-10T00:00:00.123Z");
    }
}
