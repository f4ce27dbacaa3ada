//! Times as the tool writes them for people and files: RFC 3339, UTC, whole seconds.

/// A time as reports and messages show it: RFC 3339, UTC.
pub fn format_time(at: time::OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}
