//! ISO 3166 data and region-code parsing.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use leadrail_core::geo::{AreaId, RegionCode, RegionError, Territory};
use leadrail_core::report::{codes, ErrorReport};

fn parse(s: &str) -> Result<RegionCode, RegionError> {
    s.parse()
}

#[test]
fn tables_hold_the_real_lists() {
    assert_eq!(AreaId::countries().count(), 249);
    assert_eq!(AreaId::count(), 249 + 5046);
    let us = AreaId::lookup("US").unwrap();
    assert!(us.is_country());
    assert_eq!(us.name(), "United States");
    assert_eq!(us.alpha3(), Some("USA"));
    assert_eq!(us.subdivisions().len(), 57);
    let tx = AreaId::lookup("US-TX").unwrap();
    assert_eq!(tx.name(), "Texas");
    assert_eq!(tx.parent(), Some(us));
    let kec = AreaId::lookup("GB-KEC").unwrap();
    let eng = AreaId::lookup("GB-ENG").unwrap();
    let gb = AreaId::lookup("GB").unwrap();
    assert_eq!(kec.parent(), Some(eng));
    assert_eq!(kec.ancestors().collect::<Vec<_>>(), vec![kec, eng, gb]);
    let paris = AreaId::lookup("FR-75C").unwrap();
    assert_eq!(paris.parent(), AreaId::lookup("FR-IDF"));
    assert_eq!(paris.country(), AreaId::lookup("FR").unwrap());
    assert!(eng.contains(kec) && gb.contains(kec) && !kec.contains(eng));
    for i in 0..AreaId::count() {
        let a = AreaId::from_index(i).unwrap();
        assert_eq!(a.index(), i);
        assert_eq!(AreaId::lookup(a.code()), Some(a));
        assert_eq!(a.ancestors().last(), Some(a.country()));
    }
    assert_eq!(AreaId::from_index(AreaId::count()), None);
}

#[test]
fn real_codes_parse_and_display_normalised() {
    for (input, shown) in [
        ("US", "US"),
        ("US-TX", "US-TX"),
        ("us-tx", "US-TX"),
        ("  De-by ", "DE-BY"),
        ("FR-75C", "FR-75C"),
        ("FR-IDF", "FR-IDF"),
        ("GB-ENG", "GB-ENG"),
        ("GB-KEC", "GB-KEC"),
        ("CA-QC", "CA-QC"),
        ("JP-13", "JP-13"),
        ("US-TX:750", "US-TX:750"),
        ("DE:80", "DE:80"),
        ("gb:sw1a 1", "GB:SW1A1"),
        ("PL:00-950", "PL:00-950"),
        ("US-TX : 750", "US-TX:750"),
    ] {
        let r = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(r.to_string(), shown, "{input}");
        assert_eq!(parse(&r.to_string()).unwrap(), r);
    }
    let r = parse("us-tx:750").unwrap();
    assert_eq!(
        (r.country(), r.subdivision(), r.postal()),
        ("US", Some("US-TX"), Some("750"))
    );
    let r = parse("DE:80").unwrap();
    assert_eq!(
        (r.country(), r.subdivision(), r.postal()),
        ("DE", None, Some("80"))
    );
}

fn err(input: &str) -> (String, Option<String>) {
    let e = parse(input).unwrap_err();
    (e.to_string(), e.help())
}

#[test]
fn invalid_codes_are_rejected_with_hints() {
    assert_eq!(
        err("UK"),
        (
            "unknown country code `UK`".into(),
            Some("`UK` is not an ISO 3166-1 code; the United Kingdom is `GB`".into())
        )
    );
    assert_eq!(
        err("uk-eng"),
        (
            "unknown country code `uk`".into(),
            Some("`uk` is not an ISO 3166-1 code; the United Kingdom is `GB`".into())
        )
    );
    assert_eq!(
        err("USA"),
        (
            "unknown country code `USA`".into(),
            Some("`USA` is an alpha-3 code; use the alpha-2 code `US` (United States)".into())
        )
    );
    assert_eq!(
        err("germany"),
        (
            "unknown country code `germany`".into(),
            Some("use the country's ISO 3166-1 code `DE`".into())
        )
    );
    assert_eq!(
        err("XX"),
        (
            "unknown country code `XX`".into(),
            Some("use an ISO 3166-1 alpha-2 country code such as `US`, `DE` or `GB`".into())
        )
    );
    assert_eq!(
        err("US-ZZ"),
        (
            "unknown subdivision `US-ZZ` of `US`".into(),
            Some("did you mean `US-AZ` (Arizona)?".into())
        )
    );
    assert_eq!(
        err("US-QQ"),
        (
            "unknown subdivision `US-QQ` of `US`".into(),
            Some("use an ISO 3166-2 subdivision code of `US` such as `US-AK`".into())
        )
    );
    assert_eq!(
        err("US-Texas"),
        (
            "unknown subdivision `US-TEXAS` of `US`".into(),
            Some("did you mean `US-TX` (Texas)?".into())
        )
    );
    assert_eq!(
        err("DE-BYX"),
        (
            "unknown subdivision `DE-BYX` of `DE`".into(),
            Some("did you mean `DE-BY` (Bavaria)?".into())
        )
    );
    assert_eq!(err("").0, "empty region code");
    assert_eq!(err("   ").0, "empty region code");
    assert_eq!(err("U1").0, "`U1` is not a region code");
    assert_eq!(err("US-").0, "`US-` is not a region code");
    assert_eq!(err("US-T!").0, "`US-T!` is not a region code");
    assert_eq!(err("US:").0, "empty postal code prefix in `US:`");
    assert_eq!(err("US:   ").0, "empty postal code prefix in `US:`");
    assert_eq!(
        err("US:75_0").0,
        "invalid character `_` in postal code prefix `75_0`"
    );
    assert_eq!(
        err("US:12345678901234567").0,
        "postal code prefix `12345678901234567` is longer than 16 characters"
    );
    // FR-75 (Paris as a department) is no longer an ISO 3166-2 code: Paris is `FR-75C`.
    assert!(matches!(
        parse("FR-75"),
        Err(RegionError::UnknownSubdivision { .. })
    ));
    // A subdivision code of another country is not accepted under this one.
    assert!(parse("US-BY").is_err());
}

