//! The code systems, codes and value formats both FHIR directions share.

use kinvault_model::{CodeSystem, DateQualifier, GDate, Sex};

pub const ROLE_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
/// The pre-R4 URI of the same code system, still found in files.
pub const ROLE_CODE_OLD: &str = "http://hl7.org/fhir/v3/RoleCode";
pub const KIN: &str = "http://purl.org/ga4gh/kin.fhir";
pub const SNOMED: &str = "http://snomed.info/sct";
pub const ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
pub const UCUM: &str = "http://unitsofmeasure.org";
pub const GENDER: &str = "http://hl7.org/fhir/administrative-gender";
pub const VER_STATUS: &str = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
pub const LIST_EMPTY_REASON: &str = "http://terminology.hl7.org/CodeSystem/list-empty-reason";
pub const PATIENT_RECORD: &str = "http://hl7.org/fhir/StructureDefinition/familymemberhistory-patient-record";
pub const SECTION_TYPE: &str = "http://purl.org/ga4gh/pedigree-fhir-ig/CodeSystem/SectionType";
pub const PROFILE_PEDIGREE: &str = "http://purl.org/ga4gh/pedigree-fhir-ig/StructureDefinition/Pedigree";
pub const PROFILE_INDIVIDUAL: &str = "http://purl.org/ga4gh/pedigree-fhir-ig/StructureDefinition/PedigreeIndividual";
pub const PROFILE_RELATIONSHIP: &str =
    "http://purl.org/ga4gh/pedigree-fhir-ig/StructureDefinition/PedigreeRelationship";
/// Kinvault's condition catalog ids as a FHIR code system (the `kinvault` code system).
pub const KINVAULT_CONDITION: &str = "https://kinvault.org/fhir/CodeSystem/condition";
/// Identifier system of relationship resources Kinvault writes.
pub const KINVAULT_RELATIONSHIP: &str = "https://kinvault.org/fhir/pedigree-relationship";
/// SNOMED CT "Family history section (record artifact)": the Pedigree Composition's type.
pub const PEDIGREE_TYPE: (&str, &str) = ("422432008", "Family history section (record artifact)");
/// SNOMED CT "Dead": the outcome of a condition that caused death.
pub const OUTCOME_DEAD: (&str, &str) = ("419099009", "Dead");

/// The FHIR URI of a model code system (`None`: `Other`, written as text only).
pub fn system_uri(s: CodeSystem) -> Option<&'static str> {
    Some(match s {
        CodeSystem::Snomed => SNOMED,
        CodeSystem::Icd10 => ICD10,
        CodeSystem::Omim => "https://omim.org",
        CodeSystem::Mondo => "http://purl.obolibrary.org/obo/mondo.owl",
        CodeSystem::Hpo => "http://human-phenotype-ontology.org",
        CodeSystem::Kinvault => KINVAULT_CONDITION,
        CodeSystem::Other => return None,
    })
}

/// The model code system of a FHIR URI (also the variants other tools write).
pub fn system_of(uri: &str) -> Option<CodeSystem> {
    Some(match uri.trim_end_matches('/') {
        SNOMED | "http://snomed.info/sct/900000000000207008" => CodeSystem::Snomed,
        ICD10 | "http://hl7.org/fhir/sid/icd-10-cm" | "http://www.who.int/classifications/icd10" => CodeSystem::Icd10,
        "https://omim.org" | "http://omim.org" | "http://www.omim.org" => CodeSystem::Omim,
        "http://purl.obolibrary.org/obo/mondo.owl" | "http://purl.obolibrary.org/obo/mondo" => CodeSystem::Mondo,
        "http://human-phenotype-ontology.org"
        | "http://purl.obolibrary.org/obo/hp.fhir"
        | "http://purl.obolibrary.org/obo/hp.owl" => CodeSystem::Hpo,
        KINVAULT_CONDITION => CodeSystem::Kinvault,
        _ => return None,
    })
}

pub fn gender(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "male",
        Sex::Female => "female",
        Sex::Intersex => "other",
        Sex::Unknown => "unknown",
    }
}

pub fn sex_of_gender(g: &str) -> Option<Sex> {
    Some(match g {
        "male" => Sex::Male,
        "female" => Sex::Female,
        "other" => Sex::Intersex,
        "unknown" => Sex::Unknown,
        _ => return None,
    })
}

