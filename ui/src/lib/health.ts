// Pure helpers for the health UI: labels for catalog and observation values, client-side checks
// that mirror the backend's messages (crates/api/src/clinical.rs, history.rs and the catalog's
// validate.rs), Hardy–Weinberg conversion, building a user-defined ConditionDef, and the family
// health questionnaire's draft rows.
import type { AcmgClass } from '../bindings/AcmgClass';
import type { AddGeneticTest } from '../bindings/AddGeneticTest';
import type { AgeRange } from '../bindings/AgeRange';
import type { CatalogData } from '../bindings/CatalogData';
import type { Certainty } from '../bindings/Certainty';
import type { Code } from '../bindings/Code';
import type { CodeSystem } from '../bindings/CodeSystem';
import type { ConditionCategory } from '../bindings/ConditionCategory';
import type { ConditionDef } from '../bindings/ConditionDef';
import type { ConditionStatus } from '../bindings/ConditionStatus';
import type { Inheritance } from '../bindings/Inheritance';
import type { Provenance } from '../bindings/Provenance';
import type { Questionnaire } from '../bindings/Questionnaire';
import type { QuestionnaireRelation } from '../bindings/QuestionnaireRelation';
import type { QuestionnaireRelative } from '../bindings/QuestionnaireRelative';
import type { QuestionnaireSaved } from '../bindings/QuestionnaireSaved';
import type { RecordedCondition } from '../bindings/RecordedCondition';
import type { RiskCurve } from '../bindings/RiskCurve';
import type { Sex } from '../bindings/Sex';
import type { TestResult } from '../bindings/TestResult';
import type { VitalStatus } from '../bindings/VitalStatus';

/** Ages above this are typing errors (the backend's MAX_AGE). */
export const MAX_AGE = 130;

type Option<T extends string> = { value: T; label: string };

// ── Population / ancestry ────────────────────────────────────────────────────────────────────

const POPULATION_NAMES: Record<string, string> = {
  european: 'European',
  ashkenazi_jewish: 'Ashkenazi Jewish',
  african_american: 'African American',
  hispanic: 'Hispanic',
  asian: 'Asian',
  native_american: 'Native American',
  general: 'General population',
  global: 'Global',
  united_states: 'United States',
};

/**
 * Catalog slugs that name the default figures rather than an ancestry: a person's ancestry is
 * left empty instead (the catalog's first, default frequency entry is used).
 */
export const DEFAULT_POPULATIONS: ReadonlySet<string> = new Set(['general', 'global']);

