//! Linkage input records (the CSV layout's fields as text) and their prepared form:
//! normalised, interned, phonetic codes computed once so that pair scoring only compares
//! integers and short ASCII strings.

use crate::nicknames::NicknameTable;
use crate::phonetic::spanish_phonetic;
use crate::text;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// One record to link, as text (any field may be empty). The registry CSV layout
/// `record_id,given_name,second_given_name,first_surname,second_surname,sex,date_of_birth,
/// nationality,document_type,document_number,phone,municipality,registration_date` plus the
/// optional `household_id`, and address fields for benchmark data sets such as FEBRL.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LinkRecord {
    /// Unique id of the record in its file.
    pub record_id: String,
    /// Given name (may hold several, "Marie Carmel").
    pub given_name: String,
    /// Second given name.
    pub second_given_name: String,
    /// First surname.
    pub first_surname: String,
    /// Second surname.
    pub second_surname: String,
    /// Sex (F, M, X or words).
    pub sex: String,
    /// Date of birth, possibly partial (YYYY, YYYY-MM, YYYY-MM-DD, YYYYMMDD, DD/MM/YYYY).
    pub date_of_birth: String,
    /// Nationality code.
    pub nationality: String,
    /// Document type.
    pub document_type: String,
    /// Document number.
    pub document_number: String,
    /// Phone.
    pub phone: String,
    /// Municipality (or suburb).
    pub municipality: String,
    /// Registration date.
    pub registration_date: String,
    /// Household registration id: records sharing one are different people.
    pub household_id: String,
    /// Street number (address data sets).
    pub street_number: String,
    /// Address line 1.
    pub address_1: String,
    /// Address line 2.
    pub address_2: String,
    /// Postcode.
    pub postcode: String,
    /// State or department.
    pub state: String,
}

impl LinkRecord {
    /// The linkage view of a registered person: first nationality, first document,
    /// household id, phone and municipality. The application layer builds these from
    /// decrypted person rows; nothing here is stored.
    pub fn from_person(person: &crate::person::Person) -> LinkRecord {
        let given = &person.name.given_names;
        let document = person.documents.first();
        LinkRecord {
            record_id: person.person_id.clone(),
            given_name: given.first().cloned().unwrap_or_default(),
            second_given_name: given
                .get(1..)
                .map(|rest| rest.join(" "))
                .unwrap_or_default(),
            first_surname: person.name.first_surname.clone(),
            second_surname: person.name.second_surname.clone(),
            sex: person.sex.map(|s| s.code().to_owned()).unwrap_or_default(),
            date_of_birth: person
                .date_of_birth
                .map(|d| d.to_string())
                .unwrap_or_default(),
            nationality: person
                .nationalities
                .first()
                .map(|n| n.as_str().to_owned())
                .unwrap_or_default(),
            document_type: document
                .map(|d| d.document_type.as_str().to_owned())
                .unwrap_or_default(),
            document_number: document.map(|d| d.number.clone()).unwrap_or_default(),
            phone: person.contact.phone.clone(),
            municipality: person.contact.municipality.clone(),
            registration_date: person
                .registration_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
            household_id: person
                .household
                .as_ref()
                .map(|h| h.household_id.clone())
                .unwrap_or_default(),
            address_1: person.contact.address.clone(),
            ..LinkRecord::default()
        }
    }
}

/// Interned text: equal strings get equal ids, so exact comparisons and term-frequency
/// look-ups are integer operations. Id 0 is the empty string (a missing value).
#[derive(Debug, Clone)]
pub struct Interner {
    ids: FxHashMap<Box<str>, u32>,
    texts: Vec<Box<str>>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut i = Interner {
            ids: FxHashMap::default(),
            texts: Vec::new(),
        };
        i.intern("");
        i
    }
}

