//! Comparisons and their levels: each turns a pair of prepared records into one level
//! per comparison (0 = a value is missing, so the comparison says nothing; 1 = the
//! strongest agreement; the last level = disagreement), as Splink's comparison levels do
//! (Linacre et al., "Splink: Free software for probabilistic record linkage at scale",
//! IJPDS 2022).

use super::record::{Field, Interner, Prepared};
use crate::nicknames::NicknameTable;
use strsim::osa_distance;

/// Level meaning "a value is missing on one side": contributes no weight.
pub const NULL_LEVEL: u8 = 0;

/// What one comparison looks at and how it grades agreement.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Comparison {
    /// Given names: exact; first given name equal or nickname-equivalent (Pepe/José);
    /// reordered or one contained in the other ("Juan Carlos" / "Carlos Juan");
    /// Jaro–Winkler ≥ 0.92; same Spanish phonetic code; another given name in common,
    /// exactly or within one typo ("Fernando Manuel" / "Mnauel"); Jaro–Winkler ≥ 0.80;
    /// different.
    GivenNames,
    /// Both surnames (Spanish convention): both exact; swapped; first exact with the second
    /// missing; first exact with the second different; both within Jaro–Winkler 0.90 (in
    /// either order); one surname in common; same phonetic code; different.
    Surnames,
    /// Date of birth: exact; day and month transposed; one digit wrong or two adjacent
    /// digits swapped; partial dates that agree where both are known; year within one;
    /// different; missing on one side or both. Missing is a level of its own, not "no
    /// information": a record registered in haste lacks its date more often than one
    /// registered with papers, so a missing date is likelier among duplicate pairs than
    /// among random ones, and its m and u say by how much.
    DateOfBirth,
    /// Sex: same; different.
    Sex,
    /// Document: same number; one edit apart; different number of the same type; different
    /// type and number.
    Document,
    /// One field: equal; different.
    Exact {
        /// Field compared.
        field: Field,
        /// Whether equal values are weighted by how common they are.
        term_frequency: bool,
    },
    /// One text field: equal; Jaro–Winkler ≥ `high`; ≥ `low`; different.
    Fuzzy {
        /// Field compared.
        field: Field,
        /// Upper Jaro–Winkler threshold.
        high: f64,
        /// Lower Jaro–Winkler threshold.
        low: f64,
        /// Whether equal values are weighted by how common they are.
        term_frequency: bool,
    },
    /// An identifier (number): equal; one edit (optimal string alignment); two edits; different.
    Identifier {
        /// Field compared.
        field: Field,
    },
}

impl Comparison {
    /// A short name for explanations and stored models.
    pub fn name(&self) -> String {
        match self {
            Comparison::GivenNames => "given_names".into(),
            Comparison::Surnames => "surnames".into(),
            Comparison::DateOfBirth => "date_of_birth".into(),
            Comparison::Sex => "sex".into(),
            Comparison::Document => "document".into(),
            Comparison::Exact { field, .. }
            | Comparison::Fuzzy { field, .. }
            | Comparison::Identifier { field } => serde_json::to_value(field)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        }
    }

