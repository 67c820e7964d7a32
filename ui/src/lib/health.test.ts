import { describe, expect, it } from 'vitest';
import type { CatalogData } from '../bindings/CatalogData';
import type { Questionnaire } from '../bindings/Questionnaire';
import { CATALOG_FIXTURE, conditionDef } from '../test/backend';
import {
  addRelativeOptions,
  alleleFromCarrier,
  ancestryOptions,
  buildQuestionnaire,
  buildUserCondition,
  carrierFromAllele,
  checkAge,
  checkConditionAges,
  codeRef,
  codeSummary,
  commonConditions,
  emptyTestDraft,
  emptyUserCondition,
  formatCode,
  newRelativeDraft,
  onsetText,
  parseProportion,
  populationLabel,
  provenanceText,
  questionnaireDirty,
  recordedText,
  relationLabel,
  relativeDrafts,
  relativeWho,
  savedSummary,
  slugify,
  testRequest,
  vitalDraft,
  vitalFromDraft,
  vitalText,
  type UserConditionDraft,
} from './health';

const catalog: CatalogData = { version: 1, released: '2026-11-25', condition: CATALOG_FIXTURE, criterion: [] };
const cf = CATALOG_FIXTURE.find((d) => d.id === 'cystic-fibrosis')!;

describe('populations', () => {
  it('labels slugs like people write them', () => {
    expect(populationLabel('european')).toBe('European');
    expect(populationLabel('ashkenazi_jewish')).toBe('Ashkenazi Jewish');
    expect(populationLabel('african_american')).toBe('African American');
    expect(populationLabel('south_asian')).toBe('South Asian');
  });

  it('offers each frequency population once, not the default rows, plus what the person has', () => {
    expect(ancestryOptions(catalog)).toEqual([
      { value: 'ashkenazi_jewish', label: 'Ashkenazi Jewish' },
      { value: 'european', label: 'European' },
      { value: 'hispanic', label: 'Hispanic' },
    ]);
    expect(ancestryOptions(catalog, ['finnish']).map((o) => o.value)).toContain('finnish');
    expect(ancestryOptions(null)).toEqual([]);
  });
});

describe('codes', () => {
  it('formats codes for people and for records', () => {
    expect(formatCode(cf.codes[0])).toBe('SNOMED 190905008');
    expect(formatCode(cf.codes[1])).toBe('ICD-10 E84');
    expect(formatCode(cf.codes[3])).toBe('MONDO:0009061');
    expect(codeRef(cf.codes[0])).toBe('snomed:190905008');
    expect(codeRef({ system: 'kinvault', code: 'family-cm', display: '' })).toBe('kinvault:family-cm');
    expect(codeRef(null)).toBe('');
  });

  it('summarises SNOMED and ICD-10, adding the code a search matched', () => {
    expect(codeSummary(cf)).toBe('SNOMED 190905008 · ICD-10 E84');
    expect(codeSummary(cf, '219700')).toBe('SNOMED 190905008 · ICD-10 E84 · OMIM 219700');
    expect(codeSummary(cf, 'e84')).toBe('SNOMED 190905008 · ICD-10 E84');
    const omimOnly = conditionDef({ id: 'x', name: 'X', codes: [{ system: 'omim', code: '100100', display: 'X' }] });
    expect(codeSummary(omimOnly)).toBe('OMIM 100100');
  });
});

describe('observations', () => {
  it('describes sources, flagging imported ones', () => {
    expect(provenanceText({ kind: 'medical_record' })).toEqual({ text: 'Medical record', imported: false });
    expect(provenanceText({ kind: 'imported', format: 'FHIR' })).toEqual({
      text: 'Imported (FHIR), unverified',
      imported: true,
    });
  });

  it('shows onset ages and ranges', () => {
    expect(onsetText({ min: 44, max: 44 })).toBe('44');
    expect(onsetText({ min: 40, max: 49 })).toBe('40–49');
    expect(onsetText(null)).toBe('');
  });
});

