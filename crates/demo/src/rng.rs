//! A small seeded random number generator and the few numeric helpers the generator needs.
//!
//! The demo data must be byte-identical for the same seed on every platform and in every
//! future version, so nothing here depends on a crate's algorithm choice or on the platform's
//! `libm`: SplitMix64 is fully specified, integer ranges use a fixed multiply-shift, and the
//! only transcendental function (`exp`, for the logistic conversion model) is computed from
//! IEEE-754 basic operations, which are correctly rounded everywhere.

/// SplitMix64 (Steele, Lea and Flood, 2014): one 64-bit word of state, statistically good
/// enough for sample data and trivially reproducible.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 output function, used on its own to derive independent sub-streams.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// An independent stream for one purpose (`stream`) and one entity (`index`), so that an
    /// entity's values do not shift when another part of the generator draws more numbers.
    pub(crate) fn derive(seed: u64, stream: u64, index: u64) -> Self {
        Rng(mix(
            seed ^ mix(stream.wrapping_mul(GOLDEN_GAMMA) ^ mix(index))
        ))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix(self.0)
    }

    /// A number in `0..n` (multiply-shift; the bias is below 2^-32 for the ranges used here).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u32, hi: u32) -> u32 {
        debug_assert!(lo <= hi);
        lo + self.below(u64::from(hi - lo) + 1) as u32
    }

    /// A uniform `f64` in `[0, 1)` with 53 random bits.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// Picks from `(item, weight)` pairs in proportion to the weights.
    pub(crate) fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut roll = self.below(total);
        for (item, w) in items {
            if roll < u64::from(*w) {
                return item;
            }
            roll -= u64::from(*w);
        }
        &items[items.len() - 1].0
    }

    /// An approximately standard normal number (Irwin–Hall: the sum of twelve uniforms
    /// minus six), bounded to ±6, which is all sample noise needs.
    pub(crate) fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.unit()).sum::<f64>() - 6.0
    }

    /// A small count with mean about `mean` (a binomial with `4 * mean` trials at p = 0.25,
    /// rounded), cheap and without transcendental functions.
    pub(crate) fn count(&mut self, mean: f64) -> u32 {
        let trials = (mean * 4.0).round() as u32;
        (0..trials).filter(|_| self.below(4) == 0).count() as u32
    }

    /// Shuffles in place (Fisher–Yates).
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

/// `e^x` from basic IEEE-754 operations only: `x = k·ln2 + r`, a Taylor series for `e^r`,
/// and an exact scaling by `2^k`. Accurate to a few ulps for the |x| < 700 used here.
pub(crate) fn exp(x: f64) -> f64 {
    let x = x.clamp(-700.0, 700.0);
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = x - k * std::f64::consts::LN_2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..=18 {
        term *= r / f64::from(i);
        sum += term;
    }
    let scale = f64::from_bits(((k as i64 + 1023) as u64) << 52);
    sum * scale
}

/// The logistic function `1 / (1 + e^-z)`.
pub(crate) fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + exp(-z))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // Arrange: the reference implementation's first outputs for seed 0.
        let mut rng = Rng::new(0);

        // Act / Assert
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(rng.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn exp_agrees_with_the_platform_to_a_few_ulps() {
        for i in -200..=200 {
            let x = f64::from(i) * 0.1;
            let ours = exp(x);
            let std = x.exp();
            assert!(
                ((ours - std) / std).abs() < 1e-14,
                "exp({x}) = {ours}, std {std}"
            );
        }
    }

    #[test]
    fn ranges_stay_in_bounds_and_cover_them() {
        let mut rng = Rng::new(7);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let v = rng.range(3, 7);
            assert!((3..=7).contains(&v));
            seen[(v - 3) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn derived_streams_differ() {
        let a = Rng::derive(42, 1, 0).next_u64();
        let b = Rng::derive(42, 1, 1).next_u64();
        let c = Rng::derive(42, 2, 0).next_u64();
        assert!(a != b && a != c && b != c);
    }
}
