-- A tamper-evident audit log: every entry carries the SHA-256 of the entry before it,
-- so changing, removing or reordering an entry breaks the chain from there on
-- (`hemi audit verify` names the first broken link).
--
-- audit_head holds the newest sequence number and hash in its single row. A writer
-- first updates that row (which locks it until commit on PostgreSQL and takes the write
-- lock on SQLite), so entries are chained in commit order even with concurrent writers.
-- Entries are written in the same transaction as the change they record.
-- The old unchained audit_event rows are moved into the chain when the store opens.

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,            -- 1, 2, 3, ... (taken from audit_head)
    at BIGINT NOT NULL,                -- Unix seconds
    actor TEXT NOT NULL,               -- user name, cli:<os user>, or anonymous
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    ip TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,           -- hash of entry seq - 1 (64 zeros for the first)
    hash TEXT NOT NULL                 -- SHA-256 over prev_hash and this entry's fields
);
CREATE INDEX audit_log_by_action ON audit_log (action, at);
CREATE INDEX audit_log_by_actor ON audit_log (actor, at);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Defence in depth (the chain is the evidence; these only stop accidents and casual
-- tampering through the application's own connection). Engines without triggers may
-- leave them out: nothing in the application depends on them.
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
