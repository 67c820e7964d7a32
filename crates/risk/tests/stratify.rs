//! Family-history stratification: relatives and sides, Scheuner 1997 per condition, Amsterdam II
//! and revised Bethesda, on small hand-built pedigrees.

use kinvault_catalog::Catalog;
use kinvault_model::{AgeRange, ConditionStatus, Sex};
use kinvault_risk::stratify::{
    relatives, stratify, ClauseStatus, ConditionStratum, CriterionResult, CriterionStatus, Evidence,
    FamilyHistoryReport, LynchClause, NextStepKind, OnsetClass, Relative, ScheunerRule, Side, Stratum, Threshold,
};
use kinvault_risk::{ConditionFact, Ix, Member, Pedigree};
use proptest::prelude::*;

const F: Sex = Sex::Female;
const M: Sex = Sex::Male;

const BREAST: &str = "breast-cancer";
const OVARIAN: &str = "ovarian-cancer";
const CRC: &str = "colorectal-cancer";
const ENDOMETRIAL: &str = "endometrial-cancer";
const CHD: &str = "coronary-heart-disease";
const STROKE: &str = "stroke";
const T2D: &str = "type-2-diabetes";

fn cat() -> &'static Catalog {
    Catalog::builtin()
}

#[derive(Default)]
struct Fam {
    ped: Pedigree,
}

impl Fam {
    fn add(&mut self, id: &str, sex: Sex, father: Option<Ix>, mother: Option<Ix>) -> Ix {
        self.ped.members.push(Member { id: id.into(), sex, father, mother, ..Default::default() });
        self.ped.members.len() - 1
    }

    fn fact(&mut self, ix: Ix, condition: &str, status: ConditionStatus, onset: Option<AgeRange>) {
        self.ped.members[ix].conditions.push(ConditionFact { condition: condition.into(), status, onset });
    }

    /// `ix` affected by `condition`, onset at `age` (`None`: unknown).
    fn affect(&mut self, ix: Ix, condition: &str, age: Option<f64>) {
        self.fact(ix, condition, ConditionStatus::Affected, age.map(AgeRange::exact));
    }

    fn report(&self, proband: Ix) -> FamilyHistoryReport {
        stratify(&self.ped, proband, cat())
    }
}

/// Proband, parents and the four grandparents.
struct Std {
    f: Fam,
    me: Ix,
    mother: Ix,
    father: Ix,
    mgm: Ix,
    mgf: Ix,
    pgm: Ix,
    pgf: Ix,
}

fn standard(me_sex: Sex) -> Std {
    let mut f = Fam::default();
    let mgf = f.add("mgf", M, None, None);
    let mgm = f.add("mgm", F, None, None);
    let pgf = f.add("pgf", M, None, None);
    let pgm = f.add("pgm", F, None, None);
    let mother = f.add("mother", F, Some(mgf), Some(mgm));
    let father = f.add("father", M, Some(pgf), Some(pgm));
    let me = f.add("me", me_sex, Some(father), Some(mother));
    Std { f, me, mother, father, mgm, mgf, pgm, pgf }
}

impl Std {
    fn maternal_aunt(&mut self, id: &str) -> Ix {
        self.f.add(id, F, Some(self.mgf), Some(self.mgm))
    }
    fn maternal_uncle(&mut self, id: &str) -> Ix {
        self.f.add(id, M, Some(self.mgf), Some(self.mgm))
    }
    fn paternal_aunt(&mut self, id: &str) -> Ix {
        self.f.add(id, F, Some(self.pgf), Some(self.pgm))
    }
    fn paternal_uncle(&mut self, id: &str) -> Ix {
        self.f.add(id, M, Some(self.pgf), Some(self.pgm))
    }
    fn sibling(&mut self, id: &str, sex: Sex) -> Ix {
        self.f.add(id, sex, Some(self.father), Some(self.mother))
    }
    fn report(&self) -> FamilyHistoryReport {
        self.f.report(self.me)
    }
}

fn cond<'a>(r: &'a FamilyHistoryReport, id: &str) -> &'a ConditionStratum {
    r.conditions.iter().find(|c| c.condition == id).unwrap_or_else(|| panic!("no stratum for {id}"))
}

fn rule_ids(c: &ConditionStratum) -> Vec<ScheunerRule> {
    c.rules.iter().map(|h| h.rule).collect()
}

fn ids(ev: &[Evidence]) -> Vec<&str> {
    ev.iter().map(|e| e.member.id.as_str()).collect()
}

fn relations(ev: &[Evidence]) -> Vec<&str> {
    ev.iter().map(|e| e.member.relation.as_str()).collect()
}

fn clause(r: &CriterionResult, c: LynchClause) -> &kinvault_risk::stratify::Clause {
    r.clauses.iter().find(|x| x.clause == c).unwrap_or_else(|| panic!("no clause {c:?}"))
}

fn rel<'a>(rs: &'a [Relative], id: &str) -> &'a Relative {
    rs.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("{id} is not a relative"))
}

// ── Scheuner: average ───────────────────────────────────────────────────────────────────────

#[test]
fn empty_family_is_average_for_every_condition_in_catalog_order() {
    let mut f = Fam::default();
    let me = f.add("me", F, None, None);
    let r = f.report(me);
    let order: Vec<&str> = r.conditions.iter().map(|c| c.condition.as_str()).collect();
    assert_eq!(
        order,
        [CHD, STROKE, T2D, BREAST, OVARIAN, CRC, "prostate-cancer", ENDOMETRIAL],
        "one stratum per Scheuner condition, catalog order"
    );
    for c in &r.conditions {
        assert_eq!(c.stratum, Stratum::Average, "{}", c.condition);
        assert_eq!(rule_ids(c), [ScheunerRule::NoKnownFamilyHistory]);
        assert!(c.rules[0].evidence.is_empty());
        assert_eq!(c.next_step.kind, NextStepKind::PopulationRecommendations);
        assert!(c.references.iter().any(|x| x.id == "scheuner1997"));
        assert!(c.proband.is_none());
    }
    assert_eq!(r.relatives.first_degree + r.relatives.second_degree + r.relatives.third_degree, 0);
    assert!(r.notes.iter().any(|n| n.contains("No first- or second-degree relatives")));
    assert_eq!(r.lynch.amsterdam_ii.status, CriterionStatus::NotMet);
    assert_eq!(r.lynch.revised_bethesda.status, CriterionStatus::NotApplicable);
    assert!(r.lynch.bethesda_relatives.is_empty());
}

#[test]
fn recorded_but_unaffected_relatives_are_average_with_no_affected_relatives() {
    let mut s = standard(F);
    // Unaffected and unknown-status records do not count.
    s.f.fact(s.mother, BREAST, ConditionStatus::Unaffected, None);
    s.f.fact(s.father, CHD, ConditionStatus::Unknown, Some(AgeRange::exact(40.0)));
    let r = s.report();
    assert_eq!(r.relatives.first_degree, 2);
    assert_eq!(r.relatives.second_degree, 4);
    for c in &r.conditions {
        assert_eq!(c.stratum, Stratum::Average);
        assert_eq!(rule_ids(c), [ScheunerRule::NoAffectedRelatives]);
    }
}

