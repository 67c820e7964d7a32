// Genealogy chart layout: turns the backend's `Chart` (a graph of people, each listed once) into
// positioned shapes — boxes, fan sectors and connector paths — that the chart screen draws and
// the SVG/PNG export serialises. Pure: no DOM, no Svelte, so it is unit-tested directly.
//
// The chart graph is expanded into trees by breadth-first search from the centre. A person
// reached a second time (pedigree collapse, cousins who married, a woman married to two
// brothers) becomes a *repeat*: drawn again where the line leads to them, marked, not expanded,
// and pointing at the first (nearest) occurrence. So the drawn tree has at most one occurrence
// per chart link, linear in the chart's size even on a heavily collapsed royal pedigree.
//
// Tree layout is d3-hierarchy's `tree()` (Reingold–Tilford/Buchheim); fan sectors are
// hand-computed angles drawn with d3-shape's `arc()`.
import { hierarchy, tree, type HierarchyPointNode } from 'd3-hierarchy';
import { arc } from 'd3-shape';
import type { Chart } from '../bindings/Chart';
import type { ChartKind } from '../bindings/ChartKind';
import type { ChartNode } from '../bindings/ChartNode';
import type { ChartRole } from '../bindings/ChartRole';
import type { LinkKind } from '../bindings/LinkKind';
import type { PersonRef } from '../bindings/PersonRef';
import type { Sex } from '../bindings/Sex';
import { lifeYears } from './format';

export type Rect = { x0: number; y0: number; x1: number; y1: number };

/** One drawn appearance of a person. */
export type Occurrence = {
  /** Unique in the layout: the person id for the first occurrence, `id~n` for repeats. */
  key: string;
  person: PersonRef;
  role: ChartRole;
  /** Generation of this appearance relative to the centre (−1 parents, 1 children). */
  generation: number;
  /** Key of the first occurrence when this one repeats a person drawn elsewhere. */
  repeatOf: string | null;
  center: boolean;
  moreAncestors: boolean;
  moreDescendants: boolean;
  /** The text lines drawn inside: name, life years (already shortened to fit). */
  lines: string[];
};

export type Box = Occurrence & { x: number; y: number; w: number; h: number };

export type Sector = Occurrence & {
  /** Angles in radians, 0 = up, clockwise (d3-shape's convention). */
  a0: number;
  a1: number;
  r0: number;
  r1: number;
  d: string;
  /** Where the text is anchored and how it is turned (degrees). */
  tx: number;
  ty: number;
  rotate: number;
  fontSize: number;
  bbox: Rect;
};

export type Edge = {
  key: string;
  d: string;
  /** `union` joins partners; `line` joins a parent and child. */
  kind: 'line' | 'union';
  /** The link is not a birth link (adopted, foster, step, sealing): drawn dashed. */
  legal: boolean;
  bbox: Rect;
};

export type ChartLayout = {
  kind: ChartKind;
  boxes: Box[];
  sectors: Sector[];
  edges: Edge[];
  bounds: Rect;
  /** Distinct people drawn. */
  people: number;
  /** Drawn appearances that repeat someone drawn elsewhere. */
  repeats: number;
  /** The drawing cap (`maxDrawn`) stopped the expansion: some lines end early. */
  cut: boolean;
  /** Parents the fan could not place (a third parent through a non-birth link). */
  unplaced: number;
};

export const BOX_W = 184;
export const BOX_H = 48;
/** Characters of a name that fit a box (system-ui, 13px semibold, after the sex symbol). */
export const BOX_NAME_CHARS = 18;
/** Horizontal pedigree: column step and the vertical gap between sibling boxes. */
export const PED_COL = BOX_W + 44;
export const PED_ROW = BOX_H + 12;
/** Vertical charts: level step, gaps between blocks and between partners in a block. */
export const V_LEVEL = BOX_H + 56;
const V_GAP = 20;
export const PARTNER_GAP = 16;

/** The fan spans 240°: room for the outer rings without turning text upside down. */
export const FAN_SPAN = (4 * Math.PI) / 3;
export const FAN_CENTER_R = 64;
export const FAN_MAX_GENERATIONS = 9;

