//! A realistic sample report (a family with hereditary breast and ovarian cancer, a cystic
//! fibrosis carrier and colorectal cancer), with a small hand-written pedigree SVG, shared by the
//! tests and `examples/sample_report.rs`.
#![allow(dead_code)]

use kinvault_model::{Provenance, Sex};
use kinvault_report::*;

/// Three generations: grandparents, parents and a maternal aunt, the proband and her brother.
/// Shapes (squares, circles), a hatch pattern, lines, text, `<g data-*>` groups, a legend.
pub const PEDIGREE_SVG: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.1" class="pedigree" viewBox="0 0 520 330" width="520" height="330" font-family="Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif" font-size="11">
  <title>Berg family pedigree</title>
  <defs>
    <pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
      <rect width="6" height="6" fill="#fff"/>
      <line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="2"/>
    </pattern>
  </defs>
  <rect x="0" y="0" width="520" height="330" fill="#fff"/>
  <g class="generations" font-size="13" font-weight="bold">
    <text x="12" y="64">I</text>
    <text x="12" y="164">II</text>
    <text x="12" y="264">III</text>
  </g>
  <g class="lines" stroke="#000" stroke-width="1.5" fill="none">
    <line class="union" data-a="I-1" data-b="I-2" x1="168" y1="60" x2="222" y2="60"/>
    <line class="descent" x1="195" y1="60" x2="195" y2="120"/>
    <line class="sibship" x1="150" y1="120" x2="260" y2="120"/>
    <line x1="150" y1="120" x2="150" y2="142"/>
    <line x1="260" y1="120" x2="260" y2="142"/>
    <line class="union" data-a="II-1" data-b="II-2" x1="78" y1="160" x2="132" y2="160"/>
    <line class="descent" x1="105" y1="160" x2="105" y2="222"/>
    <line class="sibship" x1="70" y1="222" x2="140" y2="222"/>
    <line x1="70" y1="222" x2="70" y2="240"/>
    <line x1="140" y1="222" x2="140" y2="240"/>
  </g>
  <g class="person" data-id="I-1" data-shape="square" data-affected="false">
    <rect x="130" y="42" width="36" height="36" fill="#fff" stroke="#000" stroke-width="1.5"/>
    <line x1="124" y1="86" x2="172" y2="34" stroke="#000" stroke-width="1.5"/>
    <text x="148" y="96" text-anchor="middle">I-1</text>
    <text x="148" y="108" text-anchor="middle">d. 79 y</text>
  </g>
  <g class="person" data-id="I-2" data-shape="circle" data-affected="true">
    <circle cx="242" cy="60" r="18" fill="#000" stroke="#000" stroke-width="1.5"/>
    <line x1="218" y1="86" x2="266" y2="34" stroke="#000" stroke-width="1.5"/>
    <text x="242" y="96" text-anchor="middle">I-2</text>
    <text x="242" y="108" text-anchor="middle">Breast ca. 52 y</text>
  </g>
  <g class="person" data-id="II-1" data-shape="square" data-affected="false">
    <rect x="42" y="142" width="36" height="36" fill="#fff" stroke="#000" stroke-width="1.5"/>
    <text x="60" y="196" text-anchor="middle">II-1</text>
  </g>
  <g class="person" data-id="II-2" data-shape="circle" data-affected="true">
    <circle cx="150" cy="160" r="18" fill="#000" stroke="#000" stroke-width="1.5"/>
    <text x="150" y="196" text-anchor="middle">II-2</text>
    <text x="150" y="208" text-anchor="middle" font-size="9">BRCA1 +</text>
  </g>
  <g class="person" data-id="II-3" data-shape="circle" data-affected="true">
    <circle cx="260" cy="160" r="18" fill="url(#hatch)" stroke="#000" stroke-width="1.5"/>
    <text x="260" y="196" text-anchor="middle">II-3</text>
    <text x="260" y="208" text-anchor="middle" font-size="9">Ovarian ca. 48 y</text>
  </g>
  <g class="person" data-id="III-1" data-shape="circle" data-affected="false" data-proband="true">
    <circle cx="70" cy="258" r="18" fill="#fff" stroke="#000" stroke-width="1.5"/>
    <path class="proband-arrow" d="M 30 296 L 52 274 M 52 274 L 43 276 M 52 274 L 50 283" stroke="#000" stroke-width="1.5" fill="none"/>
    <text x="24" y="306" font-size="12" font-weight="bold">P</text>
    <text x="70" y="294" text-anchor="middle">III-1</text>
  </g>
  <g class="person" data-id="III-2" data-shape="square" data-affected="false" data-carrier="true">
    <rect x="122" y="240" width="36" height="36" fill="#fff" stroke="#000" stroke-width="1.5"/>
    <circle cx="140" cy="258" r="4" fill="#000"/>
    <text x="140" y="294" text-anchor="middle">III-2</text>
  </g>
  <g class="legend" font-size="10">
    <rect x="360" y="228" width="12" height="12" fill="#000" stroke="#000"/>
    <text x="378" y="238">Breast cancer</text>
    <rect x="360" y="248" width="12" height="12" fill="url(#hatch)" stroke="#000"/>
    <text x="378" y="258">Ovarian cancer</text>
    <circle cx="366" cy="274" r="3" fill="#000"/>
    <text x="378" y="278">Carrier (cystic fibrosis)</text>
  </g>
