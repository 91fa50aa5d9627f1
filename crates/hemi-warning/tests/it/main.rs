//! Integration tests: agreement with R `surveillance` 1.20.3 on real series, and the
//! no-look-ahead property. Fixtures are made by `test_data/make_fixtures.R`. Rules,
//! replay, events, roles, corridors, forecasts and evaluation run on the real tables in
//! `data/` (`realdata`, `warning`, `routes`).

mod fixtures;
mod forecasts;
mod lookahead;
mod protocol;
mod realdata;
mod routes;
mod support;
mod warning;