    /// Names of the levels 1..=n (level 0 is "missing").
    pub fn level_names(&self) -> &'static [&'static str] {
        match self {
            Comparison::GivenNames => &[
                "exact",
                "first given name equal or nickname",
                "given names reordered or contained",
                "jaro-winkler >= 0.92",
                "same phonetic code",
                "another given name in common",
                "jaro-winkler >= 0.80",
                "different",
            ],
            Comparison::Surnames => &[
                "both exact (or the one surname each has)",
                "both exact, order swapped",
                "first exact, second missing",
                "first exact, second different",
                "both close (jaro-winkler >= 0.90 or one edit)",
                "one surname in common",
                "same phonetic code",
                "different",
            ],
            Comparison::DateOfBirth => &[
                "exact",
                "day and month transposed",
                "one digit wrong or two swapped",
                "partial dates agree",
                "year within one",
                "different",
                "missing on one side or both",
            ],
            Comparison::Sex => &["same", "different"],
            Comparison::Document => &[
                "same number",
                "one edit apart",
                "different number, same type",
                "different type",
            ],
            Comparison::Exact { .. } => &["equal", "different"],
            Comparison::Fuzzy { .. } => &[
                "equal",
                "jaro-winkler high",
                "jaro-winkler low",
                "different",
            ],
            Comparison::Identifier { .. } => &["equal", "one edit", "two edits", "different"],
        }
    }

    /// Number of levels, not counting the missing level.
    pub fn level_count(&self) -> usize {
        self.level_names().len()
    }

    /// For levels adjusted by term frequency: which value's frequency to use, and from
    /// which pool (see `TfPool`). `None` when the level is not adjusted.
    pub fn tf_value(&self, level: u8, a: &Prepared, b: &Prepared) -> Option<(TfPool, u32, u32)> {
        match self {
            // All given names equal: as common as the whole set of given names is ("Juan
            // Víctor" is much rarer than "Juan").
            Comparison::GivenNames if level == 1 => {
                Some((TfPool::GivenJoined, a.given_joined, b.given_joined))
            }
            Comparison::GivenNames if level == 2 => Some((TfPool::Given, a.given1, b.given1)),
            Comparison::Surnames if level == 1 || level == 2 => {
                Some((TfPool::SurnamePair, a.surname1, a.surname2))
            }
            Comparison::Surnames if level == 3 || level == 4 => {
                Some((TfPool::Surname, a.surname1, b.surname1))
            }
            Comparison::Exact {
                field,
                term_frequency: true,
            }
            | Comparison::Fuzzy {
                field,
                term_frequency: true,
                ..
            } if level == 1 => Some((TfPool::Field(*field), a.field(*field), b.field(*field))),
            _ => None,
        }
    }

    /// The level of this comparison for a pair.
    pub fn level(&self, a: &Prepared, b: &Prepared, ctx: &CompareContext) -> u8 {
        match self {
            Comparison::GivenNames => given_level(a, b, ctx),
            Comparison::Surnames => surname_level(a, b, ctx),
            Comparison::DateOfBirth => dob_level(a, b),
            Comparison::Sex => {
                if a.sex == 0 || b.sex == 0 {
                    NULL_LEVEL
                } else if a.sex == b.sex {
                    1
                } else {
                    2
                }
            }
            Comparison::Document => {
                if a.document == 0 || b.document == 0 {
                    NULL_LEVEL
                } else if a.document == b.document {
                    1
                } else if one_edit(ctx.text(a.document), ctx.text(b.document)) {
                    2
                } else if a.document_type == b.document_type {
                    3
                } else {
                    4
                }
            }
            Comparison::Exact { field, .. } => {
                let (x, y) = (a.field(*field), b.field(*field));
                if x == 0 || y == 0 {
                    NULL_LEVEL
                } else if x == y {
                    1
                } else {
                    2
                }
            }
            Comparison::Fuzzy {
                field, high, low, ..
            } => {
                let (x, y) = (a.field(*field), b.field(*field));
                if x == 0 || y == 0 {
                    return NULL_LEVEL;
                }
                if x == y {
                    return 1;
                }
                let s = jaro_winkler(ctx.text(x), ctx.text(y));
                if s >= *high {
                    2
                } else if s >= *low {
                    3
                } else {
                    4
                }
            }
            Comparison::Identifier { field } => {
                let (x, y) = (a.field(*field), b.field(*field));
                if x == 0 || y == 0 {
                    return NULL_LEVEL;
                }
                if x == y {
                    return 1;
                }
                match osa_distance(ctx.text(x), ctx.text(y)) {
                    1 => 2,
                    2 => 3,
                    _ => 4,
                }
            }
        }
    }
}

/// Which frequency table a term-frequency adjustment reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TfPool {
    /// First given names.
    Given,
    /// All given names together (joined).
    GivenJoined,
    /// Surnames (first and second pooled: one population of surnames).
    Surname,
    /// Both surnames together: the product of the two frequencies.
    SurnamePair,
    /// One field's own values.
    Field(Field),
}

