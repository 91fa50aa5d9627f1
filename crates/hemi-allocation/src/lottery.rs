//! Lottery (placeholder).
/// Placeholder.
#[derive(Debug)]
pub struct Difference;
impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "x")
    }
}