#[test]
fn english_names_from_cldr_serve_the_hints() {
    // A country's other English names (CLDR's short and variant forms) are recognised too.
    for (given, code) in [
        ("turkey", "TR"),
        ("Czech Republic", "CZ"),
        ("ivory coast", "CI"),
        ("Vietnam", "VN"),
        ("Trinidad and Tobago", "TT"),
    ] {
        assert_eq!(
            err(given).1,
            Some(format!("use the country's ISO 3166-1 code `{code}`")),
            "{given}"
        );
    }
    assert_eq!(AreaId::lookup("TR").unwrap().name(), "Türkiye");
    // Subdivision names are English, without CLDR's disambiguating superscripts.
    assert_eq!(
        err("DE-Bavaria").1,
        Some("did you mean `DE-BY` (Bavaria)?".into())
    );
    assert_eq!(AreaId::lookup("FR-IDF").unwrap().name(), "Île-de-France");
    // ISO 3166-2 codes that CLDR aliases to a country code (`overlong`) stay subdivisions.
    let pr = AreaId::lookup("US-PR").unwrap();
    assert_eq!(
        (pr.name(), pr.parent()),
        ("Puerto Rico", AreaId::lookup("US"))
    );
    assert!(AreaId::lookup("US").unwrap().contains(pr));
}

#[test]
fn region_errors_convert_to_reports() {
    let r: ErrorReport = parse("UK").unwrap_err().into();
    assert_eq!(r.code, codes::DATA_INVALID_FIELD);
    assert_eq!(r.message, "unknown country code `UK`");
    assert!(r.help.unwrap().contains("`GB`"));
}

#[test]
fn territories_parse_display_and_serde() {
    let t: Territory = "us EXCEPT us-hi,US-AK".parse().unwrap();
    assert_eq!(t.to_string(), "US except US-AK, US-HI");
    assert_eq!(t.except().len(), 2);
    assert_eq!(t, Territory::parse(&t.to_string()).unwrap());
    let json = serde_json::to_string(&t).unwrap();
    assert_eq!(json, "\"US except US-AK, US-HI\"");
    assert_eq!(serde_json::from_str::<Territory>(&json).unwrap(), t);
    let r = parse("DE-BY:80").unwrap();
    assert_eq!(serde_json::to_string(&r).unwrap(), "\"DE-BY:80\"");
    assert_eq!(
        serde_json::from_str::<RegionCode>("\"de-by:80\"").unwrap(),
        r
    );
    let e = serde_json::from_str::<RegionCode>("\"UK\"").unwrap_err();
    assert!(
        e.to_string().starts_with("unknown country code `UK`"),
        "{e}"
    );
    // Duplicates collapse.
    let t = Territory::parse("US except US-AK, us-ak").unwrap();
    assert_eq!(t.to_string(), "US except US-AK");
    // `except` inside a word is not the keyword.
    assert!(Territory::parse("USexcept US-AK").is_err());

    for (input, msg) in [
        ("US except", "empty exclusion in `US except`"),
        ("US except US-AK,", "empty exclusion in `US except US-AK,`"),
        (
            "US except CA-QC",
            "exclusion `CA-QC` does not lie inside `US`",
        ),
        (
            "US-TX except US",
            "exclusion `US` does not lie inside `US-TX`",
        ),
        ("US except US", "exclusion `US` does not lie inside `US`"),
        (
            "US-TX:75 except US-TX:7",
            "exclusion `US-TX:7` does not lie inside `US-TX:75`",
        ),
        ("US except UK", "unknown country code `UK`"),
    ] {
        assert_eq!(
            Territory::parse(input).unwrap_err().to_string(),
            msg,
            "{input}"
        );
    }
    assert!(Territory::parse("GB-ENG except GB-KEC").is_ok());
    assert!(Territory::parse("DE:80 except DE-BY:803").is_ok());
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn parsing_never_panics_and_round_trips(s in "\\PC{0,24}|[a-zA-Z]{2}(-[a-zA-Z0-9]{1,3})?(:[a-zA-Z0-9 -]{0,6})?( [eE][xX][cC][eE][pP][tT] [A-Za-z:, -]{0,12})?") {
            if let Ok(r) = RegionCode::parse(&s) {
                prop_assert_eq!(RegionCode::parse(&r.to_string()).unwrap(), r);
            }
            if let Ok(t) = Territory::parse(&s) {
                prop_assert_eq!(Territory::parse(&t.to_string()).unwrap(), t);
            }
        }
    }
}
