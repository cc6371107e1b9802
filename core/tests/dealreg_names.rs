//! Precision and recall of the company-name matcher on the labelled pairs
//! (`tests/data/company_pairs.tsv`, written independently of the matcher) at the default policy
//! threshold. The issue requires at least 0.95 for both.

use leadrail_core::dealreg::{similarity, Policy};

#[test]
fn precision_and_recall_on_labelled_pairs() {
    let text = include_str!("data/company_pairs.tsv");
    let threshold = Policy::default().name_threshold;
    let (mut tp, mut fp, mut fn_, mut tn) = (0u32, 0u32, 0u32, 0u32);
    let mut wrong = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [label, a, b] = cols[..] else {
            panic!("bad line `{line}`");
        };
        let score = similarity(a, b);
        let same = score >= threshold;
        match (label, same) {
            ("same", true) => tp += 1,
            ("same", false) => {
                fn_ += 1;
                wrong.push(format!("missed     {score:.3}  {a} | {b}"));
            }
            ("different", true) => {
                fp += 1;
                wrong.push(format!("false hit  {score:.3}  {a} | {b}"));
            }
            ("different", false) => tn += 1,
            _ => panic!("bad label `{label}`"),
        }
    }
    let precision = f64::from(tp) / f64::from(tp + fp);
    let recall = f64::from(tp) / f64::from(tp + fn_);
    println!(
        "pairs: {} (tp {tp}, fp {fp}, fn {fn_}, tn {tn}) at threshold {threshold}",
        tp + fp + fn_ + tn
    );
    println!("precision {precision:.4}, recall {recall:.4}");
    for w in &wrong {
        println!("{w}");
    }
    assert!(tp + fp + fn_ + tn >= 300);
    assert!(precision >= 0.95, "precision {precision:.4}");
    assert!(recall >= 0.95, "recall {recall:.4}");
}