// ── Scheuner: first-degree relatives ───────────────────────────────────────────────────────

#[test]
fn mother_with_breast_cancer_at_45_is_high() {
    let t = cat().get(BREAST).unwrap().premature_onset_for("scheuner1997", F).unwrap();
    assert_eq!((t.age, t.inclusive, t.or_premenopausal), (50.0, true, true));
    let mut s = standard(F);
    s.f.affect(s.mother, BREAST, Some(45.0));
    let r = s.report();
    let c = cond(&r, BREAST);
    assert_eq!(c.stratum, Stratum::High);
    assert_eq!(rule_ids(c), [ScheunerRule::PrematureFirstDegree]);
    let e = &c.rules[0].evidence;
    assert_eq!(ids(e), ["mother"]);
    assert_eq!(e[0].member.relation, "mother");
    assert_eq!(e[0].member.side, Side::Maternal);
    assert_eq!(e[0].member.degree, 1);
    assert_eq!(e[0].condition, BREAST);
    assert_eq!(e[0].onset, Some(AgeRange::exact(45.0)));
    assert_eq!(e[0].onset_class, OnsetClass::Early);
    assert_eq!(e[0].threshold, Some(Threshold { age: 50.0, inclusive: true }));
    assert_eq!(c.next_step.kind, NextStepKind::GeneticEvaluation);
    assert!(c.next_step.text.contains("genetic counselling"));
    assert!(c.next_step.references.iter().any(|x| x.id == "scheuner1997"));
    assert!(c.notes.iter().any(|n| n.contains("menopause")), "premenopausal criterion not recordable");
    // Other conditions are untouched.
    assert_eq!(cond(&r, OVARIAN).stratum, Stratum::Average);
}

#[test]
fn breast_threshold_is_inclusive_at_50() {
    let mut s = standard(F);
    s.f.affect(s.mother, BREAST, Some(50.0));
    let r = s.report();
    let c = cond(&r, BREAST);
    assert_eq!((c.stratum, rule_ids(c)), (Stratum::High, vec![ScheunerRule::PrematureFirstDegree]));
    assert_eq!(ids(&c.rules[0].evidence), ["mother"]);
    let mut s = standard(F);
    s.f.affect(s.mother, BREAST, Some(50.5));
    let r = s.report();
    let c = cond(&r, BREAST);
    assert_eq!((c.stratum, rule_ids(c)), (Stratum::Moderate, vec![ScheunerRule::FirstDegreeLate]));
    assert_eq!(ids(&c.rules[0].evidence), ["mother"]);
    assert_eq!(c.rules[0].evidence[0].onset_class, OnsetClass::Late);
}

#[test]
fn mother_with_breast_cancer_at_65_is_moderate() {
    let mut s = standard(F);
    s.f.affect(s.mother, BREAST, Some(65.0));
    let r = s.report();
    let c = cond(&r, BREAST);
    assert_eq!(c.stratum, Stratum::Moderate);
    assert_eq!(rule_ids(c), [ScheunerRule::FirstDegreeLate]);
    assert_eq!(ids(&c.rules[0].evidence), ["mother"]);
    assert_eq!(c.rules[0].evidence[0].onset_class, OnsetClass::Late);
    assert_eq!(c.next_step.kind, NextStepKind::PersonalisedPrevention);
}

#[test]
fn unknown_onset_counts_as_late() {
    let mut s = standard(F);
    s.f.affect(s.mother, BREAST, None);
    let r = s.report();
    let c = cond(&r, BREAST);
    assert_eq!(c.stratum, Stratum::Moderate);
    assert_eq!(rule_ids(c), [ScheunerRule::FirstDegreeLate]);
    assert_eq!(c.rules[0].evidence[0].onset_class, OnsetClass::Unknown);
}

#[test]
fn onset_range_straddling_the_threshold_counts_as_unknown_with_a_note() {
    let mut s = standard(F);
    s.f.fact(s.mother, BREAST, ConditionStatus::Affected, Some(AgeRange { min: 45.0, max: 55.0 }));
    let r = s.report();
    let c = cond(&r, BREAST);
    assert_eq!(c.stratum, Stratum::Moderate);
    assert_eq!(c.rules[0].evidence[0].onset_class, OnsetClass::Unknown);
    assert!(c.notes.iter().any(|n| n.contains("mother's onset (45–55)") && n.contains("straddles")), "{:?}", c.notes);
    // A range wholly before the threshold is premature.
    let mut s = standard(F);
    s.f.fact(s.mother, BREAST, ConditionStatus::Affected, Some(AgeRange { min: 40.0, max: 49.0 }));
    assert_eq!(cond(&s.report(), BREAST).stratum, Stratum::High);
}

#[test]
fn father_with_chd_at_50_is_high_and_at_56_moderate() {
    let t = cat().get(CHD).unwrap().premature_onset_for("scheuner1997", M).unwrap();
    assert_eq!((t.age, t.inclusive), (55.0, true));
    let mut s = standard(M);
    s.f.affect(s.father, CHD, Some(50.0));
    let r = s.report();
    let c = cond(&r, CHD);
    assert_eq!(c.stratum, Stratum::High);
    assert_eq!(rule_ids(c), [ScheunerRule::PrematureFirstDegree]);
    assert_eq!(relations(&c.rules[0].evidence), ["father"]);
    assert_eq!(c.rules[0].evidence[0].member.side, Side::Paternal);
    assert_eq!(c.rules[0].evidence[0].threshold, Some(Threshold { age: 55.0, inclusive: true }));
    // Heart-disease next step names the checks My Family Health Portrait names, with its source.
    assert!(c.next_step.text.contains("blood pressure"));
    assert!(c.next_step.references.iter().any(|x| x.id == "cdcmfhp"));

    let mut s = standard(M);
    s.f.affect(s.father, CHD, Some(56.0));
    let r = s.report();
    let c = cond(&r, CHD);
    assert_eq!((c.stratum, rule_ids(c)), (Stratum::Moderate, vec![ScheunerRule::FirstDegreeLate]));
    assert_eq!(relations(&c.rules[0].evidence), ["father"]);
}

