-- Early warning: alerts raised by `hemi warn run`, event lifecycle changes, and the
-- notification outbox with its delivery log.
--
-- Events themselves are derived from alerts (same nationality, several reporting
-- countries, within a window), so only what people decide about them is stored:
-- each status change, by whom and why, append-only.

CREATE TABLE alert (
    id INTEGER PRIMARY KEY,
    reporting TEXT NOT NULL,
    nationality TEXT NOT NULL,          -- '' for a total across nationalities
    measure TEXT NOT NULL,
    month TEXT NOT NULL,                -- YYYY-MM the alert is about
    value DOUBLE PRECISION NOT NULL,
    expected DOUBLE PRECISION,
    upper_bound DOUBLE PRECISION,
    score DOUBLE PRECISION,
    detectors TEXT NOT NULL,            -- names of the detectors that alarmed
    event_id TEXT NOT NULL,
    data_arrived_at TEXT NOT NULL,      -- RFC 3339: import that brought the month
    raised_at TEXT NOT NULL,            -- RFC 3339: when the alert was recorded
    UNIQUE (reporting, nationality, measure, month)
);
CREATE INDEX alert_by_event ON alert (event_id);

CREATE TABLE event_transition (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX event_transition_by_event ON event_transition (event_id);

CREATE TABLE subscriber (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    webhook_url TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1
);

-- One row per alert and subscriber; the sender retries with backoff until delivered.
CREATE TABLE notification (
    id INTEGER PRIMARY KEY,
    alert_id BIGINT NOT NULL REFERENCES alert (id),
    subscriber_id BIGINT NOT NULL REFERENCES subscriber (id),
    payload TEXT NOT NULL,
    status TEXT NOT NULL,               -- pending | delivered | failed
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE (alert_id, subscriber_id)
);

CREATE TABLE delivery_attempt (
    id INTEGER PRIMARY KEY,
    notification_id BIGINT NOT NULL REFERENCES notification (id),
    attempted_at TEXT NOT NULL,
    http_status BIGINT,
    error TEXT
);
