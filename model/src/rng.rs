//! splitmix64 and the draws the generated benchmarks need: reproducible data without a
//! dependency (shared by `labelled` and `realbench`).

pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// An integer in `lo..hi` (`lo` when the range is empty).
    pub(crate) fn int(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % hi.saturating_sub(lo).max(1) as u64) as usize
    }

    /// Box-Muller.
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-300);
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }

    /// Student's t with 3 degrees of freedom: heavy tails.
    pub(crate) fn t3(&mut self) -> f64 {
        let z = self.normal();
        let chi: f64 = (0..3).map(|_| self.normal().powi(2)).sum();
        z / (chi / 3.0).sqrt()
    }

    /// Pareto with shape `alpha` and minimum 1: a few very large values.
    pub(crate) fn pareto(&mut self, alpha: f64) -> f64 {
        (1.0 - self.uniform()).max(1e-12).powf(-1.0 / alpha)
    }
}