#[test]
fn chd_threshold_depends_on_the_relatives_sex() {
    // 60 is premature for a woman (≤ 65), not for a man (≤ 55).
    let mut s = standard(F);
    s.f.affect(s.mother, CHD, Some(60.0));
    let r = s.report();
    let c = cond(&r, CHD);
    assert_eq!((c.stratum, rule_ids(c)), (Stratum::High, vec![ScheunerRule::PrematureFirstDegree]));
    assert_eq!(relations(&c.rules[0].evidence), ["mother"]);
    assert_eq!(c.rules[0].evidence[0].threshold, Some(Threshold { age: 65.0, inclusive: true }));
    let mut s = standard(F);
    s.f.affect(s.father, CHD, Some(60.0));
    let r = s.report();
    let c = cond(&r, CHD);
    assert_eq!((c.stratum, rule_ids(c)), (Stratum::Moderate, vec![ScheunerRule::FirstDegreeLate]));
    assert_eq!(relations(&c.rules[0].evidence), ["father"]);
    // A sibling of unrecorded sex at 60: premature under one threshold only → unknown onset.
    let mut s = standard(F);
    let sib = s.sibling("sib", Sex::Unknown);
    s.f.affect(sib, CHD, Some(60.0));
    let r = s.report();
    let c = cond(&r, CHD);
    assert_eq!(c.stratum, Stratum::Moderate);
    assert_eq!(c.rules[0].evidence[0].onset_class, OnsetClass::Unknown);
    assert_eq!(c.rules[0].evidence[0].threshold, None);
    assert!(c.notes.iter().any(|n| n.contains("sibling's onset (60)") && n.contains("sex is not recorded")));
    // ...but at 50 it is premature under both.
    let mut s = standard(F);
    let sib = s.sibling("sib", Sex::Unknown);
    s.f.affect(sib, CHD, Some(50.0));
    let r = s.report();
    let c = cond(&r, CHD);
    assert_eq!((c.stratum, rule_ids(c)), (Stratum::High, vec![ScheunerRule::PrematureFirstDegree]));
    assert_eq!(relations(&c.rules[0].evidence), ["sibling"]);
}

#[test]
fn two_affected_first_degree_relatives_are_high() {
    let mut s = standard(F);
    let brother = s.sibling("brother", M);
    s.f.affect(s.mother, CRC, Some(70.0));
    s.f.affect(brother, CRC, Some(66.0));
    let r = s.report();
    let c = cond(&r, CRC);
    assert_eq!(c.stratum, Stratum::High);
    assert_eq!(rule_ids(c), [ScheunerRule::TwoFirstDegree]);
    assert_eq!(ids(&c.rules[0].evidence), ["mother", "brother"]);
}

#[test]
fn affected_child_counts_as_first_degree() {
    let mut f = Fam::default();
    let me = f.add("me", M, None, None);
    let daughter = f.add("daughter", F, Some(me), None);
    f.affect(daughter, T2D, Some(45.0));
    let r = f.report(me);
    let c = cond(&r, T2D);
    assert_eq!(c.stratum, Stratum::High);
    assert_eq!(rule_ids(c), [ScheunerRule::PrematureFirstDegree]);
    let e = &c.rules[0].evidence[0];
    assert_eq!((e.member.relation.as_str(), e.member.side, e.member.generation), ("daughter", Side::Neither, 1));
}

#[test]
fn a_single_affected_sibling_is_moderate_not_a_history_on_both_sides() {
    let mut s = standard(F);
    let sister = s.sibling("sister", F);
    s.f.affect(sister, T2D, Some(60.0));
    let r = s.report();
    let c = cond(&r, T2D);
    assert_eq!(c.stratum, Stratum::Moderate);
    assert_eq!(rule_ids(c), [ScheunerRule::FirstDegreeLate]);
    assert_eq!(c.rules[0].evidence[0].member.side, Side::Both);
}

// ── Scheuner: second-degree relatives and sides ─────────────────────────────────────────────

#[test]
fn two_second_degree_relatives_same_side_one_premature_are_high() {
    let mut s = standard(F);
    let aunt = s.maternal_aunt("maunt");
    s.f.affect(s.mgm, BREAST, Some(45.0));
    s.f.affect(aunt, BREAST, Some(62.0));
    let r = s.report();
    let c = cond(&r, BREAST);
    assert_eq!(c.stratum, Stratum::High);
    assert_eq!(rule_ids(c), [ScheunerRule::TwoSecondDegreeOnePremature]);
    assert_eq!(c.rules[0].side, Some(Side::Maternal));
    assert_eq!(relations(&c.rules[0].evidence), ["maternal grandmother", "maternal aunt"]);
}

#[test]
fn two_second_degree_relatives_on_different_sides_are_average() {
    let mut s = standard(F);
    let ma = s.maternal_aunt("maunt");
    let pa = s.paternal_aunt("paunt");
    s.f.affect(ma, BREAST, Some(60.0));
    s.f.affect(pa, BREAST, Some(70.0));
    let r = s.report();
    let c = cond(&r, BREAST);
    assert_eq!(c.stratum, Stratum::Average);
    assert_eq!(rule_ids(c), [ScheunerRule::SingleSecondDegree]);
    assert_eq!(relations(&c.rules[0].evidence), ["maternal aunt", "paternal aunt"]);

    // Even with one premature: a single second-degree relative per side is average (the
    // premature second-degree rule is for coronary heart disease only).
    let mut s = standard(F);
    let ma = s.maternal_aunt("maunt");
    let pa = s.paternal_aunt("paunt");
    s.f.affect(ma, BREAST, Some(40.0));
    s.f.affect(pa, BREAST, Some(70.0));
    let r = s.report();
    let c = cond(&r, BREAST);
    assert_eq!((c.stratum, rule_ids(c)), (Stratum::Average, vec![ScheunerRule::SingleSecondDegree]));
    assert_eq!(ids(&c.rules[0].evidence), ["maunt", "paunt"]);
}

#[test]
fn the_probands_descendants_form_a_lineage_of_their_own() {
    // Two affected grandchildren: two second-degree relatives of one lineage.
    let mut s = standard(F);
    let son = s.f.add("son", M, None, Some(s.me));
    let g1 = s.f.add("g1", F, Some(son), None);
    let g2 = s.f.add("g2", M, Some(son), None);
    s.f.affect(g1, T2D, Some(58.0));
    s.f.affect(g2, T2D, None);
    let r = s.report();
    let c = cond(&r, T2D);
    assert_eq!((c.stratum, rule_ids(c)), (Stratum::Moderate, vec![ScheunerRule::TwoSecondDegreeLate]));
    assert_eq!(c.rules[0].side, Some(Side::Neither));
    assert_eq!(relations(&c.rules[0].evidence), ["granddaughter", "grandson"]);
    // A grandchild and a maternal aunt are not on one side.
    let mut s = standard(F);
    let son = s.f.add("son", M, None, Some(s.me));
    let g1 = s.f.add("g1", F, Some(son), None);
    let aunt = s.maternal_aunt("maunt");
    s.f.affect(g1, T2D, Some(58.0));
    s.f.affect(aunt, T2D, Some(45.0));
    let r = s.report();
    let c = cond(&r, T2D);
    assert_eq!((c.stratum, rule_ids(c)), (Stratum::Average, vec![ScheunerRule::SingleSecondDegree]));
    assert_eq!(relations(&c.rules[0].evidence), ["granddaughter", "maternal aunt"]);
    assert!(!Side::Neither.same_lineage(Side::Maternal));
    assert!(Side::Both.same_lineage(Side::Paternal));
}

