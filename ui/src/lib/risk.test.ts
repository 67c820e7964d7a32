import { describe, expect, it } from 'vitest';
import type { ConditionRisk } from '../bindings/ConditionRisk';
import type { OverviewItem } from '../bindings/OverviewItem';
import {
  BREAST_HIGH,
  BRCA1_DAUGHTER,
  CF_PRIOR_ONLY,
  CF_SIBLING,
  NOT_MODELLED,
  STROKE_AVERAGE,
  XLR_ERROR,
  XLR_THREE_SONS,
  amsterdamMet,
  conditionRisk,
  criterionResult,
  familyHistory,
  kin,
  overviewFixture,
} from '../test/backend';
import {
  affectedText,
  ageText,
  alleleText,
  carrierLabel,
  carrierText,
  categoryLabel,
  evidenceText,
  factChange,
  factText,
  factsHaveNumbers,
  groupOverview,
  isMendelianCondition,
  isNotable,
  kinshipText,
  lynchToShow,
  modelWords,
  notableConditions,
  overviewPeople,
  pedigreeText,
  percent,
  relativeRiskText,
  thousands,
  toFixedEven,
} from './risk';

describe('percent (the same text as explain.rs percent())', () => {
  // Expected values printed by the Rust function for the same inputs.
  const RUST: Array<[number, string]> = [
    [2 / 3, '67%'],
    [0.04, '4.0%'],
    [0.0392, '3.9%'],
    [1 / 9, '11%'],
    [0.5, '50%'],
    [1, '100%'],
    [0.9996, '99.96%'],
    [0.99999, '>99.99%'],
    [0.125, '12%'],
    [0.025, '2.5%'],
    [0.105, '10%'],
    [0.0125, '1.2%'],
    [0.00125, '0.12%'],
    [0.001, '0.10%'],
    [0.0009999, '1 in 1,000'],
    [4e-6, '1 in 250,000'],
    [4e-5, '1 in 25,000'],
    [1e-12, '1 in 1,000,000,000,000'],
    [2e-12, '1 in 500,000,000,000'],
    [1e-300, '1 in 18,446,744,073,709,551,615'],
    [0, '0%'],
    [-0.1, '0%'],
    [0.015, '1.5%'],
    [0.0015, '0.15%'],
    [0.145, '14%'],
    [0.155, '16%'],
    [0.165, '16%'],
    [0.0025, '0.25%'],
    [0.00375, '0.38%'],
    [0.995, '99.50%'],
    [0.9995, '99.95%'],
    [0.00104, '0.10%'],
    [1.5, '150%'],
    [0.0016668428645999999, '0.17%'],
    [0.00041684572223999995, '1 in 2,399'],
    [0.0005, '1 in 2,000'],
  ];
  it.each(RUST)('percent(%s) = %s', (p, text) => {
    expect(percent(p)).toBe(text);
  });

  it('has no number for null (NaN in Rust, null in JSON), NaN and infinities', () => {
    expect(percent(null)).toBe('—');
    expect(percent(undefined)).toBe('—');
    expect(percent(Number.NaN)).toBe('—');
    expect(percent(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('rounds exact ties to even, as Rust formatting does', () => {
    expect(toFixedEven(12.5, 0)).toBe('12');
    expect(toFixedEven(13.5, 0)).toBe('14');
    expect(toFixedEven(0.25, 1)).toBe('0.2');
    expect(toFixedEven(0.125, 2)).toBe('0.12');
    expect(toFixedEven(0.375, 2)).toBe('0.38');
    expect(toFixedEven(2.675, 2)).toBe('2.67'); // 2.675 is 2.67499… in binary: not a tie
    expect(toFixedEven(1.2345, 3)).toBe((1.2345).toFixed(3));
  });

  it('groups thousands and writes ages like the backend', () => {
    expect(thousands(0)).toBe('0');
    expect(thousands(999)).toBe('999');
    expect(thousands(1000)).toBe('1,000');
    expect(thousands(1234567n)).toBe('1,234,567');
    expect(ageText(45)).toBe('45');
    expect(ageText(45.5)).toBe('45.5');
  });
});

describe('models, categories and figures in words', () => {
  it('names every model', () => {
    expect(modelWords('mendelian_autosomal_recessive')).toBe('Autosomal recessive — exact calculation');
    expect(modelWords('mendelian_autosomal_dominant')).toBe('Autosomal dominant — exact calculation');
    expect(modelWords('mendelian_x_linked_recessive')).toBe('X-linked recessive — exact calculation');
    expect(modelWords('mendelian_x_linked_dominant')).toBe('X-linked dominant — exact calculation');
    expect(modelWords('family_history_scheuner1997')).toBe('Family history (Scheuner 1997)');
    expect(modelWords('not_modelled')).toBe('Multifactorial — not modelled');
    expect(carrierLabel('mendelian_autosomal_recessive')).toBe('Carrier');
    expect(carrierLabel('mendelian_autosomal_dominant')).toBe('Carries a variant');
    expect(categoryLabel('high')).toBe('High');
    expect(categoryLabel('average')).toBe('Average');
    expect(isMendelianCondition({ inheritance: 'x_linked_recessive' })).toBe(true);
    expect(isMendelianCondition({ inheritance: 'multifactorial' })).toBe(false);
  });

  it('shows the carrier probability against the population prior', () => {
    expect(carrierText(CF_SIBLING)).toBe('67% (population 4.0%)');
    expect(carrierText({ carrier_probability: 0.5, prior_carrier_probability: null })).toBe('50%');
    expect(carrierText({ carrier_probability: null, prior_carrier_probability: null })).toBe('—');
  });

  it('shows the affected probability now and by the horizon', () => {
    expect(affectedText(BRCA1_DAUGHTER.affected_probability!)).toBe('now (age 30) 1.2% · by 85: 36% (population 0.19%)');
    expect(affectedText({ now: null, at_age: null, by_horizon: 0.1, remaining: 0.1, horizon: 70, prior_by_horizon: null })).toBe(
      'by 70: 10%',
    );
  });

  it('writes kinship, relative risks and allele frequencies', () => {
    expect(kinshipText('1/16', 0.0625)).toBe('1/16');
    expect(kinshipText('0', 0)).toBe('0 (not related as recorded)');
    expect(relativeRiskText(4.0)).toBe('× 4.0');
    expect(relativeRiskText(126.4)).toBe('× 126');
    expect(relativeRiskText(null)).toBe('—');
    expect(alleleText(0.0204168)).toBe('0.0204');
    expect(alleleText(0.00005)).toBe('5.0 × 10⁻⁵');
    expect(alleleText(0)).toBe('0');
    expect(alleleText(null)).toBe('—');
  });

  it('summarises the pedigree read', () => {
    expect(pedigreeText({ people: 7, with_health_facts: 3, truncated: false })).toBe(
      'Read 7 people of the family (3 with health records).',
    );
    expect(pedigreeText({ people: 1, with_health_facts: 0, truncated: false })).toBe(
      'Read 1 person of the family (0 with health records).',
    );
  });
});

describe('notable conditions', () => {
  const plain = (o: Partial<ConditionRisk>) => conditionRisk({ condition: 'x', name: 'X', model: 'mendelian_autosomal_recessive', ...o });

  it('keeps family evidence, errors, moderate or high categories and raised carrier probabilities', () => {
    expect(isNotable(CF_SIBLING)).toBe(true); // family evidence
    expect(isNotable(XLR_ERROR)).toBe(true);
    expect(isNotable(BREAST_HIGH)).toBe(true);
    expect(isNotable(plain({ category: 'moderate', model: 'family_history_scheuner1997' }))).toBe(true);
    expect(isNotable(plain({ carrier_probability: 0.05, prior_carrier_probability: 0.02 }))).toBe(true);
  });

  it('leaves out population priors, average categories and small or barely raised probabilities', () => {
    expect(isNotable(CF_PRIOR_ONLY)).toBe(false);
    expect(isNotable(STROKE_AVERAGE)).toBe(false);
    expect(isNotable(NOT_MODELLED)).toBe(false);
    // More than twice the prior but under 1%.
    expect(isNotable(plain({ carrier_probability: 0.009, prior_carrier_probability: 0.001 }))).toBe(false);
    // Over 1% but not twice the prior.
    expect(isNotable(plain({ carrier_probability: 0.06, prior_carrier_probability: 0.04 }))).toBe(false);
    // No prior to compare with.
    expect(isNotable(plain({ carrier_probability: 0.5, prior_carrier_probability: null }))).toBe(false);
  });

  it('filters in catalog order', () => {
    const all = [CF_PRIOR_ONLY, XLR_THREE_SONS, STROKE_AVERAGE, BREAST_HIGH, XLR_ERROR];
    expect(notableConditions(all)).toEqual([XLR_THREE_SONS, BREAST_HIGH, XLR_ERROR]);
  });
});

describe('facts (NaN-safe)', () => {
  it('shows without → with as percentages', () => {
    const sons = XLR_THREE_SONS.explanation.facts[0];
    expect(factChange(sons)).toBe('50% → 11%');
    expect(factText(sons)).toBe('3 sons: unaffected (ages 15–20): 50% → 11%');
  });

  it('shows only the description of a fact without numbers (NaN → null in JSON)', () => {
    const rule = BREAST_HIGH.explanation.facts[0];
    expect(rule.with).toBeNull();
    expect(factChange(rule)).toBeNull();
    expect(factText(rule)).toBe('Premature onset in a first-degree relative (mother at 44)');
    expect(factChange({ with: Number.NaN, without: 0.5 })).toBeNull();
    expect(factsHaveNumbers(BREAST_HIGH.explanation.facts)).toBe(false);
    expect(factsHaveNumbers(XLR_THREE_SONS.explanation.facts)).toBe(true);
  });
});

describe('Lynch criteria', () => {
  it('shows met criteria only, relatives’ Bethesda results included', () => {
    expect(lynchToShow(familyHistory('me'))).toEqual([]);
    const amsterdam = amsterdamMet();
    const aunt = criterionResult('revised-bethesda', { index: kin('aunt', 'maternal aunt'), status: 'met' });
    const fh = familyHistory('me', {
      lynch: {
        amsterdam_ii: amsterdam,
        revised_bethesda: criterionResult('revised-bethesda'),
        bethesda_relatives: [aunt],
      },
    });
    expect(lynchToShow(fh)).toEqual([amsterdam, aunt]);
  });

  it('names the relatives a clause counted', () => {
    const [mum, aunt] = amsterdamMet().clauses[0].evidence;
    expect(evidenceText(mum)).toBe('mother at 45');
    expect(evidenceText(aunt)).toBe('maternal aunt at 52');
    expect(evidenceText({ ...mum, member: kin('me', 'self'), onset: { min: 40, max: 49 } })).toBe('this person at 40–49');
    expect(evidenceText({ ...mum, onset: null })).toBe('mother');
  });
});

describe('family overview', () => {
  it('groups items by suggestion in a fixed order, keeping the backend order inside a group', () => {
    const items = overviewFixture('me').items;
    const groups = groupOverview(items);
    expect(groups.map((g) => [g.label, g.items.map((i) => `${i.person}:${i.condition}`)])).toEqual([
      ['Genetic counselling and testing', ['sis:brca1-associated-cancer', 'me:brca1-associated-cancer']],
      ['Earlier screening', ['sis:breast-cancer']],
      ['Prevention', ['dad:coronary-heart-disease']],
    ]);
    const onlyPrevention: OverviewItem[] = items.filter((i) => i.suggestion === 'prevention');
    expect(groupOverview(onlyPrevention).map((g) => g.suggestion)).toEqual(['prevention']);
    expect(groupOverview([])).toEqual([]);
  });

  it('lists the people named, each once', () => {
    expect(overviewPeople(overviewFixture('me').items)).toEqual(['sis', 'me', 'dad']);
  });
});
