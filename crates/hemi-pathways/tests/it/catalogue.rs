//! The catalogue files parse, carry citations, and bad files give file:line errors.

use hemi_pathways::catalogue::{check_new_version, CommitmentRef};
use hemi_pathways::parse_catalogue;

use crate::support::{catalogue, catalogue_files};

#[test]
fn repository_catalogue_parses_with_every_seeded_program() {
    let c = catalogue();
    for key in [
        "us-h2a",
        "us-h2b",
        "us-h2b-fy2022-nca-haiti",
        "us-chnv-cuba",
        "us-chnv-haiti",
        "us-chnv-nicaragua",
        "us-chnv-venezuela",
        "us-frp-cuba",
        "us-frp-haiti",
        "us-frp-colombia",
        "us-frp-el-salvador",
        "us-frp-guatemala",
        "us-frp-honduras",
        "us-usrap-latin-america-caribbean",
        "ca-sawp",
        "ca-humanitarian-col-hti-ven",
        "ca-urgent-protection",
        "mx-tvtf",
        "safe-mobility-col",
        "safe-mobility-cri",
        "safe-mobility-ecu",
        "safe-mobility-gtm",
    ] {
        let p = c.program(key).unwrap_or_else(|| panic!("{key} missing"));
        assert!(!p.legal_basis.is_empty(), "{key} cites its legal basis");
        assert!(!p.rules.is_empty(), "{key} has rules");
        for r in &p.rules {
            assert!(
                !r.reads.is_empty() || r.expression.contains("true"),
                "{key}/{} reads facts",
                r.key
            );
            assert!(!r.pass.is_empty() && !r.fail.is_empty());
        }
    }
    assert_eq!(c.version, 1);
    assert_eq!(c.digest.len(), 64);
}

#[test]
fn chnv_shares_one_monthly_cap_of_30000() {
    let c = catalogue();
    let shared: Vec<_> = c.caps_of("us-chnv-haiti").collect();
    assert_eq!(shared.len(), 1);
    assert_eq!(shared[0].places, 30_000);
    assert_eq!(shared[0].programs.len(), 4);
    for p in ["us-chnv-cuba", "us-chnv-nicaragua", "us-chnv-venezuela"] {
        assert_eq!(c.caps_of(p).next().unwrap().key, shared[0].key);
    }
}

#[test]
fn commitments_link_to_programs() {
    let c = catalogue();
    let h2b = CommitmentRef {
        owner: "USA".into(),
        title: "H-2B seasonal worker visas for Northern Central America and Haiti".into(),
    };
    let serving: Vec<_> = c
        .programs_serving(&h2b)
        .iter()
        .map(|p| p.key.clone())
        .collect();
    assert_eq!(serving, ["us-h2b-fy2022-nca-haiti"]);
    let cap = c.caps_of("us-h2b-fy2022-nca-haiti").next().unwrap();
    assert_eq!(cap.places, 11_500);
    let refugees = CommitmentRef {
        owner: "USA".into(),
        title: "Resettle refugees from the Americas, FY2023-2024".into(),
    };
    assert_eq!(c.programs_serving(&refugees).len(), 1);
}

/// Parse the repository catalogue with one program file replaced, and return the
/// printed diagnostics.
fn check_bad(file: &str, replace: &str, with: &str) -> String {
    let mut files = catalogue_files();
    let entry = files.iter_mut().find(|(n, _)| n.ends_with(file)).unwrap();
    assert!(entry.1.contains(replace), "{file} contains {replace:?}");
    entry.1 = entry.1.replacen(replace, with, 1);
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    match parse_catalogue(&refs) {
        Ok(_) => panic!("{file} with {with:?} should not parse"),
        Err(d) => d.to_string(),
    }
}

#[test]
fn bad_files_name_file_line_and_position() {
    let cases = [
        (
            "us-chnv-cuba.toml",
            "expression = 'nationality == \"CUB\"'",
            "expression = 'nationality = \"CUB\"'",
            &[
                "pathways/programs/us-chnv-cuba.toml:",
                "rules.nationality.expression",
                "column",
            ][..],
        ),
        (
            "us-chnv-cuba.toml",
            "expression = 'has_us_supporter'",
            "expression = 'has_sponsor'",
            &["reads has_sponsor which is not a declared fact"][..],
        ),
        (
            "mx-tvtf.toml",
            "eligible_nationalities = [\"GTM\", \"BLZ\"]",
            "eligible_nationalities = [\"GTM\", \"XXB\"]",
            &["mx-tvtf.toml:", "\"XXB\" is not an ISO 3166 alpha-3 code"][..],
        ),
        (
            "ca-sawp.toml",
            "kind = \"labour\"",
            "kind = \"work\"",
            &["ca-sawp.toml:4: toml"][..],
        ),
    ];
    for (file, replace, with, wanted) in cases {
        let printed = check_bad(file, replace, with);
        for w in wanted {
            assert!(printed.contains(w), "{file}: {w:?} not in\n{printed}");
        }
    }
}

#[test]
fn rule_position_points_into_the_expression() {
    let printed = check_bad(
        "us-chnv-cuba.toml",
        "expression = '\"passport\" in documents'",
        "expression = '\"passport\" in documents &&'",
    );
    let line = printed
        .lines()
        .find(|l| l.contains("rules.passport.expression"))
        .unwrap();
    let text = &catalogue_files()
        .into_iter()
        .find(|(n, _)| n.ends_with("us-chnv-cuba.toml"))
        .unwrap()
        .1;
    let expected_line = text
        .lines()
        .position(|l| l.contains("\"passport\" in documents'"))
        .unwrap()
        + 1;
    assert!(
        line.contains(&format!("us-chnv-cuba.toml:{expected_line}:")),
        "{line}"
    );
}

#[test]
fn a_changed_catalogue_needs_a_higher_version() {
    let current = catalogue();
    let mut files = catalogue_files();
    files[1].1.push_str("\n# edited\n");
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let edited = parse_catalogue(&refs).unwrap();
    assert!(check_new_version(&current, &edited)
        .unwrap_err()
        .contains("raise version"));
    files[0].1 = files[0].1.replacen("version = 1", "version = 2", 1);
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let bumped = parse_catalogue(&refs).unwrap();
    assert!(check_new_version(&current, &bumped).is_ok());
    assert!(check_new_version(&current, &current).is_err());
}