#[test]
fn two_second_degree_relatives_same_side_late_are_moderate() {
    let mut s = standard(M);
    let pu = s.paternal_uncle("puncle");
    s.f.affect(s.pgf, "prostate-cancer", Some(72.0));
    s.f.affect(pu, "prostate-cancer", None);
    let r = s.report();
    let c = cond(&r, "prostate-cancer");
    assert_eq!(c.stratum, Stratum::Moderate);
    assert_eq!(rule_ids(c), [ScheunerRule::TwoSecondDegreeLate]);
    assert_eq!(c.rules[0].side, Some(Side::Paternal));
    assert_eq!(relations(&c.rules[0].evidence), ["paternal grandfather", "paternal uncle"]);
}

#[test]
fn premature_chd_in_a_paternal_grandfather_is_high_but_stroke_is_not() {
    let mut s = standard(F);
    s.f.affect(s.pgf, CHD, Some(50.0));
    s.f.affect(s.pgf, STROKE, Some(45.0));
    let r = s.report();
    let c = cond(&r, CHD);
    assert_eq!(c.stratum, Stratum::High);
    assert_eq!(rule_ids(c), [ScheunerRule::PrematureSecondDegreeChd]);
    let e = &c.rules[0].evidence[0];
    assert_eq!(
        (e.member.relation.as_str(), e.member.side, e.member.degree),
        ("paternal grandfather", Side::Paternal, 2)
    );
    // Stroke has no second-degree rule: a single affected second-degree relative is average.
    let st = cond(&r, STROKE);
    assert_eq!(st.stratum, Stratum::Average);
    assert_eq!(rule_ids(st), [ScheunerRule::SingleSecondDegree]);
    assert_eq!(relations(&st.rules[0].evidence), ["paternal grandfather"]);
}

#[test]
fn first_degree_late_and_premature_second_degree_same_side_is_high() {
    let mut s = standard(F);
    s.f.affect(s.mother, CRC, Some(60.0));
    s.f.affect(s.mgf, CRC, Some(45.0));
    let r = s.report();
    let c = cond(&r, CRC);
    assert_eq!(c.stratum, Stratum::High);
    assert_eq!(rule_ids(c), [ScheunerRule::FirstDegreeAndPrematureSecondDegree]);
    assert_eq!(c.rules[0].side, Some(Side::Maternal));
    assert_eq!(relations(&c.rules[0].evidence), ["mother", "maternal grandfather"]);

    // On opposite sides it is only the mother's moderate history.
    let mut s = standard(F);
    s.f.affect(s.mother, CRC, Some(60.0));
    s.f.affect(s.pgf, CRC, Some(45.0));
    let r = s.report();
    let c = cond(&r, CRC);
    assert_eq!(c.stratum, Stratum::Moderate);
    assert_eq!(rule_ids(c), [ScheunerRule::FirstDegreeLate]);
    assert_eq!(relations(&c.rules[0].evidence), ["mother"]);
}

#[test]
fn a_full_sibling_shares_either_lineage_with_a_second_degree_relative() {
    let mut s = standard(F);
    let sister = s.sibling("sister", F);
    let pa = s.paternal_aunt("paunt");
    s.f.affect(sister, OVARIAN, Some(60.0));
    s.f.affect(pa, OVARIAN, Some(44.0));
    let r = s.report();
    let c = cond(&r, OVARIAN);
    assert_eq!(c.stratum, Stratum::High);
    assert_eq!(rule_ids(c), [ScheunerRule::FirstDegreeAndPrematureSecondDegree]);
    assert_eq!(c.rules[0].side, Some(Side::Paternal));
    assert_eq!(relations(&c.rules[0].evidence), ["sister", "paternal aunt"]);
}

#[test]
fn three_affected_relatives_on_one_side_with_late_onset_are_high() {
    let mut s = standard(F);
    let aunt = s.maternal_aunt("maunt");
    let uncle = s.maternal_uncle("muncle");
    s.f.affect(s.mgm, CRC, Some(78.0));
    s.f.affect(aunt, CRC, Some(66.0));
    s.f.affect(uncle, CRC, None);
    let r = s.report();
    let c = cond(&r, CRC);
    assert_eq!(c.stratum, Stratum::High);
    assert_eq!(rule_ids(c), [ScheunerRule::ThreeSameSide]);
    assert_eq!(c.rules[0].side, Some(Side::Maternal));
    assert_eq!(relations(&c.rules[0].evidence), ["maternal grandmother", "maternal aunt", "maternal uncle"]);
}

#[test]
fn moderate_history_on_both_sides_is_high() {
    let mut s = standard(F);
    let aunt = s.maternal_aunt("maunt");
    s.f.affect(s.father, T2D, Some(60.0));
    s.f.affect(s.mgm, T2D, Some(70.0));
    s.f.affect(aunt, T2D, Some(65.0));
    let r = s.report();
    let c = cond(&r, T2D);
    assert_eq!(c.stratum, Stratum::High);
    assert_eq!(rule_ids(c), [ScheunerRule::ModerateBothSides]);
    assert_eq!(ids(&c.rules[0].evidence), ["father", "mgm", "maunt"]);
}

#[test]
fn third_degree_relatives_are_not_counted_by_scheuner() {
    let mut s = standard(F);
    let aunt = s.maternal_aunt("maunt");
    let cousin = s.f.add("cousin", F, None, Some(aunt));
    s.f.affect(cousin, BREAST, Some(35.0));
    let r = s.report();
    let c = cond(&r, BREAST);
    assert_eq!(c.stratum, Stratum::Average);
    assert_eq!(rule_ids(c), [ScheunerRule::NoAffectedRelatives]);
    assert!(c.notes.iter().any(|n| n.contains("third-degree")));
}

#[test]
fn proband_diagnosis_is_reported_apart_from_the_family_history() {
    let mut s = standard(F);
    s.f.affect(s.me, BREAST, Some(40.0));
    let r = s.report();
    let c = cond(&r, BREAST);
    assert_eq!(c.stratum, Stratum::Average, "the proband's own diagnosis is not family history");
    let p = c.proband.as_ref().expect("proband condition reported");
    assert_eq!(p.facts.len(), 1);
    assert_eq!(p.facts[0].member.relation, "self");
    assert_eq!(p.facts[0].member.degree, 0);
    assert_eq!(p.facts[0].onset_class, OnsetClass::Early);
    assert!(p.note.contains("clinician"));
    assert!(cond(&r, OVARIAN).proband.is_none());
}