describe('ages', () => {
  it('accepts blank and 0–130, with the backend’s messages otherwise', () => {
    expect(checkAge('age', '')).toEqual({ ok: true, value: null });
    expect(checkAge('age', ' 44.5 ')).toEqual({ ok: true, value: 44.5 });
    expect(checkAge('onset age', '150')).toEqual({
      ok: false,
      error: 'onset age 150 is not an age in years between 0 and 130',
    });
    expect(checkAge('age', '-1')).toMatchObject({ ok: false });
    expect(checkAge('age', 'forty')).toEqual({ ok: false, error: 'age “forty” is not a number of years' });
  });

  it('checks onset against the age at observation, and only for affected', () => {
    expect(checkConditionAges('affected', '40', '50')).toEqual({ ok: true, value: { onset: 40, age: 50 } });
    expect(checkConditionAges('affected', '60', '50')).toEqual({
      ok: false,
      error: 'onset age 60 is after the age at observation 50',
    });
    expect(checkConditionAges('unaffected', '60', '45')).toEqual({ ok: true, value: { onset: null, age: 45 } });
  });
});

describe('vital status', () => {
  it('round-trips through the draft and keeps the death date', () => {
    const date = { original: '1852', qualifier: 'exact', calendar: 'gregorian', earliest: null, latest: null, phrase: null } as const;
    const dead = { status: 'deceased', age: 36, date, cause: 'cancer' } as const;
    expect(vitalDraft(dead)).toEqual({ status: 'deceased', age: '36', cause: 'cancer' });
    expect(vitalFromDraft(dead, { status: 'deceased', age: '37', cause: ' uterine cancer ' })).toEqual({
      ok: true,
      value: { status: 'deceased', age: 37, date, cause: 'uterine cancer' },
    });
    expect(vitalFromDraft({ status: 'unknown' }, { status: 'alive', age: '', cause: 'x' })).toEqual({
      ok: true,
      value: { status: 'alive', age: null },
    });
    expect(vitalFromDraft({ status: 'unknown' }, { status: 'deceased', age: '200', cause: '' })).toEqual({
      ok: false,
      error: 'age at death 200 is not an age in years between 0 and 130',
    });
  });

  it('reads as a sentence', () => {
    expect(vitalText({ status: 'alive', age: 45 })).toBe('Alive, age 45');
    expect(vitalText({ status: 'deceased', age: 61, date: null, cause: 'heart attack' })).toBe('Deceased at 61 (heart attack)');
    expect(vitalText({ status: 'unknown' })).toBe('Not known');
  });
});

describe('genetic tests', () => {
  it('builds the request and checks gene and sensitivity like the backend', () => {
    const ok = testRequest({ ...emptyTestDraft(), gene: ' BRCA1 ', sensitivity: '0.9', acmg: 'pathogenic', result: 'positive' });
    expect(ok).toEqual({
      ok: true,
      value: {
        gene: 'BRCA1',
        variant: null,
        result: 'positive',
        acmg_class: 'pathogenic',
        sensitivity: 0.9,
        method: null,
        lab: null,
        date: null,
        provenance: { kind: 'medical_record' },
      },
    });
    expect(testRequest({ ...emptyTestDraft(), gene: '' })).toMatchObject({ error: 'name the gene tested (HGNC symbol, e.g. BRCA1)' });
    expect(testRequest({ ...emptyTestDraft(), gene: 'BRCA 1' })).toMatchObject({
      error: '"BRCA 1" is not a gene symbol (one word, e.g. BRCA1)',
    });
    expect(testRequest({ ...emptyTestDraft(), gene: 'BRCA1', sensitivity: '1.5' })).toMatchObject({
      error: 'sensitivity 1.5 is not a probability in (0, 1], e.g. 0.9',
    });
    expect(testRequest({ ...emptyTestDraft(), gene: 'BRCA1', sensitivity: '0' })).toMatchObject({ ok: false });
  });
});

