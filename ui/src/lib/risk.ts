// Pure logic of the risk screens (RiskPanel, FamilyOverview, CoupleRiskDialog): how numbers
// read, which conditions stand out, models and categories in words, the overview's groups.
// Numbers come from the backend (crates/api/src/risk); nothing here computes a risk.
import type { AffectedProbability } from '../bindings/AffectedProbability';
import type { ClauseStatus } from '../bindings/ClauseStatus';
import type { ConditionDef } from '../bindings/ConditionDef';
import type { ConditionRisk } from '../bindings/ConditionRisk';
import type { CriterionResult } from '../bindings/CriterionResult';
import type { CriterionStatus } from '../bindings/CriterionStatus';
import type { Evidence } from '../bindings/Evidence';
import type { FactEffect } from '../bindings/FactEffect';
import type { FamilialRisk } from '../bindings/FamilialRisk';
import type { FamilyHistoryReport } from '../bindings/FamilyHistoryReport';
import type { OverviewItem } from '../bindings/OverviewItem';
import type { OverviewSuggestion } from '../bindings/OverviewSuggestion';
import type { PedigreeSummary } from '../bindings/PedigreeSummary';
import type { RiskModel } from '../bindings/RiskModel';

/** Ages lifetime risks can run to in the panel (the backend's default is 85). */
export const HORIZONS: readonly number[] = [50, 70, 85];
export const DEFAULT_HORIZON = 85;

/** A probability the backend sent: serde_json writes NaN and infinities as null. */
export type Probability = number | null | undefined;

function finite(p: Probability): p is number {
  return typeof p === 'number' && Number.isFinite(p);
}

/**
 * `x.toFixed(digits)`, except that exact ties round to even as Rust's `format!("{x:.N}")`
 * does (JavaScript rounds them up: 12.5 → "13" where Rust writes "12").
 */
export function toFixedEven(x: number, digits: number): string {
  const rounded = x.toFixed(digits);
  // A tie at `digits` has exactly digits + 1 decimals; toFixed with more digits is exact.
  const exact = x.toFixed(Math.min(100, digits + 30));
  const point = exact.indexOf('.');
  const rest = exact.slice(point + 1 + digits);
  if (!/^50*$/.test(rest)) return rounded;
  const down = exact.slice(0, digits > 0 ? point + 1 + digits : point);
  const last = Number(down[down.length - 1]);
  return last % 2 === 0 ? down : rounded;
}

const U64_MAX = 18446744073709551615n;

/** 1234567 → "1,234,567". */
export function thousands(n: bigint | number): string {
  const s = typeof n === 'bigint' ? n.toString() : Math.trunc(n).toString();
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return out;
}

/**
 * A probability as people read it: "67%", "4.0%", "0.12%", "1 in 25,000"; "—" when there is
 * no number. The same text as `percent()` in crates/api/src/risk/explain.rs, so the panel and
 * the backend's explanation sentences agree.
 */
export function percent(p: Probability): string {
  if (!finite(p)) return '—';
  const pc = p * 100;
  if (p <= 0) return '0%';
  if (p < 1 && pc >= 99.995) return '>99.99%';
  // Not "100%" for something that is not certain.
  if (p < 1 && pc >= 99.5) return `${toFixedEven(pc, 2)}%`;
  if (pc >= 10) return `${toFixedEven(pc, 0)}%`;
  if (pc >= 1) return `${toFixedEven(pc, 1)}%`;
  if (pc >= 0.1) return `${toFixedEven(pc, 2)}%`;
  // Rust: `(1.0 / p).round() as u64`, which saturates.
  const n = Math.round(1 / p);
  const big = n >= 2 ** 64 ? U64_MAX : BigInt(n);
  return `1 in ${thousands(big)}`;
}

/** An age as the backend writes it: 45 → "45", 45.5 → "45.5". */
export function ageText(a: number): string {
  return Number.isInteger(a) ? String(a) : toFixedEven(a, 1);
}

// ── Models and categories ──────────────────────────────────────────────────────────────────

