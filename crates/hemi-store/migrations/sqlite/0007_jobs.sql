-- Long work (replays after an import, solves, record linkage) runs as a job off the
-- request path; the web app and the CLI read its progress here.
CREATE TABLE job (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                -- e.g. warn_after_import
    state TEXT NOT NULL,               -- queued | running | succeeded | failed
    done BIGINT NOT NULL,              -- progress: units done ...
    total BIGINT NOT NULL,             -- ... of this many (0 when unknown)
    message TEXT NOT NULL,             -- what it is doing now
    result TEXT,                       -- JSON, when succeeded
    error TEXT,                        -- when failed (no secrets, no personal data)
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT
);
CREATE INDEX job_by_state ON job (state, id);
