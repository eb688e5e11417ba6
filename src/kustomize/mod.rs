//! The kustomize view: `kustomization.yaml` rendering with patches applied.
pub mod index;
mod inline;
pub mod json6902;
mod names;
pub mod render;
pub mod select;
pub mod smp;
pub mod tree;
