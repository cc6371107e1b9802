//! Haversine against known distances; the spatial index against brute force.

use leadrail_core::geo::{haversine_km, GeoPoint, SpatialIndex};
use proptest::prelude::*;

fn p(lat: f64, lon: f64) -> GeoPoint {
    GeoPoint { lat, lon }
}

#[test]
fn haversine_known_distances() {
    let chicago = p(41.8781, -87.6298);
    let milwaukee = p(43.0389, -87.9065);
    let paris = p(48.8566, 2.3522);
    let london = p(51.5074, -0.1278);
    let new_york = p(40.7128, -74.0060);
    let los_angeles = p(34.0522, -118.2437);
    // City-centre coordinates; the often quoted "about 130 km" and "about 344 km" are rounded.
    let cases = [
        (chicago, milwaukee, 131.06, 0.01),
        (paris, london, 343.56, 0.01),
        (new_york, los_angeles, 3936.0, 5.0),
    ];
    for (a, b, km, tol) in cases {
        let d = haversine_km(a, b);
        assert!((d - km).abs() < tol, "{a:?} {b:?}: {d}");
        assert!((haversine_km(b, a) - d).abs() < 1e-9);
    }
    assert_eq!(haversine_km(paris, paris), 0.0);
    // Antipodes: half the circumference.
    let d = haversine_km(p(0.0, 0.0), p(0.0, 180.0));
    assert!((d - std::f64::consts::PI * 6371.0088).abs() < 1e-6);
    // Across the antimeridian: 1 degree of longitude on the equator.
    let d = haversine_km(p(0.0, 179.5), p(0.0, -179.5));
    assert!((d - 111.195).abs() < 0.01, "{d}");
}

fn brute_within(points: &[(u32, GeoPoint)], c: GeoPoint, r: f64) -> Vec<u32> {
    let mut v: Vec<u32> = points
        .iter()
        .filter(|(_, q)| q.is_valid() && haversine_km(c, *q) <= r)
        .map(|(i, _)| *i)
        .collect();
    v.sort();
    v
}

fn brute_nearest(points: &[(u32, GeoPoint)], c: GeoPoint, k: usize) -> Vec<(u32, f64)> {
    let mut v: Vec<(u32, f64)> = points
        .iter()
        .filter(|(_, q)| q.is_valid())
        .map(|(i, q)| (*i, haversine_km(c, *q)))
        .collect();
    v.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    v.truncate(k);
    v
}

#[test]
fn within_and_nearest_on_cities() {
    let pts = vec![
        (0, p(41.8781, -87.6298)), // Chicago
        (1, p(43.0389, -87.9065)), // Milwaukee
        (2, p(48.8566, 2.3522)),   // Paris
        (3, p(51.5074, -0.1278)),  // London
        (4, p(f64::NAN, 0.0)),     // invalid: never returned
        (5, p(-16.5, 179.9)),      // Fiji, east of the antimeridian
        (6, p(-16.8, -179.9)),     // Fiji, west of it
        (7, p(89.9, 10.0)),        // near the north pole
        (8, p(89.9, -170.0)),      // across the pole
    ];
    let idx = SpatialIndex::new(pts.clone());
    assert_eq!(idx.len(), 8);
    assert_eq!(idx.within(p(41.8781, -87.6298), 131.1), vec![0, 1]);
    assert_eq!(idx.within(p(41.8781, -87.6298), 131.0), vec![0]);
    assert_eq!(idx.within(p(48.8566, 2.3522), 350.0), vec![2, 3]);
    assert_eq!(idx.within(p(-16.6, 180.0), 50.0), vec![5, 6]);
    assert_eq!(idx.within(p(90.0, 0.0), 20.0), vec![7, 8]);
    assert_eq!(idx.within(p(0.0, 0.0), -1.0), Vec::<u32>::new());
    assert_eq!(idx.within(p(0.0, 0.0), f64::NAN), Vec::<u32>::new());
    assert_eq!(idx.within(p(0.0, 0.0), 30_000.0).len(), 8);
    let near: Vec<u32> = idx.nearest(p(43.0, -88.0), 2).iter().map(|x| x.0).collect();
    assert_eq!(near, vec![1, 0]);
    assert_eq!(idx.nearest(p(0.0, 0.0), 100).len(), 8);
    assert_eq!(idx.nearest(p(0.0, 0.0), 0), vec![]);
    assert_eq!(idx.nearest(p(f64::NAN, 0.0), 3), vec![]);
    for c in [p(41.0, -87.0), p(-16.0, 179.0), p(89.0, 100.0), p(0.0, 0.0)] {
        for k in 1..=9 {
            assert_eq!(idx.nearest(c, k), brute_nearest(&pts, c, k));
        }
    }
}

fn point() -> impl Strategy<Value = GeoPoint> {
    prop_oneof![
        (-90.0..=90.0f64, -180.0..=180.0f64).prop_map(|(lat, lon)| p(lat, lon)),
        // Clusters near the poles and the antimeridian, and exact edge values.
        (80.0..=90.0f64, -180.0..=180.0f64).prop_map(|(lat, lon)| p(lat, lon)),
        (-90.0..=-80.0f64, -180.0..=180.0f64).prop_map(|(lat, lon)| p(lat, lon)),
        (-30.0..=30.0f64, 170.0..=180.0f64).prop_map(|(lat, lon)| p(lat, lon)),
        (-30.0..=30.0f64, -180.0..=-170.0f64).prop_map(|(lat, lon)| p(lat, lon)),
        prop::sample::select(vec![
            p(90.0, 0.0),
            p(-90.0, 0.0),
            p(0.0, 180.0),
            p(0.0, -180.0),
            p(45.0, 180.0)
        ]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn within_equals_brute_force(
        pts in prop::collection::vec(point(), 0..80),
        center in point(),
        radius in prop_oneof![0.0..50.0f64, 0.0..2000.0f64, 0.0..21000.0f64],
        cell in prop::sample::select(vec![0.5f64, 1.0, 5.0, 30.0]),
    ) {
        let pts: Vec<(u32, GeoPoint)> = pts.into_iter().enumerate().map(|(i, q)| (i as u32, q)).collect();
        let idx = SpatialIndex::with_cell_degrees(pts.clone(), cell);
        prop_assert_eq!(idx.within(center, radius), brute_within(&pts, center, radius));
    }

    #[test]
    fn nearest_equals_brute_force(
        pts in prop::collection::vec(point(), 0..60),
        center in point(),
        k in 0usize..10,
    ) {
        let pts: Vec<(u32, GeoPoint)> = pts.into_iter().enumerate().map(|(i, q)| (i as u32, q)).collect();
        let idx = SpatialIndex::new(pts.clone());
        prop_assert_eq!(idx.nearest(center, k), brute_nearest(&pts, center, k));
    }
}
