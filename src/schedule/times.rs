//! Computing a schedule's times: `--every` and `--at` into the five time fields of a cron
//! line (with the random offset), and back: when a line's times fire next.

use std::fmt;

use jiff::{ToSpan as _, Zoned};
use rand::Rng;

use crate::error::Error;

/// How often the line fires, from `--every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Daily,
    Weekly,
    /// Every N minutes, N dividing an hour (N < 60).
    Minutes(u8),
    /// Every N hours, N dividing a day (N < 24).
    Hours(u8),
}

impl Every {
    /// `daily`, `weekly`, or a duration (`30m`, `6h`, `1d`) that cron can repeat evenly: one
    /// that divides an hour or a day.
    pub fn parse(text: &str) -> Result<Every, Error> {
        let usage = || {
            Error::Usage(format!(
                "`--every {text}` is not a schedule cron can keep: use daily, weekly, minutes that divide an hour (1m, 5m, 15m, 30m) or hours that divide a day (1h, 2h, 6h, 12h)"
            ))
        };
        let minutes: u32 = match text.trim() {
            "daily" => return Ok(Every::Daily),
            "weekly" => return Ok(Every::Weekly),
            duration => {
                let split = duration
                    .find(|c: char| !c.is_ascii_digit())
                    .ok_or_else(usage)?;
                let (number, unit) = duration.split_at(split);
                let number: u32 = number.parse().map_err(|_| usage())?;
                match unit {
                    "m" | "min" => number,
                    "h" => number.checked_mul(60).ok_or_else(usage)?,
                    "d" => number.checked_mul(1440).ok_or_else(usage)?,
                    _ => return Err(usage()),
                }
            }
        };
        match minutes {
            0 => Err(usage()),
            1440 => Ok(Every::Daily),
            m if m < 60 && 60 % m == 0 => Ok(Every::Minutes(m as u8)),
            m if m % 60 == 0 && 24 % (m / 60) == 0 => Ok(Every::Hours((m / 60) as u8)),
            _ => Err(usage()),
        }
    }
}

/// A time of day from `--at HH:MM` (local time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
}

impl TimeOfDay {
    pub fn parse(text: &str) -> Result<TimeOfDay, Error> {
        let parsed = text.split_once(':').and_then(|(h, m)| {
            let hour: u8 = h.parse().ok()?;
            let minute: u8 = m.parse().ok()?;
            (hour < 24 && minute < 60 && m.len() == 2).then_some(TimeOfDay { hour, minute })
        });
        parsed.ok_or_else(|| {
            Error::Usage(format!(
                "`--at {text}` is not a time of day: write it as HH:MM, for example 07:30"
            ))
        })
    }
}

/// The first five fields of a cron line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronTimes {
    fields: [String; 5],
}

/// The most the minute is moved from `--at`, so runs spread out without drifting far.
const MAX_OFFSET_MINUTES: u32 = 9;
/// With no `--at`, a time in the day: the machine is more likely to be on then.
const DAYTIME_MINUTES: std::ops::Range<u32> = 9 * 60..18 * 60;

impl CronTimes {
    /// The times for `every`, starting from `at` (or a random daytime time), plus a random
    /// offset of up to nine minutes.
    pub fn new(
        every: Every,
        at: Option<TimeOfDay>,
        rng: &mut impl Rng,
    ) -> Result<CronTimes, Error> {
        let start = match at {
            Some(at) => u32::from(at.hour) * 60 + u32::from(at.minute),
            None => rng.random_range(DAYTIME_MINUTES),
        } + rng.random_range(0..=MAX_OFFSET_MINUTES);
        let (minute, hour) = (start % 60, start / 60 % 24);
        let fields = match every {
            Every::Daily => [
                minute.to_string(),
                hour.to_string(),
                "*".into(),
                "*".into(),
                "*".into(),
            ],
            Every::Weekly => {
                // An offset past midnight moves the run into the next day, weekday included.
                let weekday = (rng.random_range(0..7) + start / 1440) % 7;
                [
                    minute.to_string(),
                    hour.to_string(),
                    "*".into(),
                    "*".into(),
                    weekday.to_string(),
                ]
            }
            Every::Hours(n) => [
                minute.to_string(),
                stepped(hour % u32::from(n), 23, n),
                "*".into(),
                "*".into(),
                "*".into(),
            ],
            Every::Minutes(n) => {
                if at.is_some() {
                    return Err(Error::Usage(format!(
                        "`--at` does not apply to `--every {n}m`: drop `--at`, or use daily, weekly or hours"
                    )));
                }
                let offset = rng.random_range(0..u32::from(n).min(MAX_OFFSET_MINUTES + 1));
                [
                    stepped(offset, 59, n),
                    "*".into(),
                    "*".into(),
                    "*".into(),
                    "*".into(),
                ]
            }
        };
        Ok(CronTimes { fields })
    }

