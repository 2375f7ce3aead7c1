//! Timestamps as mplink stores and prints them: UTC, RFC 3339, seconds.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const DAY: u64 = 24 * 60 * 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(SystemTime);

impl Timestamp {
    pub fn now() -> Self {
        Timestamp(SystemTime::now())
    }

    pub fn parse(text: &str) -> Option<Self> {
        humantime::parse_rfc3339_weak(text).ok().map(Timestamp)
    }

    /// Never overflows, and stays within what RFC 3339 can write (the end of
    /// year 9999), whatever a reply claims.
    pub fn plus(self, duration: Duration) -> Self {
        let last = SystemTime::UNIX_EPOCH + Duration::from_secs(253_402_300_799);
        Timestamp(self.0.checked_add(duration).map_or(last, |t| t.min(last)))
    }

    /// Seconds from now until this moment; negative once it has passed.
    pub fn seconds_from_now(self) -> i64 {
        match self.0.duration_since(SystemTime::now()) {
            Ok(ahead) => ahead.as_secs() as i64,
            Err(past) => -(past.duration().as_secs() as i64),
        }
    }

    /// Whole days left, rounded down; negative once expired.
    pub fn days_from_now(self) -> i64 {
        self.seconds_from_now().div_euclid(DAY as i64)
    }

    pub fn has_passed(self) -> bool {
        self.seconds_from_now() <= 0
    }

    /// The calendar date, `2027-05-24`.
    pub fn date(self) -> String {
        self.to_string()[..10].to_string()
    }

    /// "in 172 days", "in 5 hours", "3 days ago", for people: rounded to
    /// the nearest unit, so a fresh 180-day token reads "in 180 days".
    pub fn relative(self) -> String {
        let secs = self.seconds_from_now();
        let round = |s: u64, unit: u64| (s + unit / 2) / unit;
        let (amount, unit) = match secs.unsigned_abs() {
            s if s >= 2 * DAY => (round(s, DAY), "days"),
            s if s >= 2 * 3600 => (round(s, 3600), "hours"),
            s if s >= 120 => (round(s, 60), "minutes"),
            s => (s, "seconds"),
        };
        if secs >= 0 {
            format!("in {amount} {unit}")
        } else {
            format!("{amount} {unit} ago")
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", humantime::format_rfc3339_seconds(self.0))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not an RFC 3339 time: {text:?}")))
    }
}

/// Parses `90s`, `5m`, `1h30m` and the like; `what` names the flag and
/// variable for the error message.
pub fn parse_duration(text: &str, what: &str) -> crate::error::Result<Duration> {
    let parsed = humantime::parse_duration(text.trim()).ok();
    match parsed {
        Some(duration) if !duration.is_zero() => Ok(duration),
        _ => Err(crate::error::Error::usage(format!(
            "invalid {what} '{text}': expected a duration such as 90s, 5m or 30d"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_rfc3339() {
        let t = Timestamp::parse("2027-05-24T10:20:30Z").unwrap();
        assert_eq!(t.to_string(), "2027-05-24T10:20:30Z");
        assert_eq!(t.date(), "2027-05-24");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
    }

    #[test]
    fn absurd_lifetimes_do_not_overflow() {
        let far = Timestamp::now().plus(Duration::from_secs(u64::MAX));
        assert_eq!(far.to_string(), "9999-12-31T23:59:59Z");
        let json = serde_json::to_string(&far).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), far);
    }

    #[test]
    fn relative_reads_naturally() {
        let now = Timestamp::now();
        assert_eq!(
            now.plus(Duration::from_secs(172 * DAY + 60)).relative(),
            "in 172 days"
        );
        assert_eq!(
            now.plus(Duration::from_secs(5 * 3600 + 60)).relative(),
            "in 5 hours"
        );
        let past = Timestamp(SystemTime::now() - Duration::from_secs(3 * DAY + 60));
        assert_eq!(
            now.plus(Duration::from_secs(180 * DAY - 5)).relative(),
            "in 180 days"
        );
        assert_eq!(past.relative(), "3 days ago");
        assert!(past.has_passed());
        assert_eq!(past.days_from_now(), -4);
    }

    #[test]
    fn durations_need_a_unit_and_a_size() {
        assert_eq!(
            parse_duration("90s", "--timeout").unwrap(),
            Duration::from_secs(90)
        );
        assert_eq!(
            parse_duration("5m", "--timeout").unwrap(),
            Duration::from_secs(300)
        );
        let err = parse_duration("0s", "--timeout / MPLINK_TIMEOUT").unwrap_err();
        assert!(err.message.contains("--timeout / MPLINK_TIMEOUT"));
        assert!(parse_duration("soon", "--timeout").is_err());
    }
}