/// What comparisons need besides the two records: the texts behind ids and the nickname table.
pub struct CompareContext<'a> {
    /// Texts of interned ids.
    pub interner: &'a Interner,
    /// Nickname equivalences.
    pub nicknames: &'a NicknameTable,
    /// Whether an interned text is in the nickname table (as nickname or name), so the
    /// table's string look-ups run only for names it can say something about.
    in_nickname_table: Vec<bool>,
}

impl<'a> CompareContext<'a> {
    /// A context over `interner`'s texts.
    pub fn new(interner: &'a Interner, nicknames: &'a NicknameTable) -> CompareContext<'a> {
        let in_nickname_table = (0..interner.len() as u32)
            .map(|id| {
                let t = interner.text(id);
                !t.is_empty() && nicknames.knows(t)
            })
            .collect();
        CompareContext {
            interner,
            nicknames,
            in_nickname_table,
        }
    }

    fn nickname_equivalent(&self, a: u32, b: u32) -> bool {
        let known = |id: u32| {
            self.in_nickname_table
                .get(id as usize)
                .copied()
                .unwrap_or(false)
        };
        (known(a) || known(b)) && self.nicknames.equivalent(self.text(a), self.text(b))
    }

    fn text(&self, id: u32) -> &str {
        self.interner.text(id)
    }
}

/// Whether two records have their given name and first surname in each other's fields
/// ("GARCIA, JOSE" typed as given "Garcia", surname "Jose").
pub fn names_swapped(a: &Prepared, b: &Prepared) -> bool {
    // Given names are compared joined ("Marie Carmel" → MARIECARMEL) because a surname
    // key has no spaces: "Saint-Fleur" typed as a given name is the tokens SAINT, FLEUR.
    let compound = a.given_joined != 0
        && a.surname1 != 0
        && a.given_joined != a.surname1
        && a.given_joined == b.surname1
        && a.surname1 == b.given_joined;
    // Or the whole blocks swapped: given names in the surname fields and the reverse.
    let blocks = a.given1 != 0
        && a.surname1 != 0
        && a.given1 != a.surname1
        && a.given1 == b.surname1
        && a.surname1 == b.given1;
    compound || blocks
}

/// `b` with its given name and first surname exchanged, to compare with `a` when the
/// fields were swapped at data entry.
pub fn swap_names(a: &Prepared, b: &Prepared) -> Prepared {
    if a.given_joined == b.surname1 && a.surname1 == b.given_joined {
        // A compound given name typed as one surname and one surname as the given name.
        let mut s = *b;
        s.given1 = b.surname1;
        s.given_joined = b.surname1;
        s.given_canonical = b.surname1;
        s.given_phonetic = b.surname1_phonetic;
        s.given1_sound = b.surname1_phonetic;
        s.given2 = 0;
        s.given2_sound = 0;
        s.surname1 = b.given_joined;
        s.surname1_phonetic = b.given_phonetic;
        s.surnames_joined = b.given_joined;
        s
    } else {
        // Blocks swapped: `b`'s surname fields hold the given names, and the reverse.
        swap_name_blocks(b)
    }
}

/// `b` with its two name blocks exchanged: its surnames read as given names and its given
/// names as surnames, phonetic codes included.
pub fn swap_name_blocks(b: &Prepared) -> Prepared {
    let mut s = *b;
    s.given1 = b.surname1;
    s.given2 = b.surname2;
    s.given_joined = b.surnames_joined;
    s.given_canonical = b.surname1;
    s.given_phonetic = b.surname1_phonetic;
    s.given1_sound = b.surname1_phonetic;
    s.given2_sound = b.surname2_phonetic;
    s.surname1 = b.given1;
    s.surname2 = b.given2;
    s.surname1_phonetic = b.given1_sound;
    s.surname2_phonetic = b.given2_sound;
    s.surnames_joined = b.given_joined;
    s
}

