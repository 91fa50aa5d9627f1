//! Integration tests: the three attacks reproduced against the old method and
//! the new one, and the attacker's LP over whole families of public tables built from
//! the bundled data.

mod attacks;
mod before;
mod data;
mod families;
mod publish;
mod reference;

/// Tolerance for comparing computed figures with stored references: the one place it lives.
pub fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * (1.0 + b.abs())
}

/// The secret key used in tests. A deployment's key is random and never in the repository.
pub const TEST_KEY: &[u8] = b"hemi-disclosure integration tests: not a secret key";

/// The protection width every audit here checks.
pub const WIDTH: f64 = hemi_disclosure::DEFAULT_PROTECTION_WIDTH_PEOPLE;
