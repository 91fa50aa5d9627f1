//! A Spanish-aware phonetic key for Latin American names.
//!
//! Based on the Spanish Metaphone of Alejandro Mosquera (2011; Mosquera, Lloret and
//! Moreda, "Towards facilitating the accessibility of Web 2.0 texts through text
//! normalisation", LREC NLP4ITA workshop 2012), itself a port of Lawrence Philips'
//! Metaphone (1990). Written here rather than taken from a crate because `rphonetic`
//! implements only English, German and Beider–Morse codes, and Beider–Morse is far too
//! slow for a million-record blocking pass. Two changes for the Americas, where the
//! registry's names are spoken: *seseo* (C before E/I, Z and S all sound /s/) and
//! *yeísmo* (LL and Y sound alike), both universal in Latin American Spanish
//! (Real Academia Española, *Nueva gramática: Fonética y fonología*, 2011, §§ 4.4, 6.4).

/// Longest key kept: six consonant sounds separate names well enough for blocking and a
/// comparison level, and a longer key only re-introduces spelling noise.
pub const MAX_KEY_LEN: usize = 6;

/// The phonetic key of a name (any case, any accents). Multi-word names are encoded word
/// by word and joined without spaces, so "Juan Carlos" and "Juancarlos" agree.
pub fn spanish_phonetic(name: &str) -> String {
    let folded = crate::text::fold(name);
    let letters: Vec<u8> = folded.bytes().filter(u8::is_ascii_alphabetic).collect();
    let mut key = String::with_capacity(MAX_KEY_LEN);
    let n = letters.len();
    let at = |i: usize| -> u8 {
        if i < n {
            letters[i]
        } else {
            0
        }
    };
    let is_front_vowel = |c: u8| c == b'E' || c == b'I' || c == b'Y';
    let mut i = 0;
    let mut last: u8 = 0;
    let push = |code: u8, key: &mut String, last: &mut u8| {
        if code != *last {
            key.push(code as char);
        }
        *last = code;
    };
    while i < n && key.len() < MAX_KEY_LEN {
        let c = letters[i];
        let next = at(i + 1);
        let mut step = 1;
        match c {
            b'A' | b'E' | b'I' | b'O' | b'U' => {
                // Only a leading vowel is kept, as in Metaphone; vowels elsewhere carry
                // gender and diminutive endings (-o/-a, -ito) that the sex field covers.
                if key.is_empty() {
                    push(
                        if c == b'U' || c == b'O' { b'O' } else { c },
                        &mut key,
                        &mut last,
                    );
                } else {
                    last = 0;
                }
            }
            b'B' | b'V' | b'W' => push(b'B', &mut key, &mut last),
            b'C' => {
                if next == b'H' {
                    push(b'X', &mut key, &mut last);
                    step = 2;
                } else if is_front_vowel(next) {
                    push(b'S', &mut key, &mut last);
                } else if next == b'C' && is_front_vowel(at(i + 2)) {
                    // "acción": /ks/
                    push(b'K', &mut key, &mut last);
                    push(b'S', &mut key, &mut last);
                    step = 2;
                } else {
                    push(b'K', &mut key, &mut last);
                }
            }
            b'Q' => {
                push(b'K', &mut key, &mut last);
                if next == b'U' {
                    step = 2;
                }
            }
            b'K' => push(b'K', &mut key, &mut last),
            b'G' => {
                if is_front_vowel(next) {
                    push(b'J', &mut key, &mut last);
                } else if next == b'U' && is_front_vowel(at(i + 2)) {
                    // "Guillermo": the U is silent.
                    push(b'G', &mut key, &mut last);
                    step = 2;
                } else {
                    push(b'G', &mut key, &mut last);
                }
            }
            b'J' => push(b'J', &mut key, &mut last),
            b'H' => {
                // Silent in Spanish; the H of CH/SH/PH is consumed with its first letter.
            }
            b'L' => {
                if next == b'L' {
                    push(b'Y', &mut key, &mut last);
                    step = 2;
                } else {
                    push(b'L', &mut key, &mut last);
                }
            }
            b'Y' => {
                // Consonantal Y before a vowel; a final or inter-consonant Y is the vowel I.
                if matches!(next, b'A' | b'E' | b'I' | b'O' | b'U') {
                    push(b'Y', &mut key, &mut last);
                } else if i == 0 {
                    push(b'I', &mut key, &mut last);
                } else {
                    last = 0;
                }
            }
            b'Z' => push(b'S', &mut key, &mut last),
            b'S' => {
                if next == b'H' {
                    // Pinyin and Haitian Creole "sh"/"ch" sound alike.
                    push(b'X', &mut key, &mut last);
                    step = 2;
                } else {
                    push(b'S', &mut key, &mut last);
                }
            }
            b'X' => {
                if i == 0 {
                    push(b'S', &mut key, &mut last);
                } else {
                    push(b'K', &mut key, &mut last);
                    push(b'S', &mut key, &mut last);
                }
            }
            b'P' => {
                if next == b'H' {
                    push(b'F', &mut key, &mut last);
                    step = 2;
                } else {
                    push(b'P', &mut key, &mut last);
                }
            }
            b'T' => {
                if next == b'Z' {
                    // Nahuatl "tz" (Moctezuma, Quetzal) as spoken: /s/.
                    push(b'S', &mut key, &mut last);
                    step = 2;
                } else {
                    push(b'T', &mut key, &mut last);
                }
            }
            b'N' => {
                // "nb"/"mb" and "np"/"mp" sound alike.
                push(b'N', &mut key, &mut last);
            }
            b'M' => {
                if next == b'B' || next == b'P' {
                    push(b'N', &mut key, &mut last);
                } else {
                    push(b'M', &mut key, &mut last);
                }
            }
            other => push(other, &mut key, &mut last),
        }
        i += step;
    }
    key
}

#[cfg(test)]
mod tests {
    use super::spanish_phonetic;

    fn check_same(a: &str, b: &str) {
        assert_eq!(spanish_phonetic(a), spanish_phonetic(b), "{a} vs {b}");
    }
    fn check_differ(a: &str, b: &str) {
        assert_ne!(spanish_phonetic(a), spanish_phonetic(b), "{a} vs {b}");
    }

    #[test]
    fn latin_american_spellings_agree() {
        check_same("Vásquez", "Basquez");
        check_same("Vázquez", "Vasques");
        check_same("Yolanda", "Llolanda");
        check_same("Cecilia", "Sesilia");
        check_same("Guillermo", "Guiyermo");
        check_same("Jiménez", "Gimenez");
        check_same("Hernández", "Ernandez");
        check_same("Quintero", "Kintero");
        check_same("Zapata", "Sapata");
        check_same("Juan Carlos", "Juancarlos");
        check_same("González", "Gonzales");
    }

    #[test]
    fn different_names_differ() {
        check_differ("García", "Gómez");
        check_differ("Pérez", "Ramírez");
        check_differ("Wang", "Li");
        check_differ("Pierre", "Paul");
    }

    #[test]
    fn keys_are_short_and_upper_case() {
        let key = spanish_phonetic("Fernández de Castro Villalobos");
        assert!(key.len() <= super::MAX_KEY_LEN);
        assert!(key.bytes().all(|b| b.is_ascii_uppercase()));
        assert_eq!(spanish_phonetic(""), "");
    }
}
