//! The lottery: the Rust draw against the independent Python verifier's stored output,
//! loud verification failures, whole households, the skip rule and the weights.

use hemi_allocation::lottery::{
    self, canonical_policy, canonical_registrations, parse_policy, parse_published_registrations,
    parse_registrations, verify, Difference, DrawPolicy, Phase, PortCapacity, PublicRegistration,
    PublishedDraw, RegistrationChange,
};
use hemi_allocation::{AllocationError, Date};

use crate::read_fixture;

fn published_fixture() -> PublishedDraw {
    PublishedDraw {
        policy_text: read_fixture("lottery/policy.txt"),
        registrations_text: read_fixture("lottery/registrations.csv"),
        commitment: read_fixture("lottery/commitment.txt"),
        public_value: read_fixture("lottery/public_value.txt"),
        result_text: read_fixture("lottery/result.csv"),
    }
}

#[test]
fn rust_draw_matches_python_verifier_bit_for_bit() {
    let published = published_fixture();
    let verified = verify(&published, None).expect("fixture verifies");
    let python = read_fixture("lottery/python_output.txt");
    let mut lines = python.lines();
    let first = lines.next().unwrap();
    assert_eq!(
        first,
        format!(
            "OK commitment {} seed {} selections {}",
            verified.commitment, verified.seed, verified.selections
        )
    );
    // Re-run in Rust from the parsed files and compare every winner with Python's list.
    let policy = parse_policy(&published.policy_text, "policy.txt").unwrap();
    let regs =
        parse_published_registrations(&published.registrations_text, "registrations.csv").unwrap();
    let result = lottery::draw(
        &regs,
        &policy,
        published.public_value.trim_end_matches('\n'),
    )
    .unwrap();
    let rust: Vec<String> = result
        .selections
        .iter()
        .map(|s| {
            format!(
                "{},{},{},{}",
                s.order,
                s.household_id,
                s.port,
                s.phase.as_str()
            )
        })
        .collect();
    let python_rows: Vec<&str> = lines.collect();
    assert_eq!(rust, python_rows);
    assert!(result.selections.iter().any(|s| s.phase == Phase::Random));
    assert!(result
        .selections
        .iter()
        .any(|s| s.phase == Phase::LongestWaiting));
}

fn check_tampered(edit: impl Fn(&mut PublishedDraw), expected: impl Fn(&Difference) -> bool) {
    let original = published_fixture();
    let mut published = original.clone();
    edit(&mut published);
    match verify(
        &published,
        Some((&original.policy_text, &original.registrations_text)),
    ) {
        Err(AllocationError::Verification(d)) => {
            assert!(expected(&d), "unexpected difference: {d}")
        }
        other => panic!("tampering not detected: {other:?}"),
    }
}

#[test]
fn verification_names_the_first_difference() {
    // A household's size changed after the commitment.
    check_tampered(
        |p| {
            let lines: Vec<String> = p.registrations_text.lines().map(String::from).collect();
            let mut f: Vec<String> = lines[5].split(',').map(String::from).collect();
            f[2] = (f[2].parse::<u32>().unwrap() + 1).to_string();
            let changed = f.join(",");
            p.registrations_text = p.registrations_text.replace(&lines[5], &changed);
        },
        |d| matches!(d, Difference::Commitment { first_change: Some(RegistrationChange::Changed { household_id, .. }), .. } if household_id == "R0000004"),
    );
    // A household removed.
    check_tampered(
        |p| {
            let line = p.registrations_text.lines().nth(3).unwrap().to_string();
            p.registrations_text = p.registrations_text.replace(&format!("{line}\n"), "");
        },
        |d| matches!(d, Difference::Commitment { first_change: Some(RegistrationChange::Removed { household_id }), .. } if household_id == "R0000002"),
    );
    // The policy changed (more places).
    check_tampered(
        |p| p.policy_text = p.policy_text.replace("capacity=SYS:32", "capacity=SYS:33"),
        |d| {
            matches!(
                d,
                Difference::Commitment {
                    first_change: Some(RegistrationChange::Policy { .. }),
                    ..
                }
            )
        },
    );
    // Two winners swapped in the published result.
    check_tampered(
        |p| {
            let lines: Vec<&str> = p.result_text.lines().collect();
            let (a, b) = (
                lines[3].split(',').nth(1).unwrap(),
                lines[4].split(',').nth(1).unwrap(),
            );
            let swapped = p.result_text.replace(a, "@").replace(b, a).replace('@', b);
            p.result_text = swapped;
        },
        |d| matches!(d, Difference::Selection { order: 3, .. }),
    );
    // A winner dropped from the end.
    check_tampered(
        |p| {
            let mut lines: Vec<&str> = p.result_text.lines().collect();
            lines.pop();
            p.result_text = lines.join("\n") + "\n";
        },
        |d| {
            matches!(
                d,
                Difference::Selection {
                    published: None,
                    ..
                }
            )
        },
    );
    // The list and its published commitment changed together: the stored commitment wins.
    check_tampered(
        |p| {
            p.registrations_text = p.registrations_text.replacen(",1,", ",2,", 1);
            p.commitment = lottery::commitment_of_texts(&p.policy_text, &p.registrations_text);
        },
        |d| {
            matches!(
                d,
                Difference::Commitment {
                    first_change: Some(RegistrationChange::Changed { .. }),
                    ..
                }
            )
        },
    );
    // Another public value.
    check_tampered(
        |p| p.public_value = "another value\n".into(),
        |d| {
            matches!(
                d,
                Difference::Selection { order: 1, .. } | Difference::Selection { .. }
            )
        },
    );
}