/** "ashkenazi_jewish" → "Ashkenazi Jewish"; unknown slugs are title-cased word by word. */
export function populationLabel(slug: string): string {
  const known = POPULATION_NAMES[slug];
  if (known) return known;
  return slug
    .split(/[_\-\s]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

/**
 * The ancestries a person can be given: every population slug the catalog's frequency tables
 * use (not the default "general"/"global" rows), plus any the person already has, by label.
 */
export function ancestryOptions(catalog: CatalogData | null, current: readonly string[] = []): Option<string>[] {
  const slugs = new Set<string>();
  for (const def of catalog?.condition ?? []) {
    for (const f of def.frequencies) {
      if (!DEFAULT_POPULATIONS.has(f.population)) slugs.add(f.population);
    }
  }
  for (const s of current) slugs.add(s);
  return [...slugs].map((value) => ({ value, label: populationLabel(value) })).sort((a, b) => a.label.localeCompare(b.label));
}

// ── Codes ─────────────────────────────────────────────────────────────────────────────────────

export const CODE_SYSTEM_LABELS: Record<CodeSystem, string> = {
  snomed: 'SNOMED',
  icd10: 'ICD-10',
  omim: 'OMIM',
  mondo: 'MONDO',
  hpo: 'HPO',
  kinvault: 'Kinvault',
  other: 'Other',
};

/** "SNOMED 190905008", "ICD-10 E84"; prefixed ids (MONDO:0009061, HP:0000118) as they are. */
export function formatCode(code: Code): string {
  if (code.code.includes(':')) return code.code;
  return `${CODE_SYSTEM_LABELS[code.system]} ${code.code}`;
}

/** The machine form an observation's code is stored in: "snomed:190905008". */
export function codeRef(code: Code | null): string {
  if (!code) return '';
  if (code.code.includes(':')) return code.code;
  return `${code.system}:${code.code}`;
}

function normalizeCode(s: string): string {
  return s.trim().toUpperCase().replace(/\s+/g, '');
}

/**
 * The codes a picker row shows: the preferred SNOMED CT and ICD-10 codes (others when it has
 * neither), plus the code the query matched when that is another one.
 * "SNOMED 190905008 · ICD-10 E84".
 */
export function codeSummary(def: ConditionDef, query = ''): string {
  const shown: Code[] = [];
  const firstOf = (system: CodeSystem) => def.codes.find((c) => c.system === system);
  for (const system of ['snomed', 'icd10'] as const) {
    const c = firstOf(system);
    if (c) shown.push(c);
  }
  if (shown.length === 0) {
    for (const system of ['omim', 'mondo', 'hpo'] as const) {
      const c = firstOf(system);
      if (c && shown.length < 2) shown.push(c);
    }
  }
  const q = normalizeCode(query);
  if (q) {
    const matched = def.codes.find((c) => normalizeCode(c.code) === q || normalizeCode(c.code).endsWith(`:${q}`));
    if (matched && !shown.includes(matched)) shown.push(matched);
  }
  return shown.map(formatCode).join(' · ');
}

// ── Observation values ────────────────────────────────────────────────────────────────────────

export const STATUS_OPTIONS: Option<ConditionStatus>[] = [
  { value: 'affected', label: 'Affected' },
  { value: 'unaffected', label: 'Unaffected' },
  { value: 'unknown', label: 'Unknown' },
];

export const CERTAINTY_OPTIONS: Option<Certainty>[] = [
  { value: 'confirmed', label: 'Confirmed' },
  { value: 'probable', label: 'Probable' },
  { value: 'possible', label: 'Possible' },
  { value: 'unknown', label: 'Not stated' },
];

export type SourceKey = 'self_reported' | 'reported_by_relative' | 'medical_record';

export const SOURCE_OPTIONS: Option<SourceKey>[] = [
  { value: 'self_reported', label: 'Self-reported' },
  { value: 'reported_by_relative', label: 'Reported by a relative' },
  { value: 'medical_record', label: 'Medical record' },
];

export function provenanceOf(source: SourceKey): Provenance {
  return { kind: source };
}

/** How a fact's source reads on screen; imported facts are flagged as unverified. */
export function provenanceText(p: Provenance): { text: string; imported: boolean } {
  switch (p.kind) {
    case 'self_reported':
      return { text: 'Self-reported', imported: false };
    case 'reported_by_relative':
      return { text: 'Reported by a relative', imported: false };
    case 'medical_record':
      return { text: 'Medical record', imported: false };
    case 'imported':
      return { text: p.format ? `Imported (${p.format}), unverified` : 'Imported, unverified', imported: true };
  }
}

export function statusLabel(status: ConditionStatus): string {
  return STATUS_OPTIONS.find((o) => o.value === status)?.label ?? status;
}

export function certaintyLabel(c: Certainty): string {
  return CERTAINTY_OPTIONS.find((o) => o.value === c)?.label ?? c;
}

/** "44", "40–49", or "" when unknown. */
export function onsetText(onset: AgeRange | null): string {
  if (!onset) return '';
  return onset.min === onset.max ? String(onset.min) : `${onset.min}–${onset.max}`;
}

export const RESULT_OPTIONS: Option<TestResult>[] = [
  { value: 'positive', label: 'Positive' },
  { value: 'negative', label: 'Negative' },
  { value: 'vus', label: 'VUS (variant of uncertain significance)' },
  { value: 'inconclusive', label: 'Inconclusive' },
];

export const ACMG_OPTIONS: Option<AcmgClass>[] = [
  { value: 'pathogenic', label: 'Pathogenic' },
  { value: 'likely_pathogenic', label: 'Likely pathogenic' },
  { value: 'uncertain_significance', label: 'Uncertain significance' },
  { value: 'likely_benign', label: 'Likely benign' },
  { value: 'benign', label: 'Benign' },
];

export function resultLabel(r: TestResult): string {
  return r === 'vus' ? 'VUS' : (RESULT_OPTIONS.find((o) => o.value === r)?.label ?? r);
}

export function acmgLabel(c: AcmgClass | null): string {
  return c ? (ACMG_OPTIONS.find((o) => o.value === c)?.label ?? c) : '';
}

export const CATEGORY_OPTIONS: Option<ConditionCategory>[] = [
  { value: 'cancer', label: 'Cancer' },
  { value: 'cardiovascular', label: 'Cardiovascular' },
  { value: 'metabolic', label: 'Metabolic' },
  { value: 'endocrine', label: 'Endocrine' },
  { value: 'neuromuscular', label: 'Neuromuscular' },
  { value: 'neurological', label: 'Neurological' },
  { value: 'haematological', label: 'Haematological' },
  { value: 'respiratory', label: 'Respiratory' },
  { value: 'renal', label: 'Renal' },
  { value: 'connective_tissue', label: 'Connective tissue' },
  { value: 'other', label: 'Other' },
];

export const INHERITANCE_OPTIONS: Option<Inheritance>[] = [
  { value: 'autosomal_dominant', label: 'Autosomal dominant' },
  { value: 'autosomal_recessive', label: 'Autosomal recessive' },
  { value: 'x_linked_recessive', label: 'X-linked recessive' },
  { value: 'x_linked_dominant', label: 'X-linked dominant' },
  { value: 'multifactorial', label: 'Multifactorial (common disease)' },
];

// ── Ages ──────────────────────────────────────────────────────────────────────────────────────

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(error: string): Checked<T> => ({ ok: false, error });

/** A number typed by the user: null when blank, NaN when not a number. */
export function parseNumber(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!t) return null;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number.NaN;
  return Number(t);
}

/**
 * An optional age in years. `what` starts the message as the backend's does: "onset age 150 is
 * not an age in years between 0 and 130".
 */
export function checkAge(what: string, text: string): Checked<number | null> {
  const a = parseNumber(text);
  if (a === null) return ok(null);
  if (Number.isNaN(a)) return fail(`${what} “${text.trim()}” is not a number of years`);
  if (!Number.isFinite(a) || a < 0 || a > MAX_AGE) {
    return fail(`${what} ${a} is not an age in years between 0 and ${MAX_AGE}`);
  }
  return ok(a);
}

/** The ages of an add-condition form, checked like `add_condition` checks them. */
export function checkConditionAges(
  status: ConditionStatus,
  onsetText: string,
  ageText: string,
): Checked<{ onset: number | null; age: number | null }> {
  const onset = checkAge('onset age', status === 'affected' ? onsetText : '');
  if (!onset.ok) return onset;
  const age = checkAge('age', ageText);
  if (!age.ok) return age;
  if (onset.value !== null && age.value !== null && onset.value > age.value) {
    return fail(`onset age ${onset.value} is after the age at observation ${age.value}`);
  }
  return ok({ onset: onset.value, age: age.value });
}

// ── Vital status ──────────────────────────────────────────────────────────────────────────────

export type VitalKind = VitalStatus['status'];
export type VitalDraft = { status: VitalKind; age: string; cause: string };

export function vitalDraft(vs: VitalStatus): VitalDraft {
  switch (vs.status) {
    case 'alive':
      return { status: 'alive', age: vs.age == null ? '' : String(vs.age), cause: '' };
    case 'deceased':
      return { status: 'deceased', age: vs.age == null ? '' : String(vs.age), cause: vs.cause ?? '' };
    default:
      return { status: 'unknown', age: '', cause: '' };
  }
}

/** The vital status the draft describes; a deceased person keeps their recorded death date. */
export function vitalFromDraft(current: VitalStatus, d: VitalDraft): Checked<VitalStatus> {
  if (d.status === 'unknown') return ok({ status: 'unknown' });
  const age = checkAge(d.status === 'alive' ? 'age' : 'age at death', d.age);
  if (!age.ok) return age;
  if (d.status === 'alive') return ok({ status: 'alive', age: age.value });
  const date = current.status === 'deceased' ? current.date : null;
  return ok({ status: 'deceased', age: age.value, date, cause: d.cause.trim() || null });
}

/** "Alive, age 45", "Deceased at 61 (heart attack)", "Not known". */
export function vitalText(vs: VitalStatus): string {
  switch (vs.status) {
    case 'alive':
      return vs.age == null ? 'Alive' : `Alive, age ${vs.age}`;
    case 'deceased': {
      const base = vs.age == null ? 'Deceased' : `Deceased at ${vs.age}`;
      return vs.cause ? `${base} (${vs.cause})` : base;
    }
    default:
      return 'Not known';
  }
}

// ── Genetic tests ─────────────────────────────────────────────────────────────────────────────

export type TestDraft = {
  gene: string;
  variant: string;
  acmg: AcmgClass | '';
  result: TestResult;
  method: string;
  sensitivity: string;
  lab: string;
  date: string;
  source: SourceKey;
};

export function emptyTestDraft(): TestDraft {
  return {
    gene: '',
    variant: '',
    acmg: '',
    result: 'negative',
    method: '',
    sensitivity: '',
    lab: '',
    date: '',
    source: 'medical_record',
  };
}

const orNull = (s: string) => s.trim() || null;

/** The add_genetic_test request, checked like the backend checks it (same messages). */
export function testRequest(d: TestDraft): Checked<AddGeneticTest> {
  const gene = d.gene.trim();
  if (!gene) return fail('name the gene tested (HGNC symbol, e.g. BRCA1)');
  if (/\s/.test(gene)) return fail(`${JSON.stringify(gene)} is not a gene symbol (one word, e.g. BRCA1)`);
  const s = parseNumber(d.sensitivity);
  if (s !== null && (Number.isNaN(s) || s <= 0 || s > 1)) {
    return fail(`sensitivity ${Number.isNaN(s) ? `“${d.sensitivity.trim()}”` : s} is not a probability in (0, 1], e.g. 0.9`);
  }
  return ok({
    gene,
    variant: orNull(d.variant),
    result: d.result,
    acmg_class: d.acmg || null,
    sensitivity: s,
    method: orNull(d.method),
    lab: orNull(d.lab),
    date: orNull(d.date),
    provenance: provenanceOf(d.source),
  });
}

// ── Frequencies and user-defined conditions ──────────────────────────────────────────────────

/** "0.04", "4%", "1 in 25" or "1/25" as a proportion; null when blank, NaN when unreadable. */
export function parseProportion(text: string): number | null {
  const t = text.trim();
  if (!t) return null;
  const ratio = /^(\d+(?:\.\d+)?)\s*(?:in|\/|:)\s*(\d+(?:[.,]\d+)?)$/i.exec(t.replace(/,(?=\d{3}\b)/g, ''));
  if (ratio) {
    const d = Number(ratio[2]);
    return d > 0 ? Number(ratio[1]) / d : Number.NaN;
  }
  const percent = /^(.*)%$/.exec(t);
  if (percent) {
    const p = parseNumber(percent[1]);
    return p === null ? Number.NaN : p / 100;
  }
  return parseNumber(t) ?? Number.NaN;
}

/** Carrier (heterozygote) frequency from the allele frequency q: 2q(1−q). */
export function carrierFromAllele(q: number): number {
  return 2 * q * (1 - q);
}

/**
 * The allele frequency q from a carrier frequency f under Hardy–Weinberg: the smaller root of
 * f = 2q(1−q), q = (1 − √(1 − 2f)) / 2. NaN for f outside [0, 0.5].
 */
export function alleleFromCarrier(f: number): number {
  if (!(f >= 0 && f <= 0.5)) return Number.NaN;
  return (1 - Math.sqrt(1 - 2 * f)) / 2;
}

/** A catalog slug from a name: "Familial cardiomyopathy (ours)" → "familial-cardiomyopathy-ours". */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’`]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The catalog's slug rule: lowercase letters and digits in hyphen-separated words. */
export function isSlug(s: string): boolean {
  return /^[a-z0-9]+(-[a-z0-9]+)*$/.test(s);
}

/** HGNC-style symbols from "myh7, MYBPC3 TNNT2" (upper-cased). */
export function parseGenes(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((g) => g.trim().toUpperCase())
    .filter(Boolean);
}

/** The one reference every number of a user condition points at. */
export const USER_REFERENCE_ID = 'user';

export type PenetrancePoint = { age: string; female: string; male: string };

export type UserConditionDraft = {
  name: string;
  id: string;
  category: ConditionCategory;
  inheritance: Inheritance;
  genes: string;
  frequencyGiven: 'allele_frequency' | 'carrier_frequency';
  frequency: string;
  population: string;
  penetranceKind: 'constant' | 'points';
  penetranceFemale: string;
  penetranceMale: string;
  points: PenetrancePoint[];
  lifetimeRisk: string;
  citation: string;
  year: string;
  url: string;
  notes: string;
};

export function emptyUserCondition(name = ''): UserConditionDraft {
  return {
    name,
    id: slugify(name),
    category: 'other',
    inheritance: 'autosomal_dominant',
    genes: '',
    frequencyGiven: 'allele_frequency',
    frequency: '',
    population: 'general',
    penetranceKind: 'constant',
    penetranceFemale: '',
    penetranceMale: '',
    points: [{ age: '', female: '', male: '' }],
    lifetimeRisk: '',
    citation: '',
    year: '',
    url: '',
    notes: '',
  };
}

/** The frequencies a draft implies: q and the carrier frequency, or an error for the field. */
export function draftFrequencies(d: UserConditionDraft): Checked<{ q: number; carrier: number; reported: number }> {
  const label = d.frequencyGiven === 'carrier_frequency' ? 'Carrier frequency' : 'Allele frequency';
  const f = parseProportion(d.frequency);
  if (f === null) return fail(`${label}: enter the figure from your source, e.g. 0.02, 2% or 1 in 50`);
  if (Number.isNaN(f)) return fail(`${label}: “${d.frequency.trim()}” is not a number, a percentage or “1 in N”`);
  if (f < 0 || f > 1) return fail(`${label}: ${f} is outside [0, 1]`);
  if (d.frequencyGiven === 'carrier_frequency') {
    if (f > 0.5) return fail(`${label}: ${f} is above 0.5, which no allele frequency gives under Hardy–Weinberg (2q(1−q) ≤ 0.5)`);
    return ok({ q: alleleFromCarrier(f), carrier: f, reported: f });
  }
  return ok({ q: f, carrier: carrierFromAllele(f), reported: f });
}

function proportionField(label: string, text: string, errors: string[]): number {
  const v = parseProportion(text);
  if (v === null) errors.push(`${label}: enter a number between 0 and 1`);
  else if (Number.isNaN(v)) errors.push(`${label}: “${text.trim()}” is not a number`);
  else if (v < 0 || v > 1) errors.push(`${label}: ${v} is outside [0, 1]`);
  return v ?? Number.NaN;
}

function draftCurves(d: UserConditionDraft, errors: string[]): { female: RiskCurve; male: RiskCurve } {
  if (d.penetranceKind === 'constant') {
    return {
      female: proportionField('Penetrance (female)', d.penetranceFemale, errors),
      male: proportionField('Penetrance (male)', d.penetranceMale, errors),
    };
  }
  const rows = d.points.filter((p) => p.age.trim() || p.female.trim() || p.male.trim());
  if (rows.length === 0) errors.push('Penetrance by age: enter at least one age with the female and male risk');
  const female: [number, number][] = [];
  const male: [number, number][] = [];
  rows.forEach((p, i) => {
    const n = i + 1;
    const age = checkAge(`Penetrance point ${n}: age`, p.age);
    if (!age.ok) errors.push(age.error);
    else if (age.value === null) errors.push(`Penetrance point ${n}: enter the age`);
    const a = age.ok && age.value !== null ? age.value : Number.NaN;
    female.push([a, proportionField(`Penetrance point ${n} (female)`, p.female, errors)]);
    male.push([a, proportionField(`Penetrance point ${n} (male)`, p.male, errors)]);
  });
  for (let i = 1; i < rows.length; i++) {
    const n = i + 1;
    if (female[i][0] <= female[i - 1][0]) {
      errors.push(`Penetrance point ${n}: age ${female[i][0]} does not increase on the previous point's ${female[i - 1][0]}`);
    }
    for (const [sex, curve] of [
      ['female', female],
      ['male', male],
    ] as const) {
      if (curve[i][1] < curve[i - 1][1]) {
        errors.push(
          `Penetrance point ${n} (${sex}): cumulative risk falls from ${curve[i - 1][1]} to ${curve[i][1]}: a cumulative curve must not decrease`,
        );
      }
    }
  }
  return { female, male };
}

