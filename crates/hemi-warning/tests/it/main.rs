//! Integration tests: agreement with R `surveillance` 1.20.3 on real series, and the
//! no-look-ahead property. Fixtures are made by `test_data/make_fixtures.R`.

mod fixtures;
mod lookahead;
mod support;
