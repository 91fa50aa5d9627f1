-- The migrant registry. Personal fields are never stored in plaintext: a person's record
-- is one AEAD envelope (`v1:KEYID:NONCE:CIPHERTEXT`, bound to its person id), searchable
-- only through keyed hashes (HMAC blind indexes) of normalised values. What stays in
-- plaintext is what statistics and access need: office, cluster, permit states, and the
-- nationality of a permit (counted, and only published through disclosure control).
CREATE TABLE registry_person (
    person_id TEXT PRIMARY KEY,
    cluster_id TEXT NOT NULL,          -- the person this record is (stable across runs)
    office TEXT NOT NULL,              -- registering office ('' for none); scopes access
    record TEXT NOT NULL,              -- encrypted JSON of the personal fields
    key_id TEXT NOT NULL,              -- key of the envelope (rotation finds old ones)
    registered_by TEXT NOT NULL,
    registered_at BIGINT NOT NULL
);
CREATE INDEX registry_person_by_cluster ON registry_person (cluster_id);

CREATE TABLE registry_blind_index (
    person_id TEXT NOT NULL REFERENCES registry_person (person_id),
    kind TEXT NOT NULL,                -- exact_name | phonetic_name | date_of_birth | document_number | phone
    term TEXT NOT NULL,                -- hex HMAC-SHA256 under the index key
    PRIMARY KEY (person_id, kind, term)
);
CREATE INDEX registry_blind_index_by_term ON registry_blind_index (kind, term);

-- One row per key id ever used: a value encrypted under it, to tell a wrong key file
-- from the right one before anything is written.
CREATE TABLE registry_key_check (
    key_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,                -- encryption | index
    check_value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The linkage model (m, u, term frequencies) new registrations are scored with.
CREATE TABLE registry_model (
    id INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    trained_on TEXT NOT NULL,
    trained_at BIGINT NOT NULL
);

CREATE TABLE registry_permit (
    permit_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES registry_person (person_id),
    program_id TEXT NOT NULL,
    nationality TEXT NOT NULL,         -- ISO3 or UNK, for statistics
    state TEXT NOT NULL,
    valid_until TEXT,
    history TEXT NOT NULL,             -- JSON transitions (actor, time, reason)
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX registry_permit_by_person ON registry_permit (person_id);

-- Pairs a caseworker decides; the decision is kept and every later linkage respects it.
CREATE TABLE registry_review (
    id INTEGER PRIMARY KEY,
    record_a TEXT NOT NULL,
    record_b TEXT NOT NULL,
    reason TEXT NOT NULL,
    match_probability DOUBLE PRECISION NOT NULL,
    explanation TEXT NOT NULL,         -- JSON field-by-field weights (no personal values)
    created_at BIGINT NOT NULL,
    decision TEXT,                     -- same_person | different_people, NULL while open
    decided_by TEXT,
    decided_at BIGINT,
    decision_reason TEXT,
    UNIQUE (record_a, record_b)
);
CREATE INDEX registry_review_open ON registry_review (decision, id);
