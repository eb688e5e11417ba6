//! The kustomize view: `kustomization.yaml` rendering with patches applied.
pub mod json6902;
pub mod render;
pub mod select;
pub mod smp;
pub mod tree;
