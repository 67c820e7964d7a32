//! The family graph and what genealogists and clinicians ask of it: ancestors and descendants,
//! how two people are related (in English, the way Gramps names it), and exact kinship and
//! inbreeding coefficients (autosomal and X-chromosome).
//!
//! - [`FamilyGraph::build`] turns people and [`kinvault_model::Family`] records into a compact
//!   graph (about 75 bytes per person) and reports data problems — including cycles, which it
//!   breaks — as [`GraphWarning`]s. Incremental updates: [`FamilyGraph::add_person`],
//!   [`FamilyGraph::add_family`], [`FamilyGraph::remove_family`]...
//! - [`FamilyGraph::ancestors`] / [`FamilyGraph::descendants`]: by generation, with pedigree
//!   collapse.
//! - [`FamilyGraph::relate`]: every relationship path, named, with its common ancestors.
//! - [`FamilyGraph::kinship`], [`FamilyGraph::inbreeding`], their `_x` forms, and
//!   [`FamilyGraph::kappa`]: exact [`Dyadic`] values ("1/16").
//!
//! ```
//! use kinvault_model::{Family, FamilyChild, Sex};
//! use kinvault_pedigree::{FamilyGraph, RelateOptions};
//! use uuid::Uuid;
//!
//! let [dad, mum, ann, bob] = [1u128, 2, 3, 4].map(Uuid::from_u128);
//! let mut fam = Family::new(vec![dad, mum]);
//! fam.children = vec![FamilyChild { person: ann, links: vec![] }, FamilyChild { person: bob, links: vec![] }];
//! let people = [(dad, Sex::Male), (mum, Sex::Female), (ann, Sex::Female), (bob, Sex::Male)];
//! let (graph, warnings) = FamilyGraph::build(people, [&fam]);
//! assert!(warnings.is_empty());
//!
//! let rel = graph.relate(ann, bob, &RelateOptions::default()).unwrap();
//! assert_eq!(rel.primary().unwrap().name, "brother");
//! assert_eq!(graph.kinship(ann, bob).unwrap().to_string(), "1/4");
//! assert_eq!(graph.kinship_x(ann, bob).unwrap().to_string(), "1/4");
//! ```
//!
//! All searches are iterative (no recursion, so a million-generation chain cannot overflow the
//! stack) and bounded (generations, visited people, work), and nothing is cached between calls:
//! memory is the graph plus what one query touches. See `docs/pedigree.md`.

mod dyadic;
mod error;
mod graph;
mod hash;
pub mod kinship;
pub mod lineage;
mod names;
mod petgraph_impl;
pub mod relate;

pub use dyadic::{Dyadic, ParseDyadicError};
pub use error::PedigreeError;
pub use graph::{Children, FamilyGraph, GraphWarning, LegalKind, Partners, PersonIx};
pub use kinship::{Chromosome, Kappa, KinshipOptions};
pub use lineage::{LineageEntry, Links};
pub use petgraph_impl::{Neighbors, NodeIds};
pub use relate::{RelateOptions, RelationKind, Relationship, Relationships};
