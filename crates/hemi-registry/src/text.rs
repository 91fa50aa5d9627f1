//! Name and value normalisation shared by the person model, blind indexes and linkage:
//! transliteration to ASCII, upper case, tokens, particles.

/// Spanish surname particles dropped from comparison keys ("de la Cruz" and "Cruz" are the
/// same surname to a registration clerk; "y" joins the two surnames in old-style records).
const PARTICLES: &[&str] = &[
    "DE", "DEL", "LA", "LAS", "LOS", "Y", "E", "VAN", "VON", "DA", "DOS", "DU",
];

/// Transliterate to ASCII (accents dropped, "ñ" → "n", Chinese characters → pinyin
/// syllables via `deunicode`), upper-case, and turn every run of non-alphanumeric
/// characters (hyphens, apostrophes, dots) into one space.
pub fn fold(text: &str) -> String {
    let ascii = if text.is_ascii() {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(deunicode::deunicode(text))
    };
    let mut out = String::with_capacity(ascii.len());
    let mut pending_space = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c.to_ascii_uppercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// Folded tokens of a name.
pub fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A surname's comparison key: folded, particles removed, tokens joined by one space
/// ("De la Cruz" → "CRUZ", "Jean-Baptiste" → "JEAN BAPTISTE"). When only particles are
/// left (the surname "De"), the folded text is kept.
pub fn surname_key(text: &str) -> String {
    let folded = fold(text);
    let kept: Vec<&str> = folded
        .split(' ')
        .filter(|t| !t.is_empty() && !PARTICLES.contains(t))
        .collect();
    if kept.is_empty() {
        folded
    } else {
        kept.join(" ")
    }
}

/// Digits of a value only ("+57 (300) 123-4567" → "573001234567").
pub fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// A phone number's comparison key: its last 8 digits, so a country prefix or trunk
/// zero written on one registration and not the other does not hide the agreement.
/// Fewer than 6 digits is no usable phone.
pub fn phone_key(text: &str) -> String {
    let d = digits(text);
    if d.len() < 6 {
        return String::new();
    }
    d[d.len().saturating_sub(8)..].to_owned()
}

/// A document number's comparison key: folded, letters and digits only, no spaces
/// ("AB-123 456" → "AB123456").
pub fn document_key(text: &str) -> String {
    fold(text).chars().filter(|c| *c != ' ').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, folded: &str, surname: &str) {
        assert_eq!(fold(input), folded, "fold({input:?})");
        assert_eq!(surname_key(input), surname, "surname_key({input:?})");
    }

    #[test]
    fn folds_accents_particles_and_chinese() {
        check("José María", "JOSE MARIA", "JOSE MARIA");
        check("  de la Cruz ", "DE LA CRUZ", "CRUZ");
        check("Jean-Baptiste", "JEAN BAPTISTE", "JEAN BAPTISTE");
        check("Núñez", "NUNEZ", "NUNEZ");
        check("O'Brien", "O BRIEN", "O BRIEN");
        check("王", "WANG", "WANG");
        check("De", "DE", "DE");
        check("", "", "");
    }

    #[test]
    fn phone_and_document_keys() {
        assert_eq!(phone_key("+57 (300) 123-4567"), "01234567");
        assert_eq!(phone_key("300 123 4567"), "01234567");
        assert_eq!(phone_key("123"), "");
        assert_eq!(document_key("ab-123 456"), "AB123456");
        assert_eq!(digits("V-12.345.678"), "12345678");
    }
}
