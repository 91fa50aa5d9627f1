//! Person records end to end: validation, encryption of each personal field with blind
//! indexes for search, key rotation, and a permit through its lifecycle into counts.

use hemi_core::{CountryCodes, Iso3};
use hemi_registry::crypto::{BlindIndexKind, BlindIndexer, Key, KeyRing};
use hemi_registry::date::{Date, PartialDate, Timestamp};
use hemi_registry::permit::{counts_by_month, counts_by_state, Permit, PermitState, Program};
use hemi_registry::person::{Contact, Person, PersonName, Sex};

const OLD_KEY: &str = "hex:7f3a9c0e51b2d4f68a1c3e5f7092b4d6e8f0a2c4e6f8091b3d5f7a9c1e3b5d7f";
const NEW_KEY: &str = "base64:q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=";
const INDEX_KEY: &str = "hex:00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210";

fn person() -> Person {
    Person {
        person_id: "P-001".into(),
        name: PersonName {
            given_names: vec!["Marie Carmel".into()],
            first_surname: "Jean-Baptiste".into(),
            second_surname: String::new(),
            original_script: None,
        },
        sex: Some(Sex::Female),
        date_of_birth: Some(PartialDate::parse("1988-07").unwrap()),
        nationalities: vec![Iso3::parse("HTI").unwrap()],
        documents: vec![],
        household: None,
        contact: Contact {
            phone: "+57 301 555 0101".into(),
            ..Contact::default()
        },
        biometrics: vec![],
        registration_date: Some(Date::parse("2022-02-01").unwrap()),
    }
}

#[test]
fn every_personal_field_is_encrypted_and_searchable_by_blind_index() {
    let p = person();
    assert!(p
        .validate(
            CountryCodes::bundled(),
            Date::parse("2024-01-01").unwrap(),
            "form",
            0
        )
        .is_empty());
    let ring = KeyRing::new(vec![Key::parse("k2021", OLD_KEY).unwrap()]).unwrap();
    let index = BlindIndexer::new(Key::parse("ix1", INDEX_KEY).unwrap());
    let fields = [
        (
            "person.given_names",
            p.name.given_names.join(" "),
            BlindIndexKind::ExactName,
        ),
        (
            "person.first_surname",
            p.name.first_surname.clone(),
            BlindIndexKind::ExactName,
        ),
        (
            "person.date_of_birth",
            p.date_of_birth.unwrap().to_string(),
            BlindIndexKind::DateOfBirth,
        ),
        (
            "person.phone",
            p.contact.phone.clone(),
            BlindIndexKind::Phone,
        ),
    ];
    let mut nonce = [0u8; 24];
    for (i, (column, value, kind)) in fields.iter().enumerate() {
        nonce[0] = i as u8 + 1;
        let context = format!("{column}:{}", p.person_id);
        let stored = ring.encrypt(value, &context, nonce);
        assert!(!stored.contains(value.as_str()));
        assert_eq!(&ring.decrypt(&stored, &context).unwrap(), value);
        // A search typed differently finds the same index.
        let typed = match kind {
            BlindIndexKind::ExactName => value.to_uppercase().replace('-', " "),
            BlindIndexKind::Phone => "3015550101".to_owned(),
            _ => value.clone(),
        };
        assert_eq!(
            index.index(*kind, value),
            index.index(*kind, &typed),
            "{column}"
        );
    }
    // Rotation: a ring with both keys reads the old ciphertext, re-encrypts under the new.
    let stored = ring.encrypt("Marie Carmel", "person.given_names:P-001", [9; 24]);
    let rotated = KeyRing::new(vec![
        Key::parse("k2021", OLD_KEY).unwrap(),
        Key::parse("k2024", NEW_KEY).unwrap(),
    ])
    .unwrap();
    let moved = rotated
        .reencrypt(&stored, "person.given_names:P-001", [10; 24])
        .unwrap();
    assert_eq!(KeyRing::key_id_of(&moved).unwrap(), "k2024");
    // A missing or wrong key fails loudly.
    let wrong = KeyRing::new(vec![Key::parse("k2024", OLD_KEY).unwrap()]).unwrap();
    assert!(wrong.decrypt(&moved, "person.given_names:P-001").is_err());
    assert!(KeyRing::new(vec![]).is_err());
}

#[test]
fn a_permit_through_its_lifecycle_feeds_the_counts() {
    let program = Program::colombia_etpv();
    let ven = Iso3::parse("VEN").ok();
    let t = |s: &str| Timestamp::parse(s).unwrap();
    let mut permits = Vec::new();
    for (i, path) in [
        vec![
            PermitState::BiometricsTaken,
            PermitState::Approved,
            PermitState::Issued,
        ],
        vec![
            PermitState::BiometricsTaken,
            PermitState::Approved,
            PermitState::Issued,
            PermitState::Revoked,
        ],
        vec![PermitState::Denied],
    ]
    .into_iter()
    .enumerate()
    {
        let mut p = Permit::pre_register(
            &format!("PPT-{i}"),
            &format!("P-{i}"),
            &program,
            ven,
            "officer",
            t("2021-06-01T09:00:00Z"),
        )
        .unwrap();
        for (step, state) in path.into_iter().enumerate() {
            let reason = if matches!(state, PermitState::Revoked | PermitState::Denied) {
                "stated reason"
            } else {
                ""
            };
            p.transition(
                &program,
                state,
                "officer",
                Timestamp(t("2021-07-01T00:00:00Z").0 + step as i64 * 86_400 * 40),
                reason,
            )
            .unwrap();
        }
        permits.push(p);
    }
    let stock = counts_by_state(&permits, t("2022-01-01T00:00:00Z"));
    let by_state: Vec<(PermitState, u64)> = stock.iter().map(|c| (c.state, c.permits)).collect();
    assert_eq!(
        by_state,
        vec![
            (PermitState::Issued, 1),
            (PermitState::Revoked, 1),
            (PermitState::Denied, 1)
        ]
    );
    let flows = counts_by_month(&permits);
    let pre: u64 = flows
        .iter()
        .filter(|c| c.state == PermitState::PreRegistered)
        .map(|c| c.permits)
        .sum();
    assert_eq!(pre, 3);
    // Out of order: an issued permit cannot go back to biometrics.
    let e = permits[0]
        .clone()
        .transition(
            &program,
            PermitState::BiometricsTaken,
            "officer",
            t("2022-01-01T00:00:00Z"),
            "",
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("from issued to biometrics_taken"),
        "{e}"
    );
}
