//! The wall clock as the risk ages and the report header read it: UTC civil date and time from
//! the system clock (no time-zone database; ages are whole years).

/// UTC now as (year, month, day, seconds since midnight): the civil date from days since 1970
/// (Hinnant's `civil_from_days`).
fn civil_now() -> (i64, i64, i64, u64) {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem)
}

/// The current year (UTC).
pub(crate) fn this_year() -> i32 {
    civil_now().0 as i32
}

/// UTC now as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn now_iso() -> String {
    let (y, m, d, rem) = civil_now();
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3_600, rem % 3_600 / 60, rem % 60)
}
