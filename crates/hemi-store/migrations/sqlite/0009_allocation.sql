-- Allocation (issue 15): households registered for the appointment lottery, draws with
-- their committed and published texts, placement instances and plans (a plan that
-- overrides one household keeps the plan it came from and the reason).

-- A household asking for an appointment. `record` is the whole registration as JSON
-- (members with nationality, sex and age are private: only aggregates are published).
CREATE TABLE lottery_registration (
    household_id TEXT PRIMARY KEY,
    registered_on TEXT NOT NULL,          -- YYYY-MM-DD
    people BIGINT NOT NULL,
    record TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    registered_by TEXT NOT NULL
);
CREATE INDEX lottery_registration_by_day ON lottery_registration (registered_on);

-- A draw: opened with its commitment over the canonical texts kept here, drawn once the
-- public value is known. The texts are never changed after opening.
CREATE TABLE lottery_draw (
    id INTEGER PRIMARY KEY,
    draw_date TEXT NOT NULL,
    registration_closed_on TEXT NOT NULL,
    policy_text TEXT NOT NULL,
    registrations_text TEXT NOT NULL,
    commitment TEXT NOT NULL,
    households BIGINT NOT NULL,
    people BIGINT NOT NULL,
    public_value_source TEXT NOT NULL,    -- where the public value will come from
    opened_at BIGINT NOT NULL,
    opened_by TEXT NOT NULL,
    public_value TEXT,
    seed TEXT,
    statistics TEXT,                      -- JSON: counts and probabilities by band and nationality
    drawn_at BIGINT,
    drawn_by TEXT
);

-- What the public page and API serve for a draw, file by file (policy.txt,
-- commitment.txt, registrations.csv, public_value.txt, result.csv): `hemi appointments
-- verify` re-runs from these, so a changed copy is caught.
CREATE TABLE lottery_publication (
    draw_id BIGINT NOT NULL REFERENCES lottery_draw (id),
    file TEXT NOT NULL,
    content TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (draw_id, file)
);

-- A placement instance as its three files (households, sites, arcs).
CREATE TABLE placement_instance (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    households_csv TEXT NOT NULL,
    sites_csv TEXT NOT NULL,
    arcs_csv TEXT NOT NULL,
    households BIGINT NOT NULL,
    people BIGINT NOT NULL,
    sites BIGINT NOT NULL,
    capacity_people BIGINT NOT NULL,
    arcs BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

-- A plan for an instance: solved (with its proved bound) or an override of one
-- household in an earlier plan (based_on, household_id, reason).
CREATE TABLE placement_plan (
    id INTEGER PRIMARY KEY,
    instance_id BIGINT NOT NULL REFERENCES placement_instance (id),
    plan_csv TEXT NOT NULL,
    prices TEXT NOT NULL,                 -- JSON: the solver's price per person of each site
    objective DOUBLE PRECISION NOT NULL,
    upper_bound DOUBLE PRECISION,
    relative_gap DOUBLE PRECISION,
    households_placed BIGINT NOT NULL,
    households_unplaced BIGINT NOT NULL,
    feasible BIGINT NOT NULL,             -- 1 when capacities and hard ties hold
    based_on BIGINT REFERENCES placement_plan (id),
    household_id TEXT,
    reason TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX placement_plan_by_instance ON placement_plan (instance_id, id);
