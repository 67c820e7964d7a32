//! Exact non-negative dyadic rationals: `numerator / 2^k`.
//!
//! Kinship and inbreeding coefficients are sums of products of powers of ½, so they are always
//! dyadic. Storing them as an integer over a power of two keeps them exact, makes equality
//! meaningful ("1/16" is 1/16, not 0.0625000001) and avoids general rationals (no gcd). Values that
//! fit in 128 bits (almost all real pedigrees) use a `u128` fast path; larger numerators (a chain
//! a million generations deep gives 1/2^1000001) fall back to `BigUint`.

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, AddAssign, Mul};
use std::str::FromStr;

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};

/// A non-negative dyadic rational `numerator / 2^exponent`, always in lowest terms.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Dyadic(Repr);

/// Invariant: the numerator is odd, or the exponent is 0 (then the value is an integer); zero
/// is `Small(0, 0)`; `Big` only when the numerator needs more than 128 bits. So the
/// representation is canonical and the derived `PartialEq` is value equality.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Small(u128, u64),
    Big(BigUint, u64),
}

impl Dyadic {
    pub const ZERO: Dyadic = Dyadic(Repr::Small(0, 0));
    pub const ONE: Dyadic = Dyadic(Repr::Small(1, 0));

    /// `numerator / 2^exponent`.
    pub fn new(numerator: u128, exponent: u64) -> Dyadic {
        if numerator == 0 {
            return Dyadic::ZERO;
        }
        let shift = u64::from(numerator.trailing_zeros()).min(exponent);
        Dyadic(Repr::Small(numerator >> shift, exponent - shift))
    }

    /// `1 / 2^k`.
    pub fn pow2_neg(k: u64) -> Dyadic {
        Dyadic(Repr::Small(1, k))
    }

    /// `numerator / 2^exponent` with an arbitrary-size numerator.
    pub fn from_big(numerator: BigUint, exponent: u64) -> Dyadic {
        if numerator.is_zero() {
            return Dyadic::ZERO;
        }
        let shift = numerator.trailing_zeros().unwrap_or(0).min(exponent);
        let num = if shift > 0 { numerator >> shift } else { numerator };
        let exp = exponent - shift;
        match num.to_u128() {
            Some(small) => Dyadic(Repr::Small(small, exp)),
            None => Dyadic(Repr::Big(num, exp)),
        }
    }