/// The form of `b` to compare with `a`: `None` to compare the fields as entered, or `b`
/// with its names crosswise when they were entered in each other's fields. Exactly
/// swapped names are caught by `names_swapped`; otherwise the crossed reading is taken
/// when the names as entered agree at most weakly (given names and surnames both at
/// their two weakest levels) and read crosswise both agree at least partly, the pair's
/// name levels summing lower (better). A swap combined with a typo, a nickname or the
/// surnames' order reversed ("Jhon | Duarte Suárez" / "Suárez Duarte | Jhon") is then
/// seen as what it is. Random pairs go through the same reading when u is estimated,
/// so the chance that two different people's names agree crosswise is in u.
pub fn oriented(a: &Prepared, b: &Prepared, ctx: &CompareContext) -> Option<Prepared> {
    oriented_with_levels(a, b, ctx).0
}

/// The given-name and surname levels `oriented_with_levels` computed on the way, for the
/// reading it chose (`NOT_COMPUTED` where it did not get that far), so scoring does not
/// compute them twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameLevels {
    /// Given-name level.
    pub given: u8,
    /// Surname level.
    pub surname: u8,
}

/// Marks a level `oriented_with_levels` did not compute.
pub const NOT_COMPUTED: u8 = u8::MAX;

/// `oriented`, with the name levels it computed for the reading it chose.
pub fn oriented_with_levels(
    a: &Prepared,
    b: &Prepared,
    ctx: &CompareContext,
) -> (Option<Prepared>, NameLevels) {
    let mut known = NameLevels {
        given: NOT_COMPUTED,
        surname: NOT_COMPUTED,
    };
    if names_swapped(a, b) {
        return (Some(swap_names(a, b)), known);
    }
    let given_weak = GIVEN_LEVELS - 1;
    let surname_weak = SURNAME_LEVELS - 1;
    let gs = given_level(a, b, ctx);
    known.given = gs;
    if gs < given_weak {
        return (None, known);
    }
    let ss = surname_level(a, b, ctx);
    known.surname = ss;
    if ss < surname_weak || gs == NULL_LEVEL || ss == NULL_LEVEL {
        return (None, known);
    }
    // Read crosswise, the names can only agree if some name of one record sounds like a
    // name in the other block of the other: checked on the phonetic codes first, so the
    // many pairs of different people that reach here cost a few integer comparisons.
    let sounds = |x: u32, ys: [u32; 2]| x != 0 && ys.contains(&x);
    let a_surnames = [a.surname1_phonetic, a.surname2_phonetic];
    let b_surnames = [b.surname1_phonetic, b.surname2_phonetic];
    let cross_sound = sounds(b.given1_sound, a_surnames)
        || sounds(b.given2_sound, a_surnames)
        || sounds(a.given1_sound, b_surnames)
        || sounds(a.given2_sound, b_surnames);
    if !cross_sound {
        return (None, known);
    }
    let crossed = swap_name_blocks(b);
    let gx = given_level(a, &crossed, ctx);
    let sx = surname_level(a, &crossed, ctx);
    let agrees = gx != NULL_LEVEL && sx != NULL_LEVEL && gx < given_weak && sx < surname_weak;
    if agrees && gx + sx < gs + ss {
        (
            Some(crossed),
            NameLevels {
                given: gx,
                surname: sx,
            },
        )
    } else {
        (None, known)
    }
}

impl Comparison {
    /// The level of this comparison, taking the name levels already computed.
    pub fn level_known(
        &self,
        a: &Prepared,
        b: &Prepared,
        ctx: &CompareContext,
        known: NameLevels,
    ) -> u8 {
        match self {
            Comparison::GivenNames if known.given != NOT_COMPUTED => known.given,
            Comparison::Surnames if known.surname != NOT_COMPUTED => known.surname,
            _ => self.level(a, b, ctx),
        }
    }
}

/// Levels of the given-name comparison (without the missing level).
const GIVEN_LEVELS: u8 = 8;
/// Levels of the surname comparison (without the missing level).
const SURNAME_LEVELS: u8 = 8;