export type LayoutOptions = {
  /** Most appearances drawn (boxes or sectors); the rest of the tree is cut. */
  maxDrawn?: number;
};
export const DEFAULT_MAX_DRAWN = 8000;
/** People the chart screen asks the backend for (`ChartRequest.max_nodes`; nearest first). */
export const CHART_REQUEST_NODES = 5000;

// ----- labels ---------------------------------------------------------------------------------

export function personName(p: PersonRef): string {
  return p.display_name.trim() || 'Unnamed';
}

/** Shortens `text` to at most `max` characters (code points), ending in "…" when cut. */
export function fitText(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= 1) return max === 1 ? '…' : '';
  return chars.slice(0, max - 1).join('').trimEnd() + '…';
}

function boxLines(p: PersonRef): string[] {
  const years = lifeYears(p.birth_year, p.death_year);
  return years ? [fitText(personName(p), BOX_NAME_CHARS), years] : [fitText(personName(p), BOX_NAME_CHARS)];
}

/** Accessible label of an occurrence: "Ada Lovelace, 1815–1852 (repeat)". */
export function occurrenceLabel(o: Occurrence): string {
  const years = lifeYears(o.person.birth_year, o.person.death_year);
  return `${personName(o.person)}${years ? `, ${years}` : ''}${o.repeatOf ? ' (also shown elsewhere)' : ''}`;
}

/** The sex symbol of genetic pedigrees as one path: square (male), circle (female), diamond. */
export function sexSymbolPath(sex: Sex, cx: number, cy: number, size = 10): string {
  const r = size / 2;
  if (sex === 'M') return `M${cx - r} ${cy - r}h${size}v${size}h${-size}Z`;
  if (sex === 'F') return `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${size} 0a${r} ${r} 0 1 0 ${-size} 0Z`;
  const d = r * 1.25;
  return `M${cx} ${cy - d}L${cx + d} ${cy}L${cx} ${cy + d}L${cx - d} ${cy}Z`;
}

/** Corner radius of a person box: square for men, round for women, in between otherwise. */
export function boxRadius(sex: Sex, h = BOX_H): number {
  if (sex === 'M') return 2;
  if (sex === 'F') return h / 2.5;
  return 8;
}

// ----- trees ----------------------------------------------------------------------------------

type Ctx = {
  byId: Map<string, ChartNode>;
  /** Person id → key of the occurrence that is expanded (the first one). */
  primary: Map<string, string>;
  repeatCount: Map<string, number>;
  drawn: number;
  maxDrawn: number;
  cut: boolean;
  generations: number;
};

function makeCtx(chart: Chart, opts: LayoutOptions): Ctx {
  return {
    byId: new Map(chart.nodes.map((n) => [n.person.id, n])),
    primary: new Map(),
    repeatCount: new Map(),
    drawn: 0,
    maxDrawn: Math.max(1, opts.maxDrawn ?? DEFAULT_MAX_DRAWN),
    cut: false,
    generations: chart.generations,
  };
}

function occurrence(node: ChartNode, generation: number, key: string, repeatOf: string | null): Occurrence {
  return {
    key,
    person: node.person,
    role: node.role,
    generation,
    repeatOf,
    center: node.role === 'center',
    moreAncestors: node.more_ancestors,
    moreDescendants: node.more_descendants,
    lines: boxLines(node.person),
  };
}

function repeatKey(ctx: Ctx, id: string): string {
  const n = (ctx.repeatCount.get(id) ?? 0) + 1;
  ctx.repeatCount.set(id, n);
  return `${id}~${n}`;
}

/** Takes one drawing slot; false (and `cut`) when the cap is reached. */
function take(ctx: Ctx): boolean {
  if (ctx.drawn >= ctx.maxDrawn) {
    ctx.cut = true;
    return false;
  }
  ctx.drawn++;
  return true;
}

export type AncestorNode = {
  occ: Occurrence;
  /** This person's parents in the chart (father first), as tree children. */
  parents: AncestorNode[];
  /** How this person is linked to the tree child (the person whose parent they are). */
  legal: boolean;
  /** Sosa–Stradonitz number: centre 1, father 2n, mother 2n + 1; null for a third parent. */
  sosa: number | null;
  depth: number;
};