    /// Reads the time fields at the start of a crontab line.
    pub fn parse(line: &str) -> Option<CronTimes> {
        let mut words = line.split_whitespace();
        let fields = [(); 5].map(|()| words.next().map(str::to_string));
        if fields.iter().any(Option::is_none) {
            return None;
        }
        Some(CronTimes {
            fields: fields.map(Option::unwrap_or_default),
        })
    }

    /// The first time after `now` (exclusive, to the minute) that cron runs the line, in
    /// `now`'s time zone; `None` if it never fires within a year or a field is not understood.
    pub fn next_run(&self, now: &Zoned) -> Option<Zoned> {
        let [minute, hour, day, month, weekday] = &self.fields;
        let minutes = Field::parse(minute, 0, 59)?;
        let hours = Field::parse(hour, 0, 23)?;
        let days = Field::parse(day, 1, 31)?;
        let months = Field::parse(month, 1, 12)?;
        let mut weekdays = Field::parse(weekday, 0, 7)?;
        if weekdays.contains(7) {
            weekdays.0 |= 1; // 7 is Sunday too
        }
        // cron's rule: when both day fields are restricted, either may match.
        let either_day = !day.starts_with('*') && !weekday.starts_with('*');
        let mut time = now.with().second(0).subsec_nanosecond(0).build().ok()?;
        // Whole days are skipped at once when the day does not match, so a year is cheap.
        for _ in 0..366 * 24 * 60 {
            time = time.checked_add(1.minute()).ok()?;
            let day_ok = {
                let by_day = days.contains(time.day() as u8);
                let by_weekday = weekdays.contains(time.weekday().to_sunday_zero_offset() as u8);
                if either_day {
                    by_day || by_weekday
                } else {
                    by_day && by_weekday
                }
            };
            if !months.contains(time.month() as u8) || !day_ok {
                time = time.with().hour(23).minute(59).build().ok()?;
                continue;
            }
            if hours.contains(time.hour() as u8) && minutes.contains(time.minute() as u8) {
                return Some(time);
            }
        }
        None
    }
}

impl fmt::Display for CronTimes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fields.join(" "))
    }
}

/// `start-last/step`, or the shorter `*/step` and `*` when they mean the same.
fn stepped(start: u32, last: u32, step: u8) -> String {
    match (start, step) {
        (0, 1) => "*".to_string(),
        (0, _) => format!("*/{step}"),
        _ => format!("{start}-{last}/{step}"),
    }
}

/// The values a numeric cron field allows, as bits.
struct Field(u64);

impl Field {
    /// `*`, `N`, `A-B`, each optionally `/STEP`, comma-separated.
    fn parse(text: &str, min: u8, max: u8) -> Option<Field> {
        let mut bits = 0u64;
        for item in text.split(',') {
            let (range, step) = match item.split_once('/') {
                Some((range, step)) => (range, step.parse::<u8>().ok().filter(|s| *s > 0)?),
                None => (item, 1),
            };
            let (low, high) = match range {
                "*" => (min, max),
                _ => match range.split_once('-') {
                    Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
                    // `N/STEP` runs from N to the end, as in cron.
                    None if step > 1 => (range.parse().ok()?, max),
                    None => {
                        let value = range.parse().ok()?;
                        (value, value)
                    }
                },
            };
            if low < min || high > max || low > high {
                return None;
            }
            for value in (low..=high).step_by(usize::from(step)) {
                bits |= 1 << value;
            }
        }
        Some(Field(bits))
    }

