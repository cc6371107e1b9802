//! A spatial index over points for distance rules: `within(center, radius)` and
//! `nearest(center, k)`, both exact (haversine) after a latitude/longitude grid prefilter.

use super::{haversine_km, GeoPoint, EARTH_RADIUS_KM};

/// Half the Earth's circumference: no two points are farther apart.
const MAX_DISTANCE_KM: f64 = std::f64::consts::PI * EARTH_RADIUS_KM;

/// A grid index of points, each tagged with a `u32` (e.g. a partner's index).
///
/// Points are bucketed into cells of `cell_deg` x `cell_deg` degrees. A query computes the
/// exact latitude band and longitude span of the search circle (the whole band of longitudes
/// when the circle reaches a pole, wrapping across the antimeridian otherwise), visits those
/// cells and keeps the points whose haversine distance is at most the radius. Points with a
/// non-finite or out-of-range coordinate are kept out of every result.
#[derive(Debug, Clone)]
pub struct SpatialIndex {
    cell_deg: f64,
    rows: usize,
    cols: usize,
    /// `cell_start[c]..cell_start[c + 1]` are the entries of cell `c` (CSR layout).
    cell_start: Vec<u32>,
    entries: Vec<(u32, GeoPoint)>,
}

fn valid(p: GeoPoint) -> bool {
    p.lat.is_finite() && p.lon.is_finite() && p.lat.abs() <= 90.0 && p.lon.abs() <= 180.0
}

impl SpatialIndex {
    /// The default cell size in degrees.
    pub const DEFAULT_CELL_DEG: f64 = 1.0;

    /// Builds an index with cells of [`SpatialIndex::DEFAULT_CELL_DEG`].
    pub fn new(points: impl IntoIterator<Item = (u32, GeoPoint)>) -> SpatialIndex {
        SpatialIndex::with_cell_degrees(points, Self::DEFAULT_CELL_DEG)
    }

    /// Builds an index with cells of `cell_deg` degrees (clamped to `0.25..=90`, so the cell
    /// table stays at most about 4 MB; a non-finite value gives the default).
    pub fn with_cell_degrees(
        points: impl IntoIterator<Item = (u32, GeoPoint)>,
        cell_deg: f64,
    ) -> SpatialIndex {
        let cell_deg = if cell_deg.is_finite() {
            cell_deg.clamp(0.25, 90.0)
        } else {
            Self::DEFAULT_CELL_DEG
        };
        let rows = (180.0 / cell_deg).ceil().max(1.0) as usize;
        let cols = (360.0 / cell_deg).ceil().max(1.0) as usize;
        let mut index = SpatialIndex {
            cell_deg,
            rows,
            cols,
            cell_start: Vec::new(),
            entries: Vec::new(),
        };
        let mut keyed: Vec<(usize, u32, GeoPoint)> = points
            .into_iter()
            .filter(|(_, p)| valid(*p))
            .map(|(i, p)| (index.cell_of(p), i, p))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut start = vec![0u32; rows * cols + 1];
        for (c, _, _) in &keyed {
            if let Some(s) = start.get_mut(c + 1) {
                *s += 1;
            }
        }
        for c in 1..start.len() {
            let prev = start.get(c - 1).copied().unwrap_or(0);
            if let Some(s) = start.get_mut(c) {
                *s += prev;
            }
        }
        index.cell_start = start;
        index.entries = keyed.into_iter().map(|(_, i, p)| (i, p)).collect();
        index
    }

