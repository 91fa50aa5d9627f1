-- L.A. Process governance: the living declaration (one whole version per decision),
-- sessions and their decisions, commitments with progress and assessments, funding,
-- the Task Force's agencies and stakeholder council, quarterly recommendations, and
-- response tasks created from playbooks when an event is confirmed.
--
-- Dates are text YYYY-MM-DD (text order is time order); recorded_at, due_at and
-- updated_at are Unix seconds (UTC). JSON columns hold serde_json text written and read
-- by hemi-store only, so no engine JSON function is used.
-- declaration_version, commitment_progress and commitment_assessment are append-only.

CREATE TABLE gov_session (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                 -- ministerial | emergency
    held_on TEXT NOT NULL,
    host TEXT NOT NULL,
    title TEXT NOT NULL,
    participants TEXT NOT NULL,         -- comma-separated signatory codes and organisations
    agenda TEXT NOT NULL,               -- one item per line
    minutes TEXT NOT NULL,
    event_id TEXT,                      -- early-warning event an emergency session responds to
    recorded_at BIGINT NOT NULL
);

CREATE TABLE declaration_version (
    id INTEGER PRIMARY KEY,
    version BIGINT NOT NULL UNIQUE,
    effective_on TEXT NOT NULL,         -- date the change took effect (the session's date)
    recorded_at BIGINT NOT NULL,
    changed_by TEXT NOT NULL,
    session_id BIGINT REFERENCES gov_session (id),
    reason TEXT NOT NULL,
    changes TEXT NOT NULL,              -- JSON array of typed changes
    snapshot TEXT NOT NULL              -- JSON of the whole declaration after the change
);

CREATE TABLE commitment (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    pillar TEXT NOT NULL,
    title TEXT NOT NULL,
    unit TEXT NOT NULL,
    baseline_value DOUBLE PRECISION NOT NULL,
    baseline_date TEXT NOT NULL,
    target_value DOUBLE PRECISION NOT NULL,
    target_date TEXT NOT NULL,
    status TEXT NOT NULL,               -- active | stopped | complete | withdrawn
    arrangement TEXT,                   -- alternate arrangement when its owner withdrew
    recorded_at BIGINT NOT NULL
);

CREATE TABLE commitment_dependency (
    commitment_id BIGINT NOT NULL REFERENCES commitment (id),
    depends_on BIGINT NOT NULL REFERENCES commitment (id),
    PRIMARY KEY (commitment_id, depends_on)
);

CREATE TABLE commitment_progress (
    id INTEGER PRIMARY KEY,
    commitment_id BIGINT NOT NULL REFERENCES commitment (id),
    reported_on TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    source TEXT NOT NULL,
    evidence_url TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX commitment_progress_by_commitment ON commitment_progress (commitment_id, reported_on);

CREATE TABLE commitment_assessment (
    id INTEGER PRIMARY KEY,
    commitment_id BIGINT NOT NULL REFERENCES commitment (id),
    session_id BIGINT NOT NULL REFERENCES gov_session (id),
    level TEXT NOT NULL,                -- not_started | limited | substantial | complete | withdrawn
    decision TEXT NOT NULL,             -- continue | stop
    note TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);

CREATE TABLE funding (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                 -- pledge | disbursement
    donor TEXT NOT NULL,
    recipient TEXT NOT NULL,
    pillar TEXT NOT NULL,
    commitment_id BIGINT REFERENCES commitment (id),
    amount DOUBLE PRECISION NOT NULL,
    currency TEXT NOT NULL,             -- ISO 4217, never converted
    dated_on TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);

CREATE TABLE taskforce_agency (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL                -- permanent | ad_hoc_security
);

-- One row per appointment; removed_on is set when the seat is emptied.
CREATE TABLE council_seat (
    id INTEGER PRIMARY KEY,
    seat TEXT NOT NULL,
    holder TEXT NOT NULL,
    us_expert BIGINT NOT NULL,          -- 1 for a US expert
    appointed_by TEXT NOT NULL,
    appointed_on TEXT NOT NULL,
    removed_on TEXT
);

CREATE TABLE recommendation (
    id INTEGER PRIMARY KEY,
    quarter TEXT NOT NULL,              -- 2023Q3
    text TEXT NOT NULL,
    addressed_to TEXT NOT NULL,
    made_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);

CREATE TABLE response_task (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    playbook TEXT NOT NULL,
    task_key TEXT NOT NULL,
    trigger_text TEXT NOT NULL,
    assignee TEXT NOT NULL,
    what TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    escalate_to TEXT NOT NULL,
    status TEXT NOT NULL,               -- open | in_progress | done | cancelled
    evidence TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (event_id, task_key)
);