const MODEL_WORDS: Record<RiskModel, string> = {
  mendelian_autosomal_dominant: 'Autosomal dominant — exact calculation',
  mendelian_autosomal_recessive: 'Autosomal recessive — exact calculation',
  mendelian_x_linked_recessive: 'X-linked recessive — exact calculation',
  mendelian_x_linked_dominant: 'X-linked dominant — exact calculation',
  family_history_scheuner1997: 'Family history (Scheuner 1997)',
  not_modelled: 'Multifactorial — not modelled',
};

/** How the risk was computed, in words. */
export function modelWords(model: RiskModel): string {
  return MODEL_WORDS[model];
}

export function isMendelianModel(model: RiskModel): boolean {
  return model.startsWith('mendelian_');
}

/** What the carrier probability means for the model. */
export function carrierLabel(model: RiskModel): string {
  return model === 'mendelian_autosomal_recessive' || model === 'mendelian_x_linked_recessive'
    ? 'Carrier'
    : 'Carries a variant';
}

/** Conditions a couple's risk can be computed for (the backend refuses multifactorial ones). */
export function isMendelianCondition(def: Pick<ConditionDef, 'inheritance'>): boolean {
  return def.inheritance !== 'multifactorial';
}

const CATEGORY_WORDS: Record<FamilialRisk, string> = { average: 'Average', moderate: 'Moderate', high: 'High' };

export function categoryLabel(c: FamilialRisk): string {
  return CATEGORY_WORDS[c];
}

/** "67% (population 4.0%)": the carrier probability against the prior. */
export function carrierText(c: Pick<ConditionRisk, 'carrier_probability' | 'prior_carrier_probability'>): string {
  const prior = finite(c.prior_carrier_probability) ? ` (population ${percent(c.prior_carrier_probability)})` : '';
  return `${percent(c.carrier_probability)}${prior}`;
}

/** "now (age 45) 0.12% · by 85: 3.4% (population 1.2%)". */
export function affectedText(a: AffectedProbability): string {
  const parts: string[] = [];
  if (finite(a.now)) parts.push(`now${a.at_age !== null ? ` (age ${ageText(a.at_age)})` : ''} ${percent(a.now)}`);
  const prior = finite(a.prior_by_horizon) ? ` (population ${percent(a.prior_by_horizon)})` : '';
  parts.push(`by ${ageText(a.horizon)}: ${percent(a.by_horizon)}${prior}`);
  return parts.join(' · ');
}

// ── Which conditions stand out ─────────────────────────────────────────────────────────────

/**
 * A condition worth showing before the rest: someone in the family has a record for it, it
 * could not be computed, the carrier probability is more than twice the population's and over
 * 1%, or the familial risk is moderate or high.
 */
export function isNotable(c: ConditionRisk): boolean {
  if (c.family_evidence || c.error) return true;
  if (c.category === 'moderate' || c.category === 'high') return true;
  const p = c.carrier_probability;
  const prior = c.prior_carrier_probability;
  return finite(p) && finite(prior) && p > 2 * prior && p > 0.01;
}

export function notableConditions(conditions: readonly ConditionRisk[]): ConditionRisk[] {
  return conditions.filter(isNotable);
}

// ── Explanations ───────────────────────────────────────────────────────────────────────────

/** "50% → 11%", or null for a fact without numbers (family-history rules). */
export function factChange(f: Pick<FactEffect, 'with' | 'without'>): string | null {
  const w = f.with as Probability;
  const wo = f.without as Probability;
  if (!finite(w) || !finite(wo)) return null;
  return `${percent(wo)} → ${percent(w)}`;
}

/** "3 sons: unaffected (ages 15–20): 50% → 11%", or the description alone. */
export function factText(f: Pick<FactEffect, 'description' | 'with' | 'without'>): string {
  const change = factChange(f);
  return change ? `${f.description}: ${change}` : f.description;
}

/** Whether any fact of the list carries numbers (the table then has a change column). */
export function factsHaveNumbers(facts: readonly FactEffect[]): boolean {
  return facts.some((f) => factChange(f) !== null);
}