/**
 * The ConditionDef for save_user_condition, or every problem found (each naming its field).
 * Every number points at one reference, `user`, built from the citation.
 */
export function buildUserCondition(d: UserConditionDraft): { ok: true; def: ConditionDef } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const name = d.name.trim();
  const id = d.id.trim();
  if (!name) errors.push('Name: enter the condition’s name');
  if (!isSlug(id)) errors.push(`Id: “${id}” is not a slug (lowercase letters and digits joined by “-”)`);
  const genes = parseGenes(d.genes);
  for (const g of genes) {
    if (!/^[A-Z0-9][A-Z0-9-]*$/.test(g)) errors.push(`Genes: “${g}” is not an HGNC gene symbol (letters and digits)`);
  }
  const mendelian = d.inheritance !== 'multifactorial';
  const def: ConditionDef = {
    id,
    name,
    synonyms: [],
    category: d.category,
    inheritance: d.inheritance,
    genes,
    codes: [],
    frequencies: [],
    penetrance: [],
    mutation_rate: null,
    reproductive_fitness: null,
    test_sensitivity: null,
    lifetime_risk: [],
    premature_onset: [],
    references: [],
    notes: d.notes.trim() || null,
    user_defined: true,
  };
  if (mendelian) {
    const freq = draftFrequencies(d);
    if (!freq.ok) errors.push(freq.error);
    else {
      const population = d.population || 'general';
      def.frequencies.push({
        population,
        label: populationLabel(population),
        given: d.frequencyGiven,
        as_reported: d.frequency.trim() || null,
        allele_frequency: freq.value.q,
        carrier_frequency: freq.value.carrier,
        homozygote_frequency: null,
        affected_frequency: null,
        detection_rate: null,
        ref: USER_REFERENCE_ID,
        note: null,
      });
    }
    const { female, male } = draftCurves(d, errors);
    def.penetrance.push({
      outcome: null,
      female,
      male,
      ref: USER_REFERENCE_ID,
      female_ref: null,
      male_ref: null,
      note: null,
    });
  } else {
    const risk = parseProportion(d.lifetimeRisk);
    if (risk === null) errors.push('Lifetime risk: enter the population lifetime risk, e.g. 0.1 or 10%');
    else if (Number.isNaN(risk)) errors.push(`Lifetime risk: “${d.lifetimeRisk.trim()}” is not a number`);
    else if (risk <= 0 || risk > 1) errors.push(`Lifetime risk: ${risk} is outside (0, 1]`);
    else {
      def.lifetime_risk.push({
        population: 'general',
        label: 'General population',
        sex: 'any',
        value: risk,
        from_age: null,
        to_age: null,
        ref: USER_REFERENCE_ID,
        note: null,
      });
    }
  }
  const citation = d.citation.trim();
  const url = d.url.trim() || null;
  if (!citation) errors.push('Reference: every number needs a source: cite the paper, guideline or clinic letter');
  const yearNum = parseNumber(d.year);
  let year: number | null = null;
  if (yearNum === null) {
    if (!url) errors.push('Reference: give the publication year (or, for an undated web page, its URL)');
  } else if (Number.isNaN(yearNum) || !Number.isInteger(yearNum) || yearNum < 1800 || yearNum > 2100) {
    errors.push(`Reference: ${d.year.trim()} is not a plausible publication year`);
  } else {
    year = yearNum;
  }
  def.references.push({ id: USER_REFERENCE_ID, citation, year, url });
  return errors.length ? { ok: false, errors } : { ok: true, def };
}

