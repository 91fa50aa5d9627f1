//! Employment-likelihood model (placeholder while the solver is measured).
