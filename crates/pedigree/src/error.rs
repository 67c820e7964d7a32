use uuid::Uuid;

/// Errors of the pedigree queries. Graph building never fails (it returns warnings instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PedigreeError {
    #[error("person {0} is not in the family graph")]
    UnknownPerson(Uuid),
    #[error("X-chromosome coefficients need the sex of {0}, which is not recorded as male or female")]
    UnknownSex(Uuid),
    #[error("cannot tell which parent of {0} is the mother (X-chromosome coefficients)")]
    AmbiguousMother(Uuid),
    #[error("the ancestry to analyse has more than {limit} people")]
    TooLarge { limit: usize },
    #[error("the computation exceeded its limit of {0} steps")]
    WorkLimit(u64),
    #[error("{0} is inbred; kappa (k0, k1, k2) is defined here for non-inbred people only")]
    Inbred(Uuid),
}