#[test]
fn breast_and_ovarian_cancer_are_stratified_separately_with_a_note() {
    let mut s = standard(F);
    let aunt = s.maternal_aunt("maunt");
    s.f.affect(s.mother, BREAST, Some(60.0));
    s.f.affect(aunt, OVARIAN, Some(70.0));
    let r = s.report();
    let b = cond(&r, BREAST);
    assert_eq!((b.stratum, rule_ids(b)), (Stratum::Moderate, vec![ScheunerRule::FirstDegreeLate]));
    assert_eq!(ids(&b.rules[0].evidence), ["mother"]);
    let o = cond(&r, OVARIAN);
    assert_eq!((o.stratum, rule_ids(o)), (Stratum::Average, vec![ScheunerRule::SingleSecondDegree]));
    assert_eq!(ids(&o.rules[0].evidence), ["maunt"]);
    for id in [BREAST, OVARIAN] {
        assert!(cond(&r, id).notes.iter().any(|n| n.contains("breast–ovarian cluster")), "{id}");
    }
    // On different sides, no note.
    let mut s = standard(F);
    let pa = s.paternal_aunt("paunt");
    s.f.affect(s.mother, BREAST, Some(60.0));
    s.f.affect(pa, OVARIAN, Some(70.0));
    assert!(!cond(&s.report(), BREAST).notes.iter().any(|n| n.contains("breast–ovarian")));
}

// ── Relatives ─────────────────────────────────────────────────────────────────────────────

#[test]
fn relation_names_degrees_and_sides() {
    let mut s = standard(F);
    let ma = s.maternal_aunt("maunt");
    let pa = s.paternal_aunt("paunt");
    let pu = s.paternal_uncle("puncle");
    let sister = s.sibling("sister", F);
    let niece = s.f.add("niece", F, None, Some(sister));
    let grandniece = s.f.add("grandniece", F, None, Some(niece));
    let other_man = s.f.add("stepfather", M, None, None);
    let mhb = s.f.add("mhalfbrother", M, Some(other_man), Some(s.mother));
    let other_woman = s.f.add("stepmother", F, None, None);
    let phs = s.f.add("phalfsister", F, Some(s.father), Some(other_woman));
    let half_niece = s.f.add("halfniece", F, None, Some(phs));
    let mcousin = s.f.add("mcousin", M, None, Some(ma));
    let pcousin = s.f.add("pcousin", Sex::Unknown, Some(pu), None);
    let ggm = s.f.add("mggm", F, None, None);
    s.f.ped.members[s.mgm].mother = Some(ggm);
    let great_aunt = s.f.add("mgreataunt", F, None, Some(ggm));
    let half_uncle = s.f.add("phalfuncle", M, Some(other_man), Some(s.pgm));
    let son = s.f.add("son", M, None, Some(s.me));
    let grandchild = s.f.add("grandchild", Sex::Unknown, Some(son), None);
    let ggchild = s.f.add("ggchild", F, Some(grandchild), None);
    let stranger = s.f.add("stranger", M, None, None);
    let _ = (pa, mhb, half_niece, mcousin, pcousin, great_aunt, half_uncle, grandniece, ggchild, stranger);

    let rs = relatives(&s.f.ped, s.me);
    let expect: &[(&str, &str, u8, Side, i8, bool)] = &[
        ("mother", "mother", 1, Side::Maternal, -1, false),
        ("father", "father", 1, Side::Paternal, -1, false),
        ("sister", "sister", 1, Side::Both, 0, false),
        ("son", "son", 1, Side::Neither, 1, false),
        ("mgm", "maternal grandmother", 2, Side::Maternal, -2, false),
        ("mgf", "maternal grandfather", 2, Side::Maternal, -2, false),
        ("pgm", "paternal grandmother", 2, Side::Paternal, -2, false),
        ("pgf", "paternal grandfather", 2, Side::Paternal, -2, false),
        ("maunt", "maternal aunt", 2, Side::Maternal, -1, false),
        ("paunt", "paternal aunt", 2, Side::Paternal, -1, false),
        ("puncle", "paternal uncle", 2, Side::Paternal, -1, false),
        ("niece", "niece", 2, Side::Both, 1, false),
        ("mhalfbrother", "maternal half-brother", 2, Side::Maternal, 0, true),
        ("phalfsister", "paternal half-sister", 2, Side::Paternal, 0, true),
        ("grandchild", "grandchild", 2, Side::Neither, 2, false),
        ("grandniece", "grandniece", 3, Side::Both, 2, false),
        ("halfniece", "paternal half-niece", 3, Side::Paternal, 1, true),
        ("mcousin", "maternal first cousin", 3, Side::Maternal, 0, false),
        ("pcousin", "paternal first cousin", 3, Side::Paternal, 0, false),
        ("mggm", "maternal great-grandmother", 3, Side::Maternal, -3, false),
        ("phalfuncle", "paternal half-uncle", 3, Side::Paternal, -1, true),
        ("ggchild", "great-granddaughter", 3, Side::Neither, 3, false),
    ];
    for &(id, relation, degree, side, generation, half) in expect {
        let r = rel(&rs, id);
        assert_eq!(
            (r.relation.as_str(), r.degree, r.side, r.generation, r.half),
            (relation, degree, side, generation, half),
            "{id}"
        );
        assert!(!r.assumed_full, "{id}");
    }
    // The great-aunt's mother is the great-grandmother and her father is unrecorded, as is the
    // grandmother's: a sibship with one recorded parent, treated as full.
    let ga = rel(&rs, "mgreataunt");
    assert_eq!(
        (ga.relation.as_str(), ga.degree, ga.side, ga.assumed_full),
        ("maternal great-aunt", 3, Side::Maternal, true)
    );
    // Spouses and strangers are not blood relatives.
    for id in ["stepfather", "stepmother", "stranger"] {
        assert!(rs.iter().all(|r| r.id != id), "{id}");
    }
    assert_eq!(rs.len(), expect.len() + 1);
    // Closest first, then member order.
    assert!(rs.windows(2).all(|w| (w[0].degree, w[0].ix) < (w[1].degree, w[1].ix)));
}

#[test]
fn aunt_recorded_under_one_grandparent_is_an_assumed_full_aunt() {
    // Grandmother recorded, grandfather not: mother and aunt share one recorded parent and
    // neither has a father recorded.
    let mut f = Fam::default();
    let gm = f.add("gm", F, None, None);
    let mother = f.add("mother", F, None, Some(gm));
    let aunt = f.add("aunt", F, None, Some(gm));
    let me = f.add("me", F, None, Some(mother));
    f.affect(aunt, BREAST, Some(45.0));
    f.affect(gm, BREAST, Some(70.0));
    let rs = relatives(&f.ped, me);
    let a = rel(&rs, "aunt");
    assert_eq!((a.relation.as_str(), a.degree, a.assumed_full, a.half), ("maternal aunt", 2, true, false));
    let r = f.report(me);
    assert_eq!(cond(&r, BREAST).stratum, Stratum::High, "two maternal second-degree relatives, one premature");
    assert!(r.notes.iter().any(|n| n.contains("treated as full siblings") && n.contains("maternal aunt")));
}

#[test]
fn sibling_with_only_the_shared_parent_recorded_is_a_half_sibling() {
    let mut s = standard(F);
    let hb = s.f.add("hb", M, Some(s.father), None);
    let rs = relatives(&s.f.ped, s.me);
    let r = rel(&rs, "hb");
    assert_eq!((r.relation.as_str(), r.degree, r.side, r.half), ("paternal half-brother", 2, Side::Paternal, true));
    let _ = hb;
}

