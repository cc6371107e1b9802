use leadrail_dsl::{diagnostics::SourceFile, parse::parse_file};
#[test]
fn scratch() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/example.rail")).unwrap();
    let src = SourceFile::new(&text, "example.rail");
    match parse_file(&src) { Ok(f) => println!("{:#?}", f.items.len()), Err(es) => { for e in es { println!("{:?} {} {:?}", e.line_col(), e.message(), e.hint()); } panic!() } }
    for bad in ["ruleset \"x\" version 3\nroute \"a\" {\n  when lead.x = 3\n  require partner.y == 'a'\n  rank 1 < 2 < 3\n}\nroute \"b\" { tie id\n when true }\nrout \"c\" {}\n", "schema lead { a: int, b int }\nfallback queue \"x\nroute \"q\" { require a && b }"] {
        let src = SourceFile::new(bad, "bad.rail");
        match parse_file(&src) { Ok(f) => println!("OK {:#?}", f), Err(es) => { for e in es { println!("{:?} {} | {:?}", e.line_col(), e.message(), e.hint()); } } }
    }
}
