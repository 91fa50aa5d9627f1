//! The person record: names in the Spanish two-surname convention (and Haitian compound
//! given names, Chinese names in pinyin), partial date of birth, sex, nationalities,
//! documents, household link, contact and biometric references (ids only).

use crate::date::{Date, PartialDate};
use crate::documents::Document;
use hemi_core::{CountryCodes, Diagnostic, Diagnostics, Iso3};

/// Serde for `Option<Iso3>` as text (hemi-core's `Iso3` serialises but does not deserialise).
pub mod iso3_option {
    use hemi_core::Iso3;
    /// Serialise as the code text or null.
    pub fn serialize<S: serde::Serializer>(v: &Option<Iso3>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(code) => s.serialize_some(code.as_str()),
            None => s.serialize_none(),
        }
    }
    /// Deserialise from text or null.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Iso3>, D::Error> {
        let text: Option<String> = serde::Deserialize::deserialize(d)?;
        text.map(|t| Iso3::parse(&t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// Serde for `Vec<Iso3>` as a list of code texts.
pub mod iso3_vec {
    use hemi_core::Iso3;
    /// Serialise as a list of codes.
    pub fn serialize<S: serde::Serializer>(v: &[Iso3], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(Iso3::as_str))
    }
    /// Deserialise from a list of codes.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Iso3>, D::Error> {
        let texts: Vec<String> = serde::Deserialize::deserialize(d)?;
        texts
            .iter()
            .map(|t| Iso3::parse(t).map_err(serde::de::Error::custom))
            .collect()
    }
}

/// Sex as recorded on the registration (documents in the region record F, M or X).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    /// Female.
    #[serde(rename = "F")]
    Female,
    /// Male.
    #[serde(rename = "M")]
    Male,
    /// Unspecified or non-binary (ICAO 9303 `X`).
    #[serde(rename = "X")]
    Other,
}

impl Sex {
    /// Parse F/M/X and the Spanish and French words; `None` for anything else.
    pub fn parse(text: &str) -> Option<Sex> {
        match crate::text::fold(text).as_str() {
            "F" | "FEMALE" | "FEMENINO" | "MUJER" | "FEMININ" | "W" => Some(Sex::Female),
            "M" | "MALE" | "MASCULINO" | "HOMBRE" | "H" | "MASCULIN" => Some(Sex::Male),
            "X" | "OTHER" | "OTRO" | "NO BINARIO" => Some(Sex::Other),
            _ => None,
        }
    }

    /// The one-letter code.
    pub fn code(&self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
            Sex::Other => "X",
        }
    }
}

/// A person's name.
///
/// Spanish convention: one or more given names, then the first surname (usually the
/// father's first) and the second (usually the mother's first). Haitian records carry
/// compound given names ("Marie Carmel", "Jean Robert") and one surname, often compound
/// itself ("Jean-Baptiste"). Chinese names are kept in pinyin with the family name as the
/// first surname; the original characters may be kept in `original_script`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PersonName {
    /// Given names in order ("María", "José"); a compound given name may be one entry.
    pub given_names: Vec<String>,
    /// First surname.
    pub first_surname: String,
    /// Second surname, empty when the person has one.
    pub second_surname: String,
    /// The name in its original script (Chinese characters), when recorded.
    pub original_script: Option<String>,
}

impl PersonName {
    /// A Chinese name from characters, family name first ("王秀英" → surname "Wang", given
    /// "Xiuying"), transliterated to pinyin without tones by `deunicode`.
    pub fn from_chinese(characters: &str) -> PersonName {
        let chars: Vec<char> = characters.chars().filter(|c| !c.is_whitespace()).collect();
        let syllable = |c: &char| {
            deunicode::deunicode_char(*c)
                .unwrap_or("")
                .trim()
                .to_owned()
        };
        let family = chars.first().map(syllable).unwrap_or_default();
        let given: String = chars
            .iter()
            .skip(1)
            .map(syllable)
            .collect::<Vec<_>>()
            .join("");
        let capitalise = |s: &str| {
            let lower = s.to_lowercase();
            let mut c = lower.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        };
        PersonName {
            given_names: if given.is_empty() {
                vec![]
            } else {
                vec![capitalise(&given)]
            },
            first_surname: capitalise(&family),
            second_surname: String::new(),
            original_script: Some(characters.to_owned()),
        }
    }