fn reg(id: &str, date: &str, people: u32, ports: &[&str], flags: &[&str]) -> PublicRegistration {
    PublicRegistration {
        household_id: id.into(),
        registered_on: Date::parse(date).unwrap(),
        people,
        preferred_ports: ports.iter().map(|p| p.to_string()).collect(),
        flags: flags.iter().map(|f| f.to_string()).collect(),
    }
}

fn policy(share_permille: u16, caps: &[(&str, u32)]) -> DrawPolicy {
    DrawPolicy {
        algorithm_version: lottery::ALGORITHM_VERSION.into(),
        draw_date: Date::parse("2024-06-03").unwrap(),
        registration_closed_on: Date::parse("2024-06-02").unwrap(),
        longest_waiting_share_permille: share_permille,
        default_weight: 1,
        flag_weights: [("medical".to_string(), 3)].into_iter().collect(),
        capacities: caps
            .iter()
            .map(|(p, c)| PortCapacity {
                port: p.to_string(),
                people: *c,
            })
            .collect(),
    }
}

#[test]
fn households_are_drawn_whole_and_a_household_that_does_not_fit_is_skipped() {
    // All places to the longest-waiting: 5 places; the oldest (4 people) fits, the next
    // (3 people) does not fit the 1 place left and is skipped, the single adult fits.
    let regs = vec![
        reg("A", "2024-01-01", 4, &["SYS"], &[]),
        reg("B", "2024-01-02", 3, &["SYS"], &[]),
        reg("C", "2024-01-03", 1, &["SYS"], &[]),
        reg("D", "2024-01-04", 1, &["SYS"], &[]),
    ];
    let r = lottery::draw(&regs, &policy(1000, &[("SYS", 5)]), "v").unwrap();
    let chosen: Vec<&str> = r
        .selections
        .iter()
        .map(|s| s.household_id.as_str())
        .collect();
    assert_eq!(chosen, ["A", "C"]);
    assert_eq!(r.unused_people[0].people, 0);
    // Second preference used when the first is full.
    let regs = vec![
        reg("A", "2024-01-01", 2, &["SYS"], &[]),
        reg("B", "2024-01-02", 2, &["SYS", "ELP"], &[]),
    ];
    let r = lottery::draw(&regs, &policy(1000, &[("SYS", 2), ("ELP", 2)]), "v").unwrap();
    assert_eq!(r.selections[1].port, "ELP");
}

#[test]
fn weights_make_selection_proportional() {
    // One place, two single adults, weights 1 and 3: P(weighted first) = 3/4.
    let regs = vec![
        reg("L", "2024-05-01", 1, &["SYS"], &[]),
        reg("W", "2024-05-01", 1, &["SYS"], &["medical"]),
    ];
    let trials = 4000;
    let wins = (0..trials)
        .filter(|k| {
            lottery::draw(&regs, &policy(0, &[("SYS", 1)]), &format!("value {k}"))
                .unwrap()
                .selections[0]
                .household_id
                == "W"
        })
        .count();
    let p = wins as f64 / trials as f64;
    let sd = (0.75f64 * 0.25 / trials as f64).sqrt();
    assert!((p - 0.75).abs() < 4.0 * sd, "weighted share {p}");
}

