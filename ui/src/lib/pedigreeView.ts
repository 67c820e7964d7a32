// The clinical (NSGC) pedigree view of the Charts screen (components/ClinicalPedigree.svelte):
// the requests its controls stand for, its status line and file names, and the safe import of
// the SVG the backend draws (crates/api/src/pedigree_drawing.rs; docs/pedigree-drawing.md).

import type { PedigreeDrawing } from '../bindings/PedigreeDrawing';
import type { PedigreeRequest } from '../bindings/PedigreeRequest';
import type { ReportRequest } from '../bindings/ReportRequest';
import type { Transform } from './chartLayout';

/** What the Charts screen shows: a genealogy chart (boxes) or the clinical pedigree (symbols). */
export type ChartsView = 'genealogy' | 'clinical';

/** Generations up and down from the proband, or everyone related by blood. */
export type Generations = number | 'everyone';

export const DEFAULT_GENERATIONS = 3;
export const GENERATION_CHOICES: ReadonlyArray<{ value: Generations; label: string }> = [
  ...[1, 2, 3, 4, 5, 6].map((g) => ({ value: g, label: String(g) })),
  { value: 'everyone', label: 'Everyone' },
];

/** A condition the user asked to shade, with the name its chip shows. */
export type ShadedCondition = { id: string; name: string };

/** The controls of the clinical pedigree view. */
export type PedigreeSettings = {
  generations: Generations;
  /** Empty: the backend shades the (at most four) conditions most often recorded as affected. */
  conditions: ShadedCondition[];
  names: boolean;
  ages: boolean;
  testResults: boolean;
};

export function defaultPedigreeSettings(): PedigreeSettings {
  return { generations: DEFAULT_GENERATIONS, conditions: [], names: true, ages: true, testResults: true };
}

/** The value of the generations <select> ("1"…"6", "everyone") as a setting. */
export function parseGenerations(value: string): Generations {
  if (value === 'everyone') return 'everyone';
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_GENERATIONS;
}

/** The drawing the controls ask for (`generations` null: everyone by blood). */
export function pedigreeRequest(proband: string, s: PedigreeSettings): PedigreeRequest {
  return {
    proband,
    generations: s.generations === 'everyone' ? null : s.generations,
    conditions: s.conditions.map((c) => c.id),
    names: s.names,
    ages: s.ages,
    test_results: s.testResults,
    title: null,
  };
}

/**
 * The clinician report of the same family: proband, generations, conditions and names as drawn.
 * The report spells "everyone" as 0 (its null means the default of 3).
 */
export function reportRequest(proband: string, s: PedigreeSettings): ReportRequest {
  return {
    proband,
    generations: s.generations === 'everyone' ? 0 : s.generations,
    conditions: s.conditions.map((c) => c.id),
    names: s.names,
  };
}

/** The list with `c` added at the end (once). */
export function withCondition(list: readonly ShadedCondition[], c: ShadedCondition): ShadedCondition[] {
  return list.some((x) => x.id === c.id) ? [...list] : [...list, c];
}

/** The list without the condition `id`. */
export function withoutCondition(list: readonly ShadedCondition[], id: string): ShadedCondition[] {
  return list.filter((x) => x.id !== id);
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/**
 * "12 people, 4 families, shaded: Cystic fibrosis, Breast cancer". `nameOf` names a catalog id;
 * `automatic` says the backend chose the conditions (the most frequent ones).
 */
export function pedigreeStatus(
  d: Pick<PedigreeDrawing, 'people' | 'unions' | 'conditions'>,
  nameOf: (id: string) => string,
  automatic: boolean,
): string {
  const shaded = d.conditions.map(nameOf).join(', ');
  const what = shaded
    ? `${shaded}${automatic ? ' (most frequent)' : ''}`
    : automatic
      ? 'none (no condition recorded as affected)'
      : 'none';
  return `${plural(d.people, 'person', 'people')}, ${plural(d.unions, 'family', 'families')}, shaded: ${what}`;
}

/**
 * "clinical-pedigree-Ada-Lovelace.svg"; without names in the drawing the file name carries none
 * either ("clinical-pedigree.svg").
 */
export function pedigreeFileName(name: string | null, names: boolean, ext = 'svg'): string {
  const slug = names
    ? (name ?? '')
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^A-Za-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 60)
    : '';
  return `clinical-pedigree${slug ? `-${slug}` : ''}.${ext}`;
}

// ── The SVG ──────────────────────────────────────────────────────────────────────────────────

export const SVG_NS = 'http://www.w3.org/2000/svg';

/** Elements never taken into the page: scripts, HTML islands, style sheets (they would style the app). */
const DROPPED = new Set(['script', 'foreignobject', 'style', 'iframe', 'object', 'embed']);

export class SvgImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SvgImportError';
  }
}

