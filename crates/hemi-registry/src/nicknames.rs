//! The nickname table (`data/nicknames.csv`, sources in `data/NICKNAMES.md`): Pepe/José,
//! Pancho/Francisco, Chucho/Jesús, Lupe/Guadalupe, Memo/Guillermo and the like.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const NICKNAMES_CSV: &str = include_str!("../data/nicknames.csv");

/// Equivalences between given names: a nickname and the names it stands for, folded.
#[derive(Debug, Default, Clone)]
pub struct NicknameTable {
    /// Folded name → the folded canonical names it may stand for (a canonical name maps
    /// to itself too).
    canonical: HashMap<String, Vec<String>>,
    /// Every canonical name and the first word of each.
    names: HashSet<String>,
}

impl NicknameTable {
    /// The bundled table, parsed once.
    pub fn bundled() -> &'static NicknameTable {
        static TABLE: OnceLock<NicknameTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            NicknameTable::parse(NICKNAMES_CSV).expect("bundled nicknames.csv is valid")
        })
    }

    /// Parse `nickname,canonical` rows (a header line first). Returns the first bad line.
    pub fn parse(text: &str) -> Result<NicknameTable, String> {
        let mut canonical: HashMap<String, Vec<String>> = HashMap::new();
        for (number, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let Some((nick, name)) = line.split_once(',') else {
                return Err(format!("line {}: expected nickname,canonical", number + 1));
            };
            let nick = crate::text::fold(nick);
            let name = crate::text::fold(name);
            if nick.is_empty() || name.is_empty() {
                return Err(format!("line {}: empty nickname or name", number + 1));
            }
            let entry = canonical.entry(nick).or_default();
            if !entry.contains(&name) {
                entry.push(name);
            }
        }
        let names = canonical
            .values()
            .flatten()
            .flat_map(|n| [n.clone(), first_token(n).to_owned()])
            .collect();
        Ok(NicknameTable { canonical, names })
    }

    /// The canonical names a (folded) given name may stand for; empty when it is not a
    /// known nickname.
    pub fn canonical_of(&self, folded_name: &str) -> &[String] {
        self.canonical.get(folded_name).map_or(&[], Vec::as_slice)
    }

    /// The one canonical form used for blocking: the first listed canonical name, or the
    /// name itself.
    pub fn blocking_form<'a>(&'a self, folded_name: &'a str) -> &'a str {
        self.canonical_of(folded_name)
            .first()
            .map_or(folded_name, String::as_str)
    }

    /// Whether two folded given names are nickname-equivalent (one stands for the other,
    /// or both stand for one name).
    pub fn equivalent(&self, a: &str, b: &str) -> bool {
        if a == b {
            return true;
        }
        let ca = self.canonical_of(a);
        let cb = self.canonical_of(b);
        if ca.iter().any(|c| c == b || first_token(c) == b)
            || cb.iter().any(|c| c == a || first_token(c) == a)
        {
            return true;
        }
        ca.iter().any(|x| cb.contains(x))
    }

    /// Whether a folded name appears in the table, as a nickname or as a canonical name.
    pub fn knows(&self, folded_name: &str) -> bool {
        self.canonical.contains_key(folded_name) || self.names.contains(folded_name)
    }

    /// Number of nicknames known.
    pub fn len(&self) -> usize {
        self.canonical.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.canonical.is_empty()
    }
}

fn first_token(name: &str) -> &str {
    name.split(' ').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::NicknameTable;

    #[test]
    fn bundled_table_links_the_issue_examples() {
        let t = NicknameTable::bundled();
        for (nick, name) in [
            ("PEPE", "JOSE"),
            ("PANCHO", "FRANCISCO"),
            ("CHUCHO", "JESUS"),
            ("LUPE", "GUADALUPE"),
            ("MEMO", "GUILLERMO"),
            ("PACO", "FRANCISCO"),
            ("NACHO", "IGNACIO"),
            ("PACO", "PANCHO"),
            ("CHEMA", "JOSE"),
        ] {
            assert!(t.equivalent(nick, name), "{nick} ~ {name}");
            assert!(t.equivalent(name, nick), "{name} ~ {nick}");
        }
        assert!(!t.equivalent("PEPE", "FRANCISCO"));
        assert_eq!(t.blocking_form("PANCHO"), "FRANCISCO");
        assert_eq!(t.blocking_form("FRANCISCO"), "FRANCISCO");
        assert!(t.len() > 100);
    }

    #[test]
    fn bad_rows_are_refused() {
        assert!(NicknameTable::parse("nickname,canonical\nPepe\n").is_err());
        assert!(NicknameTable::parse("nickname,canonical\n,José\n").is_err());
    }
}
