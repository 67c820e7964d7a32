// The relationship calculator's drawings and numbers: a relationship path (a → … → common
// ancestor → … → b, as the backend lists it) laid out as a small chart, and coefficients as
// "1/16 (0.0625)". Pure, unit-tested.
import type { PathStep } from '../bindings/PathStep';
import type { PersonRef } from '../bindings/PersonRef';
import type { RelationshipInfo } from '../bindings/RelationshipInfo';
import { fitText, personName } from './chartLayout';
import { lifeYears } from './format';

export const PATH_BOX_W = 150;
export const PATH_BOX_H = 44;
const COL_STEP = PATH_BOX_W + 36;
const ROW_STEP = PATH_BOX_H + 30;
const PAD = 12;
const NAME_CHARS = 18;

export type PathBox = {
  key: string;
  person: PersonRef;
  /** Centre of the box. */
  x: number;
  y: number;
  /** Grid cell: column, and row from the top (0 = the oldest generation drawn). */
  col: number;
  row: number;
  /** `a` and `b` the two people; `ancestor` a common ancestor; `spouse` the other one of a common-ancestor couple. */
  role: 'a' | 'b' | 'ancestor' | 'spouse' | 'between';
  lines: string[];
};

export type PathLine = { key: string; d: string; kind: 'line' | 'union'; legal: boolean };

export type PathDrawing = { boxes: PathBox[]; lines: PathLine[]; width: number; height: number };

type Move = 'none' | 'up' | 'down' | 'side';

/**
 * Lays out a relationship path. Going up stays in a column (a's line of ancestors), turning
 * down starts the next column (b's line), a partner step moves one column across. The common
 * ancestor sits centred over both lines; a common-ancestor couple sits side by side, both lines
 * hanging from the line that joins them.
 */
