//! ISO 3166-1 alpha-3 codes and the code list every table is checked against.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// The bundled UN M49 / ISO 3166 reference table, compiled in.
const COUNTRIES_CSV: &str = include_str!("../../../data/reference/countries.csv");

/// A three-letter upper-case country code (ISO 3166-1 alpha-3 or a listed publisher code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iso3([u8; 3]);

/// Why a text is not a three-letter code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a three-letter upper-case code such as HTI")]
pub struct Iso3Error(pub String);

impl Iso3 {
    /// Parse `HTI`-like text; only the shape is checked, not membership in a code list.
    pub fn parse(text: &str) -> Result<Iso3, Iso3Error> {
        let bytes = text.as_bytes();
        if bytes.len() == 3
            && bytes
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            Ok(Iso3([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(Iso3Error(text.to_owned()))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters and digits are ever stored.
        std::str::from_utf8(&self.0).expect("ascii")
    }
}

impl fmt::Display for Iso3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Iso3 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One row of the reference country table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Country {
    /// ISO 3166-1 alpha-3 (or the UN's code for areas without one, such as `AB9`).
    pub iso3: String,
    /// ISO 3166-1 alpha-2, empty when none.
    pub iso2: String,
    /// UN M49 numeric code, empty when none.
    pub m49: String,
    /// English short name.
    pub name: String,
    /// M49 region (Americas, Africa, ...).
    pub region: String,
    /// M49 sub-region.
    pub subregion: String,
    /// M49 intermediate region (Caribbean, Central America, South America), empty when none.
    pub intregion: String,
}

/// The reference code list: every code any profile may use without declaring it.
#[derive(Debug)]
pub struct CountryCodes {
    by_iso3: HashMap<String, Country>,
}

impl CountryCodes {
    /// The bundled list (parsed once).
    pub fn bundled() -> &'static CountryCodes {
        static CODES: OnceLock<CountryCodes> = OnceLock::new();
        CODES.get_or_init(|| {
            CountryCodes::from_csv(COUNTRIES_CSV.as_bytes())
                .expect("bundled countries.csv is valid")
        })
    }

    /// Parse a table with at least the columns iso3, iso2, m49, name, region, subregion, intregion.
    pub fn from_csv(bytes: &[u8]) -> Result<CountryCodes, csv::Error> {
        let mut reader = csv::Reader::from_reader(bytes);
        let mut by_iso3 = HashMap::new();
        for row in reader.deserialize::<CountryRow>() {
            let row = row?;
            by_iso3.insert(
                row.iso3.clone(),
                Country {
                    iso3: row.iso3,
                    iso2: row.iso2,
                    m49: row.m49,
                    name: row.name,
                    region: row.region,
                    subregion: row.subregion,
                    intregion: row.intregion,
                },
            );
        }
        Ok(CountryCodes { by_iso3 })
    }

    /// Look a code up.
    pub fn get(&self, iso3: &str) -> Option<&Country> {
        self.by_iso3.get(iso3)
    }

    /// Whether the code is in the list (ISO or not).
    pub fn contains(&self, iso3: &str) -> bool {
        self.by_iso3.contains_key(iso3)
    }

    /// Whether the code is a real ISO 3166-1 country or area code: one with a three-digit
    /// M49 number (Taiwan has one but no alpha-2 in the UN table). The reference table
    /// also lists UN and publisher codes without one (`AB9`, `XKX`, `STL`, `TIB`, `OOS`,
    /// and `OOO` whose 2003 is no M49 code); a profile must declare those before its
    /// rows may use them, so a typo never passes silently.
    pub fn is_iso(&self, iso3: &str) -> bool {
        self.by_iso3
            .get(iso3)
            .is_some_and(|c| c.m49.parse::<u16>().is_ok_and(|n| n < 1000))
    }

    /// All countries, sorted by code.
    pub fn all(&self) -> Vec<&Country> {
        let mut all: Vec<&Country> = self.by_iso3.values().collect();
        all.sort_by(|a, b| a.iso3.cmp(&b.iso3));
        all
    }
}

#[derive(serde::Deserialize)]
struct CountryRow {
    iso3: String,
    iso2: String,
    m49: String,
    name: String,
    region: String,
    subregion: String,
    intregion: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_list_has_the_americas_and_un_areas() {
        let codes = CountryCodes::bundled();
        assert_eq!(codes.get("HTI").unwrap().name, "Haiti");
        assert!(
            codes.contains("AB9"),
            "UN code for Abyei is in the reference table"
        );
        assert!(codes.is_iso("HTI"));
        assert!(
            !codes.is_iso("OOO"),
            "publisher codes must be declared by their profile"
        );
        assert!(!codes.is_iso("AB9"));
        assert!(
            codes.is_iso("TWN"),
            "Taiwan has an M49 code but no alpha-2 in the UN table"
        );
        assert!(codes.all().len() > 240);
    }

    #[test]
    fn iso3_shape() {
        assert!(Iso3::parse("HTI").is_ok());
        assert!(Iso3::parse("hti").is_err());
        assert!(Iso3::parse("HT").is_err());
    }
}