/**
 * The ancestors of the centre as a tree, breadth first: a person met again is a repeat leaf.
 * Father and mother slots are given by sex (a lone mother is still the mother, Sosa 2n + 1).
 */
export function ancestorTree(chart: Chart, ctx: Ctx = makeCtx(chart, {})): AncestorNode | null {
  const center = ctx.byId.get(chart.center.id) ?? chart.nodes[0];
  if (!center || !take(ctx)) return null;
  const root: AncestorNode = {
    occ: occurrence(center, 0, center.person.id, null),
    parents: [],
    legal: false,
    sosa: 1,
    depth: 0,
  };
  ctx.primary.set(center.person.id, center.person.id);
  const queue: AncestorNode[] = [root];
  for (let qi = 0; qi < queue.length; qi++) {
    const child = queue[qi];
    if (child.occ.repeatOf || child.depth >= ctx.generations) continue;
    const node = ctx.byId.get(child.occ.person.id);
    if (!node) continue;
    const slots = parentSlots(node, ctx.byId);
    for (const { parent, slot, kind } of slots) {
      if (!take(ctx)) return root;
      const id = parent.person.id;
      const first = ctx.primary.get(id);
      const depth = child.depth + 1;
      const occ = first
        ? occurrence(parent, -depth, repeatKey(ctx, id), first)
        : occurrence(parent, -depth, id, null);
      if (!first) ctx.primary.set(id, id);
      const sosa = slot === null || child.sosa === null || depth > 52 ? null : child.sosa * 2 + slot;
      const an: AncestorNode = { occ, parents: [], legal: kind !== 'birth', sosa, depth };
      child.parents.push(an);
      queue.push(an);
    }
  }
  return root;
}

/** Parents of a node with their Sosa slot: 0 father, 1 mother, null for a third or later one. */
function parentSlots(
  node: ChartNode,
  byId: Map<string, ChartNode>,
): Array<{ parent: ChartNode; slot: 0 | 1 | null; kind: LinkKind }> {
  const found = node.parents
    .map((l) => ({ parent: byId.get(l.id), kind: l.kind }))
    .filter((p): p is { parent: ChartNode; kind: LinkKind } => p.parent !== undefined);
  const taken: [boolean, boolean] = [false, false];
  const slots: Array<0 | 1 | null> = found.map(({ parent }) => {
    const want = parent.person.sex === 'M' ? 0 : parent.person.sex === 'F' ? 1 : null;
    if (want !== null && !taken[want]) {
      taken[want] = true;
      return want;
    }
    return null;
  });
  // Unknown-sex parents (or a second father) take whatever slot is left, in order.
  for (let i = 0; i < found.length; i++) {
    if (slots[i] !== null) continue;
    const free = !taken[0] ? 0 : !taken[1] ? 1 : null;
    if (free !== null && (found[i].kind === 'birth' || !found.some((f) => f.kind === 'birth'))) {
      taken[free] = true;
      slots[i] = free;
    }
  }
  return found.map((f, i) => ({ ...f, slot: slots[i] })).sort((a, b) => (a.slot ?? 2) - (b.slot ?? 2));
}

export type DescendantNode = {
  occ: Occurrence;
  /** Partners drawn beside this person: the first on the left, the others on the right. */
  partners: Occurrence[];
  children: DescendantNode[];
  /** For each child, the index in `partners` of its other parent, or −1. */
  childUnion: number[];
  /** How each child is linked to this person. */
  childLegal: boolean[];
  depth: number;
};