impl Interner {
    /// The id of a text, adding it when new.
    pub fn intern(&mut self, text: &str) -> u32 {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = self.texts.len() as u32;
        self.texts.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    /// The id of a text already interned.
    pub fn get(&self, text: &str) -> Option<u32> {
        self.ids.get(text).copied()
    }

    /// The text of an id.
    pub fn text(&self, id: u32) -> &str {
        &self.texts[id as usize]
    }

    /// Number of distinct texts.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// Whether only the empty text is held.
    pub fn is_empty(&self) -> bool {
        self.texts.len() <= 1
    }
}

/// A field of a prepared record that comparisons and blocking rules can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// First given name token.
    Given1,
    /// Second given name token.
    Given2,
    /// All given names joined without spaces ("JUANCARLOS").
    GivenJoined,
    /// Nickname table's canonical form of the first given name.
    GivenCanonical,
    /// Spanish phonetic code of the canonical first given name.
    GivenPhonetic,
    /// First surname key (particles dropped).
    Surname1,
    /// Second surname key.
    Surname2,
    /// Phonetic code of the first surname.
    Surname1Phonetic,
    /// Phonetic code of the second surname.
    Surname2Phonetic,
    /// Phonetic codes of both surnames, sorted (order-free).
    SurnamesSortedPhonetic,
    /// Phonetic codes of the first given-name token and the first surname token, sorted,
    /// so a record with the two in each other's fields has the same value.
    NameSetPhonetic,
    /// The alphabetically lower of the two name blocks' codes (given names by sound,
    /// sorted; surnames by sound, sorted): the same whichever block was typed into which
    /// fields, and kept when the other block has a typo, as long as the intact block is
    /// the lower one in both records.
    NameBlockLow,
    /// The higher of the two name blocks' codes (see `NameBlockLow`).
    NameBlockHigh,
    /// Document number key.
    Document,
    /// Phone key.
    Phone,
    /// Nationality.
    Nationality,
    /// Municipality or suburb.
    Municipality,
    /// Street number.
    StreetNumber,
    /// Address line 1.
    Address1,
    /// Address line 2.
    Address2,
    /// Postcode.
    Postcode,
    /// State.
    State,
    /// Household id.
    Household,
}

/// A record ready for scoring. Text fields are interned ids (0 = missing).
#[derive(Debug, Clone, Copy, Default)]
pub struct Prepared {
    /// First given name token.
    pub given1: u32,
    /// Second given name token.
    pub given2: u32,
    /// All given names joined without spaces.
    pub given_joined: u32,
    /// Canonical first given name (nickname table).
    pub given_canonical: u32,
    /// Phonetic code of the canonical first given name.
    pub given_phonetic: u32,
    /// First surname key.
    pub surname1: u32,
    /// Second surname key.
    pub surname2: u32,
    /// Phonetic code of surname 1.
    pub surname1_phonetic: u32,
    /// Phonetic code of surname 2.
    pub surname2_phonetic: u32,
    /// Sorted surname phonetic codes joined.
    pub surnames_sorted_phonetic: u32,
    /// Sorted phonetic codes of the first given name and the first surname.
    pub name_set_phonetic: u32,
    /// Phonetic code of the first given name as written (not nickname-folded): what it
    /// sounds like when compared with a surname, the names having been entered swapped.
    pub given1_sound: u32,
    /// Phonetic code of the second given name.
    pub given2_sound: u32,
    /// Both surnames joined without spaces: the "all given names" form of the surnames,
    /// compared with given names when the two blocks were entered in each other's fields.
    pub surnames_joined: u32,
    /// The lower of the two name blocks' phonetic codes (`Field::NameBlockLow`).
    pub name_block_low: u32,
    /// The higher of the two name blocks' phonetic codes (`Field::NameBlockHigh`).
    pub name_block_high: u32,
    /// 0 unknown, 1 F, 2 M, 3 X.
    pub sex: u8,
    /// Birth year (0 unknown).
    pub birth_year: i16,
    /// Birth month (0 unknown).
    pub birth_month: u8,
    /// Birth day (0 unknown).
    pub birth_day: u8,
    /// Document number key.
    pub document: u32,
    /// Document type key.
    pub document_type: u32,
    /// Phone key.
    pub phone: u32,
    /// Nationality.
    pub nationality: u32,
    /// Municipality.
    pub municipality: u32,
    /// Household id.
    pub household: u32,
    /// Street number.
    pub street_number: u32,
    /// Address line 1.
    pub address1: u32,
    /// Address line 2.
    pub address2: u32,
    /// Postcode.
    pub postcode: u32,
    /// State.
    pub state: u32,
    /// Which input a record came from (0 or 1 when linking two files; 0 for de-duplication).
    pub source: u8,
}