    /// The number of indexed (valid) points.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no valid point is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn row_of(&self, lat: f64) -> usize {
        (((lat + 90.0) / self.cell_deg).floor().max(0.0) as usize).min(self.rows - 1)
    }

    fn col_of(&self, lon: f64) -> usize {
        (((lon + 180.0).rem_euclid(360.0) / self.cell_deg)
            .floor()
            .max(0.0) as usize)
            .min(self.cols - 1)
    }

    fn cell_of(&self, p: GeoPoint) -> usize {
        self.row_of(p.lat) * self.cols + self.col_of(p.lon)
    }

    fn cell(&self, c: usize) -> &[(u32, GeoPoint)] {
        let (Some(&s), Some(&e)) = (self.cell_start.get(c), self.cell_start.get(c + 1)) else {
            return &[];
        };
        self.entries.get(s as usize..e as usize).unwrap_or(&[])
    }

    /// Calls `f` for every point within `radius_km` of `center` (exact haversine test).
    fn for_each_within(&self, center: GeoPoint, radius_km: f64, mut f: impl FnMut(u32, f64)) {
        if !valid(center) || radius_km.is_nan() || radius_km < 0.0 || self.entries.is_empty() {
            return;
        }
        // Angular radius, slightly inflated so that rounding never drops a cell.
        let delta = (radius_km / EARTH_RADIUS_KM * (1.0 + 1e-9) + 1e-12).to_degrees();
        let (lat_lo, lat_hi) = (center.lat - delta, center.lat + delta);
        let all_lons = radius_km >= MAX_DISTANCE_KM || lat_lo <= -90.0 || lat_hi >= 90.0;
        let half_span = if all_lons {
            180.0
        } else {
            // Longitude half-width of a spherical cap (Matuschek, "Finding points within a
            // distance of a latitude/longitude using bounding coordinates").
            let s = delta.to_radians().sin() / center.lat.to_radians().cos();
            if s >= 1.0 {
                180.0
            } else {
                s.asin().to_degrees() * (1.0 + 1e-9) + 1e-9
            }
        };
        let (r0, r1) = (
            self.row_of(lat_lo.max(-90.0)),
            self.row_of(lat_hi.min(90.0)),
        );
        let col_ranges: [(usize, usize); 2] = if half_span >= 180.0 {
            [(0, self.cols - 1), (1, 0)]
        } else {
            let c0 = self.col_of(center.lon - half_span);
            let c1 = self.col_of(center.lon + half_span);
            if c0 <= c1 && 2.0 * half_span < 360.0 - self.cell_deg {
                [(c0, c1), (1, 0)]
            } else if c0 > c1 {
                // Wraps across the antimeridian.
                [(c0, self.cols - 1), (0, c1)]
            } else {
                [(0, self.cols - 1), (1, 0)]
            }
        };
        for row in r0..=r1 {
            for (a, b) in col_ranges {
                if a > b {
                    continue;
                }
                for col in a..=b {
                    for &(i, p) in self.cell(row * self.cols + col) {
                        let d = haversine_km(center, p);
                        if d <= radius_km {
                            f(i, d);
                        }
                    }
                }
            }
        }
    }

    /// The tags of the points within `radius_km` of `center` (haversine distance `<=` the
    /// radius), in ascending tag order. Empty for an invalid center or a negative or NaN
    /// radius.
    pub fn within(&self, center: GeoPoint, radius_km: f64) -> Vec<u32> {
        let mut out = Vec::new();
        self.for_each_within(center, radius_km, |i, _| out.push(i));
        out.sort_unstable();
        out
    }

    /// The `k` points nearest to `center` as `(tag, distance_km)`, nearest first; equal
    /// distances in ascending tag order. Fewer than `k` if fewer points are indexed.
    pub fn nearest(&self, center: GeoPoint, k: usize) -> Vec<(u32, f64)> {
        if k == 0 || !valid(center) {
            return Vec::new();
        }
        // Grow the search radius until it holds k points: the k nearest are then among them.
        let mut radius = (self.cell_deg.to_radians() * EARTH_RADIUS_KM).max(1.0);
        loop {
            let mut found: Vec<(u32, f64)> = Vec::new();
            self.for_each_within(center, radius, |i, d| found.push((i, d)));
            if found.len() >= k || radius.is_infinite() {
                found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                found.truncate(k);
                return found;
            }
            radius *= 2.0;
            if radius >= MAX_DISTANCE_KM {
                radius = f64::INFINITY;
            }
        }
    }
}