/** A DOM id fragment from anything (reference ids, condition ids). */
export function domId(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** "Read 12 people (4 with health records)". */
export function pedigreeText(p: PedigreeSummary): string {
  const people = `${p.people} ${p.people === 1 ? 'person' : 'people'}`;
  return `Read ${people} of the family (${p.with_health_facts} with health records).`;
}

// ── Lynch syndrome criteria ────────────────────────────────────────────────────────────────

const CRITERION_WORDS: Record<CriterionStatus, string> = {
  met: 'Met',
  met_pending_verification: 'Met, pending verification',
  not_met: 'Not met',
  not_applicable: 'Does not apply',
  unavailable: 'Not available',
};

export function criterionStatusLabel(s: CriterionStatus): string {
  return CRITERION_WORDS[s];
}

const CLAUSE_WORDS: Record<ClauseStatus, string> = {
  met: 'Met',
  not_met: 'Not met',
  not_assessable: 'To be checked',
};

export function clauseStatusLabel(s: ClauseStatus): string {
  return CLAUSE_WORDS[s];
}

export function criterionMet(c: CriterionResult): boolean {
  return c.status === 'met' || c.status === 'met_pending_verification';
}

/** The Lynch criteria to show: Amsterdam II and revised Bethesda when met, and relatives whose tumours meet Bethesda. */
export function lynchToShow(fh: FamilyHistoryReport): CriterionResult[] {
  const { amsterdam_ii, revised_bethesda, bethesda_relatives } = fh.lynch;
  return [amsterdam_ii, revised_bethesda, ...bethesda_relatives].filter(criterionMet);
}

/** Who a criterion is evaluated for: "this person", "mother"... */
export function relationText(relation: string): string {
  return relation === 'self' ? 'this person' : relation;
}

/** "mother at 45", "this person at 40–49", "maternal aunt". */
export function evidenceText(e: Evidence): string {
  const who = relationText(e.member.relation);
  if (!e.onset) return who;
  const { min, max } = e.onset;
  return `${who} at ${min === max ? ageText(min) : `${ageText(min)}–${ageText(max)}`}`;
}

// ── The family overview ────────────────────────────────────────────────────────────────────

export const SUGGESTIONS: ReadonlyArray<{ value: OverviewSuggestion; label: string }> = [
  { value: 'genetic_counselling', label: 'Genetic counselling and testing' },
  { value: 'screening', label: 'Earlier screening' },
  { value: 'prevention', label: 'Prevention' },
];

export type OverviewGroup = { suggestion: OverviewSuggestion; label: string; items: OverviewItem[] };

/** The items under their suggestion, in the order above; empty groups left out, item order kept. */
export function groupOverview(items: readonly OverviewItem[]): OverviewGroup[] {
  return SUGGESTIONS.map((s) => ({
    suggestion: s.value,
    label: s.label,
    items: items.filter((i) => i.suggestion === s.value),
  })).filter((g) => g.items.length > 0);
}

/** The people an overview names, each once, in order of appearance. */
export function overviewPeople(items: readonly OverviewItem[]): string[] {
  return [...new Set(items.map((i) => i.person))];
}

/** "Sister", "Maternal aunt", "This person". */
export function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** A kinship fraction as shown: "1/16", "0" → "0 (not related as recorded)". */
export function kinshipText(fraction: string, value: number): string {
  return value > 0 ? fraction : `${fraction} (not related as recorded)`;
}

/** "× 7.1" for a relative risk; "—" without one (no population frequency: NaN → null). */
export function relativeRiskText(r: Probability): string {
  if (!finite(r)) return '—';
  return `× ${r >= 10 ? toFixedEven(r, 0) : toFixedEven(r, 1)}`;
}

/** An allele frequency: 0.0204168 → "0.0204", 0.00005 → "5.0 × 10⁻⁵". */
export function alleleText(q: Probability): string {
  if (!finite(q)) return '—';
  if (q === 0) return '0';
  if (q >= 0.001) return toFixedEven(q, 4);
  const [mantissa, exponent] = q.toExponential(1).split('e');
  const sup: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
  const e = [...String(Number(exponent))].map((ch) => sup[ch] ?? ch).join('');
  return `${mantissa} × 10${e}`;
}
