//! W1 as a Rust host routes it through core's host layer: its string rows ([`LeadRow`]) read
//! into columns, routed by [`SharedNetwork::route_batch`](leadrail_core::host::SharedNetwork::route_batch) (the batch runner the Python and Node
//! bindings use), the results kept in core's compact form.

use leadrail_core::host::{Host, HostBatch, ReadError, Results, Rows};
use leadrail_core::record::{Column, PackedColumn, TextColumn};
use std::convert::Infallible;
use std::ops::Range;

use crate::w1::LeadRow;

/// Reads rows as a Rust host holding its leads as strings would, in one pass over the rows:
/// the ids packed into one string ([`PackedColumn`]), the region and product line
/// dictionary-encoded ([`TextColumn`]: each distinct text stored once), the deal size as
/// integers.
pub fn read_rows(rows: &[LeadRow]) -> Rows {
    let n = rows.len();
    let mut ids = PackedColumn::with_capacity(n);
    let mut regions = TextColumn::with_capacity(n);
    let mut lines = TextColumn::with_capacity(n);
    let mut sizes = Vec::with_capacity(n);
    for r in rows {
        ids.push(&r.id);
        regions.push(Some(&r.region));
        lines.push(Some(&r.product_line));
        sizes.push(Some(r.deal_size));
    }
    let fields = vec![
        ("region".to_string(), regions.finish()),
        ("product_line".to_string(), lines.finish()),
        ("deal_size".to_string(), Column::Int(sizes)),
    ];
    Rows::new(Host::RUST, n, ids.finish(), fields)
}

/// W1's leads as a [`HostBatch`]: rows read with [`read_rows`], results collected in order.
#[derive(Debug)]
pub struct RowsBatch<'a> {
    rows: &'a [LeadRow],
    /// The results, one per piece or chunk, in row order.
    pub out: Vec<Results>,
}

impl<'a> RowsBatch<'a> {
    /// A batch of `rows`.
    pub fn new(rows: &'a [LeadRow]) -> RowsBatch<'a> {
        RowsBatch {
            rows,
            out: Vec::new(),
        }
    }
}

impl HostBatch for RowsBatch<'_> {
    type Error = Infallible;

    fn read(&mut self, rows: Range<usize>) -> Result<Rows, ReadError<Infallible>> {
        Ok(read_rows(self.rows.get(rows).unwrap_or(&[])))
    }

    fn emit(&mut self, results: Results) -> Result<(), Infallible> {
        self.out.push(results);
        Ok(())
    }

    fn restart(&mut self) {
        self.out.clear();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use leadrail_core::host::{Instants, SharedNetwork};
    use leadrail_core::network::Network;
    use leadrail_core::route::{Engine, OutcomeRef, RouteOptions};

    use super::*;
    use crate::handwritten::Handwritten;
    use crate::w1::{partner_id, START, STEP, W1};

    /// The host path decides as the hand-written loop over the same rows, in one piece and in
    /// chunks (the two yardsticks compare the same outputs).
    #[test]
    fn host_path_and_handwritten_rows_agree_on_w1() {
        let w = W1::generate(3, 1_000, 40_000);
        let rows = w.lead_rows();
        let want: Vec<Option<String>> = Handwritten::new(&w)
            .route_rows(&rows, START, STEP)
            .into_iter()
            .map(|p| p.map(|p| partner_id(p as usize)))
            .collect();
        let engine = Engine::new(Arc::new(W1::plan())).unwrap();
        let net = Network::new(&W1::partner_schema(), w.partner_records()).unwrap();
        let instants = Instants::Step {
            start: START,
            step_ms: STEP,
        };
        let opts = RouteOptions::default();
        let partners = |results: &[Results]| -> Vec<Option<String>> {
            results
                .iter()
                .flat_map(|r| r.views())
                .map(|v| match v.unwrap().outcome {
                    OutcomeRef::Partner(p) => Some(p.to_string()),
                    _ => None,
                })
                .collect()
        };
        let mut one = net.clone();
        let piece = read_rows(&rows)
            .prepare(&engine)
            .route(&engine, &mut one, &instants, &opts);
        assert_eq!(partners(&[piece]), want);
        let shared = SharedNetwork::new(net, Host::RUST);
        let mut batch = RowsBatch::new(&rows);
        shared
            .route_batch(&engine, rows.len(), &instants, &opts, &mut batch)
            .unwrap();
        assert!(batch.out.len() > 1, "40,000 leads are routed in chunks");
        assert_eq!(partners(&batch.out), want);
    }
}
