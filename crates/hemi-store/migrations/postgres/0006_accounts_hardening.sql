-- Login limits charged atomically, uploads that survive a restart, office scopes, and
-- the server's own secrets.

-- One counter per key ("user:<name>", "ip:<address>") and window: an attempt is charged
-- with one upsert that returns the new count, before the password is checked, so
-- parallel attempts cannot all pass a limit that each read before the others wrote.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,      -- Unix seconds
    attempts BIGINT NOT NULL
);
CREATE INDEX login_throttle_by_window ON login_throttle (window_start);

-- A validated upload waiting for its commit, bound to the user who sent it.
CREATE TABLE pending_upload (
    id TEXT PRIMARY KEY,               -- random token, hex
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    created_at BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    profile TEXT NOT NULL,
    content BYTEA NOT NULL
);
CREATE INDEX pending_upload_by_user ON pending_upload (user_id, created_at);

-- Office a pathways or registry officer works in (NULL for other roles).
ALTER TABLE app_user ADD COLUMN office TEXT;

-- Keys the server makes for itself on first start (e.g. the login form's CSRF signing key).
CREATE TABLE app_secret (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
