//! A detector's state as compact bytes, so the generator can keep it between runs.

use super::{Detector, DetectorConfig, Ring};

const MAGIC: &[u8; 4] = b"LKD3";

struct W(Vec<u8>);

impl W {
    fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn i64(&mut self, x: i64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn f64(&mut self, x: f64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn opt_i64(&mut self, x: Option<i64>) {
        self.0.push(u8::from(x.is_some()));
        self.i64(x.unwrap_or(0));
    }
    fn opt_f64(&mut self, x: Option<f64>) {
        self.0.push(u8::from(x.is_some()));
        self.f64(x.unwrap_or(0.0));
    }
    fn ring_f64(&mut self, r: &Ring<f64>) {
        self.u64(r.cap as u64);
        self.u64(r.next as u64);
        self.u64(r.buf.len() as u64);
        for x in &r.buf {
            self.f64(*x);
        }
    }
}

struct R<'a>(&'a [u8]);

impl R<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    }
    fn i64(&mut self) -> Option<i64> {
        self.take(8)
            .and_then(|b| b.try_into().ok())
            .map(i64::from_le_bytes)
    }
    fn f64(&mut self) -> Option<f64> {
        self.take(8)
            .and_then(|b| b.try_into().ok())
            .map(f64::from_le_bytes)
    }
    fn usize(&mut self, max: usize) -> Option<usize> {
        let x = usize::try_from(self.u64()?).ok()?;
        (x <= max).then_some(x)
    }
    fn opt_i64(&mut self) -> Option<Option<i64>> {
        let some = self.u8()? != 0;
        let x = self.i64()?;
        Some(some.then_some(x))
    }
    fn opt_f64(&mut self) -> Option<Option<f64>> {
        let some = self.u8()? != 0;
        let x = self.f64()?;
        Some(some.then_some(x))
    }
    fn ring_f64(&mut self, cap: usize) -> Option<Ring<f64>> {
        let c = self.usize(cap)?;
        let next = self.usize(c)?;
        let len = self.usize(c)?;
        let mut r = Ring::new(c.max(1));
        for _ in 0..len {
            r.buf.push(self.f64()?);
        }
        r.next = next % r.cap;
        Some(r)
    }
}

impl Detector {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = W(Vec::with_capacity(16 * 1024));
        w.0.extend_from_slice(MAGIC);
        w.0.push(u8::from(self.cfg.counter));
        w.i64(self.cfg.season_ms);
        w.u64(self.cfg.warmup as u64);
        w.f64(self.cfg.sensitivity);
        w.u64(self.n as u64);
        w.opt_i64(self.first_t);
        w.opt_i64(self.last_t);
        w.opt_f64(self.last_raw);
        w.u64(self.recent.cap as u64);
        w.u64(self.recent.next as u64);
        w.u64(self.recent.buf.len() as u64);
        for (t, v) in &self.recent.buf {
            w.i64(*t);
            w.f64(*v);
        }
        w.ring_f64(&self.resid);
        w.u64(self.buckets.len() as u64);
        for b in &self.buckets {
            w.ring_f64(b);
        }
        for s in &self.shape {
            w.f64(*s);
        }
        w.0.extend_from_slice(&self.bucket_dirty);
        w.0.push(u8::from(self.season_ready));
        w.0.push(u8::from(self.seasonal));
        for x in [
            self.level,
            self.scale,
            self.cusum_scale,
            self.tail,
            self.s_pos,
            self.s_neg,
        ] {
            w.f64(x);
        }
        w.u64(self.since_level.min(u32::MAX as usize) as u64);
        w.u64(self.since_scale as u64);
        w.u64(self.rest as u64);
        w.f64(self.rest_e);
        w.f64(self.peak);
        w.f64(self.calm_peak);
        w.f64(self.over);
        w.0.push(u8::from(self.pending));
        w.opt_f64(self.last_value);
        w.u64(self.run as u64);
        w.u64(self.longest_run as u64);
        w.0
    }

    /// `None` for bytes that are not a detector state this version wrote.
    pub fn from_bytes(bytes: &[u8]) -> Option<Detector> {
        let mut r = R(bytes);
        if r.take(4)? != MAGIC {
            return None;
        }
        let cfg = DetectorConfig {
            counter: r.u8()? != 0,
            season_ms: r.i64()?,
            warmup: r.usize(1 << 20)?,
            sensitivity: r.f64()?,
        };
        let mut d = Detector::new(cfg);
        d.n = r.usize(usize::MAX)?;
        d.first_t = r.opt_i64()?;
        d.last_t = r.opt_i64()?;
        d.last_raw = r.opt_f64()?;
        let cap = r.usize(super::RECENT)?;
        let next = r.usize(cap)?;
        let len = r.usize(cap)?;
        d.recent = Ring::new(cap.max(1));
        for _ in 0..len {
            let t = r.i64()?;
            let v = r.f64()?;
            d.recent.buf.push((t, v));
        }
        d.recent.next = next % d.recent.cap;
        d.resid = r.ring_f64(super::RESID)?;
        let nb = r.usize(super::BUCKETS)?;
        if nb != d.buckets.len() {
            return None;
        }
        for i in 0..nb {
            d.buckets[i] = r.ring_f64(super::PER_BUCKET)?;
        }
        for i in 0..nb {
            d.shape[i] = r.f64()?;
        }
        for i in 0..nb {
            d.bucket_dirty[i] = r.u8()?;
        }
        d.season_ready = r.u8()? != 0;
        d.seasonal = r.u8()? != 0;
        d.level = r.f64()?;
        d.scale = r.f64()?;
        d.cusum_scale = r.f64()?;
        d.tail = r.f64()?;
        d.s_pos = r.f64()?;
        d.s_neg = r.f64()?;
        d.since_level = r.usize(usize::MAX)?;
        d.since_scale = r.usize(usize::MAX)?;
        d.rest = r.usize(1 << 20)?;
        d.rest_e = r.f64()?;
        d.peak = r.f64()?;
        d.calm_peak = r.f64()?;
        d.over = r.f64()?;
        d.pending = r.u8()? != 0;
        d.last_value = r.opt_f64()?;
        d.run = r.usize(usize::MAX)?;
        d.longest_run = r.usize(usize::MAX)?;
        r.0.is_empty().then_some(d)
    }
}