/// Display of every v3 RoleCode Kinvault writes or reads.
pub const ROLE_CODES: &[(&str, &str)] = &[
    ("FAMMEMB", "family member"),
    ("EXT", "extended family member"),
    ("FTH", "father"),
    ("MTH", "mother"),
    ("PRN", "parent"),
    ("NFTH", "natural father"),
    ("NMTH", "natural mother"),
    ("NPRN", "natural parent"),
    ("ADOPTF", "adoptive father"),
    ("ADOPTM", "adoptive mother"),
    ("ADOPTP", "adoptive parent"),
    ("FTHFOST", "foster father"),
    ("MTHFOST", "foster mother"),
    ("PRNFOST", "foster parent"),
    ("STPFTH", "stepfather"),
    ("STPMTH", "stepmother"),
    ("STPPRN", "step parent"),
    ("SON", "natural son"),
    ("DAU", "natural daughter"),
    ("NCHILD", "natural child"),
    ("SONC", "son"),
    ("DAUC", "daughter"),
    ("CHILD", "child"),
    ("SONADOPT", "adopted son"),
    ("DAUADOPT", "adopted daughter"),
    ("CHLDADOPT", "adopted child"),
    ("SONFOST", "foster son"),
    ("DAUFOST", "foster daughter"),
    ("CHLDFOST", "foster child"),
    ("STPSON", "stepson"),
    ("STPDAU", "stepdaughter"),
    ("STPCHLD", "step child"),
    ("NBRO", "natural brother"),
    ("NSIS", "natural sister"),
    ("NSIB", "natural sibling"),
    ("BRO", "brother"),
    ("SIS", "sister"),
    ("SIB", "sibling"),
    ("HBRO", "half-brother"),
    ("HSIS", "half-sister"),
    ("HSIB", "half-sibling"),
    ("STPBRO", "stepbrother"),
    ("STPSIS", "stepsister"),
    ("STPSIB", "step sibling"),
    ("TWIN", "twin"),
    ("TWINBRO", "twin brother"),
    ("TWINSIS", "twin sister"),
    ("ITWIN", "identical twin"),
    ("ITWINBRO", "identical twin brother"),
    ("ITWINSIS", "identical twin sister"),
    ("FTWIN", "fraternal twin"),
    ("FTWINBRO", "fraternal twin brother"),
    ("FTWINSIS", "fraternal twin sister"),
    ("GRFTH", "grandfather"),
    ("GRMTH", "grandmother"),
    ("GRPRN", "grandparent"),
    ("MGRFTH", "maternal grandfather"),
    ("MGRMTH", "maternal grandmother"),
    ("MGRPRN", "maternal grandparent"),
    ("PGRFTH", "paternal grandfather"),
    ("PGRMTH", "paternal grandmother"),
    ("PGRPRN", "paternal grandparent"),
    ("GGRFTH", "great grandfather"),
    ("GGRMTH", "great grandmother"),
    ("GGRPRN", "great grandparent"),
    ("MGGRFTH", "maternal great-grandfather"),
    ("MGGRMTH", "maternal great-grandmother"),
    ("MGGRPRN", "maternal great-grandparent"),
    ("PGGRFTH", "paternal great-grandfather"),
    ("PGGRMTH", "paternal great-grandmother"),
    ("PGGRPRN", "paternal great-grandparent"),
    ("GRNDSON", "grandson"),
    ("GRNDDAU", "granddaughter"),
    ("GRNDCHILD", "grandchild"),
    ("UNCLE", "uncle"),
    ("AUNT", "aunt"),
    ("MUNCLE", "maternal uncle"),
    ("MAUNT", "maternal aunt"),
    ("PUNCLE", "paternal uncle"),
    ("PAUNT", "paternal aunt"),
    ("NEPHEW", "nephew"),
    ("NIECE", "niece"),
    ("NIENEPH", "niece/nephew"),
    ("COUSN", "cousin"),
    ("MCOUSN", "maternal cousin"),
    ("PCOUSN", "paternal cousin"),
    ("HUSB", "husband"),
    ("WIFE", "wife"),
    ("SPS", "spouse"),
    ("DOMPART", "domestic partner"),
    ("SIGOTHR", "significant other"),
    ("FTHINLAW", "father-in-law"),
    ("MTHINLAW", "mother-in-law"),
    ("PRNINLAW", "parent in-law"),
    ("BROINLAW", "brother-in-law"),
    ("SISINLAW", "sister-in-law"),
    ("SIBINLAW", "sibling in-law"),
    ("SONINLAW", "son-in-law"),
    ("DAUINLAW", "daughter-in-law"),
    ("CHLDINLAW", "child-in-law"),
    ("INLAW", "inlaw"),
];

pub fn role_display(code: &str) -> &'static str {
    ROLE_CODES.iter().find(|(c, _)| *c == code).map(|(_, d)| *d).unwrap_or("family member")
}