    pub fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Small(0, _))
    }

    /// The numerator in lowest terms.
    pub fn numerator(&self) -> BigUint {
        match &self.0 {
            Repr::Small(n, _) => BigUint::from(*n),
            Repr::Big(n, _) => n.clone(),
        }
    }

    /// `k` in `numerator / 2^k` (lowest terms).
    pub fn denominator_exponent(&self) -> u64 {
        match &self.0 {
            Repr::Small(_, e) | Repr::Big(_, e) => *e,
        }
    }

    /// `2^k`.
    pub fn denominator(&self) -> BigUint {
        BigUint::from(1u8) << self.denominator_exponent()
    }

    fn to_big(&self) -> (BigUint, u64) {
        match &self.0 {
            Repr::Small(n, e) => (BigUint::from(*n), *e),
            Repr::Big(n, e) => (n.clone(), *e),
        }
    }

    /// `self / 2`.
    pub fn half(&self) -> Dyadic {
        match &self.0 {
            Repr::Small(0, _) => Dyadic::ZERO,
            Repr::Small(n, e) if n & 1 == 1 => Dyadic(Repr::Small(*n, e + 1)),
            Repr::Small(n, e) => Dyadic::new(*n, e + 1),
            Repr::Big(n, e) if n.bit(0) => Dyadic(Repr::Big(n.clone(), e + 1)),
            Repr::Big(n, e) => Dyadic::from_big(n.clone(), e + 1),
        }
    }

    /// `self / 2^k`.
    pub fn shr(&self, k: u64) -> Dyadic {
        match &self.0 {
            Repr::Small(0, _) => Dyadic::ZERO,
            Repr::Small(n, e) => Dyadic::new(*n, e + k),
            Repr::Big(n, e) => Dyadic::from_big(n.clone(), e + k),
        }
    }

    /// Both values scaled to the common exponent, if that fits in `u128`.
    fn aligned_small(&self, other: &Dyadic) -> Option<(u128, u128, u64)> {
        let (Repr::Small(a, ea), Repr::Small(b, eb)) = (&self.0, &other.0) else { return None };
        let e = (*ea).max(*eb);
        let (sa, sb) = (e - ea, e - eb);
        // Keep one spare bit so a sum cannot overflow either.
        if sa < 127 && sb < 127 && u64::from(a.leading_zeros()) > sa && u64::from(b.leading_zeros()) > sb {
            Some((a << sa, b << sb, e))
        } else {
            None
        }
    }

    fn aligned_big(&self, other: &Dyadic) -> (BigUint, BigUint, u64) {
        let (a, ea) = self.to_big();
        let (b, eb) = other.to_big();
        let e = ea.max(eb);
        (a << (e - ea), b << (e - eb), e)
    }

    /// `self - other`, or `None` when that would be negative.
    pub fn checked_sub(&self, other: &Dyadic) -> Option<Dyadic> {
        if other.is_zero() {
            return Some(self.clone());
        }
        if let Some((a, b, e)) = self.aligned_small(other) {
            return a.checked_sub(b).map(|d| Dyadic::new(d, e));
        }
        let (a, b, e) = self.aligned_big(other);
        if a < b {
            None
        } else {
            Some(Dyadic::from_big(a - b, e))
        }
    }

    /// `self - other`, or zero when that would be negative.
    pub fn saturating_sub(&self, other: &Dyadic) -> Dyadic {
        self.checked_sub(other).unwrap_or(Dyadic::ZERO)
    }

    /// Nearest `f64` (0 when smaller than the smallest subnormal).
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            Repr::Small(n, e) => ldexp(*n as f64, -(*e as i128)),
            Repr::Big(n, e) => {
                let bits = n.bits();
                let shift = bits.saturating_sub(64);
                let top = (n >> shift).to_u64().unwrap_or(u64::MAX);
                ldexp(top as f64, i128::from(shift) - i128::from(*e))
            }
        }
    }
}

/// `x * 2^k` without overflowing `powi`'s exponent.
fn ldexp(mut x: f64, mut k: i128) -> f64 {
    while k > 1000 {
        x *= 2f64.powi(1000);
        k -= 1000;
        if x.is_infinite() {
            return x;
        }
    }
    while k < -1000 {
        x *= 2f64.powi(-1000);
        k += 1000;
        if x == 0.0 {
            return x;
        }
    }
    x * 2f64.powi(k as i32)
}

impl Default for Dyadic {
    fn default() -> Self {
        Dyadic::ZERO
    }
}

impl Add<&Dyadic> for &Dyadic {
    type Output = Dyadic;
    fn add(self, other: &Dyadic) -> Dyadic {
        if self.is_zero() {
            return other.clone();
        }
        if other.is_zero() {
            return self.clone();
        }
        if let Some((a, b, e)) = self.aligned_small(other) {
            return Dyadic::new(a + b, e);
        }
        let (a, b, e) = self.aligned_big(other);
        Dyadic::from_big(a + b, e)
    }
}

impl Add for Dyadic {
    type Output = Dyadic;
    fn add(self, other: Dyadic) -> Dyadic {
        &self + &other
    }
}

impl AddAssign<&Dyadic> for Dyadic {
    fn add_assign(&mut self, other: &Dyadic) {
        *self = &*self + other;
    }
}

impl Mul<&Dyadic> for &Dyadic {
    type Output = Dyadic;
    fn mul(self, other: &Dyadic) -> Dyadic {
        if self.is_zero() || other.is_zero() {
            return Dyadic::ZERO;
        }
        if let (Repr::Small(a, ea), Repr::Small(b, eb)) = (&self.0, &other.0) {
            if let Some(p) = a.checked_mul(*b) {
                return Dyadic::new(p, ea + eb);
            }
        }
        let (a, ea) = self.to_big();
        let (b, eb) = other.to_big();
        Dyadic::from_big(a * b, ea + eb)
    }
}

impl Mul for Dyadic {
    type Output = Dyadic;
    fn mul(self, other: Dyadic) -> Dyadic {
        &self * &other
    }
}