/**
 * Parses SVG text (as image/svg+xml, never as HTML) and imports its root into `doc`. Rejects
 * text that is not well-formed or whose root is not an SVG <svg>. Though the text comes from our
 * own Rust code, what could run or reach out is dropped: scripts, foreignObject, style sheets,
 * event-handler and style attributes, links other than to the drawing's own ids.
 */
export function importSvg(markup: string, doc: Document = document): SVGSVGElement {
  const parsed = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const root = parsed.documentElement;
  if (!root || parsed.getElementsByTagName('parsererror').length > 0) {
    throw new SvgImportError('The pedigree drawing is not well-formed SVG.');
  }
  if (root.localName !== 'svg' || root.namespaceURI !== SVG_NS) {
    throw new SvgImportError(`The pedigree drawing is not an SVG image (its root is <${root.localName}>).`);
  }
  for (const el of [...parsed.getElementsByTagName('*')]) {
    if (el.namespaceURI !== SVG_NS || DROPPED.has(el.localName.toLowerCase())) {
      el.remove();
      continue;
    }
    for (const attr of [...el.attributes]) {
      const name = attr.name.toLowerCase();
      const local = attr.localName.toLowerCase();
      if (name.startsWith('on') || name === 'style' || (local === 'href' && !attr.value.trim().startsWith('#'))) {
        el.removeAttributeNode(attr);
      }
    }
  }
  return doc.importNode(root, true) as unknown as SVGSVGElement;
}

/** The drawing's size in its own units: the viewBox, else width and height. */
export function svgContentSize(svg: Element): { width: number; height: number } {
  const box = (svg.getAttribute('viewBox') ?? '').trim().split(/[\s,]+/).map(Number);
  if (box.length === 4 && box.every(Number.isFinite) && box[2] > 0 && box[3] > 0) {
    return { width: box[2], height: box[3] };
  }
  const w = parseFloat(svg.getAttribute('width') ?? '');
  const h = parseFloat(svg.getAttribute('height') ?? '');
  return { width: w > 0 ? w : 1, height: h > 0 ? h : 1 };
}

/** The transform showing a `cw`×`ch` drawing whole and centred in a `vw`×`vh` view (never above `maxK`). */
export function fitTransform(cw: number, ch: number, vw: number, vh: number, padding = 24, maxK = 1.5): Transform {
  const w = Math.max(1, cw);
  const h = Math.max(1, ch);
  const k = Math.max(0.01, Math.min((vw - 2 * padding) / w, (vh - 2 * padding) / h, maxK));
  return { k, x: (vw - w * k) / 2, y: (vh - h * k) / 2 };
}

/** The symbol groups of a drawing (`<g class="person" data-id=…>`). */
export function personSymbols(svg: Element): SVGGElement[] {
  return [...svg.querySelectorAll<SVGGElement>('g.person[data-id]')];
}

/** The person whose symbol holds `target`, if any. */
export function personIdAt(target: EventTarget | null): string | null {
  const el = target as Element | null;
  if (!el || typeof el.closest !== 'function') return null;
  const g = el.closest('g.person[data-id]');
  return g?.getAttribute('data-id') || null;
}

/**
 * Makes every symbol a keyboard-reachable button named by its tooltip ("II-3 Ada Lovelace"), and
 * the drawing a group (its role "img" would hide the symbols from assistive technology).
 */
export function makeSymbolsActivatable(svg: SVGSVGElement, action: string): number {
  svg.setAttribute('role', 'group');
  const symbols = personSymbols(svg);
  for (const g of symbols) {
    const tip = g.querySelector('title')?.textContent?.trim() || g.getAttribute('data-number') || 'Person';
    g.setAttribute('role', 'button');
    g.setAttribute('tabindex', '0');
    g.setAttribute('aria-label', `${tip}: ${action}`);
  }
  return symbols.length;
}

/**
 * Renames every element id of a drawing to `prefix` + id, and the references to them (`url(#…)`,
 * `href="#…"`), so a second copy on the same page (the print copy) uses its own patterns and clip
 * paths rather than the on-screen copy's, which printing hides. The number of ids renamed.
 */
export function prefixIds(svg: Element, prefix: string): number {
  const renamed = new Map<string, string>();
  for (const el of [svg, ...svg.querySelectorAll('[id]')]) {
    const id = el.getAttribute('id');
    if (!id) continue;
    renamed.set(id, `${prefix}${id}`);
    el.setAttribute('id', `${prefix}${id}`);
  }
  if (renamed.size === 0) return 0;
  for (const el of [svg, ...svg.querySelectorAll('*')]) {
    for (const attr of [...el.attributes]) {
      if (attr.localName === 'href' && attr.value.startsWith('#')) {
        const next = renamed.get(attr.value.slice(1));
        if (next) attr.value = `#${next}`;
      } else if (attr.value.includes('url(')) {
        attr.value = attr.value.replace(/url\(\s*#([^)\s]+)\s*\)/g, (whole, id: string) => {
          const next = renamed.get(id);
          return next ? `url(#${next})` : whole;
        });
      }
    }
  }
  return renamed.size;
}
