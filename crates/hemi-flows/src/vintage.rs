//! The vintage rule: a re-published table never overwrites; it adds what is new or changed.

use std::collections::HashMap;
use std::hash::Hash;

/// What an incoming table changes compared with the latest stored values.
#[derive(Debug, Clone, PartialEq)]
pub struct VintageDiff<K> {
    /// Keys never seen before, with their values.
    pub new: Vec<(K, f64)>,
    /// Keys whose value differs from the latest stored one: (key, old, new).
    pub changed: Vec<(K, f64, f64)>,
    /// Keys whose value is the same as stored.
    pub unchanged: usize,
    /// Stored keys the incoming table does not mention. They keep their value: a
    /// publisher dropping a month from a release is not evidence the month was zero.
    pub absent: usize,
}

impl<K> VintageDiff<K> {
    /// True when storing the table would change nothing.
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.changed.is_empty()
    }
}

/// Compare incoming observations with the latest stored value of each key.
///
/// Values are compared exactly: both sides were parsed from the same decimal text
/// rules, so any difference is a real revision.
pub fn classify_vintage<K: Eq + Hash + Clone>(
    incoming: impl IntoIterator<Item = (K, f64)>,
    latest: &HashMap<K, f64>,
) -> VintageDiff<K> {
    let mut diff = VintageDiff {
        new: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
        absent: 0,
    };
    let mut seen = 0usize;
    for (key, value) in incoming {
        match latest.get(&key) {
            None => diff.new.push((key, value)),
            Some(&old) => {
                seen += 1;
                if old == value {
                    diff.unchanged += 1;
                } else {
                    diff.changed.push((key, old, value));
                }
            }
        }
    }
    diff.absent = latest.len() - seen;
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_is_changed_not_new() {
        let latest: HashMap<&str, f64> =
            [("2021-08", 10.0), ("2021-09", 20.0), ("2021-10", 5.0)].into();
        let diff = classify_vintage(
            [("2021-08", 10.0), ("2021-09", 25.0), ("2021-11", 7.0)],
            &latest,
        );
        assert_eq!(diff.new, vec![("2021-11", 7.0)]);
        assert_eq!(diff.changed, vec![("2021-09", 20.0, 25.0)]);
        assert_eq!(diff.unchanged, 1);
        assert_eq!(diff.absent, 1);
        assert!(!diff.is_empty());
    }

    #[test]
    fn identical_release_changes_nothing() {
        let latest: HashMap<&str, f64> = [("2021-08", 10.0)].into();
        let diff = classify_vintage([("2021-08", 10.0)], &latest);
        assert!(diff.is_empty());
        assert_eq!(diff.unchanged, 1);
    }
}
