//! Calendar arithmetic (proleptic Gregorian, UTC) without a date library: SRP's TIMESTAMP and
//! the HTTP `Date` header that tells the SDK the server's clock.

use crate::prelude::*;

/// Civil date from days since 1970-01-01 (H. Hinnant's algorithm): (year, month 1-12, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + (m <= 2) as i64, m, d)
}

/// Days since 1970-01-01 of a civil date (inverse of [`civil_from_days`]).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// English month abbreviations (HTTP dates, SRP timestamps).
pub const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// English weekday abbreviations, starting with Thursday: 1970-01-01 was a Thursday, so
/// `WEEKDAYS[days_since_epoch.rem_euclid(7)]`.
pub const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// Seconds since the epoch from an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`). The year has
/// four digits and is not before 1970: a proxy's garbage must not move the SDK's idea of the
/// server clock by centuries (or overflow the arithmetic).
pub fn parse_http_date(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [_, day, mon, year, hms, "GMT"] = parts.as_slice() else { return None };
    let d: u32 = day.parse().ok()?;
    let m = MONTHS.iter().position(|x| x == mon)? as u32 + 1;
    let y: i64 = year.parse().ok().filter(|y| year.len() == 4 && *y >= 1970)?;
    let mut t = hms.split(':').map(|x| x.parse::<i64>().ok());
    let (hh, mm, ss) = (t.next()??, t.next()??, t.next()??);
    if !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Two decimal digits (`05`).
pub(crate) fn push_2(out: &mut String, v: u64) {
    out.push((b'0' + (v / 10 % 10) as u8) as char);
    out.push((b'0' + (v % 10) as u8) as char);
}

/// `HH:MM:SS` of a second of the day.
pub(crate) fn push_hms(out: &mut String, sod: u64) {
    push_2(out, sod / 3600);
    out.push(':');
    push_2(out, sod / 60 % 60);
    out.push(':');
    push_2(out, sod % 60);
}

/// The IMF-fixdate of seconds since the epoch (RFC 9110 §5.6.7), for a `Date` header:
/// `Sun, 06 Nov 1994 08:49:37 GMT`. Years outside 1970–9999 are not dates a server sends.
pub fn format_http_date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut s = String::with_capacity(29);
    s.push_str(WEEKDAYS[days.rem_euclid(7) as usize]);
    s.push_str(", ");
    push_2(&mut s, d as u64);
    s.push(' ');
    s.push_str(MONTHS[(m - 1) as usize]);
    s.push(' ');
    s.push_str(&crate::json::itoa(y));
    s.push(' ');
    push_hms(&mut s, unix.rem_euclid(86_400) as u64);
    s.push_str(" GMT");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse_http_date(""), None);
        assert_eq!(parse_http_date("Fri, 31 Dec 999 23:59:59 GMT"), None);
        assert_eq!(parse_http_date("Fri, 31 Dec 1969 23:59:59 GMT"), None);
        assert_eq!(parse_http_date("Fri, 31 Dec 9999999999999999 23:59:59 GMT"), None);
        assert_eq!(parse_http_date("Fri, 31 Dec +999 23:59:59 GMT"), None);
        assert_eq!(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"), Some(253_402_300_799));
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        // RFC 9110 §5.6.7's example, and the round trip.
        assert_eq!(format_http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        for t in [0, 951_782_400, 1_800_000_000, 253_402_300_799] {
            assert_eq!(parse_http_date(&format_http_date(t)), Some(t));
        }
    }
}
