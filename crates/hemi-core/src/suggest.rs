//! "Did you mean ...?" for identifiers a user types: the closest known one by edit
//! distance (`strsim`'s Damerau–Levenshtein on lower-cased text, ties broken by
//! Jaro–Winkler similarity), offered only when it is close enough to be a typo.

/// The candidate closest to `typed`, if one is within a typo's distance (at most a
/// third of the longer text, and at most 3 edits).
pub fn closest<'a>(typed: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let typed_lower = typed.trim().to_lowercase();
    if typed_lower.is_empty() {
        return None;
    }
    candidates
        .iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&typed_lower, &c.to_lowercase()),
                *c,
            )
        })
        .filter(|(d, c)| {
            let longest = typed_lower.chars().count().max(c.chars().count());
            *d > 0 && *d <= 3 && *d * 3 <= longest.max(3)
        })
        // Among equally distant candidates one with the same letters (two swapped keys,
        // the commonest typo in codes) wins, then the closest by Jaro–Winkler.
        .min_by(|a, b| {
            let same_letters = |c: &str| {
                let mut x: Vec<char> = typed_lower.chars().collect();
                let mut y: Vec<char> = c.to_lowercase().chars().collect();
                x.sort_unstable();
                y.sort_unstable();
                x == y
            };
            a.0.cmp(&b.0)
                .then_with(|| same_letters(b.1).cmp(&same_letters(a.1)))
                .then_with(|| {
                    let ja = strsim::jaro_winkler(&typed_lower, &a.1.to_lowercase());
                    let jb = strsim::jaro_winkler(&typed_lower, &b.1.to_lowercase());
                    jb.total_cmp(&ja)
                })
                .then(a.1.cmp(b.1))
        })
        .map(|(_, c)| c)
}

/// A hint: "did you mean X? " followed by `otherwise`, or just `otherwise`.
pub fn did_you_mean(typed: &str, candidates: &[&str], otherwise: &str) -> String {
    match closest(typed, candidates) {
        Some(c) => format!("did you mean {c}? {otherwise}"),
        None => otherwise.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_a_suggestion_and_strangers_do_not() {
        let codes = ["PAN", "HND", "MEX", "USA", "GTM"];
        assert_eq!(closest("PNA", &codes), Some("PAN"));
        assert_eq!(
            closest("usa", &codes),
            None,
            "exact match ignoring case is not a typo"
        );
        assert_eq!(closest("XYZ", &codes), None);
        let events = ["HTI-2021-01", "VEN-2022-09"];
        assert_eq!(closest("HTI-2021-1", &events), Some("HTI-2021-01"));
        assert_eq!(closest("ZZZ-2099-01", &events), None);
        assert_eq!(
            did_you_mean("PNA", &codes, "see `hemi series list`"),
            "did you mean PAN? see `hemi series list`"
        );
    }
}