#[test]
fn pedigree_collapse_gives_the_closest_degree_and_both_sides() {
    // The parents are first cousins: the mother's mother and the father's father are siblings,
    // children of one couple (the great-grandparents), who are then on both sides.
    let mut f = Fam::default();
    let ggf = f.add("ggf", M, None, None);
    let ggm = f.add("ggm", F, None, None);
    let mgm = f.add("mgm", F, Some(ggf), Some(ggm));
    let pgf = f.add("pgf", M, Some(ggf), Some(ggm));
    let mgf = f.add("mgf", M, None, None);
    let pgm = f.add("pgm", F, None, None);
    let mother = f.add("mother", F, Some(mgf), Some(mgm));
    let father = f.add("father", M, Some(pgf), Some(pgm));
    let me = f.add("me", M, Some(father), Some(mother));
    // The mother also had a son with the father's brother: the boy is a maternal half-brother
    // (degree 2) and a paternal first cousin (degree 3); the half-brother relationship wins.
    let uncle = f.add("uncle", M, Some(pgf), Some(pgm));
    let boy = f.add("boy", M, Some(uncle), Some(mother));
    let rs = relatives(&f.ped, me);
    for id in ["ggf", "ggm"] {
        let r = rel(&rs, id);
        assert_eq!((r.degree, r.side, r.generation), (3, Side::Both, -3), "{id}");
        assert!(r.relation == "great-grandfather" || r.relation == "great-grandmother");
    }
    let b = rel(&rs, "boy");
    assert_eq!((b.relation.as_str(), b.degree, b.side, b.half), ("maternal half-brother", 2, Side::Maternal, true));
    assert_eq!(rs.iter().filter(|r| r.ix == boy).count(), 1, "listed once");
    // The grandmother is also the father's first cousin once removed; she stays a grandmother.
    assert_eq!(rel(&rs, "mgm").relation, "maternal grandmother");
    // A collapse in the stratification: the shared great-grandparents count on both sides and
    // the rest of the report still works.
    f.affect(boy, CRC, Some(40.0));
    let r = f.report(me);
    let c = cond(&r, CRC);
    assert_eq!(c.stratum, Stratum::Average, "single second-degree relative");
    assert_eq!(relations(&c.rules[0].evidence), ["maternal half-brother"]);
}

#[test]
fn bad_parent_links_are_ignored() {
    let mut f = Fam::default();
    let me = f.add("me", F, Some(99), Some(0));
    let x = f.add("x", M, Some(1), Some(1));
    let rs = relatives(&f.ped, me);
    assert!(rs.is_empty());
    assert!(relatives(&f.ped, x).is_empty());
    let r = f.report(me);
    assert!(r.conditions.iter().all(|c| c.stratum == Stratum::Average));
}

#[test]
#[should_panic(expected = "not a member")]
fn proband_out_of_range_panics() {
    let f = Fam::default();
    let _ = f.report(0);
}

// ── Lynch syndrome: Amsterdam II ─────────────────────────────────────────────────────────

/// Mother CRC 48, maternal aunt endometrial 55, maternal grandfather CRC 62.
fn amsterdam_family() -> Std {
    let mut s = standard(F);
    let aunt = s.maternal_aunt("maunt");
    s.f.affect(s.mother, CRC, Some(48.0));
    s.f.affect(aunt, ENDOMETRIAL, Some(55.0));
    s.f.affect(s.mgf, CRC, Some(62.0));
    s
}

#[test]
fn amsterdam_ii_met_pending_verification() {
    let s = amsterdam_family();
    let r = s.report();
    let a = &r.lynch.amsterdam_ii;
    assert_eq!(a.criterion, "amsterdam-ii");
    assert_eq!(a.status, CriterionStatus::MetPendingVerification);
    assert_eq!(a.index.relation, "self");
    let c1 = clause(a, LynchClause::ThreeAffected);
    assert_eq!(c1.status, ClauseStatus::Met);
    assert_eq!(ids(&c1.evidence), ["mother", "mgf", "maunt"]);
    let c2 = clause(a, LynchClause::OneFirstDegreeOfOtherTwo);
    assert_eq!(c2.status, ClauseStatus::Met);
    assert_eq!(ids(&c2.evidence), ["mother", "mgf", "maunt"]);
    assert_eq!(
        c2.note.as_deref(),
        Some("The mother is a first-degree relative of the maternal grandfather and the maternal aunt.")
    );
    let c3 = clause(a, LynchClause::SuccessiveGenerations);
    assert_eq!(c3.status, ClauseStatus::Met);
    assert_eq!(ids(&c3.evidence), ["mother", "mgf", "maunt"]);
    let c4 = clause(a, LynchClause::OneDiagnosedEarly);
    assert_eq!(c4.status, ClauseStatus::Met);
    assert_eq!(ids(&c4.evidence), ["mother"]);
    assert_eq!(c4.evidence[0].threshold, Some(Threshold { age: 50.0, inclusive: false }));
    for c in [LynchClause::FapExcluded, LynchClause::PathologyVerified] {
        let x = clause(a, c);
        assert_eq!(x.status, ClauseStatus::NotAssessable);
        assert!(x.note.is_some());
    }
    let step = a.next_step.as_ref().expect("next step");
    assert_eq!(step.kind, NextStepKind::GeneticCounselling);
    assert!(step.references.iter().any(|x| x.id == "vasen1999"));
    assert!(a.notes.iter().any(|n| n.contains("Small bowel")));

    // The cluster makes colorectal and endometrial cancer high risk.
    let e = cond(&r, ENDOMETRIAL);
    assert_eq!(e.stratum, Stratum::High);
    assert_eq!(rule_ids(e), [ScheunerRule::HereditaryCancerCluster]);
    assert_eq!(ids(&e.rules[0].evidence), ["mother", "mgf", "maunt"]);
    assert!(e.references.iter().any(|x| x.id == "vasen1999"));
    let c = cond(&r, CRC);
    assert_eq!(c.stratum, Stratum::High);
    assert!(rule_ids(c).contains(&ScheunerRule::PrematureFirstDegree));
    assert!(rule_ids(c).contains(&ScheunerRule::HereditaryCancerCluster));
    // Ovarian cancer is not part of the Amsterdam count.
    assert_eq!(cond(&r, OVARIAN).stratum, Stratum::Average);
}

#[test]
fn amsterdam_ii_not_met_with_only_two_affected() {
    let mut s = standard(F);
    let aunt = s.maternal_aunt("maunt");
    s.f.affect(s.mother, CRC, Some(45.0));
    s.f.affect(aunt, ENDOMETRIAL, Some(55.0));
    let r = s.report();
    let a = &r.lynch.amsterdam_ii;
    assert_eq!(a.status, CriterionStatus::NotMet);
    let c1 = clause(a, LynchClause::ThreeAffected);
    assert_eq!(c1.status, ClauseStatus::NotMet);
    assert_eq!(ids(&c1.evidence), ["mother", "maunt"]);
    assert!(a.next_step.is_none());
    assert!(!rule_ids(cond(&r, ENDOMETRIAL)).contains(&ScheunerRule::HereditaryCancerCluster));
}

