//! Static assets compiled into the binary, served under a content-fingerprinted name
//! so browsers may cache them for a year: a changed file gets a new name.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const APP_CSS: &str = include_str!("../assets/app.css");

/// The stylesheet's URL path, e.g. `/static/app.1a2b3c4d5e6f.css`.
pub fn css_path() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let digest = hex::encode(Sha256::digest(APP_CSS.as_bytes()));
        format!("/static/app.{}.css", &digest[..12])
    })
}

/// Serve an asset by its fingerprinted name.
pub async fn serve(Path(file): Path<String>) -> Response {
    if format!("/static/{file}") == css_path() {
        (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            APP_CSS,
        )
            .into_response()
    } else {
        (StatusCode::NOT_FOUND, "no such asset").into_response()
    }
}