/** Descendants of the centre as a tree of couples, breadth first, repeats as leaves. */
export function descendantTree(chart: Chart, ctx: Ctx = makeCtx(chart, {}), rootOcc?: Occurrence): DescendantNode | null {
  const center = ctx.byId.get(chart.center.id) ?? chart.nodes[0];
  if (!center) return null;
  if (!rootOcc) {
    if (!take(ctx)) return null;
    ctx.primary.set(center.person.id, center.person.id);
  }
  const root: DescendantNode = {
    occ: rootOcc ?? occurrence(center, 0, center.person.id, null),
    partners: [],
    children: [],
    childUnion: [],
    childLegal: [],
    depth: 0,
  };
  // Partners who are lineage people (a descendant married to a descendant) are drawn beside
  // their partner as repeats once their own place is known, so they are resolved at the end.
  const pending: Occurrence[] = [];
  const queue: DescendantNode[] = [root];
  outer: for (let qi = 0; qi < queue.length; qi++) {
    const dn = queue[qi];
    if (dn.occ.repeatOf) continue;
    const node = ctx.byId.get(dn.occ.person.id);
    if (!node) continue;
    for (const pid of node.partners) {
      const p = ctx.byId.get(pid);
      if (!p) continue;
      if (!take(ctx)) break outer;
      if (p.role === 'partner') {
        const first = ctx.primary.get(pid);
        dn.partners.push(occurrence(p, dn.depth, first ? repeatKey(ctx, pid) : pid, first ?? null));
        if (!first) ctx.primary.set(pid, pid);
      } else {
        const occ = occurrence(p, dn.depth, repeatKey(ctx, pid), null);
        dn.partners.push(occ);
        pending.push(occ);
      }
    }
    if (dn.depth >= ctx.generations) continue;
    const kids: Array<{ child: ChartNode; union: number; legal: boolean }> = [];
    for (const link of node.children) {
      const child = ctx.byId.get(link.id);
      if (!child || child.role === 'partner' || child.role === 'ancestor') continue;
      const others = child.parents.map((l) => l.id).filter((id) => id !== node.person.id);
      const union = node.partners.findIndex((pid) => others.includes(pid));
      kids.push({ child, union, legal: link.kind !== 'birth' });
    }
    // Children grouped by the partner they were had with; unknown other parent last.
    kids.sort((a, b) => (a.union < 0 ? Infinity : a.union) - (b.union < 0 ? Infinity : b.union));
    for (const { child, union, legal } of kids) {
      if (!take(ctx)) break outer;
      const id = child.person.id;
      const first = ctx.primary.get(id);
      const depth = dn.depth + 1;
      const occ = first ? occurrence(child, depth, repeatKey(ctx, id), first) : occurrence(child, depth, id, null);
      if (!first) ctx.primary.set(id, id);
      const kid: DescendantNode = { occ, partners: [], children: [], childUnion: [], childLegal: [], depth };
      dn.children.push(kid);
      dn.childUnion.push(union);
      dn.childLegal.push(legal);
      queue.push(kid);
    }
  }
  for (const occ of pending) {
    const id = occ.person.id;
    const first = ctx.primary.get(id);
    if (first) {
      occ.repeatOf = first;
    } else {
      // Their own place was not drawn (cut): this appearance is the only one.
      ctx.primary.set(id, id);
      occ.key = id;
    }
  }
  return root;
}

// ----- geometry helpers -----------------------------------------------------------------------

function boxRect(b: { x: number; y: number; w: number; h: number }): Rect {
  return { x0: b.x - b.w / 2, y0: b.y - b.h / 2, x1: b.x + b.w / 2, y1: b.y + b.h / 2 };
}

function pointsRect(points: Array<[number, number]>): Rect {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of points) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return { x0, y0, x1, y1 };
}

function union(rects: Rect[]): Rect {
  if (rects.length === 0) return { x0: 0, y0: 0, x1: 0, y1: 0 };
  return rects.reduce((a, r) => ({
    x0: Math.min(a.x0, r.x0),
    y0: Math.min(a.y0, r.y0),
    x1: Math.max(a.x1, r.x1),
    y1: Math.max(a.y1, r.y1),
  }));
}

const r1 = (n: number) => Math.round(n * 10) / 10 || 0;

/** Elbow connector, horizontal first: from (x1, y1) across to the middle, then to (x2, y2). */
function elbowH(x1: number, y1: number, x2: number, y2: number): string {
  const mx = r1((x1 + x2) / 2);
  return `M${r1(x1)} ${r1(y1)}H${mx}V${r1(y2)}H${r1(x2)}`;
}