describe('Hardy–Weinberg', () => {
  it('converts carrier to allele frequency and back', () => {
    // The catalog's cystic fibrosis entry: carrier 1 in 25 → q = 0.0204168.
    expect(alleleFromCarrier(0.04)).toBeCloseTo(0.0204168, 7);
    expect(carrierFromAllele(alleleFromCarrier(0.04))).toBeCloseTo(0.04, 12);
    expect(alleleFromCarrier(0.5)).toBeCloseTo(0.5, 12);
    expect(alleleFromCarrier(0)).toBe(0);
    expect(alleleFromCarrier(0.6)).toBeNaN();
  });

  it('reads proportions written several ways', () => {
    expect(parseProportion('0.04')).toBe(0.04);
    expect(parseProportion('4%')).toBeCloseTo(0.04, 12);
    expect(parseProportion('1 in 25')).toBe(0.04);
    expect(parseProportion('1/2,500')).toBe(0.0004);
    expect(parseProportion('')).toBeNull();
    expect(parseProportion('often')).toBeNaN();
  });
});

describe('user conditions', () => {
  function draft(overrides: Partial<UserConditionDraft> = {}): UserConditionDraft {
    return {
      ...emptyUserCondition('Family cardiomyopathy'),
      inheritance: 'autosomal_dominant',
      category: 'cardiovascular',
      genes: 'myh7, MYBPC3',
      frequencyGiven: 'carrier_frequency',
      frequency: '1 in 25',
      penetranceKind: 'points',
      points: [
        { age: '10', female: '0', male: '0' },
        { age: '40', female: '0.3', male: '0.4' },
        { age: '70', female: '0.6', male: '0.7' },
      ],
      citation: 'Letter from the cardiogenetics clinic, 2025.',
      year: '2025',
      ...overrides,
    };
  }

  it('derives the id from the name', () => {
    expect(slugify('Family cardiomyopathy')).toBe('family-cardiomyopathy');
    expect(slugify("  Ménière's disease (ours) ")).toBe('menieres-disease-ours');
    expect(emptyUserCondition('Long QT 1').id).toBe('long-qt-1');
  });

  it('builds a valid ConditionDef with every number pointing at the user reference', () => {
    const built = buildUserCondition(draft());
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const def = built.def;
    expect(def).toMatchObject({
      id: 'family-cardiomyopathy',
      name: 'Family cardiomyopathy',
      category: 'cardiovascular',
      inheritance: 'autosomal_dominant',
      genes: ['MYH7', 'MYBPC3'],
      user_defined: true,
      references: [{ id: 'user', citation: 'Letter from the cardiogenetics clinic, 2025.', year: 2025, url: null }],
    });
    const f = def.frequencies[0];
    expect(f).toMatchObject({ population: 'general', given: 'carrier_frequency', as_reported: '1 in 25', ref: 'user' });
    expect(f.carrier_frequency).toBe(0.04);
    expect(f.allele_frequency).toBeCloseTo(0.0204168, 7);
    expect(def.penetrance).toEqual([
      {
        outcome: null,
        female: [
          [10, 0],
          [40, 0.3],
          [70, 0.6],
        ],
        male: [
          [10, 0],
          [40, 0.4],
          [70, 0.7],
        ],
        ref: 'user',
        female_ref: null,
        male_ref: null,
        note: null,
      },
    ]);
    expect(def.lifetime_risk).toEqual([]);
  });

  it('fills the carrier frequency from an allele frequency, and takes constants', () => {
    const built = buildUserCondition(
      draft({ frequencyGiven: 'allele_frequency', frequency: '0.01', penetranceKind: 'constant', penetranceFemale: '0.5', penetranceMale: '0.25' }),
    );
    if (!built.ok) throw new Error(built.errors.join('\n'));
    expect(built.def.frequencies[0]).toMatchObject({ given: 'allele_frequency', allele_frequency: 0.01 });
    expect(built.def.frequencies[0].carrier_frequency).toBeCloseTo(0.0198, 12);
    expect(built.def.penetrance[0]).toMatchObject({ female: 0.5, male: 0.25 });
  });

  it('gives a multifactorial condition a lifetime risk instead of single-locus numbers', () => {
    const built = buildUserCondition(draft({ inheritance: 'multifactorial', lifetimeRisk: '10%' }));
    if (!built.ok) throw new Error(built.errors.join('\n'));
    expect(built.def.frequencies).toEqual([]);
    expect(built.def.penetrance).toEqual([]);
    expect(built.def.lifetime_risk).toEqual([
      { population: 'general', label: 'General population', sex: 'any', value: 0.1, from_age: null, to_age: null, ref: 'user', note: null },
    ]);
  });

  it('reports every problem, naming the field', () => {
    const built = buildUserCondition(
      draft({
        id: 'Bad Id',
        genes: 'MYH 7!',
        frequency: '0.6',
        points: [
          { age: '40', female: '0.5', male: '0.5' },
          { age: '30', female: '0.4', male: '1.2' },
        ],
        citation: ' ',
        year: '',
      }),
    );
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.errors).toEqual([
      'Id: “Bad Id” is not a slug (lowercase letters and digits joined by “-”)',
      'Genes: “7!” is not an HGNC gene symbol (letters and digits)',
      'Carrier frequency: 0.6 is above 0.5, which no allele frequency gives under Hardy–Weinberg (2q(1−q) ≤ 0.5)',
      'Penetrance point 2 (male): 1.2 is outside [0, 1]',
      "Penetrance point 2: age 30 does not increase on the previous point's 40",
      'Penetrance point 2 (female): cumulative risk falls from 0.5 to 0.4: a cumulative curve must not decrease',
      'Reference: every number needs a source: cite the paper, guideline or clinic letter',
      'Reference: give the publication year (or, for an undated web page, its URL)',
    ]);
  });

  it('accepts a URL instead of a year', () => {
    expect(buildUserCondition(draft({ year: '', url: 'https://example.org/guideline' })).ok).toBe(true);
    expect(buildUserCondition(draft({ year: '25' }))).toMatchObject({ ok: false, errors: ['Reference: 25 is not a plausible publication year'] });
  });
});

