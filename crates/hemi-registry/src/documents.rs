//! Identity documents and the check digits their issuers define.
//!
//! Rules implemented, each as its issuer publishes it:
//! - ICAO Doc 9303 *Machine Readable Travel Documents*, 8th ed. (2021), Part 3 § 4.9:
//!   weights 7, 3, 1 repeating; digits count their value, A–Z count 10–35, the filler
//!   `<` counts 0; the check digit is the weighted sum modulo 10. Used for the passport
//!   number's MRZ check digit.
//! - Chile RUN/RUT (Servicio de Registro Civil e Identificación): *módulo 11*, weights
//!   2–7 from the right; 11 → 0, 10 → K.
//! - Ecuador cédula (Registro Civil, Identificación y Cedulación): ten digits, province
//!   01–24 or 30, third digit below 6, *módulo 10* with coefficients 2,1,2,1,2,1,2,1,2
//!   (products above 9 less 9).
//! - Brazil CPF (Receita Federal, IN RFB 1.548/2015): two *módulo 11* check digits.
//!
//! Venezuelan, Colombian, Haitian, Cuban and Nicaraguan national ID numbers have no
//! published check digit; only their shape is checked (digits, length).

use crate::RegistryError;
use hemi_core::Iso3;

/// What kind of document a number belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// Passport (ICAO 9303 TD3).
    Passport,
    /// National identity card or number (cédula, DNI, CIN, RUN).
    NationalId,
    /// Birth certificate.
    BirthCertificate,
    /// A residence or protection permit of the host country (PPT, PEP, carnet).
    ResidencePermit,
    /// A refugee or asylum-seeker identity document.
    RefugeeId,
    /// Any other document, named.
    Other(String),
}

impl DocumentType {
    /// Parse the `document_type` column: passport, national_id (or cedula, dni), birth_certificate,
    /// residence_permit (or ppt, pep), refugee_id; anything else is kept as `Other`.
    pub fn parse(text: &str) -> DocumentType {
        let t = crate::text::fold(text).replace(' ', "_");
        match t.as_str() {
            "PASSPORT" | "PASAPORTE" | "PASSEPORT" | "P" => DocumentType::Passport,
            "NATIONAL_ID" | "CEDULA" | "DNI" | "CIN" | "CI" | "RUN" | "CURP" | "CPF" | "ID" => {
                DocumentType::NationalId
            }
            "BIRTH_CERTIFICATE" | "PARTIDA_DE_NACIMIENTO" | "ACTA_DE_NACIMIENTO" => {
                DocumentType::BirthCertificate
            }
            "RESIDENCE_PERMIT" | "PPT" | "PEP" | "PERMISO" => DocumentType::ResidencePermit,
            "REFUGEE_ID" | "REFUGEE" => DocumentType::RefugeeId,
            _ => DocumentType::Other(text.trim().to_owned()),
        }
    }

    /// A short stable name (used in keys and messages).
    pub fn as_str(&self) -> &str {
        match self {
            DocumentType::Passport => "passport",
            DocumentType::NationalId => "national_id",
            DocumentType::BirthCertificate => "birth_certificate",
            DocumentType::ResidencePermit => "residence_permit",
            DocumentType::RefugeeId => "refugee_id",
            DocumentType::Other(name) => name,
        }
    }
}

/// One identity document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Document {
    /// Kind of document.
    pub document_type: DocumentType,
    /// The number as printed (spaces and dashes allowed; compared without them).
    pub number: String,
    /// Issuing country, when known.
    #[serde(with = "crate::person::iso3_option")]
    pub issuer: Option<Iso3>,
    /// The passport number's MRZ check digit, when the MRZ was read.
    pub mrz_check_digit: Option<u8>,
}

