//! The audit log as a hash chain: each entry stores the SHA-256 of its predecessor and
//! its own, so an entry changed, removed or reordered after the fact no longer fits the
//! chain. Entries are appended inside the caller's transaction, so a change and the
//! entry that records it commit together or not at all.
//!
//! The hash of entry `n` is SHA-256 over the text
//! `prev_hash \n seq \n at \n actor \n action \n subject \n ip \n detail`, each field with
//! its newlines escaped (`\` → `\\`, newline → `\n`) so no two entries hash the same
//! text. `hemi audit verify` recomputes the chain from the first entry to the head.

use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Result, Store, Tx};

/// The hash a chain starts from.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Longest text kept in one field of an entry; longer input (a 1 MB user name typed at
/// the login form) is cut, so one request cannot grow the log by more than a few KB.
pub const MAX_AUDIT_FIELD_CHARS: usize = 500;

/// One line to append to the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEvent {
    /// Unix seconds.
    pub at: i64,
    /// Who acted: a user name, `cli:<operator>`, or `anonymous`.
    pub actor: String,
    /// What happened, e.g. `login_ok`, `event_status`, `import`.
    pub action: String,
    /// What was acted on (an account, an event id, a commitment).
    pub subject: String,
    /// Client address; empty when the action came from the command line.
    pub ip: String,
    /// Free text.
    pub detail: String,
}

/// A stored entry of the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// The event.
    #[serde(flatten)]
    pub event: AuditEvent,
    /// Hash of the entry before (the genesis hash for the first).
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// The newest entry's position and hash, as the head row records them. Publishing
/// it elsewhere (a report, a ticket) lets a later check prove nothing was rewritten.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditHead {
    /// Sequence number of the newest entry (0 when empty).
    pub seq: i64,
    /// Its hash.
    pub hash: String,
}

/// Which entries a page of the log shows.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this action.
    pub action: Option<String>,
    /// Only this actor.
    pub actor: Option<String>,
    /// Only entries about this subject.
    pub subject: Option<String>,
    /// Only entries with a sequence number below this (paging backwards).
    pub before_seq: Option<i64>,
    /// At most this many, newest first.
    pub limit: i64,
}

fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_AUDIT_FIELD_CHARS {
        return text.to_owned();
    }
    let kept: String = text.chars().take(MAX_AUDIT_FIELD_CHARS).collect();
    format!("{kept}… ({} characters)", text.chars().count())
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

