//! Kinvault's genetic risk engine (a domain crate: no database, no UI).
//!
//! - [`mendelian`]: exact genotype posteriors for one biallelic locus per catalog condition on
//!   any pedigree, loops included, by variable elimination over genotype factors.
//! - [`stratify`]: family-history stratification of multifactorial conditions (Scheuner 1997 as
//!   used by CDC Family Healthware) and the Lynch syndrome criteria (Amsterdam II, revised
//!   Bethesda).
//!
//! Memory: an assessment allocates in proportion to the pedigree it reads (bounded by
//! [`mendelian::Limits`]) and frees everything when it returns; nothing is cached.

pub mod input;
pub mod mendelian;
pub mod stratify;

pub use input::{ConditionFact, Ix, Member, Pedigree, TestFact};