    /// The name as one line, given names first.
    pub fn display(&self) -> String {
        let mut parts: Vec<&str> = self.given_names.iter().map(String::as_str).collect();
        parts.push(&self.first_surname);
        if !self.second_surname.is_empty() {
            parts.push(&self.second_surname);
        }
        parts.retain(|p| !p.is_empty());
        parts.join(" ")
    }
}

/// A link from a person to a household, with the relationship to its head.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HouseholdLink {
    /// The household registration id; two records with one household id are two members,
    /// never the same person (linkage refuses to merge them).
    pub household_id: String,
    /// Relationship to the head of household (head, spouse, child, parent, sibling, other).
    pub relationship: String,
}

/// How to reach the person.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Contact {
    /// Phone number as given.
    pub phone: String,
    /// E-mail address.
    pub email: String,
    /// Street address.
    pub address: String,
    /// Municipality of residence.
    pub municipality: String,
}

/// A reference to a biometric capture held elsewhere (no images or templates here).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BiometricReference {
    /// Modality: face, fingerprint, iris.
    pub modality: String,
    /// Id of the capture in the biometric system (e.g. a MOSIP ABIS reference).
    pub reference_id: String,
}

/// One person record as registered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Person {
    /// Registry id of this record.
    pub person_id: String,
    /// Name.
    pub name: PersonName,
    /// Sex, when recorded.
    pub sex: Option<Sex>,
    /// Date of birth, possibly partial.
    pub date_of_birth: Option<PartialDate>,
    /// Nationalities (ISO 3166-1 alpha-3), first the one declared at registration.
    #[serde(with = "iso3_vec")]
    pub nationalities: Vec<Iso3>,
    /// Identity documents.
    pub documents: Vec<Document>,
    /// Household membership.
    pub household: Option<HouseholdLink>,
    /// Contact details.
    pub contact: Contact,
    /// Biometric references.
    pub biometrics: Vec<BiometricReference>,
    /// Date of registration.
    pub registration_date: Option<Date>,
}

impl Person {
    /// Check the record: a name, a date of birth not after registration or `as_of`,
    /// nationalities in the reference list, documents passing their check digits.
    /// Problems are data, named by `source` (a file name or "form") and `line`.
    pub fn validate(
        &self,
        codes: &CountryCodes,
        as_of: Date,
        source: &str,
        line: u64,
    ) -> Diagnostics {
        let mut out = Diagnostics::default();
        let mut push = |field: &str, message: String, hint: &str| {
            out.push(Diagnostic {
                file: source.to_owned(),
                line,
                field: field.to_owned(),
                message,
                hint: hint.to_owned(),
            })
        };
        if self.person_id.trim().is_empty() {
            push("person_id", "is empty".into(), "every record needs an id");
        }
        if self.name.given_names.iter().all(|g| g.trim().is_empty())
            && self.name.first_surname.trim().is_empty()
        {
            push(
                "name",
                "has neither a given name nor a surname".into(),
                "record at least one name",
            );
        }
        if let Some(dob) = self.date_of_birth {
            if dob.is_after(as_of) {
                push(
                    "date_of_birth",
                    format!("{dob} is after {as_of}"),
                    "a date of birth cannot be in the future",
                );
            }
            if let Some(reg) = self.registration_date {
                if dob.is_after(reg) {
                    push(
                        "date_of_birth",
                        format!("{dob} is after the registration date {reg}"),
                        "check the day and month order",
                    );
                }
            }
        }
        for code in &self.nationalities {
            if !codes.is_iso(code.as_str()) {
                push(
                    "nationality",
                    format!("{code:?} is not an ISO 3166-1 alpha-3 code"),
                    "use a code such as VEN, HTI, COL, CHN",
                );
            }
        }
        for doc in &self.documents {
            if let Some(issuer) = doc.issuer {
                if !codes.is_iso(issuer.as_str()) && issuer.as_str() != "UTO" {
                    push(
                        "document_issuer",
                        format!("{issuer:?} is not an ISO 3166-1 alpha-3 code"),
                        "use the issuing country's code",
                    );
                }
            }
            if doc.number.trim().is_empty() {
                push(
                    "document_number",
                    format!("{} without a number", doc.document_type.as_str()),
                    "enter the number or remove the document",
                );
            } else if let Err(e) = doc.check() {
                push(
                    "document_number",
                    e.to_string(),
                    "re-read the number from the document",
                );
            }
        }
        if let Some(reg) = self.registration_date {
            if reg > as_of {
                push(
                    "registration_date",
                    format!("{reg} is after {as_of}"),
                    "a registration cannot be dated in the future",
                );
            }
        }
        out
    }
}