/// The hash of an entry given its predecessor's.
pub fn entry_hash(prev_hash: &str, seq: i64, event: &AuditEvent) -> String {
    let text = [
        prev_hash.to_owned(),
        seq.to_string(),
        event.at.to_string(),
        escape(&event.actor),
        escape(&event.action),
        escape(&event.subject),
        escape(&event.ip),
        escape(&event.detail),
    ]
    .join("\n");
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn entry_from_row(r: &AnyRow) -> AuditEntry {
    AuditEntry {
        seq: r.get(0),
        event: AuditEvent {
            at: r.get(1),
            actor: r.get(2),
            action: r.get(3),
            subject: r.get(4),
            ip: r.get(5),
            detail: r.get(6),
        },
        prev_hash: r.get(7),
        hash: r.get(8),
    }
}

const ENTRY_COLUMNS: &str = "seq, at, actor, action, subject, ip, detail, prev_hash, hash";

impl Tx {
    /// Append an entry to the chain. The head row is updated first: that write locks it
    /// until this transaction ends, so concurrent writers chain one after the other.
    pub async fn audit(&mut self, event: &AuditEvent) -> Result<AuditEntry> {
        let event = AuditEvent {
            at: event.at,
            actor: clip(&event.actor),
            action: clip(&event.action),
            subject: clip(&event.subject),
            ip: clip(&event.ip),
            detail: clip(&event.detail),
        };
        let head =
            sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(self.conn())
                .await?;
        let seq: i64 = head.get(0);
        let prev_hash: String = head.get(1);
        let hash = entry_hash(&prev_hash, seq, &event);
        sqlx::query(&format!(
            "INSERT INTO audit_log ({ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(seq)
        .bind(event.at)
        .bind(&event.actor)
        .bind(&event.action)
        .bind(&event.subject)
        .bind(&event.ip)
        .bind(&event.detail)
        .bind(&prev_hash)
        .bind(&hash)
        .execute(self.conn())
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&hash)
            .execute(self.conn())
            .await?;
        Ok(AuditEntry {
            seq,
            event,
            prev_hash,
            hash,
        })
    }
}

impl Store {
    /// Append one entry in a transaction of its own (for events that change nothing
    /// else: a login, a logout).
    pub async fn record_audit(&self, event: &AuditEvent) -> Result<AuditEntry> {
        let mut tx = self.begin().await?;
        let entry = tx.audit(event).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// A page of entries, newest first.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log \
             WHERE ($1 = '' OR action = $1) AND ($2 = '' OR actor = $2) AND ($3 = '' OR subject = $3) \
             AND ($4 <= 0 OR seq < $4) ORDER BY seq DESC LIMIT $5"
        ))
        .bind(filter.action.clone().unwrap_or_default())
        .bind(filter.actor.clone().unwrap_or_default())
        .bind(filter.subject.clone().unwrap_or_default())
        .bind(filter.before_seq.unwrap_or(0))
        .bind(filter.limit.clamp(1, 1000))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(entry_from_row).collect())
    }

    /// Entries with `seq` in `from..=to`, oldest first (the verifier reads the chain in
    /// bounded chunks).
    pub async fn audit_range(&self, from: i64, to: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq >= $1 AND seq <= $2 ORDER BY seq"
        ))
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(entry_from_row).collect())
    }

    /// The head row.
    pub async fn audit_head(&self) -> Result<AuditHead> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map_or(
            AuditHead {
                seq: 0,
                hash: GENESIS_HASH.into(),
            },
            |r| AuditHead {
                seq: r.get(0),
                hash: r.get(1),
            },
        ))
    }

    /// Number of entries and the highest sequence number stored.
    pub async fn audit_extent(&self) -> Result<(i64, i64)> {
        let row = sqlx::query("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM audit_log")
            .fetch_one(self.pool())
            .await?;
        Ok((row.get(0), row.get(1)))
    }

    /// Move the unchained entries of the first audit table (migration 0003) into the
    /// chain, oldest first, once. Databases made before the chain existed keep their
    /// history this way; new ones have nothing to move.
    pub(crate) async fn chain_legacy_audit_events(&self) -> Result<()> {
        let waiting = sqlx::query("SELECT COUNT(*) FROM audit_event")
            .fetch_one(self.pool())
            .await?;
        if waiting.get::<i64, _>(0) == 0 {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        let rows = sqlx::query(
            "SELECT id, at, actor, action, subject, ip, detail FROM audit_event ORDER BY id",
        )
        .fetch_all(tx.conn())
        .await?;
        for r in &rows {
            tx.audit(&AuditEvent {
                at: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                subject: r.get(4),
                ip: r.get(5),
                detail: r.get(6),
            })
            .await?;
        }
        sqlx::query("DELETE FROM audit_event")
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(detail: &str) -> AuditEvent {
        AuditEvent {
            at: 1,
            actor: "a".into(),
            action: "x".into(),
            subject: "s".into(),
            ip: String::new(),
            detail: detail.into(),
        }
    }

    #[test]
    fn hashes_depend_on_every_field_and_the_predecessor() {
        let h = entry_hash(GENESIS_HASH, 1, &event("d"));
        assert_eq!(h.len(), 64);
        assert_ne!(h, entry_hash(GENESIS_HASH, 2, &event("d")));
        assert_ne!(h, entry_hash(&h, 1, &event("d")));
        assert_ne!(h, entry_hash(GENESIS_HASH, 1, &event("e")));
        // A newline cannot move text from one field into the next unnoticed.
        let mut a = event("d");
        a.subject = "s\nx".into();
        let mut b = event("d");
        b.subject = "s".into();
        b.action = "x\nx".into();
        assert_ne!(
            entry_hash(GENESIS_HASH, 1, &a),
            entry_hash(GENESIS_HASH, 1, &b)
        );
    }

    #[test]
    fn long_fields_are_clipped() {
        let long = "a".repeat(1_000_000);
        let clipped = clip(&long);
        assert!(clipped.len() < MAX_AUDIT_FIELD_CHARS + 40);
        assert!(clipped.ends_with("(1000000 characters)"));
    }
}