/** Elbow connector, vertical first, turning at `my`. */
function elbowV(x1: number, y1: number, x2: number, y2: number, my = (y1 + y2) / 2): string {
  return `M${r1(x1)} ${r1(y1)}V${r1(my)}H${r1(x2)}V${r1(y2)}`;
}

function edge(key: string, d: string, kind: Edge['kind'], legal: boolean, pts: Array<[number, number]>): Edge {
  return { key, d, kind, legal, bbox: pointsRect(pts) };
}

function finish(kind: ChartKind, boxes: Box[], sectors: Sector[], edges: Edge[], ctx: Ctx, unplaced = 0): ChartLayout {
  const all = [...boxes.map(boxRect), ...sectors.map((s) => s.bbox), ...edges.map((e) => e.bbox)];
  const occs: Occurrence[] = [...boxes, ...sectors];
  return {
    kind,
    boxes,
    sectors,
    edges,
    bounds: union(all),
    people: new Set(occs.map((o) => o.person.id)).size,
    repeats: occs.filter((o) => o.repeatOf).length,
    cut: ctx.cut,
    unplaced,
  };
}

// Boxes are built as one literal shape (not `{...occ}`): culling reads thousands of them per
// frame, and V8 reads same-shaped objects far faster.
function place(occ: Occurrence, x: number, y: number): Box {
  return {
    key: occ.key,
    person: occ.person,
    role: occ.role,
    generation: occ.generation,
    repeatOf: occ.repeatOf,
    center: occ.center,
    moreAncestors: occ.moreAncestors,
    moreDescendants: occ.moreDescendants,
    lines: occ.lines,
    x: r1(x),
    y: r1(y),
    w: BOX_W,
    h: BOX_H,
  };
}

// ----- pedigree (ancestors, left to right) ------------------------------------------------------

export function layoutPedigree(chart: Chart, opts: LayoutOptions = {}): ChartLayout {
  const ctx = makeCtx(chart, opts);
  const root = ancestorTree(chart, ctx);
  const boxes: Box[] = [];
  const edges: Edge[] = [];
  if (root) {
    const h = hierarchy(root, (d) => d.parents);
    const laid = tree<AncestorNode>()
      .nodeSize([PED_ROW, PED_COL])
      .separation((a, b) => (a.parent === b.parent ? 1 : 1.25))(h);
    laid.each((n) => {
      boxes.push(place(n.data.occ, n.y, n.x));
      if (n.parent) {
        const x1 = n.parent.y + BOX_W / 2;
        const x2 = n.y - BOX_W / 2;
        edges.push(
          edge(`${n.parent.data.occ.key}>${n.data.occ.key}`, elbowH(x1, n.parent.x, x2, n.x), 'line', n.data.legal, [
            [x1, n.parent.x],
            [x2, n.x],
          ]),
        );
      }
    });
  }
  return finish('pedigree', boxes, [], edges, ctx);
}

// ----- descendants (top to bottom) and hourglass ---------------------------------------------

/** Width of a couple block: the person and every partner side by side. */
function blockWidth(d: DescendantNode): number {
  const n = 1 + d.partners.length;
  return n * BOX_W + (n - 1) * PARTNER_GAP;
}

/** Offset of the descendant's own box from the block's centre (the first partner is left of them). */
function selfOffset(d: DescendantNode): number {
  const slotOf = d.partners.length > 0 ? 1 : 0;
  return slotOf * (BOX_W + PARTNER_GAP) - (blockWidth(d) - BOX_W) / 2;
}

/** Offset of partner i's box from the block's centre. */
function partnerOffset(d: DescendantNode, i: number): number {
  const slot = i === 0 ? 0 : i + 1;
  return slot * (BOX_W + PARTNER_GAP) - (blockWidth(d) - BOX_W) / 2;
}

/**
 * Lays out a descendant tree downwards (`dir` 1) with the centre person's box at (0, 0). When
 * `skipRoot` the root's own box is not emitted (the hourglass draws it with the ancestors).
 */