/// Parse a nationality code and check it against the reference list.
pub fn parse_nationality(text: &str, codes: &CountryCodes) -> Result<Iso3, crate::RegistryError> {
    let upper = text.trim().to_ascii_uppercase();
    match Iso3::parse(&upper) {
        Ok(code) if codes.is_iso(code.as_str()) => Ok(code),
        _ => Err(crate::RegistryError::UnknownNationality {
            code: text.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::DocumentType;

    fn person() -> Person {
        Person {
            person_id: "P1".into(),
            name: PersonName {
                given_names: vec!["María".into(), "José".into()],
                first_surname: "García".into(),
                second_surname: "López".into(),
                original_script: None,
            },
            sex: Some(Sex::Female),
            date_of_birth: Some(PartialDate::parse("1990-05").unwrap()),
            nationalities: vec![Iso3::parse("VEN").unwrap()],
            documents: vec![],
            household: None,
            contact: Contact::default(),
            biometrics: vec![],
            registration_date: Some(Date::parse("2021-06-01").unwrap()),
        }
    }

    fn check(edit: impl Fn(&mut Person), expected_fields: &[&str]) {
        let mut p = person();
        edit(&mut p);
        let d = p.validate(
            CountryCodes::bundled(),
            Date::parse("2023-01-01").unwrap(),
            "form",
            0,
        );
        let fields: Vec<&str> = d.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, expected_fields, "{d}");
    }

    #[test]
    fn validation_names_each_problem() {
        check(|_| {}, &[]);
        check(
            |p| p.nationalities = vec![Iso3::parse("XYZ").unwrap()],
            &["nationality"],
        );
        check(
            |p| p.date_of_birth = Some(PartialDate::parse("2022-01-01").unwrap()),
            &["date_of_birth"],
        );
        check(
            |p| p.date_of_birth = Some(PartialDate::parse("2024").unwrap()),
            &["date_of_birth", "date_of_birth"],
        );
        check(
            |p| {
                p.documents.push(Document {
                    document_type: DocumentType::NationalId,
                    number: "12.345.678-4".into(),
                    issuer: Some(Iso3::parse("CHL").unwrap()),
                    mrz_check_digit: None,
                })
            },
            &["document_number"],
        );
        check(
            |p| {
                p.name = PersonName::default();
            },
            &["name"],
        );
    }

    #[test]
    fn chinese_names_and_round_trip() {
        let n = PersonName::from_chinese("王秀英");
        assert_eq!(n.first_surname, "Wang");
        assert_eq!(n.given_names, vec!["Xiuying".to_owned()]);
        assert_eq!(n.display(), "Xiuying Wang");
        let p = person();
        let json = serde_json::to_string(&p).unwrap();
        let back: Person = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert!(parse_nationality("ven", CountryCodes::bundled()).is_ok());
        let link = crate::linkage::LinkRecord::from_person(&p);
        assert_eq!(
            (link.given_name.as_str(), link.second_given_name.as_str()),
            ("María", "José")
        );
        assert_eq!(
            (
                link.date_of_birth.as_str(),
                link.nationality.as_str(),
                link.sex.as_str()
            ),
            ("1990-05", "VEN", "F")
        );
        assert!(matches!(
            parse_nationality("VEX", CountryCodes::bundled()),
            Err(crate::RegistryError::UnknownNationality { .. })
        ));
    }
}