impl Ord for Dyadic {
    fn cmp(&self, other: &Dyadic) -> Ordering {
        if let Some((a, b, _)) = self.aligned_small(other) {
            return a.cmp(&b);
        }
        let (a, b, _) = self.aligned_big(other);
        a.cmp(&b)
    }
}

impl PartialOrd for Dyadic {
    fn partial_cmp(&self, other: &Dyadic) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `"1/16"`, `"0"`, `"3"`; exponents above 127 print as `"1/2^200"` rather than a huge decimal.
impl fmt::Display for Dyadic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Small(n, 0) => write!(f, "{n}"),
            Repr::Big(n, 0) => write!(f, "{n}"),
            Repr::Small(n, e) if *e <= 127 => write!(f, "{n}/{}", 1u128 << e),
            Repr::Small(n, e) => write!(f, "{n}/2^{e}"),
            Repr::Big(n, e) => write!(f, "{n}/2^{e}"),
        }
    }
}

impl fmt::Debug for Dyadic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Serialized as the exact fraction string (`"1/16"`).
impl serde::Serialize for Dyadic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a dyadic fraction (expected \"n\", \"n/2^k\" or \"n/d\" with d a power of two): {0:?}")]
pub struct ParseDyadicError(pub String);

/// Parses `"3"`, `"1/16"` or `"1/2^200"`.
impl FromStr for Dyadic {
    type Err = ParseDyadicError;
    fn from_str(s: &str) -> Result<Dyadic, ParseDyadicError> {
        let err = || ParseDyadicError(s.to_string());
        let s = s.trim();
        let (num, den) = match s.split_once('/') {
            Some((n, d)) => (n.trim(), Some(d.trim())),
            None => (s, None),
        };
        let num: BigUint = num.parse().map_err(|_| err())?;
        let exp = match den {
            None => 0,
            Some(d) => {
                if let Some(k) = d.strip_prefix("2^") {
                    k.parse::<u64>().map_err(|_| err())?
                } else {
                    let d: BigUint = d.parse().map_err(|_| err())?;
                    if d.count_ones() != 1 {
                        return Err(err());
                    }
                    d.trailing_zeros().ok_or_else(err)?
                }
            }
        };
        Ok(Dyadic::from_big(num, exp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Dyadic {
        s.parse().unwrap()
    }

    #[test]
    fn arithmetic_is_exact_and_canonical() {
        assert_eq!(d("1/4") + d("1/4"), d("1/2"));
        assert_eq!(d("2/4"), d("1/2"));
        assert_eq!(d("1/2").half(), d("1/4"));
        assert_eq!(d("2").half(), Dyadic::ONE);
        assert_eq!(d("3/8") * d("1/2"), d("3/16"));
        assert_eq!(d("1/2").checked_sub(&d("1/8")), Some(d("3/8")));
        assert_eq!(d("1/8").checked_sub(&d("1/2")), None);
        assert_eq!(d("1/16").to_string(), "1/16");
        assert_eq!(Dyadic::ZERO.to_string(), "0");
        assert_eq!(d("1/16").to_f64(), 0.0625);
        assert!(d("1/16") < d("1/8"));
    }

    #[test]
    fn big_values_round_trip() {
        let tiny = Dyadic::pow2_neg(1_000_001);
        assert_eq!(tiny.to_string(), "1/2^1000001");
        assert_eq!(tiny.to_f64(), 0.0);
        let sum = &tiny + &Dyadic::ONE;
        assert_eq!(sum.denominator_exponent(), 1_000_001);
        assert_eq!(sum.checked_sub(&Dyadic::ONE), Some(tiny.clone()));
        assert!(sum > Dyadic::ONE);
        let x = Dyadic::pow2_neg(100) + Dyadic::pow2_neg(300);
        assert_eq!(x.clone() * Dyadic::new(1 << 100, 0), Dyadic::ONE + Dyadic::pow2_neg(200));
        assert!((x.to_f64() - 2f64.powi(-100)).abs() < 1e-40);
        assert_eq!(d("1/2^300"), Dyadic::pow2_neg(300));
    }
}
