#[test]
fn scratch() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/example.rail"))
        .unwrap();
    match leadrail_dsl::compile(&text, "example.rail") {
        Ok(c) => println!("{:#?}", c.plan.rules[0].requires),
        Err(e) => println!("{e}"),
    }
    println!("{}", leadrail_dsl::format(&text, "x").unwrap());
}