// ── Family health questionnaire ──────────────────────────────────────────────────────────────

/** The words for a relation, as the backend names new relatives and errors. */
export function relationLabel(relation: QuestionnaireRelation, sex: Sex): string {
  const female = sex === 'F';
  const male = sex === 'M';
  switch (relation) {
    case 'proband':
      return 'Proband';
    case 'mother':
      return 'Mother';
    case 'father':
      return 'Father';
    case 'sibling':
      return female ? 'Sister' : male ? 'Brother' : 'Sibling';
    case 'child':
      return female ? 'Daughter' : male ? 'Son' : 'Child';
    case 'maternal_grandmother':
      return 'Maternal grandmother';
    case 'maternal_grandfather':
      return 'Maternal grandfather';
    case 'paternal_grandmother':
      return 'Paternal grandmother';
    case 'paternal_grandfather':
      return 'Paternal grandfather';
    case 'maternal_aunt_or_uncle':
      return female ? 'Maternal aunt' : male ? 'Maternal uncle' : "Mother's sibling";
    case 'paternal_aunt_or_uncle':
      return female ? 'Paternal aunt' : male ? 'Paternal uncle' : "Father's sibling";
  }
}

/** Relations whose sex is fixed by the relation itself. */
export function impliedSex(relation: QuestionnaireRelation): Sex | null {
  switch (relation) {
    case 'mother':
    case 'maternal_grandmother':
    case 'paternal_grandmother':
      return 'F';
    case 'father':
    case 'maternal_grandfather':
    case 'paternal_grandfather':
      return 'M';
    default:
      return null;
  }
}