#[test]
fn amsterdam_ii_not_met_when_all_diagnosed_at_50_or_later() {
    let mut s = amsterdam_family();
    s.f.ped.members[s.mother].conditions[0].onset = Some(AgeRange::exact(50.0));
    let a = s.report().lynch.amsterdam_ii;
    assert_eq!(a.status, CriterionStatus::NotMet);
    assert_eq!(clause(&a, LynchClause::OneDiagnosedEarly).status, ClauseStatus::NotMet);
    for c in [LynchClause::ThreeAffected, LynchClause::OneFirstDegreeOfOtherTwo, LynchClause::SuccessiveGenerations] {
        assert_eq!(clause(&a, c).status, ClauseStatus::Met, "{c:?}");
    }
}

#[test]
fn amsterdam_ii_not_met_in_one_generation_only() {
    let mut s = standard(F);
    let brother = s.sibling("brother", M);
    let sister = s.sibling("sister", F);
    s.f.affect(s.me, CRC, Some(45.0));
    s.f.affect(brother, CRC, Some(55.0));
    s.f.affect(sister, ENDOMETRIAL, Some(60.0));
    let a = s.report().lynch.amsterdam_ii;
    assert_eq!(a.status, CriterionStatus::NotMet);
    let c3 = clause(&a, LynchClause::SuccessiveGenerations);
    assert_eq!(c3.status, ClauseStatus::NotMet);
    assert!(c3.evidence.is_empty());
    let c2 = clause(&a, LynchClause::OneFirstDegreeOfOtherTwo);
    assert_eq!(c2.status, ClauseStatus::Met);
    assert_eq!(ids(&c2.evidence), ["me", "brother", "sister"]);
    assert_eq!(clause(&a, LynchClause::ThreeAffected).status, ClauseStatus::Met);
    assert_eq!(clause(&a, LynchClause::OneDiagnosedEarly).status, ClauseStatus::Met);
}

#[test]
fn amsterdam_ii_not_met_when_no_one_is_a_first_degree_relative_of_the_other_two() {
    let mut s = standard(F);
    let ma = s.maternal_aunt("maunt");
    let pa = s.paternal_aunt("paunt");
    s.f.affect(s.me, CRC, Some(45.0));
    s.f.affect(ma, CRC, Some(60.0));
    s.f.affect(pa, ENDOMETRIAL, Some(55.0));
    let a = s.report().lynch.amsterdam_ii;
    assert_eq!(a.status, CriterionStatus::NotMet);
    let c2 = clause(&a, LynchClause::OneFirstDegreeOfOtherTwo);
    assert_eq!(c2.status, ClauseStatus::NotMet);
    assert!(c2.evidence.is_empty());
    assert_eq!(clause(&a, LynchClause::ThreeAffected).status, ClauseStatus::Met);
    let c3 = clause(&a, LynchClause::SuccessiveGenerations);
    assert_eq!(c3.status, ClauseStatus::Met);
    assert_eq!(ids(&c3.evidence), ["me", "maunt", "paunt"]);
    assert_eq!(clause(&a, LynchClause::OneDiagnosedEarly).status, ClauseStatus::Met);
}

// ── Lynch syndrome: revised Bethesda ─────────────────────────────────────────────────────

#[test]
fn bethesda_met_for_proband_with_colorectal_cancer_at_45() {
    let mut s = standard(M);
    s.f.affect(s.me, CRC, Some(45.0));
    let r = s.report();
    let b = &r.lynch.revised_bethesda;
    assert_eq!(b.criterion, "revised-bethesda");
    assert_eq!(b.status, CriterionStatus::Met);
    let c = clause(b, LynchClause::ColorectalEarly);
    assert_eq!(c.status, ClauseStatus::Met);
    assert_eq!(ids(&c.evidence), ["me"]);
    assert_eq!(c.evidence[0].onset_class, OnsetClass::Early);
    assert_eq!(clause(b, LynchClause::MsiHighHistology).status, ClauseStatus::NotAssessable);
    assert_eq!(clause(b, LynchClause::FirstDegreeRelativeEarly).status, ClauseStatus::NotMet);
    let step = b.next_step.as_ref().expect("next step");
    assert_eq!(step.kind, NextStepKind::TumourTesting);
    assert!(step.text.starts_with("The proband's colorectal cancer"));
    assert!(step.references.iter().any(|x| x.id == "umar2004"));
    // The proband's own cancer is reported apart in the Scheuner strata.
    assert!(cond(&r, CRC).proband.is_some());
}

#[test]
fn bethesda_met_with_colorectal_cancer_at_62_and_mother_endometrial_at_48() {
    let mut s = standard(F);
    s.f.affect(s.me, CRC, Some(62.0));
    s.f.affect(s.mother, ENDOMETRIAL, Some(48.0));
    let b = s.report().lynch.revised_bethesda;
    assert_eq!(b.status, CriterionStatus::Met);
    assert_eq!(clause(&b, LynchClause::ColorectalEarly).status, ClauseStatus::NotMet);
    let c = clause(&b, LynchClause::FirstDegreeRelativeEarly);
    assert_eq!(c.status, ClauseStatus::Met);
    assert_eq!(ids(&c.evidence), ["mother"]);
    assert_eq!(c.evidence[0].condition, ENDOMETRIAL);
    assert_eq!(clause(&b, LynchClause::TwoRelativesAnyAge).status, ClauseStatus::NotMet);
}

#[test]
fn bethesda_met_with_colorectal_cancer_at_70_and_two_second_degree_relatives() {
    let mut s = standard(M);
    let aunt = s.maternal_aunt("maunt");
    s.f.affect(s.me, CRC, Some(70.0));
    s.f.affect(aunt, ENDOMETRIAL, Some(75.0));
    s.f.affect(s.pgf, CRC, None);
    let b = s.report().lynch.revised_bethesda;
    assert_eq!(b.status, CriterionStatus::Met);
    let c = clause(&b, LynchClause::TwoRelativesAnyAge);
    assert_eq!(c.status, ClauseStatus::Met);
    assert_eq!(relations(&c.evidence), ["paternal grandfather", "maternal aunt"]);
    assert_eq!(clause(&b, LynchClause::FirstDegreeRelativeEarly).status, ClauseStatus::NotMet);
    assert_eq!(clause(&b, LynchClause::ColorectalEarly).status, ClauseStatus::NotMet);

    // One second-degree relative only: not met.
    let mut s = standard(M);
    s.f.affect(s.me, CRC, Some(70.0));
    s.f.affect(s.pgf, CRC, None);
    let b = s.report().lynch.revised_bethesda;
    assert_eq!(b.status, CriterionStatus::NotMet);
    assert!(b.next_step.is_none());
}