function placeDescendants(root: DescendantNode, boxes: Box[], edges: Edge[], skipRoot: boolean): void {
  const h = hierarchy(root, (d) => d.children);
  const laid = tree<DescendantNode>()
    .nodeSize([1, V_LEVEL])
    .separation((a, b) => (blockWidth(a.data) + blockWidth(b.data)) / 2 + (a.parent === b.parent ? V_GAP : V_GAP * 2))(h);
  const shift = -(laid.x + selfOffset(root));
  const selfX = (n: HierarchyPointNode<DescendantNode>) => n.x + shift + selfOffset(n.data);
  laid.each((n) => {
    const d = n.data;
    const y = n.y;
    const sx = selfX(n);
    if (!(skipRoot && n === laid)) boxes.push(place(d.occ, sx, y));
    d.partners.forEach((p, i) => {
      const px = n.x + shift + partnerOffset(d, i);
      boxes.push(place(p, px, y));
      // Partners next to the person get a straight line; later ones a bracket over the top.
      const adjacent = i < 2;
      const left = Math.min(sx, px);
      const right = Math.max(sx, px);
      const dd = adjacent
        ? `M${r1(left + BOX_W / 2)} ${r1(y)}H${r1(right - BOX_W / 2)}`
        : `M${r1(sx)} ${r1(y - BOX_H / 2)}V${r1(y - BOX_H / 2 - 8)}H${r1(px)}V${r1(y - BOX_H / 2)}`;
      edges.push(
        edge(`${d.occ.key}=${p.key}`, dd, 'union', false, [
          [left, y - BOX_H / 2 - 8],
          [right, y],
        ]),
      );
    });
    (n.children ?? []).forEach((c, i) => {
      const u = d.childUnion[i];
      let ux = sx;
      let uy = y + BOX_H / 2;
      if (u === 0 || u === 1) {
        // From the middle of the line joining the couple.
        ux = (sx + n.x + shift + partnerOffset(d, u)) / 2;
        uy = y;
      } else if (u >= 2) {
        ux = n.x + shift + partnerOffset(d, u);
      }
      const cx = selfX(c);
      const cy = c.y - BOX_H / 2;
      // Each couple's children hang from their own bar, so two unions' lines do not merge.
      const turn = cy - 14 - 10 * Math.min(u + 1, 3);
      edges.push(
        edge(`${d.occ.key}>${c.data.occ.key}`, elbowV(ux, uy, cx, cy, turn), 'line', d.childLegal[i], [
          [ux, uy],
          [cx, cy],
        ]),
      );
    });
  });
}

export function layoutDescendants(chart: Chart, opts: LayoutOptions = {}): ChartLayout {
  const ctx = makeCtx(chart, opts);
  const root = descendantTree(chart, ctx);
  const boxes: Box[] = [];
  const edges: Edge[] = [];
  if (root) placeDescendants(root, boxes, edges, false);
  return finish('descendants', boxes, [], edges, ctx);
}

/** Ancestors above the centre (father left, mother right), descendants below. */
export function layoutHourglass(chart: Chart, opts: LayoutOptions = {}): ChartLayout {
  const ctx = makeCtx(chart, opts);
  const up = ancestorTree(chart, ctx);
  const boxes: Box[] = [];
  const edges: Edge[] = [];
  if (up) {
    const h = hierarchy(up, (d) => d.parents);
    const laid = tree<AncestorNode>()
      .nodeSize([BOX_W + V_GAP, V_LEVEL])
      .separation((a, b) => (a.parent === b.parent ? 1 : 1.15))(h);
    laid.each((n) => {
      boxes.push(place(n.data.occ, n.x, -n.y));
      if (n.parent) {
        const y1 = -n.parent.y - BOX_H / 2;
        const y2 = -n.y + BOX_H / 2;
        edges.push(
          edge(`${n.parent.data.occ.key}>${n.data.occ.key}`, elbowV(n.parent.x, y1, n.x, y2), 'line', n.data.legal, [
            [n.parent.x, y1],
            [n.x, y2],
          ]),
        );
      }
    });
    const down = descendantTree(chart, ctx, up.occ);
    if (down) placeDescendants(down, boxes, edges, true);
  }
  return finish('hourglass', boxes, [], edges, ctx);
}

// ----- fan -------------------------------------------------------------------------------------

