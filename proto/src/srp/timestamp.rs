//! The `TIMESTAMP` Cognito signs into PASSWORD_VERIFIER: `Tue Sep 25 00:09:40 UTC 2018`
//! (English, UTC, the day not zero-padded: Java's `EEE MMM d HH:mm:ss z yyyy` in the US locale,
//! as amazon-cognito-identity-js's `getNowString` writes it).

use crate::json::itoa;
use crate::prelude::*;
use crate::time::{civil_from_days, days_from_civil, push_hms, MONTHS, WEEKDAYS};

/// The `TIMESTAMP` string signed into the claim: `Tue Sep 25 00:09:40 UTC 2018`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrpTimestamp(String);

impl SrpTimestamp {
    /// Formats a UTC time given in seconds since the Unix epoch. Built by hand: locale-aware
    /// formatters and `%d` (zero-padded day) both break sign-in.
    pub fn from_unix(secs: i64) -> Self {
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400) as u64;
        let (y, m, d) = civil_from_days(days);
        let mut s = String::with_capacity(28);
        s.push_str(WEEKDAYS[days.rem_euclid(7) as usize]);
        s.push(' ');
        s.push_str(MONTHS[(m - 1) as usize]);
        s.push(' ');
        s.push_str(&itoa(d as i64));
        s.push(' ');
        push_hms(&mut s, sod);
        s.push_str(" UTC ");
        s.push_str(&itoa(y));
        SrpTimestamp(s)
    }

    /// Strict server-side parse: exact shape, no zero-padded day, a
    /// real date and the matching weekday. Returns seconds since the epoch.
    pub fn parse(text: &str) -> Option<i64> {
        let parts: Vec<&str> = text.split(' ').collect();
        let [wd, mon, day, hms, utc, year] = parts.as_slice() else { return None };
        if *utc != "UTC" || year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let m = MONTHS.iter().position(|x| x == mon)? as u32 + 1;
        if day.is_empty() || day.len() > 2 || day.starts_with('0') || !day.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let d: u32 = day.parse().ok()?;
        let y: i64 = year.parse().ok()?;
        let hb = hms.as_bytes();
        if hb.len() != 8 || hb[2] != b':' || hb[5] != b':' {
            return None;
        }
        let num2 = |i: usize| -> Option<i64> {
            let (a, b) = (hb[i], hb[i + 1]);
            (a.is_ascii_digit() && b.is_ascii_digit()).then(|| ((a - b'0') * 10 + (b - b'0')) as i64)
        };
        let (hh, mm, ss) = (num2(0)?, num2(3)?, num2(6)?);
        if hh > 23 || mm > 59 || ss > 59 {
            return None;
        }
        let days = days_from_civil(y, m, d);
        if civil_from_days(days) != (y, m, d) || WEEKDAYS[days.rem_euclid(7) as usize] != *wd {
            return None; // Feb 30, or a weekday that does not match the date
        }
        Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
    }

    /// Takes a timestamp string as given (the server signs exactly what it receives).
    pub fn from_string(text: &str) -> Self {
        SrpTimestamp(text.to_string())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