</svg>
"##;

fn condition(
    label: &str,
    codes: &[&str],
    onset: Option<&str>,
    status: &str,
    provenance: Provenance,
) -> ReportCondition {
    ReportCondition {
        label: label.into(),
        codes: codes.iter().map(|s| s.to_string()).collect(),
        onset: onset.map(Into::into),
        status: status.into(),
        provenance,
    }
}

fn relative(number: &str, relation: &str, name: &str, sex: Sex) -> RelativeRow {
    RelativeRow { number: number.into(), relation: relation.into(), name: Some(name.into()), sex, ..Default::default() }
}

pub fn sample_report() -> ReportData {
    let gedcom = || Provenance::Imported { format: "GEDCOM".into() };
    let mut grandfather = relative("I-1", "maternal grandfather", "Nils Holm", Sex::Male);
    grandfather.deceased = true;
    grandfather.age_at_death = Some(79);
    grandfather.conditions.push(condition(
        "Colorectal cancer",
        &["SNOMED 363406005", "ICD-10 C18"],
        Some("71 y"),
        "affected",
        gedcom(),
    ));
    let mut grandmother = relative("I-2", "maternal grandmother", "Greta Holm", Sex::Female);
    grandmother.deceased = true;
    grandmother.age_at_death = Some(58);
    grandmother.conditions.push(condition(
        "Breast cancer",
        &["SNOMED 254837009", "ICD-10 C50"],
        Some("52 y"),
        "affected",
        Provenance::ReportedByRelative,
    ));
    let mut father = relative("II-1", "father", "Erik Berg", Sex::Male);
    father.age = Some(70);
    father.conditions.push(condition(
        "Cystic fibrosis carrier",
        &["SNOMED 703721004"],
        None,
        "carrier",
        Provenance::MedicalRecord,
    ));
    father.tests.push(ReportTest {
        gene: "CFTR".into(),
        variant: Some("c.1521_1523del (p.Phe508del)".into()),
        result: "heterozygous".into(),
        acmg: Some("pathogenic".into()),
        lab: Some("Uppsala Clinical Genetics".into()),
        date: Some("2016-09-12".into()),
    });
    let mut mother = relative("II-2", "mother", "Karin Berg", Sex::Female);
    mother.age = Some(68);
    mother.conditions.push(condition(
        "Breast cancer",
        &["SNOMED 254837009", "ICD-10 C50"],
        Some("45 y"),
        "affected",
        Provenance::MedicalRecord,
    ));
    mother.tests.push(ReportTest {
        gene: "BRCA1".into(),
        variant: Some("c.68_69del (p.Glu23fs)".into()),
        result: "positive".into(),
        acmg: Some("pathogenic".into()),
        lab: Some("Karolinska University Laboratory".into()),
        date: Some("2014-03-02".into()),
    });
    let mut aunt = relative("II-3", "maternal aunt", "Lena Holm", Sex::Female);
    aunt.deceased = true;
    aunt.age_at_death = Some(51);
    aunt.conditions.push(condition(
        "Ovarian cancer",
        &["SNOMED 363443007", "ICD-10 C56"],
        Some("48 y"),
        "affected",
        Provenance::ReportedByRelative,
    ));
    let mut brother = relative("III-2", "brother", "Johan Berg", Sex::Male);
    brother.age = Some(38);
    brother.tests.push(ReportTest {
        gene: "CFTR".into(),
        variant: Some("c.1521_1523del (p.Phe508del)".into()),
        result: "heterozygous".into(),
        acmg: Some("pathogenic".into()),
        lab: None,
        date: Some("2021-01-20".into()),
    });
    let mut cousin = relative("III-4", "maternal first cousin", "Sofia Holm-Åberg", Sex::Female);
    cousin.age = Some(35);

    ReportData {
        title: "Family history and genetic risk report".into(),
        generated_at: "2025-03-14T10:22:05+01:00".into(),
        vault_id: "c0ffee42-7d1e-4b8a-9a3e-5b1f2e9d8a11".into(),
        catalog_version: "2025.03".into(),
        app_version: "0.1.0".into(),
        proband: ReportProband { label: "Anna Berg".into(), sex: Sex::Female, age: Some(41), id: "III-1".into() },
        pedigree_svg: PEDIGREE_SVG.into(),
        pedigree_caption: "Pedigree of the Berg family, three generations. Filled: breast cancer; hatched: ovarian \
                           cancer; dot: cystic fibrosis carrier. The arrow marks the proband (III-1)."
            .into(),
        relatives: vec![grandfather, grandmother, father, mother, aunt, brother, cousin],
        risks: vec![
            RiskSection {
                condition: "Hereditary breast and ovarian cancer (BRCA1)".into(),
                model: "Autosomal dominant, one locus; exact Bayesian calculation over the pedigree".into(),
                headline: "Carrier probability 50% (population 0.2%)".into(),
                category: None,
                summary: "Anna's mother carries a pathogenic BRCA1 variant, so Anna inherited it with probability one \
                          half; her own unaffected status at 41 lowers that only slightly because penetrance before \
                          41 is modest."
                    .into(),
                facts: vec![
                    RiskFact {
                        description: "Mother (II-2) tested positive for BRCA1 c.68_69del".into(),
                        without: Some("3.1%".into()),
                        with: Some("50%".into()),
                    },
                    RiskFact {
                        description: "Anna is unaffected at 41".into(),
                        without: Some("52%".into()),
                        with: Some("50%".into()),
                    },
                ],
                parameters: vec![
                    RiskParameter {
                        name: "BRCA1 carrier frequency (general population)".into(),
                        value: "1 in 500".into(),
                        reference: Some("antoniou2003".into()),
                    },
                    RiskParameter {
                        name: "Breast cancer penetrance by 70, female carrier".into(),
                        value: "72%".into(),
                        reference: Some("kuchenbaecker2017".into()),
                    },
                ],
                notes: vec!["Cascade testing of Anna for the familial variant would replace this estimate with a \
                             certainty."
                    .into()],
            },
            RiskSection {
                condition: "Cystic fibrosis".into(),
                model: "Autosomal recessive, one locus; exact Bayesian calculation over the pedigree".into(),
                headline: "Carrier probability 50% (population 4.0%)".into(),
                category: None,
                summary: "Anna's father is a heterozygous carrier of CFTR p.Phe508del; her mother's status is unknown."
                    .into(),
                facts: vec![RiskFact {
                    description: "Father (II-1) is a carrier of CFTR c.1521_1523del".into(),
                    without: Some("4.0%".into()),
                    with: Some("50%".into()),
                }],
                parameters: vec![RiskParameter {
                    name: "CFTR carrier frequency (Northern European)".into(),
                    value: "1 in 25".into(),
                    reference: Some("acog2017".into()),
                }],
                notes: vec![],
            },
            RiskSection {
                condition: "Colorectal cancer".into(),
                model: "Family-history stratification (Scheuner et al. 1997)".into(),
                headline: "Moderate familial risk".into(),
                category: Some("moderate".into()),
                summary: "One second-degree relative with colorectal cancer diagnosed at 71.".into(),
                facts: vec![],
                parameters: vec![],
                notes: vec!["Screening per population guidelines; revisit if another relative is diagnosed.".into()],
            },
        ],
        family_history: vec![
            "Breast cancer: high familial risk (a first-degree relative diagnosed before 50, and a second-degree \
             relative on the same side)."
                .into(),
            "Ovarian cancer: high familial risk (a second-degree relative with ovarian cancer and a BRCA1 variant in \
             the family)."
                .into(),
            "Amsterdam II criteria: not met (one relative with a Lynch-associated cancer).".into(),
            "Revised Bethesda guidelines: not met.".into(),
        ],
        references: vec![
            ReportReference {
                id: "antoniou2003".into(),
                citation: "Antoniou A, et al. Average risks of breast and ovarian cancer associated with BRCA1 or \
                           BRCA2 mutations detected in case series unselected for family history. Am J Hum Genet \
                           72:1117-1130"
                    .into(),
                year: Some(2003),
                url: Some("https://doi.org/10.1086/375033".into()),
            },
            ReportReference {
                id: "kuchenbaecker2017".into(),
                citation: "Kuchenbaecker KB, et al. Risks of breast, ovarian, and contralateral breast cancer for \
                           BRCA1 and BRCA2 mutation carriers. JAMA 317:2402-2416"
                    .into(),
                year: Some(2017),
                url: Some("https://doi.org/10.1001/jama.2017.7112".into()),
            },
            ReportReference {
                id: "acog2017".into(),
                citation: "ACOG Committee Opinion No. 691: Carrier screening for genetic conditions. Obstet Gynecol \
                           129:e41-e55"
                    .into(),
                year: Some(2017),
                url: None,
            },
            ReportReference {
                id: "scheuner1997".into(),
                citation: "Scheuner MT, Wang SJ, Raffel LJ, et al. Family history: a comprehensive genetic risk \
                           assessment method for the chronic conditions of adulthood. Am J Med Genet 71:315-324"
                    .into(),
                year: Some(1997),
                url: None,
            },
        ],
        provenance: ProvenanceSummary {
            self_reported: 4,
            reported_by_relative: 2,
            medical_record: 3,
            imported: 1,
            sentence: "Three facts come from medical records; the grandfather's colorectal cancer was imported from \
                       a GEDCOM file and has not been verified."
                .into(),
        },
        privacy: NamePrivacy::NamesShown,
    }
}

/// The sample with `n` extra relatives (each with a condition and a test), for multi-page
/// layout.
pub fn long_report(n: usize) -> ReportData {
    let mut r = sample_report();
    for i in 0..n {
        let mut rel = relative(&format!("IV-{}", i + 1), "second cousin", &format!("Relative {}", i + 1), Sex::Female);
        rel.age = Some(20 + (i as u32 % 50));
        rel.conditions.push(condition(
            "Type 2 diabetes mellitus",
            &["SNOMED 44054006", "ICD-10 E11"],
            Some("50 y"),
            "affected",
            Provenance::SelfReported,
        ));
        rel.tests.push(ReportTest {
            gene: "HNF1A".into(),
            variant: None,
            result: "negative".into(),
            acmg: None,
            lab: Some("Regional laboratory".into()),
            date: Some("2020-06-01".into()),
        });
        r.relatives.push(rel);
    }
    r
}