/** Outer radius of ring `g` (0 = the centre disc). */
export function fanRadius(g: number): number {
  let r = FAN_CENTER_R;
  for (let i = 1; i <= g; i++) r += i <= 2 ? 78 : i <= 4 ? 112 : 118;
  return r;
}

function arcBBox(r0: number, r1: number, a0: number, a1: number): Rect {
  const pts: Array<[number, number]> = [];
  const at = (r: number, a: number): [number, number] => [r * Math.sin(a), -r * Math.cos(a)];
  pts.push(at(r0, a0), at(r0, a1), at(r1, a0), at(r1, a1));
  // The extremes where the arc crosses an axis.
  for (let k = Math.ceil(a0 / (Math.PI / 2)); k * (Math.PI / 2) <= a1; k++) pts.push(at(r1, (k * Math.PI) / 2));
  return pointsRect(pts);
}

const deg = (a: number) => (a * 180) / Math.PI;

/**
 * The fan chart: the centre as a disc, generation g as ring g split into 2^g sectors by Sosa
 * number (father's side left, mother's right). Inner rings read along the arc, outer ones along
 * the radius. A repeat fills its own sector but its ancestors are not drawn again.
 */
export function layoutFan(chart: Chart, opts: LayoutOptions = {}): ChartLayout {
  const ctx = makeCtx(chart, opts);
  ctx.generations = Math.min(ctx.generations, FAN_MAX_GENERATIONS);
  const root = ancestorTree(chart, ctx);
  const sectors: Sector[] = [];
  const shape = arc();
  let unplaced = 0;
  if (root) {
    const stack: AncestorNode[] = [root];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.sosa === null) {
        unplaced++;
        continue;
      }
      stack.push(...n.parents);
      const g = n.depth;
      if (g === 0) {
        const r = FAN_CENTER_R;
        const lines = fanLines(n.occ.person, 2 * r - 16, 12, 3);
        sectors.push({
          ...n.occ,
          lines,
          a0: -Math.PI,
          a1: Math.PI,
          r0: 0,
          r1: r,
          d: shape({ innerRadius: 0, outerRadius: r, startAngle: 0, endAngle: 2 * Math.PI }) ?? '',
          tx: 0,
          ty: 0,
          rotate: 0,
          fontSize: 12,
          bbox: { x0: -r, y0: -r, x1: r, y1: r },
        });
        continue;
      }
      const count = 2 ** g;
      const pos = n.sosa - count;
      const step = FAN_SPAN / count;
      const a0 = -FAN_SPAN / 2 + pos * step;
      const a1 = a0 + step;
      const rin = fanRadius(g - 1);
      const rout = fanRadius(g);
      const am = (a0 + a1) / 2;
      const rm = (rin + rout) / 2;
      const fontSize = g <= 2 ? 12 : g <= 4 ? 11 : 10;
      let rotate: number;
      let lines: string[];
      const tangential = g <= 2;
      if (tangential) {
        rotate = deg(am);
        if (Math.abs(rotate) > 90) rotate += rotate > 0 ? -180 : 180;
        lines = fanLines(n.occ.person, step * rm - 10, fontSize, Math.floor((rout - rin - 8) / (fontSize * 1.25)));
      } else {
        rotate = am >= 0 ? deg(am) - 90 : deg(am) + 90;
        lines = fanLines(n.occ.person, rout - rin - 12, fontSize, Math.floor((step * rm - 4) / (fontSize * 1.2)));
      }
      sectors.push({
        ...n.occ,
        lines,
        a0,
        a1,
        r0: rin,
        r1: rout,
        d: shape({ innerRadius: rin, outerRadius: rout, startAngle: a0, endAngle: a1 }) ?? '',
        tx: r1(rm * Math.sin(am)),
        ty: r1(-rm * Math.cos(am)),
        rotate: r1(rotate),
        fontSize,
        bbox: arcBBox(rin, rout, a0, a1),
      });
    }
  }
  sectors.sort((a, b) => a.r0 - b.r0 || a.a0 - b.a0);
  return finish('fan', [], sectors, [], ctx, unplaced);
}