export function pathLayout(rel: RelationshipInfo): PathDrawing {
  const steps = rel.path;
  if (steps.length === 0) return { boxes: [], lines: [], width: 0, height: 0 };

  const cells: Array<{ col: number; level: number; move: Move }> = [];
  let col = 0;
  let level = 0;
  let prev: Move = 'none';
  steps.forEach((step, i) => {
    let move: Move = 'none';
    if (i > 0) {
      if (step.link === 'parent') {
        if (prev === 'down') col++;
        level--;
        move = 'up';
      } else if (step.link === 'child') {
        if (prev === 'up') col++;
        level++;
        move = 'down';
      } else {
        col++;
        move = 'side';
      }
    }
    cells.push({ col, level, move });
    prev = move;
  });

  const common = new Set(rel.common_ancestors.map((p) => p.id));
  // The turning point of a blood line: reached going up, left going down.
  const apex = steps.findIndex((_, i) => cells[i].move === 'up' && cells[i + 1]?.move === 'down');
  let spouse: PersonRef | null = null;
  if (apex >= 0 && rel.common_ancestors.length === 2 && common.has(steps[apex].person.id)) {
    spouse = rel.common_ancestors.find((p) => p.id !== steps[apex].person.id) ?? null;
  }

  const minLevel = Math.min(...cells.map((c) => c.level));
  const cx = (c: number) => PAD + PATH_BOX_W / 2 + c * COL_STEP;
  const cy = (row: number) => PAD + PATH_BOX_H / 2 + row * ROW_STEP;
  const boxes: PathBox[] = steps.map((step, i) => {
    const { col: c, level: l } = cells[i];
    const row = l - minLevel;
    // A single common ancestor is centred over the two lines.
    const x = i === apex && !spouse ? (cx(c) + cx(c + 1)) / 2 : cx(c);
    const role: PathBox['role'] = i === 0 ? 'a' : i === steps.length - 1 ? 'b' : common.has(step.person.id) ? 'ancestor' : 'between';
    return { key: `${i}`, person: step.person, x, y: cy(row), col: c, row, role, lines: labelLines(step.person) };
  });
  if (spouse && apex >= 0) {
    const a = boxes[apex];
    boxes.push({
      key: 'spouse',
      person: spouse,
      x: cx(a.col + 1),
      y: a.y,
      col: a.col + 1,
      row: a.row,
      role: 'spouse',
      lines: labelLines(spouse),
    });
  }

  const lines: PathLine[] = [];
  const hw = PATH_BOX_W / 2;
  const hh = PATH_BOX_H / 2;
  const unionX = spouse && apex >= 0 ? (boxes[apex].x + boxes[boxes.length - 1].x) / 2 : 0;
  if (spouse && apex >= 0) {
    const a = boxes[apex];
    lines.push({ key: 'union-apex', d: `M${a.x + hw} ${a.y}H${a.x + COL_STEP - hw}`, kind: 'union', legal: false });
  }
  for (let i = 1; i < steps.length; i++) {
    const from = boxes[i - 1];
    const to = boxes[i];
    const legal = isLegal(steps[i]);
    const key = `${i - 1}-${i}`;
    if (steps[i].link === 'parent') {
      // Up: from the top of `from` to the bottom of `to` (or to the couple's line).
      if (spouse && i === apex) {
        lines.push({ key, d: vertical(from.x, from.y - hh, unionX, to.y), kind: 'line', legal });
      } else {
        lines.push({ key, d: vertical(from.x, from.y - hh, to.x, to.y + hh), kind: 'line', legal });
      }
    } else if (steps[i].link === 'child') {
      if (spouse && i - 1 === apex) {
        lines.push({ key, d: vertical(unionX, from.y, to.x, to.y - hh), kind: 'line', legal });
      } else {
        lines.push({ key, d: vertical(from.x, from.y + hh, to.x, to.y - hh), kind: 'line', legal });
      }
    } else {
      const left = Math.min(from.x, to.x);
      const right = Math.max(from.x, to.x);
      lines.push({ key, d: `M${left + hw} ${from.y}H${right - hw}`, kind: 'union', legal: false });
    }
  }

  const maxCol = Math.max(...boxes.map((b) => b.col));
  const maxRow = Math.max(...boxes.map((b) => b.row));
  return {
    boxes,
    lines,
    width: 2 * PAD + PATH_BOX_W + maxCol * COL_STEP,
    height: 2 * PAD + PATH_BOX_H + maxRow * ROW_STEP,
  };
}

/** A connector between two rows: straight when in line, else with a horizontal jog half way. */
function vertical(x1: number, y1: number, x2: number, y2: number): string {
  if (x1 === x2) return `M${x1} ${y1}V${y2}`;
  const my = (y1 + y2) / 2;
  return `M${x1} ${y1}V${my}H${x2}V${y2}`;
}

function isLegal(step: PathStep): boolean {
  return step.link_kind !== null && step.link_kind !== 'birth';
}

function labelLines(p: PersonRef): string[] {
  const years = lifeYears(p.birth_year, p.death_year);
  const name = fitText(personName(p), NAME_CHARS);
  return years ? [name, years] : [name];
}

/** The path in words: "Charles II → Philip IV → Margaret Teresa → Maria Antonia". */
export function pathText(path: PathStep[]): string {
  return path.map((s) => personName(s.person)).join(' → ');
}

/** A coefficient as "1/16 (0.0625)"; "—" when it could not be computed. */
export function formatCoefficient(value: number | null, exact: string | null): string {
  if (value === null && exact === null) return '—';
  const decimal = value === null ? null : formatDecimal(value);
  if (exact === null) return decimal ?? '—';
  if (decimal === null || decimal === exact) return exact;
  return `${exact} (${decimal})`;
}

/** 0.0625, 0.015625; very small values in scientific notation (8.47e-22). */
export function formatDecimal(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 0.001) return String(Number(value.toFixed(8)));
  return value.toExponential(3).replace(/\.?0+e/, 'e');
}

/** "A is B's first cousin" style heading for a result: what b is to a. */
export function relationHeading(a: PersonRef, b: PersonRef): string {
  return `What ${personName(b)} is to ${personName(a)}`;
}