export type RelationGroup = { id: string; label: string; relations: QuestionnaireRelation[] };

export const RELATION_GROUPS: RelationGroup[] = [
  { id: 'you', label: 'You', relations: ['proband'] },
  { id: 'parents', label: 'Parents', relations: ['mother', 'father'] },
  { id: 'siblings', label: 'Siblings', relations: ['sibling'] },
  { id: 'children', label: 'Children', relations: ['child'] },
  {
    id: 'grandparents',
    label: 'Grandparents',
    relations: ['maternal_grandmother', 'maternal_grandfather', 'paternal_grandmother', 'paternal_grandfather'],
  },
  { id: 'aunts-uncles', label: 'Aunts and uncles', relations: ['maternal_aunt_or_uncle', 'paternal_aunt_or_uncle'] },
];

export type AddRelativeOption = { id: string; label: string; relation: QuestionnaireRelation; sex: Sex };

const ONLY_ONE: QuestionnaireRelation[] = [
  'mother',
  'father',
  'maternal_grandmother',
  'maternal_grandfather',
  'paternal_grandmother',
  'paternal_grandfather',
];

/** The "+ relative" buttons: parents and grandparents only while missing; the others always. */
export function addRelativeOptions(rows: ReadonlyArray<{ relation: QuestionnaireRelation }>): AddRelativeOption[] {
  const has = (r: QuestionnaireRelation) => rows.some((x) => x.relation === r);
  const all: AddRelativeOption[] = [
    { id: 'mother', label: 'Mother', relation: 'mother', sex: 'F' },
    { id: 'father', label: 'Father', relation: 'father', sex: 'M' },
    { id: 'sister', label: 'Sister', relation: 'sibling', sex: 'F' },
    { id: 'brother', label: 'Brother', relation: 'sibling', sex: 'M' },
    { id: 'daughter', label: 'Daughter', relation: 'child', sex: 'F' },
    { id: 'son', label: 'Son', relation: 'child', sex: 'M' },
    { id: 'maternal-grandmother', label: 'Maternal grandmother', relation: 'maternal_grandmother', sex: 'F' },
    { id: 'maternal-grandfather', label: 'Maternal grandfather', relation: 'maternal_grandfather', sex: 'M' },
    { id: 'paternal-grandmother', label: 'Paternal grandmother', relation: 'paternal_grandmother', sex: 'F' },
    { id: 'paternal-grandfather', label: 'Paternal grandfather', relation: 'paternal_grandfather', sex: 'M' },
    { id: 'maternal-aunt-uncle', label: 'Maternal aunt/uncle', relation: 'maternal_aunt_or_uncle', sex: 'U' },
    { id: 'paternal-aunt-uncle', label: 'Paternal aunt/uncle', relation: 'paternal_aunt_or_uncle', sex: 'U' },
  ];
  return all.filter((o) => !(ONLY_ONE.includes(o.relation) && has(o.relation)));
}