describe('questionnaire drafts', () => {
  const loaded: Questionnaire = {
    proband: 'ada',
    relatives: [
      { person: 'ada', relation: 'proband', name: 'Ada Lovelace', sex: 'F', alive: null, age: null, cause_of_death: null, recorded: [], add: [] },
      {
        person: 'anne',
        relation: 'mother',
        name: 'Anne Milbanke',
        sex: 'F',
        alive: false,
        age: 68,
        cause_of_death: 'breast cancer',
        recorded: [{ condition: 'breast-cancer', label: 'Breast cancer', status: 'affected', onset_age: 60 }],
        add: [],
      },
      { person: 'gm', relation: 'maternal_grandmother', name: '', sex: 'F', alive: null, age: null, cause_of_death: null, recorded: [], add: [] },
    ],
  };

  it('names relations like the backend', () => {
    expect(relationLabel('sibling', 'F')).toBe('Sister');
    expect(relationLabel('child', 'U')).toBe('Child');
    expect(relationLabel('maternal_aunt_or_uncle', 'M')).toBe('Maternal uncle');
    expect(relationLabel('paternal_aunt_or_uncle', 'U')).toBe("Father's sibling");
    expect(relativeWho({ relation: 'sibling', sex: 'F', name: ' Eva ' })).toBe('sister (Eva)');
    expect(relativeWho({ relation: 'mother', sex: 'F', name: '' })).toBe('Mother');
  });

  it('offers parents and grandparents only while missing', () => {
    const rows = relativeDrafts(loaded);
    const ids = addRelativeOptions(rows).map((o) => o.id);
    expect(ids).toEqual([
      'father',
      'sister',
      'brother',
      'daughter',
      'son',
      'maternal-grandfather',
      'paternal-grandmother',
      'paternal-grandfather',
      'maternal-aunt-uncle',
      'paternal-aunt-uncle',
    ]);
    rows.push(newRelativeDraft({ relation: 'father', sex: 'M' }));
    expect(addRelativeOptions(rows).map((o) => o.id)).not.toContain('father');
  });

  it('tells whether anything would change', () => {
    const rows = relativeDrafts(loaded);
    expect(questionnaireDirty(rows)).toBe(false);
    rows[1].cause = 'breast cancer';
    expect(questionnaireDirty(rows)).toBe(false);
    rows[1].age = '69';
    expect(questionnaireDirty(rows)).toBe(true);
    rows[1].age = '68';
    rows[0].add.push({ key: 1, condition: 'stroke', name: 'Stroke', onset: '' });
    expect(questionnaireDirty(rows)).toBe(true);
    expect(questionnaireDirty([...relativeDrafts(loaded), newRelativeDraft({ relation: 'sibling', sex: 'M' })])).toBe(true);
  });

  it('builds the questionnaire to save, new relatives without a person', () => {
    const rows = relativeDrafts(loaded);
    const brother = newRelativeDraft({ relation: 'sibling', sex: 'M' });
    brother.name = ' Tom ';
    brother.status = 'alive';
    brother.age = '40';
    brother.add.push({ key: 2, condition: 'stroke', name: 'Stroke', onset: '38' });
    const built = buildQuestionnaire('ada', [...rows, brother]);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.value.proband).toBe('ada');
    expect(built.value.relatives[1]).toMatchObject({ person: 'anne', alive: false, age: 68, cause_of_death: 'breast cancer', add: [] });
    expect(built.value.relatives[2]).toMatchObject({ person: 'gm', alive: null, age: null });
    expect(built.value.relatives[3]).toEqual({
      person: null,
      relation: 'sibling',
      name: 'Tom',
      sex: 'M',
      alive: true,
      age: 40,
      cause_of_death: null,
      recorded: [],
      add: [{ condition: 'stroke', onset_age: 38 }],
    });
  });

  it('refuses bad ages with the backend’s messages, naming the relative', () => {
    const sister = newRelativeDraft({ relation: 'sibling', sex: 'F' });
    sister.name = 'Eva';
    sister.status = 'alive';
    sister.age = '40';
    sister.add.push({ key: 3, condition: 'stroke', name: 'Stroke', onset: '80' });
    expect(buildQuestionnaire('ada', [sister])).toEqual({
      ok: false,
      error: 'sister (Eva): onset of Stroke at 80 is after their age 40',
    });
    const mother = newRelativeDraft({ relation: 'mother', sex: 'F' });
    mother.status = 'deceased';
    mother.age = '140';
    expect(buildQuestionnaire('ada', [mother])).toEqual({
      ok: false,
      error: 'Mother: age: 140 is not an age in years between 0 and 130',
    });
  });

  it('summarises a save and lists the common conditions', () => {
    expect(savedSummary({ people_created: 3, people_updated: 0, conditions_added: 5 })).toBe('3 relatives added, 5 conditions recorded');
    expect(savedSummary({ people_created: 1, people_updated: 1, conditions_added: 1 })).toBe(
      '1 relative added, 1 record updated, 1 condition recorded',
    );
    expect(commonConditions(catalog).map((c) => c.id)).toEqual([
      'coronary-heart-disease',
      'stroke',
      'type-2-diabetes',
      'breast-cancer',
      'ovarian-cancer',
      'colorectal-cancer',
      'prostate-cancer',
      'endometrial-cancer',
    ]);
    expect(recordedText({ condition: 'breast-cancer', label: 'Breast cancer', status: 'affected', onset_age: 44 })).toBe('Breast cancer, 44');
    expect(recordedText({ condition: 'stroke', label: 'Stroke', status: 'unaffected', onset_age: null })).toBe('Stroke (unaffected)');
  });
});