/// KIN codes Kinvault writes: what the relative is to the individual.
pub const KIN_MOTHER: (&str, &str) = ("KIN:027", "isBiologicalMother");
pub const KIN_FATHER: (&str, &str) = ("KIN:028", "isBiologicalFather");
pub const KIN_PARENT: (&str, &str) = ("KIN:003", "isBiologicalParent");
pub const KIN_PARENT_FIGURE: (&str, &str) = ("KIN:020", "isParentFigure");
pub const KIN_FOSTER: (&str, &str) = ("KIN:021", "isFosterParent");
pub const KIN_ADOPTIVE: (&str, &str) = ("KIN:022", "isAdoptiveParent");
pub const KIN_STEP: (&str, &str) = ("KIN:023", "isStepParent");
pub const KIN_PARTNER: (&str, &str) = ("KIN:026", "isPartner");
pub const KIN_CONSANGUINEOUS: (&str, &str) = ("KIN:030", "isConsanguineousPartner");
pub const KIN_TWIN: (&str, &str) = ("KIN:009", "isTwin");
pub const KIN_MZ_TWIN: (&str, &str) = ("KIN:010", "isMonozygoticTwin");
pub const KIN_DZ_TWIN: (&str, &str) = ("KIN:011", "isPolyzygoticTwin");

/// A Gregorian date the model knows to the day, month or year, as a FHIR `date`
/// (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`); `None` for approximate dates and ranges.
pub fn fhir_date(d: &GDate) -> Option<String> {
    if d.qualifier != DateQualifier::Exact {
        return None;
    }
    let (a, b) = (d.earliest?, d.latest?);
    if a.year != b.year || !(1..=9999).contains(&a.year) {
        return None;
    }
    if a == b {
        return Some(format!("{:04}-{:02}-{:02}", a.year, a.month, a.day));
    }
    if a.month == b.month && a.day == 1 {
        return Some(format!("{:04}-{:02}", a.year, a.month));
    }
    if (a.month, a.day, b.month, b.day) == (1, 1, 12, 31) {
        return Some(format!("{:04}", a.year));
    }
    None
}

/// A FHIR `date`/`dateTime` (its date part) as GEDCOM date text (`7 MAR 1985`, `MAR 1985`,
/// `1985`); `None` if it is not one.
pub fn gedcom_date(fhir: &str) -> Option<String> {
    const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    let date = fhir.split('T').next()?;
    let parts: Vec<&str> = date.split('-').collect();
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u32>().ok()).flatten()
    };
    match parts.as_slice() {
        [y] => num(y, 4).map(|y| format!("{y}")),
        [y, m] => {
            let (y, m) = (num(y, 4)?, num(m, 2)?);
            (1..=12).contains(&m).then(|| format!("{} {y}", MONTHS[m as usize - 1]))
        }
        [y, m, d] => {
            let (y, m, d) = (num(y, 4)?, num(m, 2)?, num(d, 2)?);
            ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{d} {} {y}", MONTHS[m as usize - 1]))
        }
        _ => None,
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let days =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() / 86_400).unwrap_or(0)
            as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_both_ways_when_exact() {
        assert_eq!(fhir_date(&GDate::parse("7 MAR 1985")).as_deref(), Some("1985-03-07"));
        assert_eq!(fhir_date(&GDate::parse("MAR 1985")).as_deref(), Some("1985-03"));
        assert_eq!(fhir_date(&GDate::parse("1985")).as_deref(), Some("1985"));
        assert_eq!(fhir_date(&GDate::parse("ABT 1985")), None);
        assert_eq!(fhir_date(&GDate::parse("BET 1980 AND 1985")), None);
        assert_eq!(gedcom_date("1985-03-07").as_deref(), Some("7 MAR 1985"));
        assert_eq!(gedcom_date("1985-03-07T10:00:00Z").as_deref(), Some("7 MAR 1985"));
        assert_eq!(gedcom_date("1985-03").as_deref(), Some("MAR 1985"));
        assert_eq!(gedcom_date("1985").as_deref(), Some("1985"));
        assert_eq!(gedcom_date("85-3-7"), None);
        assert_eq!(gedcom_date("1985-13"), None);
        let t = today();
        assert_eq!(t.len(), 10);
        assert!(t.as_str() > "2024-01-01", "{t}");
    }

    #[test]
    fn every_role_code_has_one_display() {
        let mut codes: Vec<&str> = ROLE_CODES.iter().map(|(c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ROLE_CODES.len());
    }
}