#[test]
fn bad_registrations_are_refused_with_file_line_field() {
    let check = |text: &str, expected: &str| {
        let err = parse_registrations(text, "regs.csv")
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{err}");
    };
    let head = "household_id,registered_on,members,preferred_ports,flags\n";
    check(
        &format!("{head}H1,2024-05-01,,SYS,\n"),
        "regs.csv:2: members: registration without members",
    );
    check(
        &format!("{head}H1,2024-13-01,VEN:F:30,SYS,\n"),
        "regs.csv:2: registered_on",
    );
    check(
        &format!("{head}H1,2024-05-01,VEN:F:30,SYS,\nH1,2024-05-02,VEN:M:30,SYS,\n"),
        "regs.csv:3: household_id: \"H1\" appears again",
    );
    check(
        &format!("{head}H1,2024-05-01,VEN:Q:30,SYS,\n"),
        "is not NAT:SEX:AGE",
    );
    let ok = parse_registrations(
        &format!("{head}H1,2024-05-01,VEN:F:30;VEN:M:2,SYS;ELP,medical\n"),
        "regs.csv",
    )
    .unwrap();
    assert_eq!(ok[0].public().people, 2);
}

#[test]
fn policy_text_round_trips_and_refuses_negative_capacity() {
    let p = policy(500, &[("SYS", 10), ("ELP", 4)]);
    let text = canonical_policy(&p);
    let mut sorted = p.clone();
    sorted.capacities.sort_by(|a, b| a.port.cmp(&b.port));
    assert_eq!(parse_policy(&text, "policy.txt").unwrap(), sorted);
    let err = parse_policy(
        &text.replace("capacity=SYS:10", "capacity=SYS:-3"),
        "policy.txt",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("policy.txt:") && err.contains("capacity"),
        "{err}"
    );
    let regs = vec![
        reg("B", "2024-05-01", 1, &["SYS"], &[]),
        reg("A", "2024-05-01", 2, &["SYS"], &["medical"]),
    ];
    let text = canonical_registrations(&regs);
    assert!(text.starts_with("household_id,registered_on,people,preferred_ports,flags\nA,"));
    assert_eq!(
        parse_published_registrations(&text, "r.csv").unwrap().len(),
        2
    );
    // A registration after the list closed belongs to the next draw.
    let late = vec![reg("Z", "2024-06-03", 1, &["SYS"], &[])];
    assert!(matches!(
        lottery::draw(&late, &p, "v"),
        Err(AllocationError::InvalidInput(_))
    ));
}

#[test]
fn statistics_count_by_nationality_and_wait_band() {
    let text = read_fixture("lottery/registrations_private.csv");
    let regs = parse_registrations(&text, "registrations_private.csv").unwrap();
    let published = published_fixture();
    let policy = parse_policy(&published.policy_text, "policy.txt").unwrap();
    let public: Vec<_> = regs.iter().map(|r| r.public()).collect();
    assert_eq!(
        canonical_registrations(&public),
        published.registrations_text
    );
    let result = lottery::draw(
        &public,
        &policy,
        "fixture public value 2024-06-02: 03 07 12 19 25 33 41 52 66 78",
    )
    .unwrap();
    let stats = lottery::statistics(&regs, &policy, &result, 20, &|_, _| {});
    let total: u64 = stats
        .by_nationality
        .iter()
        .map(|g| g.households_selected)
        .sum();
    assert_eq!(total as usize, result.selections.len());
    let registered: u64 = stats
        .by_wait_band
        .iter()
        .map(|g| g.households_registered)
        .sum();
    assert_eq!(registered as usize, regs.len());
    // The longest-waiting band is drawn more often than the shortest under a 50 % share.
    let first = &stats.by_wait_band[0];
    let last = stats.by_wait_band.last().unwrap();
    assert!(
        last.selection_probability.unwrap() > first.selection_probability.unwrap(),
        "{stats:?}"
    );
}
