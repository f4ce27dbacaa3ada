//! Times as the tool writes them for people and files: RFC 3339, UTC (`Z`). One time crate,
//! jiff, whose `Timestamp` reads and writes RFC 3339 the way the history, receipts, sessions
//! and cool-downs have always been written.

use jiff::Timestamp;

/// A time as reports and messages show it: RFC 3339, UTC, whole seconds.
pub fn format_time(at: Timestamp) -> String {
    whole_seconds(at).to_string()
}

/// `at` without its fraction of a second.
pub fn whole_seconds(at: Timestamp) -> Timestamp {
    Timestamp::from_second(at.as_second()).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The formats README shows, unchanged by the move from `time` to jiff.
    #[test]
    fn times_are_written_as_they_always_were() {
        let at = Timestamp::new(1_796_156_409, 50_000_000).unwrap();
        assert_eq!(format_time(at), "2026-12-01T20:20:09Z");
        assert_eq!(at.to_string(), "2026-12-01T20:20:09.05Z");
        assert_eq!(
            serde_json::to_string(&at).unwrap(),
            "\"2026-12-01T20:20:09.05Z\""
        );
        assert_eq!(
            at.strftime("%Y%m%dT%H%M%S%.3fZ").to_string(),
            "20261201T202009.050Z"
        );
        assert_eq!(
            at.strftime("%Y-%m-%d %H:%M:%SZ").to_string(),
            "2026-12-01 20:20:09Z"
        );
        assert_eq!(
            at.strftime("%Y-%m-%d %H:%MZ").to_string(),
            "2026-12-01 20:20Z"
        );
        // What older versions (the `time` crate) wrote reads back, offsets included.
        let read: Timestamp = serde_json::from_str("\"2026-12-01T22:20:09.05+02:00\"").unwrap();
        assert_eq!(read, at);
    }
}
