//! Flow data: declarative source profiles, parsing and validation of the tables that
//! publishers release, and the vintage rule that decides what a re-published file changes.
//!
//! Data flows one way: a [`Profile`] (TOML, one per publisher format) is matched to a
//! file by [`ProfileSet::detect`]; [`parse_table`] streams the file's rows through the
//! profile and yields a [`ParsedTable`] (observations keyed by [`SeriesKey`] and
//! [`Period`](hemi_core::Period)) or every problem found as
//! [`Diagnostics`](hemi_core::Diagnostics); [`classify_vintage`] compares it with what is stored.
//!
//! Nothing here touches the file system or a database: callers hand in bytes, so the
//! same code serves the CLI, the web upload and the tests.
#![deny(missing_docs)]

mod export;
mod header;
mod parse;
mod profile;
mod series;
mod vintage;

pub use export::{format_value, write_export, ExportFormat, ExportRow};
pub use header::{check_is_csv, decode_header, read_header};
pub use parse::{
    parse_table, parse_table_with_limit, CombinedKey, ParsedTable, RecodeCount, MAX_FIELD_BYTES,
    MAX_OBSERVATIONS,
};
pub use profile::{
    BreakdownRule, BreakdownSpec, CodeList, Combine, DetectError, DimensionSpec, Empty,
    PeriodGranularity, PeriodSpec, Profile, ProfileError, ProfileKind, ProfileSet, Recode,
    Recognise, ReportingSpec, SourceInfo, ValueKind, ValueSpec,
};
pub use series::SeriesKey;
pub use vintage::{classify_vintage, VintageDiff};