/** Text lines for a sector: as many as `maxLines` allows of name, years; each fitted to `length` px. */
function fanLines(p: PersonRef, length: number, fontSize: number, maxLines: number): string[] {
  const chars = Math.floor(length / (fontSize * 0.6));
  if (chars < 3 || maxLines < 1) return [];
  const name = personName(p);
  const years = lifeYears(p.birth_year, p.death_year);
  const lines = [fitText(name, chars)];
  if (maxLines >= 2 && years) lines.push(fitText(years, chars));
  return lines;
}

// ----- dispatch, viewport ----------------------------------------------------------------------

export function layoutChart(chart: Chart, opts: LayoutOptions = {}): ChartLayout {
  switch (chart.kind) {
    case 'pedigree':
      return layoutPedigree(chart, opts);
    case 'descendants':
      return layoutDescendants(chart, opts);
    case 'hourglass':
      return layoutHourglass(chart, opts);
    case 'fan':
      return layoutFan(chart, opts);
  }
}

export function intersects(a: Rect, b: Rect): boolean {
  return a.x0 <= b.x1 && b.x0 <= a.x1 && a.y0 <= b.y1 && b.y0 <= a.y1;
}

export type Transform = { x: number; y: number; k: number };

/** The part of the layout a `width`×`height` viewport shows under `t`, in layout units. */
export function viewRect(t: Transform, width: number, height: number): Rect {
  return { x0: -t.x / t.k, y0: -t.y / t.k, x1: (width - t.x) / t.k, y1: (height - t.y) / t.k };
}

/**
 * Viewport culling: the boxes, sectors and edges that touch `view` grown by `margin` (layout
 * units), so panning a little does not show empty space before the next frame.
 */
export function visibleItems(layout: ChartLayout, view: Rect, margin = 0): Pick<ChartLayout, 'boxes' | 'sectors' | 'edges'> {
  const v = { x0: view.x0 - margin, y0: view.y0 - margin, x1: view.x1 + margin, y1: view.y1 + margin };
  return {
    boxes: layout.boxes.filter((b) => intersects(boxRect(b), v)),
    sectors: layout.sectors.filter((s) => intersects(s.bbox, v)),
    edges: layout.edges.filter((e) => intersects(e.bbox, v)),
  };
}

/** The centre of an occurrence in layout units (box centre, or a sector's middle). */
export function occurrenceCenter(layout: ChartLayout, key: string): [number, number] | null {
  const b = layout.boxes.find((x) => x.key === key);
  if (b) return [b.x, b.y];
  const s = layout.sectors.find((x) => x.key === key);
  if (s) {
    if (s.r0 === 0) return [0, 0];
    const am = (s.a0 + s.a1) / 2;
    const rm = (s.r0 + s.r1) / 2;
    return [rm * Math.sin(am), -rm * Math.cos(am)];
  }
  return null;
}

/**
 * The first view of a chart: all of it when that is readable (scale ≥ `minK`), else the centre
 * person at scale `minK`, placed left of the middle for a pedigree (it grows rightwards).
 */
export function initialTransform(layout: ChartLayout, width: number, height: number, padding = 24, minK = 0.55): Transform {
  const b = layout.bounds;
  const w = Math.max(1, b.x1 - b.x0);
  const h = Math.max(1, b.y1 - b.y0);
  const fit = Math.min((width - 2 * padding) / w, (height - 2 * padding) / h, 1.25);
  if (fit >= minK) {
    return { k: fit, x: width / 2 - ((b.x0 + b.x1) / 2) * fit, y: height / 2 - ((b.y0 + b.y1) / 2) * fit };
  }
  const k = minK;
  const [cx, cy] = occurrenceCenter(layout, layout.boxes[0]?.key ?? layout.sectors[0]?.key ?? '') ?? [0, 0];
  const ax = layout.kind === 'pedigree' ? Math.min(width / 2, padding + (BOX_W / 2) * k) : width / 2;
  const ay = layout.kind === 'descendants' ? Math.min(height / 2, padding + (BOX_H / 2) * k) : height / 2;
  return { k, x: ax - cx * k, y: ay - cy * k };
}
