//! Reading and checking the audit log. Entries are written by every workflow inside
//! its own transaction (`hemi_store::Tx::audit`); here they are paged, filtered and the
//! hash chain is recomputed from the first entry to the head.

use hemi_store::{AuditEntry, AuditFilter, AuditHead, GENESIS_HASH};

use crate::{App, Result};

/// Entries read per query while verifying.
const VERIFY_CHUNK: i64 = 5_000;

/// What verifying the chain found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainCheck {
    /// Entries checked.
    pub entries: i64,
    /// The head row.
    pub head: AuditHead,
    /// The first entry that does not fit the chain, and why; `None` when intact.
    pub first_broken: Option<BrokenLink>,
}

/// Where and why the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BrokenLink {
    /// Sequence number of the first entry that does not fit.
    pub seq: i64,
    /// Why.
    pub reason: String,
}

impl App {
    /// A page of the audit log, newest first.
    pub async fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        Ok(self.store().audit_entries(filter).await?)
    }

    /// Recompute the chain. Names the first entry whose hash, predecessor link or
    /// position is wrong, an entry missing from the sequence, and a head that does not
    /// match the newest entry (entries removed from the end). With `expected_head`
    /// (a hash published earlier, e.g. in a report), also proves that the entry with
    /// that hash is still in the chain.
    pub async fn verify_audit_chain(&self, expected_head: Option<&str>) -> Result<ChainCheck> {
        let store = self.store();
        let head = store.audit_head().await?;
        let (count, max_seq) = store.audit_extent().await?;
        let mut previous = GENESIS_HASH.to_owned();
        let mut expected_seq = 1;
        let mut checked = 0;
        let mut seen_expected = expected_head.is_none();
        let broken = |seq: i64, reason: String| Some(BrokenLink { seq, reason });
        let mut first_broken = None;
        let mut from = 1;
        'chunks: while from <= max_seq {
            let to = from + VERIFY_CHUNK - 1;
            for entry in store.audit_range(from, to).await? {
                if entry.seq != expected_seq {
                    first_broken = broken(
                        expected_seq,
                        format!(
                            "entry {expected_seq} is missing (the next stored entry is {})",
                            entry.seq
                        ),
                    );
                    break 'chunks;
                }
                if entry.prev_hash != previous {
                    first_broken = broken(
                        entry.seq,
                        "its link to the entry before does not match that entry's hash".into(),
                    );
                    break 'chunks;
                }
                let recomputed =
                    hemi_store::audit_entry_hash(&entry.prev_hash, entry.seq, &entry.event);
                if recomputed != entry.hash {
                    first_broken = broken(
                        entry.seq,
                        "its content does not match its hash (the entry was changed)".into(),
                    );
                    break 'chunks;
                }
                if expected_head == Some(entry.hash.as_str()) {
                    seen_expected = true;
                }
                previous = entry.hash;
                expected_seq += 1;
                checked += 1;
            }
            from = to + 1;
        }
        if first_broken.is_none() {
            if head.seq != checked || head.hash != previous {
                first_broken = broken(
                    checked + 1,
                    format!(
                        "the head records {} entries ending in {}, but the log holds {} ending in {} (entries were removed or the head was changed)",
                        head.seq,
                        &head.hash[..12.min(head.hash.len())],
                        checked,
                        &previous[..12]
                    ),
                );
            } else if count != checked {
                first_broken = broken(
                    checked + 1,
                    format!("{} entries are stored but {checked} are in sequence", count),
                );
            } else if !seen_expected {
                first_broken = broken(
                    checked + 1,
                    "no entry has the head hash given: the log was rewritten since it was published".into(),
                );
            }
        }
        Ok(ChainCheck {
            entries: checked,
            head,
            first_broken,
        })
    }
}