/// Jaro–Winkler similarity (Winkler 1990, prefix scale 0.1, prefix up to 4, boost above
/// 0.7), as
/// `strsim::jaro_winkler` computes it, but for ASCII strings up to 64 bytes without
/// allocating: strsim allocates two flag vectors per call, and a million-record run makes
/// about 10^8 calls. Longer or non-ASCII strings go to strsim.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() > 64 || y.len() > 64 || !a.is_ascii() || !b.is_ascii() {
        return strsim::jaro_winkler(a, b);
    }
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    if x == y {
        return 1.0;
    }
    let window = (x.len().max(y.len()) / 2).saturating_sub(1);
    let mut x_flag = 0u64;
    let mut y_flag = 0u64;
    let mut matches = 0usize;
    for (i, cx) in x.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(y.len());
        for (j, cy) in y.iter().enumerate().take(hi).skip(lo) {
            if y_flag & (1 << j) == 0 && cy == cx {
                x_flag |= 1 << i;
                y_flag |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, cx) in x.iter().enumerate() {
        if x_flag & (1 << i) != 0 {
            while y_flag & (1 << j) == 0 {
                j += 1;
            }
            if *cx != y[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    let jaro =
        (m / x.len() as f64 + m / y.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0;
    // The boost applies only above 0.7 (Winkler's boost threshold), as in strsim.
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count() as f64;
    jaro + 0.1 * prefix * (1.0 - jaro)
}

/// Whether two strings are at most one edit apart (optimal string alignment), without
/// the allocation `strsim` makes: most document pairs differ in length or in many places.
fn one_edit(x: &str, y: &str) -> bool {
    let (a, b) = (x.as_bytes(), y.as_bytes());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(p, q)| p == q).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(p, q)| p == q)
        .count();
    let (ra, rb) = (
        a.len() - prefix - suffix.min(a.len() - prefix),
        b.len() - prefix - suffix.min(b.len() - prefix),
    );
    match (ra, rb) {
        (0, _) | (_, 0) => ra + rb <= 1,
        (1, 1) => true,
        (2, 2) => a[prefix] == b[prefix + 1] && a[prefix + 1] == b[prefix],
        // More than two characters differ between the common prefix and suffix.
        _ => false,
    }
}

fn given_level(a: &Prepared, b: &Prepared, ctx: &CompareContext) -> u8 {
    if a.given_joined == 0 || b.given_joined == 0 {
        return NULL_LEVEL;
    }
    if a.given_joined == b.given_joined {
        return 1;
    }
    let (g1a, g1b) = (ctx.text(a.given1), ctx.text(b.given1));
    if a.given1 == b.given1
        || (a.given_canonical != 0 && a.given_canonical == b.given_canonical)
        || ctx.nickname_equivalent(a.given1, b.given1)
    {
        return 2;
    }
    let cross = |x: u32, y: u32| x != 0 && x == y;
    if cross(a.given1, b.given2)
        || cross(a.given2, b.given1)
        || (a.given2 != 0 && ctx.nickname_equivalent(a.given2, b.given1))
        || (b.given2 != 0 && ctx.nickname_equivalent(a.given1, b.given2))
    {
        return 3;
    }
    let mut jw = jaro_winkler(g1a, g1b);
    if a.given2 != 0 || b.given2 != 0 {
        jw = jw.max(jaro_winkler(
            ctx.text(a.given_joined),
            ctx.text(b.given_joined),
        ));
    }
    if jw >= 0.92 {
        return 4;
    }
    if a.given_phonetic != 0 && a.given_phonetic == b.given_phonetic {
        return 5;
    }
    // A given name other than the two first ones in common, exactly or within one typo:
    // the first given name dropped or replaced and the second misspelt ("Fernando
    // Manuel" / "Mnauel"), or two people sharing a second given name. Its own level,
    // so EM weighs how often each happens.
    let close =
        |x: u32, y: u32| x != 0 && y != 0 && (x == y || close_token(ctx.text(x), ctx.text(y)));
    if close(a.given1, b.given2) || close(a.given2, b.given1) || close(a.given2, b.given2) {
        return 6;
    }
    if jw >= 0.80 {
        return 7;
    }
    8
}

/// Two name tokens within one typo: Jaro–Winkler ≥ 0.90, or (four letters or more) one
/// edit apart, which Jaro–Winkler undervalues in short names ("Wlng" / "Wang").
fn close_token(x: &str, y: &str) -> bool {
    jaro_winkler(x, y) >= 0.90 || (x.len().min(y.len()) >= 4 && one_edit(x, y))
}

fn surname_level(a: &Prepared, b: &Prepared, ctx: &CompareContext) -> u8 {
    let (a1, a2, b1, b2) = (a.surname1, a.surname2, b.surname1, b.surname2);
    if (a1 == 0 && a2 == 0) || (b1 == 0 && b2 == 0) {
        return NULL_LEVEL;
    }
    if a1 != 0 && a1 == b1 {
        // Both exact, including two records that each have one surname (the Haitian and
        // Chinese convention): nothing is missing there.
        if a2 == b2 {
            return 1;
        }
        if a2 == 0 || b2 == 0 {
            return 3;
        }
        if close_token(ctx.text(a2), ctx.text(b2)) {
            return 5;
        }
        return 4;
    }
    if a1 != 0 && a2 != 0 && a1 == b2 && a2 == b1 {
        return 2;
    }
    let close =
        |x: u32, y: u32| x != 0 && y != 0 && (x == y || close_token(ctx.text(x), ctx.text(y)));
    let in_order = close(a1, b1) && (a2 == 0 || b2 == 0 || close(a2, b2));
    let swapped = close(a1, b2) && close(a2, b1);
    if in_order || swapped {
        return 5;
    }
    let exact = |x: u32, y: u32| x != 0 && x == y;
    if exact(a1, b2) || exact(a2, b1) || exact(a2, b2) || (a2 == 0 && b2 == 0 && close(a1, b1)) {
        return 6;
    }
    let p = |x: u32, y: u32| x != 0 && x == y;
    if p(a.surname1_phonetic, b.surname1_phonetic)
        || p(a.surname1_phonetic, b.surname2_phonetic)
        || p(a.surname2_phonetic, b.surname1_phonetic)
    {
        return 7;
    }
    8
}

/// Level of the date-of-birth comparison when a date is missing.
pub const DOB_MISSING_LEVEL: u8 = 7;

fn dob_level(a: &Prepared, b: &Prepared) -> u8 {
    if a.birth_year == 0 || b.birth_year == 0 {
        return DOB_MISSING_LEVEL;
    }
    if a.has_full_dob() && b.has_full_dob() {
        if a.birth_year == b.birth_year
            && a.birth_month == b.birth_month
            && a.birth_day == b.birth_day
        {
            return 1;
        }
        if a.birth_year == b.birth_year
            && a.birth_month == b.birth_day
            && a.birth_day == b.birth_month
        {
            return 2;
        }
        if digit_typo(a, b) {
            return 3;
        }
        if (a.birth_year - b.birth_year).abs() <= 1 {
            return 5;
        }
        return 6;
    }
    let months_agree = a.birth_month == 0 || b.birth_month == 0 || a.birth_month == b.birth_month;
    if a.birth_year == b.birth_year && months_agree {
        return 4;
    }
    if (a.birth_year - b.birth_year).abs() <= 1 {
        return 5;
    }
    6
}

/// One digit differs, or two adjacent digits are swapped, in YYYYMMDD.
fn digit_typo(a: &Prepared, b: &Prepared) -> bool {
    let digits = |p: &Prepared| -> [u8; 8] {
        let y = p.birth_year.max(0) as u16;
        [
            (y / 1000 % 10) as u8,
            (y / 100 % 10) as u8,
            (y / 10 % 10) as u8,
            (y % 10) as u8,
            p.birth_month / 10,
            p.birth_month % 10,
            p.birth_day / 10,
            p.birth_day % 10,
        ]
    };
    let (x, y) = (digits(a), digits(b));
    let diffs: Vec<usize> = (0..8).filter(|&i| x[i] != y[i]).collect();
    match diffs.as_slice() {
        [_] => true,
        [i, j] => *j == i + 1 && x[*i] == y[*j] && x[*j] == y[*i],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::record::{prepare, LinkRecord};

    /// Records from (given names, first surname, second surname), prepared together.
    fn prepared(names: &[(&str, &str, &str)]) -> (Interner, Vec<Prepared>) {
        let records: Vec<LinkRecord> = names
            .iter()
            .enumerate()
            .map(|(i, (given, s1, s2))| LinkRecord {
                record_id: format!("r{i}"),
                given_name: (*given).into(),
                first_surname: (*s1).into(),
                second_surname: (*s2).into(),
                ..LinkRecord::default()
            })
            .collect();
        let mut interner = Interner::default();
        let prepared = prepare(&records, 0, &mut interner);
        (interner, prepared)
    }

    fn given(a: (&str, &str, &str), b: (&str, &str, &str)) -> u8 {
        let (interner, p) = prepared(&[a, b]);
        let ctx = CompareContext::new(&interner, NicknameTable::bundled());
        given_level(&p[0], &p[1], &ctx)
    }

    fn surnames(a: (&str, &str, &str), b: (&str, &str, &str)) -> u8 {
        let (interner, p) = prepared(&[a, b]);
        let ctx = CompareContext::new(&interner, NicknameTable::bundled());
        surname_level(&p[0], &p[1], &ctx)
    }

    #[test]
    fn another_given_name_in_common_is_its_own_level() {
        // The first given name dropped and the second misspelt.
        assert_eq!(
            given(("Fernando Manuel", "Villa", ""), ("Mnauel", "Villa", "")),
            6
        );
        // The second given names equal, the first ones unrelated.
        assert_eq!(
            given(("Luisa Pilar", "Gómez", ""), ("Carmen Pilar", "Gómez", "")),
            6
        );
        // Unrelated given names stay "different"; the levels above are unchanged.
        assert_eq!(given(("Fernando", "Villa", ""), ("Manuel", "Villa", "")), 8);
        assert_eq!(
            given(("Juan Carlos", "Paz", ""), ("Carlos Juan", "Paz", "")),
            3
        );
        assert_eq!(
            given(("Juan Carlos", "Paz", ""), ("Juan Carlos", "Paz", "")),
            1
        );
        assert_eq!(given(("Juan Carlos", "Paz", ""), ("Juan", "Paz", "")), 2);
    }

    #[test]
    fn surnames_one_edit_apart_are_close() {
        // Jaro–Winkler gives "Wang" / "Wlng" 0.85; one substitution is one typo.
        assert_eq!(
            surnames(("Fanglei", "Wang", ""), ("Fanglei", "Wlng", "")),
            5
        );
        assert_eq!(
            surnames(("Ana", "Pérez", "Castillo"), ("Ana", "Pérez", "Castilo")),
            5
        );
        // Too short for the edit rule: "Li" / "Lu" agree only by sound.
        assert_eq!(surnames(("Na", "Li", ""), ("Na", "Lu", "")), 7);
    }

    #[test]
    fn names_in_each_others_fields_are_read_crosswise_despite_typos() {
        let (interner, p) = prepared(&[
            ("Jhon", "Duarte", "Suárez"),
            // Blocks swapped and the surnames' order reversed.
            ("Suárez Duarte", "Jhon", ""),
            // Blocks swapped with a typo in a given name.
            ("Duarte Suárez", "Jhn", ""),
            // Someone else.
            ("Luis", "Gómez", "Torres"),
            // Exactly swapped (the exact rule).
            ("Duarte", "Jhon", ""),
        ]);
        let ctx = CompareContext::new(&interner, NicknameTable::bundled());
        let crossed = oriented(&p[0], &p[1], &ctx).expect("read crosswise");
        assert_eq!(given_level(&p[0], &crossed, &ctx), 1);
        assert_eq!(surname_level(&p[0], &crossed, &ctx), 2);
        let crossed = oriented(&p[0], &p[2], &ctx).expect("read crosswise");
        assert!(given_level(&p[0], &crossed, &ctx) <= 4);
        assert_eq!(surname_level(&p[0], &crossed, &ctx), 1);
        assert!(oriented(&p[0], &p[3], &ctx).is_none());
        assert!(oriented(&p[0], &p[4], &ctx).is_some());
        // Names that agree as entered are never crossed.
        assert!(oriented(&p[0], &p[0], &ctx).is_none());
    }

    #[test]
    fn a_missing_date_of_birth_is_a_level_of_its_own() {
        let records: Vec<LinkRecord> = ["1990-04-17", "", "1990", "1990-04-17"]
            .iter()
            .map(|dob| LinkRecord {
                record_id: (*dob).into(),
                given_name: "Ana".into(),
                date_of_birth: (*dob).into(),
                ..LinkRecord::default()
            })
            .collect();
        let mut interner = Interner::default();
        let p = prepare(&records, 0, &mut interner);
        let ctx = CompareContext::new(&interner, NicknameTable::bundled());
        let dob = |a: usize, b: usize| Comparison::DateOfBirth.level(&p[a], &p[b], &ctx);
        assert_eq!(dob(0, 3), 1);
        assert_eq!(dob(0, 1), DOB_MISSING_LEVEL);
        assert_eq!(dob(1, 1), DOB_MISSING_LEVEL);
        // A year alone is a partial date, not a missing one.
        assert_eq!(dob(0, 2), 4);
        assert_eq!(
            Comparison::DateOfBirth.level_names()[DOB_MISSING_LEVEL as usize - 1],
            "missing on one side or both"
        );
    }

    #[test]
    fn name_block_keys_read_the_same_whichever_fields_the_blocks_are_in() {
        let (it, p) = prepared(&[
            ("Tomás Luis", "Franco", "Coraraga"),
            // Swapped, with a typo in the given names: the intact surname block is the
            // lower key of both.
            ("Franco Coraraga", "Tlomás", "Luis"),
            // Swapped, one given name only: the higher key agrees.
            ("Héctor Alberto", "Rivera", "Casenaga"),
            ("Rivera Casenaga", "Hector", ""),
        ]);
        assert_ne!(p[0].name_block_low, 0);
        assert_eq!(p[0].name_block_low, p[1].name_block_low);
        assert_eq!(p[2].name_block_high, p[3].name_block_high);
        assert_eq!(it.text(p[3].name_block_high), "KSNG|RBR");
        assert_ne!(p[0].name_block_low, p[2].name_block_low);
    }

    #[test]
    fn exact_given_names_are_weighted_by_the_frequency_of_all_of_them() {
        let (_, p) = prepared(&[("Juan Víctor", "Paz", ""), ("Juan Víctor", "Paz", "")]);
        let (pool, x, _) = Comparison::GivenNames
            .tf_value(1, &p[0], &p[1])
            .expect("adjusted");
        assert_eq!(pool, TfPool::GivenJoined);
        assert_eq!(x, p[0].given_joined);
        let (pool, _, _) = Comparison::GivenNames
            .tf_value(2, &p[0], &p[1])
            .expect("adjusted");
        assert_eq!(pool, TfPool::Given);
    }

    #[test]
    fn jaro_winkler_agrees_with_strsim() {
        let words = [
            "",
            "A",
            "MARTHA",
            "MARHTA",
            "DIXON",
            "DICKSONX",
            "JELLYFISH",
            "SMELLYFISH",
            "GONZALEZ",
            "GONSALES",
            "RODRIGUEZ",
            "RODRIGEZ",
            "JEANBAPTISTE",
            "JEAN",
            "XIUYING",
            "XIU",
            "AAAA",
            "AAAB",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMN",
        ];
        for a in words {
            for b in words {
                let (ours, reference) = (jaro_winkler(a, b), strsim::jaro_winkler(a, b));
                assert!(
                    (ours - reference).abs() < 1e-12,
                    "{a} {b}: {ours} vs {reference}"
                );
            }
        }
    }

    #[test]
    fn one_edit_agrees_with_osa() {
        let words = [
            "", "1", "12", "123456", "123465", "12346", "1234567", "023456", "923456", "V123",
            "V132", "654321",
        ];
        for a in words {
            for b in words {
                assert_eq!(one_edit(a, b), osa_distance(a, b) <= 1, "{a} {b}");
            }
        }
    }
}