    fn contains(&self, value: u8) -> bool {
        self.0 & (1 << value) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng as _;
    use rand::rngs::StdRng;

    #[test]
    fn every_accepts_what_divides_an_hour_or_a_day() {
        assert_eq!(Every::parse("daily").unwrap(), Every::Daily);
        assert_eq!(Every::parse("weekly").unwrap(), Every::Weekly);
        assert_eq!(Every::parse("1m").unwrap(), Every::Minutes(1));
        assert_eq!(Every::parse("30m").unwrap(), Every::Minutes(30));
        assert_eq!(Every::parse("60m").unwrap(), Every::Hours(1));
        assert_eq!(Every::parse("6h").unwrap(), Every::Hours(6));
        assert_eq!(Every::parse("24h").unwrap(), Every::Daily);
        assert_eq!(Every::parse("1d").unwrap(), Every::Daily);
        for bad in [
            "7m",
            "90m",
            "5h",
            "0m",
            "2d",
            "h",
            "6",
            "fortnightly",
            "-1m",
        ] {
            let err = Every::parse(bad).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{bad}");
        }
    }

    /// Hostile `--every` and `--at` values (overflowing numbers, other scripts, control
    /// characters, empty) are usage errors, exit 2: never a panic (101).
    #[test]
    fn hostile_every_and_at_are_usage_errors() {
        for bad in [
            "",
            " ",
            "é",
            "1é",
            "６h",
            "4294967296m",
            "4294967295h",
            "4294967295d",
            "99999999999999999999h",
            "1h30m",
            "6h\0",
            "daily; rm -rf ~",
        ] {
            let err = Every::parse(bad).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{bad:?}");
        }
        for bad in [
            "",
            ":",
            "255:00",
            "256:00",
            "07:05:00",
            "é:00",
            "07:0é",
            "-1:00",
            "07:\n5",
            "\u{0}7:05",
        ] {
            let err = TimeOfDay::parse(bad).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{bad:?}");
        }
    }

    #[test]
    fn at_is_hh_mm() {
        assert_eq!(
            TimeOfDay::parse("07:05").unwrap(),
            TimeOfDay { hour: 7, minute: 5 }
        );
        for bad in ["24:00", "7:5", "07:60", "0705", "x:10"] {
            assert!(TimeOfDay::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_add_a_small_offset_to_at() {
        let at = TimeOfDay::parse("07:30").unwrap();
        for seed in 0..50 {
            let rng = &mut StdRng::seed_from_u64(seed);
            let times = CronTimes::new(Every::Daily, Some(at), rng).unwrap();
            let [m, h, rest @ ..] = &times.fields;
            assert_eq!(h, "7");
            assert!((30..=39).contains(&m.parse::<u32>().unwrap()), "{times}");
            assert_eq!(rest, &["*", "*", "*"]);
        }
        // Past midnight the hour and the weekday move on.
        let late = TimeOfDay::parse("23:59").unwrap();
        let rng = &mut StdRng::seed_from_u64(1);
        let times = CronTimes::new(Every::Daily, Some(late), rng).unwrap();
        assert!(times.to_string().contains(" 0 * * *") || times.to_string() == "59 23 * * *");
    }

    #[test]
    fn durations_become_steps() {
        let rng = &mut StdRng::seed_from_u64(7);
        let one = CronTimes::new(Every::Minutes(1), None, rng).unwrap();
        assert_eq!(one.to_string(), "* * * * *");
        let at = TimeOfDay::parse("02:00").unwrap();
        let six = CronTimes::new(Every::Hours(6), Some(at), rng).unwrap();
        assert!(six.to_string().ends_with(" 2-23/6 * * *"), "{six}");
        let half = CronTimes::new(Every::Minutes(30), None, rng).unwrap();
        assert!(
            half.fields[0] == "*/30" || half.fields[0].ends_with("-59/30"),
            "{half}"
        );
        assert!(CronTimes::new(Every::Minutes(5), Some(at), rng).is_err());
    }

    fn at(text: &str) -> Zoned {
        text.parse().unwrap()
    }

    #[test]
    fn next_run_of_the_forms_we_write() {
        let now = at("2026-05-01T10:15:30+00:00[UTC]"); // a Friday
        let next = |line: &str| CronTimes::parse(line).unwrap().next_run(&now).unwrap();
        assert_eq!(next("20 10 * * *"), at("2026-05-01T10:20:00+00:00[UTC]"));
        assert_eq!(next("10 10 * * *"), at("2026-05-02T10:10:00+00:00[UTC]"));
        assert_eq!(next("0 9 * * 1"), at("2026-05-04T09:00:00+00:00[UTC]"));
        assert_eq!(next("0 9 * * 7"), at("2026-05-03T09:00:00+00:00[UTC]"));
        assert_eq!(next("* * * * *"), at("2026-05-01T10:16:00+00:00[UTC]"));
        assert_eq!(
            next("7-59/30 * * * *"),
            at("2026-05-01T10:37:00+00:00[UTC]")
        );
        assert_eq!(next("5 2-23/6 * * *"), at("2026-05-01T14:05:00+00:00[UTC]"));
        assert_eq!(next("0 0 1 * *"), at("2026-06-01T00:00:00+00:00[UTC]"));
        assert!(
            CronTimes::parse("0 0 31 2 *")
                .unwrap()
                .next_run(&now)
                .is_none()
        );
        assert!(CronTimes::parse("@daily x").is_none());
        assert!(
            CronTimes::parse("@daily a b c d")
                .unwrap()
                .next_run(&now)
                .is_none()
        );
    }
}
