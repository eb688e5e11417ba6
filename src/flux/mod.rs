//! The Flux model.
pub mod subst;