export type PendingCondition = { key: number; condition: string; name: string; onset: string };

export type RelativeDraft = {
  key: number;
  /** The person in the vault; null for a relative this form will create. */
  person: string | null;
  relation: QuestionnaireRelation;
  name: string;
  sex: Sex;
  status: VitalKind;
  age: string;
  cause: string;
  recorded: RecordedCondition[];
  add: PendingCondition[];
  /** As loaded (null for a new row), to tell what changed. */
  original: { status: VitalKind; age: string; cause: string } | null;
};

let nextKey = 1;
export function draftKey(): number {
  return nextKey++;
}

export function relativeDrafts(q: Questionnaire): RelativeDraft[] {
  return q.relatives.map((r) => {
    const status: VitalKind = r.alive === true ? 'alive' : r.alive === false ? 'deceased' : 'unknown';
    const age = r.age == null ? '' : String(r.age);
    const cause = r.cause_of_death ?? '';
    return {
      key: draftKey(),
      person: r.person,
      relation: r.relation,
      name: r.name,
      sex: r.sex,
      status,
      age,
      cause,
      recorded: r.recorded,
      add: [],
      original: r.person ? { status, age, cause } : null,
    };
  });
}

export function newRelativeDraft(option: Pick<AddRelativeOption, 'relation' | 'sex'>): RelativeDraft {
  return {
    key: draftKey(),
    person: null,
    relation: option.relation,
    name: '',
    sex: impliedSex(option.relation) ?? option.sex,
    status: 'unknown',
    age: '',
    cause: '',
    recorded: [],
    add: [],
    original: null,
  };
}