impl Document {
    /// Check the number against its issuer's rule, where the issuer defines one.
    pub fn check(&self) -> Result<(), RegistryError> {
        let fail = |reason: String| RegistryError::CheckDigit {
            number: self.number.clone(),
            document_type: self.document_type.as_str().to_owned(),
            reason,
        };
        match (&self.document_type, self.issuer.as_ref().map(Iso3::as_str)) {
            (DocumentType::Passport, _) => {
                let Some(given) = self.mrz_check_digit else {
                    return Ok(());
                };
                let number = crate::text::document_key(&self.number);
                let expected = icao9303_check_digit(&number)
                    .ok_or_else(|| fail("an MRZ field holds only A-Z, 0-9 and <".to_owned()))?;
                if expected != given {
                    return Err(fail(format!(
                        "ICAO 9303 check digit is {expected}, the document says {given}"
                    )));
                }
                Ok(())
            }
            (DocumentType::NationalId, Some("CHL")) => chile_run(&self.number).map_err(fail),
            (DocumentType::NationalId, Some("ECU")) => ecuador_cedula(&self.number).map_err(fail),
            (DocumentType::NationalId, Some("BRA")) => brazil_cpf(&self.number).map_err(fail),
            (DocumentType::NationalId, Some("VEN")) => {
                digits_only(&self.number, 6, 9, "a Venezuelan cédula").map_err(fail)
            }
            (DocumentType::NationalId, Some("COL")) => {
                digits_only(&self.number, 6, 10, "a Colombian cédula").map_err(fail)
            }
            _ => Ok(()),
        }
    }
}

fn digits_only(number: &str, min: usize, max: usize, what: &str) -> Result<(), String> {
    let cleaned: String = number
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let cleaned = cleaned.trim_start_matches(['V', 'E', 'v', 'e']);
    if cleaned.bytes().all(|b| b.is_ascii_digit()) && (min..=max).contains(&cleaned.len()) {
        Ok(())
    } else {
        Err(format!("{what} has {min} to {max} digits"))
    }
}

/// The ICAO 9303 check digit of an MRZ field (A–Z, 0–9, `<`); `None` for other characters.
pub fn icao9303_check_digit(field: &str) -> Option<u8> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (i, b) in field.bytes().enumerate() {
        let value = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            b'a'..=b'z' => u32::from(b - b'a') + 10,
            b'<' => 0,
            _ => return None,
        };
        sum += value * WEIGHTS[i % 3];
    }
    Some((sum % 10) as u8)
}

/// Chile RUN/RUT `12.345.678-5`: módulo 11 verifier.
pub fn chile_run(number: &str) -> Result<(), String> {
    let cleaned: String = number
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | ' '))
        .collect();
    if cleaned.len() < 2 {
        return Err("a RUN is digits followed by its verifier (0-9 or K)".to_owned());
    }
    let (body, verifier) = cleaned.split_at(cleaned.len() - 1);
    if !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err("a RUN's body is digits".to_owned());
    }
    let mut sum = 0u32;
    for (i, b) in body.bytes().rev().enumerate() {
        sum += u32::from(b - b'0') * (2 + (i as u32 % 6));
    }
    let expected = match 11 - (sum % 11) {
        11 => '0',
        10 => 'K',
        d => char::from(b'0' + d as u8),
    };
    let given = verifier.chars().next().unwrap_or(' ').to_ascii_uppercase();
    if given == expected {
        Ok(())
    } else {
        Err(format!(
            "módulo 11 verifier is {expected}, the number says {given}"
        ))
    }
}

/// Ecuador cédula: ten digits, módulo 10.
pub fn ecuador_cedula(number: &str) -> Result<(), String> {
    let d: Vec<u32> = number
        .chars()
        .filter(|c| c.is_ascii_digit())
        .filter_map(|c| c.to_digit(10))
        .collect();
    if d.len() != 10 || number.chars().filter(|c| !matches!(c, ' ' | '-')).count() != 10 {
        return Err("a cédula has ten digits".to_owned());
    }
    let province = d[0] * 10 + d[1];
    if !((1..=24).contains(&province) || province == 30) {
        return Err(format!("province code {province:02} is not 01-24 or 30"));
    }
    if d[2] >= 6 {
        return Err("the third digit of a natural person's cédula is below 6".to_owned());
    }
    let sum: u32 = (0..9)
        .map(|i| {
            let p = d[i] * if i % 2 == 0 { 2 } else { 1 };
            if p > 9 {
                p - 9
            } else {
                p
            }
        })
        .sum();
    let expected = (10 - sum % 10) % 10;
    if expected == d[9] {
        Ok(())
    } else {
        Err(format!(
            "módulo 10 check digit is {expected}, the number says {}",
            d[9]
        ))
    }
}