#[test]
fn bethesda_met_with_two_different_lynch_cancers_in_the_proband() {
    let mut s = standard(F);
    s.f.affect(s.me, CRC, Some(65.0));
    s.f.affect(s.me, ENDOMETRIAL, Some(60.0));
    let b = s.report().lynch.revised_bethesda;
    assert_eq!(b.status, CriterionStatus::Met);
    let c = clause(&b, LynchClause::MultipleTumours);
    assert_eq!(c.status, ClauseStatus::Met);
    let conds: Vec<&str> = c.evidence.iter().map(|e| e.condition.as_str()).collect();
    assert_eq!(conds.len(), 2);
    assert!(conds.contains(&CRC) && conds.contains(&ENDOMETRIAL));
}

#[test]
fn bethesda_not_applicable_without_colorectal_cancer_lists_relatives_meeting_it() {
    let mut s = standard(F);
    let pu = s.paternal_uncle("puncle");
    s.f.affect(s.mother, CRC, Some(45.0));
    s.f.affect(pu, CRC, Some(70.0));
    let r = s.report();
    let b = &r.lynch.revised_bethesda;
    assert_eq!(b.status, CriterionStatus::NotApplicable);
    assert!(b.clauses.is_empty());
    assert!(b.notes[0].contains("No colorectal cancer is recorded for the proband"));
    // The mother's tumour meets the guidelines (diagnosed before 50); the paternal uncle's
    // (70, no affected first- or second-degree relatives of his) does not.
    let rels = &r.lynch.bethesda_relatives;
    assert_eq!(rels.len(), 1);
    assert_eq!(rels[0].index.id, "mother");
    assert_eq!(rels[0].status, CriterionStatus::Met);
    let c = clause(&rels[0], LynchClause::ColorectalEarly);
    assert_eq!(c.status, ClauseStatus::Met);
    assert_eq!(ids(&c.evidence), ["mother"]);
    assert!(rels[0].next_step.as_ref().unwrap().text.starts_with("The mother's colorectal cancer"));
}

#[test]
fn bethesda_for_a_relative_counts_that_relatives_own_relatives() {
    // The maternal aunt (CRC 68) has a first-degree relative, her father (the maternal
    // grandfather), with colorectal cancer at 44.
    let mut s = standard(F);
    let aunt = s.maternal_aunt("maunt");
    s.f.affect(aunt, CRC, Some(68.0));
    s.f.affect(s.mgf, CRC, Some(44.0));
    let r = s.report();
    let found: Vec<&str> = r.lynch.bethesda_relatives.iter().map(|b| b.index.id.as_str()).collect();
    assert_eq!(found, ["mgf", "maunt"]);
    let aunt_result = &r.lynch.bethesda_relatives[1];
    let c = clause(aunt_result, LynchClause::FirstDegreeRelativeEarly);
    assert_eq!(c.status, ClauseStatus::Met);
    assert_eq!(relations(&c.evidence), ["maternal grandfather"], "named relative to the proband");
}

// ── Output ───────────────────────────────────────────────────────────────────────────────

#[test]
fn report_serialises_with_stable_ids() {
    let mut s = standard(F);
    s.f.affect(s.mother, BREAST, Some(45.0));
    let v = serde_json::to_value(s.report()).unwrap();
    let breast = v["conditions"].as_array().unwrap().iter().find(|c| c["condition"] == BREAST).unwrap();
    assert_eq!(breast["stratum"], "high");
    assert_eq!(breast["rules"][0]["rule"], "premature-first-degree");
    assert_eq!(breast["rules"][0]["evidence"][0]["member"]["relation"], "mother");
    assert_eq!(breast["rules"][0]["evidence"][0]["member"]["side"], "maternal");
    assert_eq!(breast["rules"][0]["evidence"][0]["onset_class"], "early");
    assert_eq!(v["lynch"]["amsterdam_ii"]["clauses"][0]["clause"], "three-affected");
    assert_eq!(v["lynch"]["revised_bethesda"]["status"], "not_applicable");
}

#[test]
fn large_pedigree_is_fast() {
    // 200 000 members: the proband's family plus a long line of unrelated people.
    let mut s = standard(F);
    let mut prev = None;
    for i in 0..200_000 {
        let ix = s.f.add(&format!("x{i}"), if i % 2 == 0 { M } else { F }, prev, None);
        prev = Some(ix);
    }
    s.f.affect(s.mother, BREAST, Some(45.0));
    let t = std::time::Instant::now();
    let r = s.report();
    assert_eq!(cond(&r, BREAST).stratum, Stratum::High);
    assert_eq!(ids(&cond(&r, BREAST).rules[0].evidence), ["mother"]);
    assert!(t.elapsed().as_secs_f64() < 5.0, "took {:?}", t.elapsed());
}

// ── Properties ───────────────────────────────────────────────────────────────────────────

/// Random pedigrees: each member's parents are earlier members (or none).
fn pedigree() -> impl Strategy<Value = Pedigree> {
    proptest::collection::vec(
        (any::<bool>(), any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0u8..4),
        1..40,
    )
    .prop_map(|spec| {
        let mut ped = Pedigree::default();
        for (i, (male, fi, mi, mode)) in spec.into_iter().enumerate() {
            let pick = |x: prop::sample::Index| if i == 0 { None } else { Some(x.index(i)) };
            let (father, mother) = match mode {
                0 => (None, None),
                1 => (pick(fi), None),
                2 => (None, pick(mi)),
                _ => (pick(fi), pick(mi)),
            };
            ped.members.push(Member {
                id: format!("p{i}"),
                sex: if male { M } else { F },
                father,
                mother,
                ..Default::default()
            });
        }
        ped
    })
}

proptest! {
    #[test]
    fn degree_is_symmetric(ped in pedigree()) {
        let all: Vec<Vec<Relative>> = (0..ped.len()).map(|i| relatives(&ped, i)).collect();
        for (a, rs) in all.iter().enumerate() {
            for r in rs {
                prop_assert!(r.degree >= 1 && r.degree <= 3);
                prop_assert_ne!(r.ix, a);
                let back = all[r.ix].iter().find(|x| x.ix == a);
                prop_assert!(back.is_some(), "{} -> {} not symmetric", a, r.ix);
                prop_assert_eq!(back.unwrap().degree, r.degree);
            }
        }
    }

    #[test]
    fn stratify_never_panics_and_ranks_consistently(ped in pedigree(), who in any::<prop::sample::Index>(), ages in proptest::collection::vec(20.0f64..90.0, 40)) {
        let mut ped = ped;
        let n = ped.len();
        for (i, m) in ped.members.iter_mut().enumerate() {
            if i % 3 == 0 {
                m.conditions.push(ConditionFact { condition: CRC.into(), status: ConditionStatus::Affected, onset: Some(AgeRange::exact(ages[i])) });
            }
        }
        let r = stratify(&ped, who.index(n), cat());
        for c in &r.conditions {
            prop_assert!(!c.rules.is_empty());
            prop_assert!(c.rules.iter().all(|h| h.stratum == c.stratum && h.rule.stratum() == c.stratum));
        }
    }
}