impl Prepared {
    /// The id held in a field.
    pub fn field(&self, field: Field) -> u32 {
        match field {
            Field::Given1 => self.given1,
            Field::Given2 => self.given2,
            Field::GivenJoined => self.given_joined,
            Field::GivenCanonical => self.given_canonical,
            Field::GivenPhonetic => self.given_phonetic,
            Field::Surname1 => self.surname1,
            Field::Surname2 => self.surname2,
            Field::Surname1Phonetic => self.surname1_phonetic,
            Field::Surname2Phonetic => self.surname2_phonetic,
            Field::SurnamesSortedPhonetic => self.surnames_sorted_phonetic,
            Field::NameSetPhonetic => self.name_set_phonetic,
            Field::NameBlockLow => self.name_block_low,
            Field::NameBlockHigh => self.name_block_high,
            Field::Document => self.document,
            Field::Phone => self.phone,
            Field::Nationality => self.nationality,
            Field::Municipality => self.municipality,
            Field::StreetNumber => self.street_number,
            Field::Address1 => self.address1,
            Field::Address2 => self.address2,
            Field::Postcode => self.postcode,
            Field::State => self.state,
            Field::Household => self.household,
        }
    }

    /// Whether a full date of birth is known.
    pub fn has_full_dob(&self) -> bool {
        self.birth_year != 0 && self.birth_month != 0 && self.birth_day != 0
    }
}

/// The normalised texts of one record before interning (computed in parallel).
struct Normalised {
    texts: [String; 27],
    sex: u8,
    dob: (i16, u8, u8),
}

fn normalise(r: &LinkRecord, nicknames: &NicknameTable) -> Normalised {
    let mut given_tokens = text::tokens(&r.given_name);
    given_tokens.extend(text::tokens(&r.second_given_name));
    let given1 = given_tokens.first().cloned().unwrap_or_default();
    let given2 = given_tokens.get(1).cloned().unwrap_or_default();
    let given_joined: String = given_tokens.concat();
    let canonical = nicknames.blocking_form(&given1);
    let canonical = canonical.split(' ').next().unwrap_or("").to_owned();
    let given_phonetic = spanish_phonetic(&canonical);
    let s1 = text::surname_key(&r.first_surname).replace(' ', "");
    let s2 = text::surname_key(&r.second_surname).replace(' ', "");
    let p1 = spanish_phonetic(&s1);
    let p2 = spanish_phonetic(&s2);
    let sorted = if p1 <= p2 {
        format!("{p1}|{p2}")
    } else {
        format!("{p2}|{p1}")
    };
    let sorted = if p1.is_empty() && p2.is_empty() {
        String::new()
    } else {
        sorted
    };
    let sex = match crate::person::Sex::parse(&r.sex) {
        Some(crate::person::Sex::Female) => 1,
        Some(crate::person::Sex::Male) => 2,
        Some(crate::person::Sex::Other) => 3,
        None => 0,
    };
    let dob = match crate::date::PartialDate::parse(&r.date_of_birth) {
        Ok(d) if !r.date_of_birth.trim().is_empty() => {
            (d.year as i16, d.month.unwrap_or(0), d.day.unwrap_or(0))
        }
        _ => (0, 0, 0),
    };
    // First given token and first surname token by sound, sorted: the same when the two
    // were typed into each other's fields ("Marie Carmel | Guerrier" and "Guerrier | Marie
    // Carmel" both give MR|GRR).
    let raw_given_phonetic = spanish_phonetic(&given1);
    let surname_first_token = text::surname_key(&r.first_surname);
    let surname_first_token = spanish_phonetic(surname_first_token.split(' ').next().unwrap_or(""));
    let name_set = match (
        raw_given_phonetic.is_empty(),
        surname_first_token.is_empty(),
    ) {
        (false, false) if raw_given_phonetic <= surname_first_token => {
            format!("{raw_given_phonetic}|{surname_first_token}")
        }
        (false, false) => format!("{surname_first_token}|{raw_given_phonetic}"),
        _ => String::new(),
    };
    let given1_sound = raw_given_phonetic.clone();
    let given2_sound = spanish_phonetic(&given2);
    let surnames_joined = format!("{s1}{s2}");
    // A name block's code: its one or two tokens by sound, sorted, "|" between (a lone
    // token is just its code, so it sorts by its letters, not by the separator).
    let block = |x: &str, y: &str| match (x.is_empty(), y.is_empty()) {
        (true, true) => String::new(),
        (false, true) => x.to_owned(),
        (true, false) => y.to_owned(),
        (false, false) if x <= y => format!("{x}|{y}"),
        (false, false) => format!("{y}|{x}"),
    };
    let given_block = block(&given1_sound, &given2_sound);
    let surname_block = block(&p1, &p2);
    let (block_low, block_high) = if given_block.is_empty() || surname_block.is_empty() {
        (String::new(), String::new())
    } else if given_block <= surname_block {
        (given_block, surname_block)
    } else {
        (surname_block, given_block)
    };
    let fold = |s: &str| text::fold(s);
    Normalised {
        texts: [
            given1,
            given2,
            given_joined,
            canonical,
            given_phonetic,
            s1,
            s2,
            p1,
            p2,
            sorted,
            text::document_key(&r.document_number),
            fold(&r.document_type),
            text::phone_key(&r.phone),
            fold(&r.nationality),
            fold(&r.municipality),
            r.household_id.trim().to_owned(),
            fold(&r.street_number),
            fold(&r.address_1),
            fold(&r.address_2),
            fold(&r.postcode),
            fold(&r.state),
            name_set,
            given1_sound,
            given2_sound,
            surnames_joined,
            block_low,
            block_high,
        ],
        sex,
        dob,
    }
}

