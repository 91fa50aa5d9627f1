-- Flow data: sources, import batches (vintages), series and observations.
--
-- An observation row is never updated: a re-published value is a new row with the
-- next vintage of its source, so every earlier state can be read back.

CREATE TABLE source (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,          -- the profile name
    publisher TEXT NOT NULL,
    table_title TEXT NOT NULL,
    licence TEXT NOT NULL,
    link TEXT NOT NULL
);

-- One row per import that changed something; vintage counts them per source.
CREATE TABLE import_batch (
    id INTEGER PRIMARY KEY,
    source_id BIGINT NOT NULL REFERENCES source (id),
    vintage BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    imported_at TEXT NOT NULL,          -- RFC 3339, UTC
    rows_read BIGINT NOT NULL,
    observations_new BIGINT NOT NULL,
    observations_changed BIGINT NOT NULL,
    observations_unchanged BIGINT NOT NULL,
    report TEXT NOT NULL,               -- JSON: combined duplicate keys and recodes
    UNIQUE (source_id, vintage)
);

CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    source_id BIGINT NOT NULL REFERENCES source (id),
    reporting TEXT NOT NULL,            -- ISO3 of the reporting country
    measure TEXT NOT NULL,
    breakdown TEXT NOT NULL,            -- additive group: series of one breakdown may be summed
    nationality TEXT,                   -- ISO3, NULL when the series has none
    dims TEXT NOT NULL,                 -- canonical name=value;name=value
    value_kind TEXT NOT NULL,           -- count | number
    UNIQUE (source_id, reporting, measure, breakdown, dims)
);
CREATE INDEX series_by_reporting ON series (reporting, nationality);
CREATE INDEX series_by_nationality ON series (nationality);

CREATE TABLE observation (
    series_id BIGINT NOT NULL REFERENCES series (id),
    period TEXT NOT NULL,               -- YYYY or YYYY-MM; text order is time order
    vintage BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (series_id, period, vintage)
);

CREATE TABLE country (
    iso3 TEXT PRIMARY KEY,
    iso2 TEXT NOT NULL,
    m49 TEXT NOT NULL,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    subregion TEXT NOT NULL,
    intregion TEXT NOT NULL
);
