-- Access control: users, browser sessions, API tokens, and an append-only audit log.
--
-- Secrets are never stored: passwords as argon2 PHC strings, session and API tokens as
-- SHA-256 hex of the random token handed out. Times are Unix seconds (UTC).
-- audit_event is append-only: the application only ever inserts into it.

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,                 -- admin | secretariat | watch_officer | national_officer | pathways_officer
    country TEXT,                       -- ISO3; set for national officers only
    password_hash TEXT NOT NULL,        -- argon2id PHC string
    created_at BIGINT NOT NULL,
    disabled_at BIGINT                  -- NULL while the account is active
);

CREATE TABLE user_session (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX user_session_by_user ON user_session (user_id);

CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE audit_event (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,                -- user name, or "cli" / "anonymous"
    action TEXT NOT NULL,               -- login_ok | login_failed | login_throttled | logout | user_added | ...
    subject TEXT NOT NULL,              -- the user name acted on
    ip TEXT NOT NULL,                   -- client address, empty from the CLI
    detail TEXT NOT NULL
);
CREATE INDEX audit_event_by_subject ON audit_event (action, subject, at);