/// Prepare records (in parallel), interning their texts into `interner`; `source` marks
/// which input they came from.
pub fn prepare(records: &[LinkRecord], source: u8, interner: &mut Interner) -> Vec<Prepared> {
    let nicknames = NicknameTable::bundled();
    let mut out = Vec::with_capacity(records.len());
    // In chunks, so the normalised texts of only one chunk are held at a time.
    for chunk in records.chunks(16_384) {
        let normalised: Vec<Normalised> =
            chunk.par_iter().map(|r| normalise(r, nicknames)).collect();
        out.extend(intern_chunk(normalised, source, interner));
    }
    out
}

fn intern_chunk(
    normalised: Vec<Normalised>,
    source: u8,
    interner: &mut Interner,
) -> impl Iterator<Item = Prepared> + '_ {
    normalised.into_iter().map(move |n| {
        let mut ids = [0u32; 27];
        for (slot, t) in ids.iter_mut().zip(n.texts.iter()) {
            *slot = if t.is_empty() { 0 } else { interner.intern(t) };
        }
        Prepared {
            given1: ids[0],
            given2: ids[1],
            given_joined: ids[2],
            given_canonical: ids[3],
            given_phonetic: ids[4],
            surname1: ids[5],
            surname2: ids[6],
            surname1_phonetic: ids[7],
            surname2_phonetic: ids[8],
            surnames_sorted_phonetic: ids[9],
            name_set_phonetic: ids[21],
            given1_sound: ids[22],
            given2_sound: ids[23],
            surnames_joined: ids[24],
            name_block_low: ids[25],
            name_block_high: ids[26],
            sex: n.sex,
            birth_year: n.dob.0,
            birth_month: n.dob.1,
            birth_day: n.dob.2,
            document: ids[10],
            document_type: ids[11],
            phone: ids[12],
            nationality: ids[13],
            municipality: ids[14],
            household: ids[15],
            street_number: ids[16],
            address1: ids[17],
            address2: ids[18],
            postcode: ids[19],
            state: ids[20],
            source,
        }
    })
}
