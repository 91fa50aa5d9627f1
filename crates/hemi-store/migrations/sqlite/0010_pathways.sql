-- Legal pathways (issue 14): Safe Mobility Office cases, referrals, the caps ledger.
-- A Safe Mobility Office case: a household with members.
CREATE TABLE pathways_application (
    application_id TEXT PRIMARY KEY,
    office TEXT NOT NULL,
    received_on TEXT NOT NULL,
    withdrawn_on TEXT,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX pathways_application_by_office ON pathways_application (office, received_on);

CREATE TABLE pathways_member (
    person_id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES pathways_application (application_id),
    position BIGINT NOT NULL,            -- order in the household, from 0
    given_names TEXT NOT NULL,
    family_names TEXT NOT NULL,
    date_of_birth TEXT,
    sex TEXT NOT NULL,
    nationality TEXT NOT NULL,
    relationship TEXT NOT NULL,
    facts TEXT NOT NULL                  -- JSON: facts known at intake
);
CREATE INDEX pathways_member_by_application ON pathways_member (application_id, position);

-- Screening interviews (append-only): the facts established and the verdicts then.
CREATE TABLE pathways_interview (
    id INTEGER PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES pathways_application (application_id),
    person_id TEXT NOT NULL REFERENCES pathways_member (person_id),
    held_on TEXT NOT NULL,
    interviewer TEXT NOT NULL,
    facts TEXT NOT NULL,                 -- JSON: every fact after the interview
    notes TEXT NOT NULL,
    verdicts TEXT NOT NULL,              -- JSON: program -> verdict on held_on
    recorded_at BIGINT NOT NULL
);
CREATE INDEX pathways_interview_by_person ON pathways_interview (person_id, id);

-- A referral reserves places. `active_key` is person|program while the referral is
-- active and NULL after: the unique constraint is the last word on one active
-- referral per person and program, even for two officers referring at once.
CREATE TABLE pathways_referral (
    id INTEGER PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES pathways_application (application_id),
    person_id TEXT NOT NULL REFERENCES pathways_member (person_id),
    program TEXT NOT NULL,
    referred_on TEXT NOT NULL,
    places BIGINT NOT NULL,
    state TEXT NOT NULL,                 -- pending | approved | denied | withdrawn | travelled
    active_key TEXT UNIQUE,
    referred_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX pathways_referral_by_application ON pathways_referral (application_id);

CREATE TABLE pathways_outcome (
    id INTEGER PRIMARY KEY,
    referral_id BIGINT NOT NULL REFERENCES pathways_referral (id),
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX pathways_outcome_by_referral ON pathways_outcome (referral_id, id);

-- Caps: one row per cap pool and period with running totals. A reservation is one
-- conditional UPDATE (... WHERE the places left cover it), so concurrent referrals
-- can never take more than the cap; the ledger keeps every movement.
CREATE TABLE pathways_cap_bucket (
    pool TEXT NOT NULL,
    period TEXT NOT NULL,                -- FY2024, FY2024-H1, 2023-05, 2024, total
    limit_places BIGINT NOT NULL,
    raised_places BIGINT NOT NULL,
    reserved_places BIGINT NOT NULL,
    used_places BIGINT NOT NULL,
    released_places BIGINT NOT NULL,
    PRIMARY KEY (pool, period)
);

CREATE TABLE pathways_ledger (
    id INTEGER PRIMARY KEY,
    pool TEXT NOT NULL,
    period TEXT NOT NULL,
    program TEXT NOT NULL,
    referral_id BIGINT REFERENCES pathways_referral (id),
    movement TEXT NOT NULL,              -- reserve | use | release | raise
    places BIGINT NOT NULL,
    on_date TEXT NOT NULL,
    reason TEXT NOT NULL,                -- for a raise: why (event, playbook task)
    recorded_at BIGINT NOT NULL
);
CREATE INDEX pathways_ledger_by_program ON pathways_ledger (program, on_date);

-- Possible duplicate applications of one person, for a caseworker to resolve.
CREATE TABLE pathways_duplicate (
    id INTEGER PRIMARY KEY,
    first_application TEXT NOT NULL,
    first_person TEXT NOT NULL,
    second_application TEXT NOT NULL,
    second_person TEXT NOT NULL,
    likeness TEXT NOT NULL,              -- exact | fuzzy
    similarity DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL,                -- open | same_person | different_people
    recorded_at BIGINT NOT NULL,
    UNIQUE (first_person, second_person)
);