/// Brazil CPF `123.456.789-09`: two módulo 11 check digits.
pub fn brazil_cpf(number: &str) -> Result<(), String> {
    let d: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 11 {
        return Err("a CPF has eleven digits".to_owned());
    }
    if d.iter().all(|x| *x == d[0]) {
        return Err("a CPF of one repeated digit is not issued".to_owned());
    }
    let digit = |len: usize| -> u32 {
        let sum: u32 = (0..len).map(|i| d[i] * (len as u32 + 1 - i as u32)).sum();
        let r = (sum * 10) % 11;
        if r == 10 {
            0
        } else {
            r
        }
    };
    let (first, second) = (digit(9), digit(10));
    if first == d[9] && second == d[10] {
        Ok(())
    } else {
        Err(format!(
            "check digits are {first}{second}, the number says {}{}",
            d[9], d[10]
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_specimen_passes() {
        // ICAO 9303 Part 4, Appendix A specimen TD3: number L898902C3, check digit 6.
        assert_eq!(icao9303_check_digit("L898902C3"), Some(6));
        // Date of birth 740812 → 2, expiry 120415 → 9 in the same specimen.
        assert_eq!(icao9303_check_digit("740812"), Some(2));
        assert_eq!(icao9303_check_digit("120415"), Some(9));
        assert_eq!(icao9303_check_digit("AB<12"), icao9303_check_digit("ab<12"));
        assert_eq!(icao9303_check_digit("AB-12"), None);
    }

    fn check(document_type: DocumentType, issuer: &str, number: &str, mrz: Option<u8>, ok: bool) {
        let doc = Document {
            document_type,
            number: number.to_owned(),
            issuer: Some(Iso3::parse(issuer).unwrap()),
            mrz_check_digit: mrz,
        };
        assert_eq!(doc.check().is_ok(), ok, "{number}: {:?}", doc.check());
    }

    #[test]
    fn national_rules() {
        check(DocumentType::Passport, "UTO", "L898902C3", Some(6), true);
        check(DocumentType::Passport, "UTO", "L898902C3", Some(5), false);
        check(DocumentType::Passport, "VEN", "123456789", None, true);
        check(DocumentType::NationalId, "CHL", "12.345.678-5", None, true);
        check(DocumentType::NationalId, "CHL", "12.345.678-4", None, false);
        check(DocumentType::NationalId, "CHL", "11.111.111-1", None, true);
        check(DocumentType::NationalId, "ECU", "1710034065", None, true);
        check(DocumentType::NationalId, "ECU", "1710034066", None, false);
        check(DocumentType::NationalId, "ECU", "9910034065", None, false);
        check(
            DocumentType::NationalId,
            "BRA",
            "529.982.247-25",
            None,
            true,
        );
        check(
            DocumentType::NationalId,
            "BRA",
            "529.982.247-26",
            None,
            false,
        );
        check(
            DocumentType::NationalId,
            "BRA",
            "111.111.111-11",
            None,
            false,
        );
        check(DocumentType::NationalId, "VEN", "V-12.345.678", None, true);
        check(DocumentType::NationalId, "VEN", "12A45678", None, false);
        check(DocumentType::NationalId, "HTI", "anything", None, true);
    }

    #[test]
    fn document_types_parse() {
        assert_eq!(DocumentType::parse("Pasaporte"), DocumentType::Passport);
        assert_eq!(DocumentType::parse("cédula"), DocumentType::NationalId);
        assert_eq!(DocumentType::parse("PPT"), DocumentType::ResidencePermit);
        assert_eq!(
            DocumentType::parse("carnet X"),
            DocumentType::Other("carnet X".into())
        );
    }
}