function rowChanged(r: RelativeDraft): boolean {
  if (!r.original) return true;
  if (r.add.length > 0) return true;
  if (r.status !== r.original.status) return true;
  if (r.status === 'unknown') return false;
  if (r.age.trim() !== r.original.age) return true;
  return r.status === 'deceased' && r.cause.trim() !== r.original.cause;
}

/** Whether saving would change anything (new relatives, conditions, vital status). */
export function questionnaireDirty(rows: readonly RelativeDraft[]): boolean {
  return rows.some(rowChanged);
}

/** How the backend names a relative in its messages: "Mother", "sister (Eva)". */
export function relativeWho(r: Pick<RelativeDraft, 'relation' | 'sex' | 'name'>): string {
  const label = relationLabel(r.relation, r.sex);
  const name = r.name.trim();
  return name ? `${label.toLowerCase()} (${name})` : label;
}

/** The questionnaire to save, checked like save_questionnaire checks it (same messages). */
export function buildQuestionnaire(proband: string, rows: readonly RelativeDraft[]): Checked<Questionnaire> {
  const relatives: QuestionnaireRelative[] = [];
  for (const r of rows) {
    const who = relativeWho(r);
    let age: number | null = null;
    if (r.status !== 'unknown') {
      const a = parseNumber(r.age);
      if (a !== null && Number.isNaN(a)) return fail(`${who}: age “${r.age.trim()}” is not a number of years`);
      if (a !== null && (a < 0 || a > MAX_AGE)) return fail(`${who}: age: ${a} is not an age in years between 0 and ${MAX_AGE}`);
      age = a;
    }
    const add = [];
    for (const c of r.add) {
      const o = parseNumber(c.onset);
      if (o !== null && Number.isNaN(o)) return fail(`${who}: onset of ${c.name} “${c.onset.trim()}” is not a number of years`);
      if (o !== null && (o < 0 || o > MAX_AGE)) {
        return fail(`${who}: onset of ${c.name}: ${o} is not an age in years between 0 and ${MAX_AGE}`);
      }
      if (o !== null && age !== null && o > age) return fail(`${who}: onset of ${c.name} at ${o} is after their age ${age}`);
      add.push({ condition: c.condition, onset_age: o });
    }
    relatives.push({
      person: r.person,
      relation: r.relation,
      name: r.name.trim(),
      sex: r.sex,
      alive: r.status === 'alive' ? true : r.status === 'deceased' ? false : null,
      age,
      cause_of_death: r.status === 'deceased' ? r.cause.trim() || null : null,
      recorded: [],
      add,
    });
  }
  return ok({ proband, relatives });
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 relatives added, 5 conditions recorded" (with "N records updated" when any were). */
export function savedSummary(s: Pick<QuestionnaireSaved, 'people_created' | 'people_updated' | 'conditions_added'>): string {
  const parts = [`${count(s.people_created, 'relative', 'relatives')} added`];
  if (s.people_updated > 0) parts.push(`${count(s.people_updated, 'record', 'records')} updated`);
  parts.push(`${count(s.conditions_added, 'condition', 'conditions')} recorded`);
  return parts.join(', ');
}

/** The common conditions MFHP asks about: the catalog's built-in multifactorial ones. */
export function commonConditions(catalog: CatalogData | null): ConditionDef[] {
  return (catalog?.condition ?? []).filter((c) => c.inheritance === 'multifactorial' && !c.user_defined);
}

/** A recorded condition as a chip: "Breast cancer, 44", "Stroke (unaffected)". */
export function recordedText(c: RecordedCondition): string {
  if (c.status === 'affected') return c.onset_age == null ? c.label : `${c.label}, ${c.onset_age}`;
  return `${c.label} (${statusLabel(c.status).toLowerCase()})`;
}
