import { describe, expect, it } from 'vitest';
import {
  BOX_H,
  BOX_W,
  FAN_SPAN,
  PARTNER_GAP,
  PED_COL,
  PED_ROW,
  V_LEVEL,
  fanRadius,
  fitText,
  initialTransform,
  intersects,
  layoutChart,
  layoutDescendants,
  layoutFan,
  layoutHourglass,
  layoutPedigree,
  viewRect,
  visibleItems,
  type Box,
  type ChartLayout,
  type Rect,
} from './chartLayout';
import { chartOf, fullPedigree, type Spec } from '../test/charts';

function box(layout: ChartLayout, key: string): Box {
  const b = layout.boxes.find((x) => x.key === key);
  if (!b) throw new Error(`no box ${key} in ${layout.boxes.map((x) => x.key).join(', ')}`);
  return b;
}

const rect = (b: Box): Rect => ({ x0: b.x - b.w / 2, y0: b.y - b.h / 2, x1: b.x + b.w / 2, y1: b.y + b.h / 2 });

/** Every pair of boxes that overlap (touching edges allowed). */
function overlaps(layout: ChartLayout): string[] {
  const found: string[] = [];
  const shrink = (r: Rect): Rect => ({ x0: r.x0 + 0.5, y0: r.y0 + 0.5, x1: r.x1 - 0.5, y1: r.y1 - 0.5 });
  for (let i = 0; i < layout.boxes.length; i++) {
    for (let j = i + 1; j < layout.boxes.length; j++) {
      if (intersects(shrink(rect(layout.boxes[i])), shrink(rect(layout.boxes[j])))) {
        found.push(`${layout.boxes[i].key}/${layout.boxes[j].key}`);
      }
    }
  }
  return found;
}

// c is the child of first cousins: f's father a and m's father cc are brothers, sons of g1 and g2.
// g1's father gg1 is in the chart too.
function cousinsChild(kind: 'pedigree' | 'fan' = 'pedigree') {
  return chartOf(
    kind,
    [
      { id: 'c', sex: 'F', parents: ['f', 'm'] },
      { id: 'f', sex: 'M', parents: ['a', 'b'] },
      { id: 'm', sex: 'F', parents: ['cc', 'd'] },
      { id: 'a', sex: 'M', parents: ['g1', 'g2'] },
      { id: 'b', sex: 'F' },
      { id: 'cc', sex: 'M', parents: ['g1', 'g2'] },
      { id: 'd', sex: 'F' },
      { id: 'g1', sex: 'M', generations: [-3], parents: ['gg1'] },
      { id: 'g2', sex: 'F', generations: [-3] },
      { id: 'gg1', sex: 'M', generations: [-4] },
    ],
    4,
  );
}

describe('pedigree layout', () => {
  const twoGenerations = chartOf('pedigree', [
    { id: 'c', sex: 'F', parents: ['f', 'm'], birth: 1900 },
    { id: 'f', sex: 'M', parents: ['ff', 'fm'] },
    { id: 'm', sex: 'F', parents: ['mf', 'mm'] },
    { id: 'ff', sex: 'M' },
    { id: 'fm', sex: 'F' },
    { id: 'mf', sex: 'M' },
    { id: 'mm', sex: 'F' },
  ]);

  it('puts each generation in a column, father above mother, each person centred on their parents', () => {
    const l = layoutPedigree(twoGenerations);
    expect(l.boxes).toHaveLength(7);
    expect(box(l, 'c')).toMatchObject({ x: 0, y: 0, center: true });
    for (const k of ['f', 'm']) expect(box(l, k).x).toBe(PED_COL);
    for (const k of ['ff', 'fm', 'mf', 'mm']) expect(box(l, k).x).toBe(2 * PED_COL);
    expect(box(l, 'f').y).toBeLessThan(box(l, 'm').y);
    expect(box(l, 'f').y).toBe((box(l, 'ff').y + box(l, 'fm').y) / 2);
    expect(box(l, 'm').y).toBe((box(l, 'mf').y + box(l, 'mm').y) / 2);
    expect(box(l, 'fm').y - box(l, 'ff').y).toBe(PED_ROW);
    // Cousins are further apart than siblings.
    expect(box(l, 'mf').y - box(l, 'fm').y).toBeGreaterThan(PED_ROW);
    expect(l.repeats).toBe(0);
    expect(l.people).toBe(7);
  });

  it('joins each person to their parents with an elbow from right edge to left edge', () => {
    const l = layoutPedigree(twoGenerations);
    expect(l.edges).toHaveLength(6);
    const f = box(l, 'f');
    const e = l.edges.find((x) => x.key === 'c>f')!;
    expect(e.d).toBe(`M${BOX_W / 2} 0H${PED_COL / 2}V${f.y}H${PED_COL - BOX_W / 2}`);
    expect(e.legal).toBe(false);
    expect(box(l, 'c').lines).toEqual(['Person c', '1900–']);
  });

  it('draws a collapsed ancestor again as a repeat that points at the first, nearest occurrence', () => {
    const l = layoutPedigree(cousinsChild());
    const keys = l.boxes.map((b) => b.key).sort();
    expect(keys).toEqual(['a', 'b', 'c', 'cc', 'd', 'f', 'g1', 'g1~1', 'g2', 'g2~1', 'gg1', 'm'].sort());
    expect(box(l, 'g1~1').repeatOf).toBe('g1');
    expect(box(l, 'g2~1').repeatOf).toBe('g2');
    expect(box(l, 'g1').repeatOf).toBeNull();
    // The father's line is met first, and the repeat's ancestors are not drawn twice.
    expect(box(l, 'g1').y).toBeLessThan(box(l, 'g1~1').y);
    expect(l.boxes.filter((b) => b.person.id === 'gg1')).toHaveLength(1);
    expect(l.edges.filter((e) => e.key.startsWith('g1~1>'))).toHaveLength(0);
    expect(l.repeats).toBe(2);
    expect(l.people).toBe(10);
    expect(overlaps(l)).toEqual([]);
  });

  it('stops at the generations of the chart even when a parent is in it through a shorter line', () => {
    // p is reached at generation 1 and, through q, would sit at generation 3 > 2.
    const chart = chartOf(
      'pedigree',
      [
        { id: 'c', parents: ['p', 'q'] },
        { id: 'p', sex: 'M' },
        { id: 'q', sex: 'F', parents: ['r'] },
        { id: 'r', sex: 'M', generations: [-2], parents: ['p'] },
      ],
      2,
    );
    const l = layoutPedigree(chart);
    expect(l.boxes.map((b) => b.key).sort()).toEqual(['c', 'p', 'q', 'r']);
  });

  it('never overlaps boxes, with missing parents anywhere', () => {
    for (const kind of ['pedigree', 'hourglass'] as const) {
      const l = layoutChart(fullPedigree(kind, 6, new Set([5, 12, 30, 33])));
      expect(l.boxes).toHaveLength(127 - 31 - 15 - 7 - 3); // the subtrees of 5, 12, 30 and 33 are missing
      expect(overlaps(l)).toEqual([]);
    }
  });

  it('dashes non-birth links', () => {
    const chart = chartOf('pedigree', [
      { id: 'c', parents: [['f', 'adopted'], 'm'] },
      { id: 'f', sex: 'M' },
      { id: 'm', sex: 'F' },
    ]);
    const l = layoutPedigree(chart);
    expect(l.edges.find((e) => e.key === 'c>f')!.legal).toBe(true);
    expect(l.edges.find((e) => e.key === 'c>m')!.legal).toBe(false);
  });

  it('stops drawing at maxDrawn, nearest generations first', () => {
    const l = layoutPedigree(fullPedigree('pedigree', 5), { maxDrawn: 10 });
    expect(l.boxes).toHaveLength(10);
    expect(l.cut).toBe(true);
    const keys = new Set(l.boxes.map((b) => b.key));
    for (let n = 1; n < 8; n++) expect(keys.has(`s${n}`)).toBe(true);
    expect(layoutPedigree(fullPedigree('pedigree', 3)).cut).toBe(false);
  });
});

describe('fan layout', () => {
  it('places ancestors by Sosa number: father left of the middle, mother right', () => {
    const l = layoutFan(fullPedigree('fan', 2));
    expect(l.sectors).toHaveLength(7);
    const s = (k: string) => l.sectors.find((x) => x.key === k)!;
    expect(s('s1')).toMatchObject({ r0: 0, r1: fanRadius(0) });
    expect(s('s2').a0).toBeCloseTo(-FAN_SPAN / 2);
    expect(s('s2').a1).toBeCloseTo(0);
    expect(s('s3').a0).toBeCloseTo(0);
    expect(s('s3').a1).toBeCloseTo(FAN_SPAN / 2);
    // Mother's mother: Sosa 7, the last quarter.
    expect(s('s7').a0).toBeCloseTo(-FAN_SPAN / 2 + (3 * FAN_SPAN) / 4);
    expect(s('s7')).toMatchObject({ r0: fanRadius(1), r1: fanRadius(2) });
    // Inner rings read along the arc: the father's sector is turned by its middle angle.
    expect(s('s2').rotate).toBeCloseTo((-FAN_SPAN / 4) * (180 / Math.PI), 0);
    expect(s('s2').lines[0]).toBe('Person s2');
    expect(s('s4').d).toMatch(/^M/);
  });

  it('turns outer-ring text along the radius, upright on both sides', () => {
    const l = layoutFan(fullPedigree('fan', 3));
    const right = l.sectors.find((x) => x.key === 's15')!; // last sector, far right
    const left = l.sectors.find((x) => x.key === 's8')!;
    const deg = (a: number) => (a * 180) / Math.PI;
    expect(right.rotate).toBeCloseTo(deg((right.a0 + right.a1) / 2) - 90, 0);
    expect(left.rotate).toBeCloseTo(deg((left.a0 + left.a1) / 2) + 90, 0);
    expect(Math.abs(right.rotate)).toBeLessThanOrEqual(90);
    expect(Math.abs(left.rotate)).toBeLessThanOrEqual(90);
  });

  it('puts a lone mother on the mother side and an unknown-sex parent in the free slot', () => {
    const mother = layoutFan(chartOf('fan', [{ id: 'c', parents: ['m'] }, { id: 'm', sex: 'F' }]));
    expect(mother.sectors.find((x) => x.key === 'm')!.a0).toBeCloseTo(0);
    const unknown = layoutFan(chartOf('fan', [{ id: 'c', parents: ['u'] }, { id: 'u', sex: 'U' }]));
    expect(unknown.sectors.find((x) => x.key === 'u')!.a0).toBeCloseTo(-FAN_SPAN / 2);
    const both = layoutFan(chartOf('fan', [{ id: 'c', parents: ['u', 'm'] }, { id: 'u' }, { id: 'm', sex: 'F' }]));
    expect(both.sectors.find((x) => x.key === 'u')!.a0).toBeCloseTo(-FAN_SPAN / 2);
    expect(both.sectors.find((x) => x.key === 'm')!.a0).toBeCloseTo(0);
  });

  it('marks repeats and counts parents a fan has no place for', () => {
    const l = layoutFan(cousinsChild('fan'));
    const repeat = l.sectors.find((x) => x.key === 'g1~1')!;
    expect(repeat.repeatOf).toBe('g1');
    expect(l.sectors.filter((x) => x.person.id === 'gg1')).toHaveLength(1);
    const adopted = layoutFan(
      chartOf('fan', [{ id: 'c', parents: ['f', 'm', ['a', 'adopted']] }, { id: 'f', sex: 'M' }, { id: 'm', sex: 'F' }, { id: 'a', sex: 'F' }]),
    );
    expect(adopted.unplaced).toBe(1);
    expect(adopted.sectors.map((x) => x.key).sort()).toEqual(['c', 'f', 'm']);
  });

  it('caps the rings at FAN_MAX_GENERATIONS and gives tiny sectors no text', () => {
    const l = layoutFan(fullPedigree('fan', 10));
    expect(Math.max(...l.sectors.map((x) => x.r1))).toBe(fanRadius(9));
    const outer = l.sectors.filter((x) => x.r1 === fanRadius(9));
    expect(outer).toHaveLength(2 ** 9);
    expect(outer.every((x) => x.lines.length === 0)).toBe(true);
  });
});

describe('descendants layout', () => {
  // c and p have k1 and k3; k2's other parent is unknown. k1 and her partner q have g.
  const family: Spec[] = [
    { id: 'c', sex: 'M', generations: [0], partners: ['p'] },
    { id: 'p', sex: 'F', role: 'partner', generations: [0] },
    { id: 'k1', sex: 'F', role: 'descendant', generations: [1], parents: ['c', 'p'], partners: ['q'] },
    { id: 'k2', sex: 'M', role: 'descendant', generations: [1], parents: ['c'] },
    { id: 'k3', sex: 'M', role: 'descendant', generations: [1], parents: ['c', 'p'] },
    { id: 'q', sex: 'M', role: 'partner', generations: [1] },
    { id: 'g', role: 'descendant', generations: [2], parents: ['q', 'k1'] },
  ];

  it('draws couples side by side and children below, grouped by their other parent', () => {
    const l = layoutDescendants(chartOf('descendants', family));
    expect(box(l, 'c')).toMatchObject({ x: 0, y: 0 });
    expect(box(l, 'p')).toMatchObject({ x: -(BOX_W + PARTNER_GAP), y: 0 });
    for (const k of ['k1', 'k2', 'k3']) expect(box(l, k).y).toBe(V_LEVEL);
    expect(box(l, 'g').y).toBe(2 * V_LEVEL);
    // Children of c and p first, then the child whose other parent is unknown.
    expect(box(l, 'k1').x).toBeLessThan(box(l, 'k3').x);
    expect(box(l, 'k3').x).toBeLessThan(box(l, 'k2').x);
    // q sits left of k1, on the same row.
    expect(box(l, 'q').x).toBe(box(l, 'k1').x - (BOX_W + PARTNER_GAP));
    expect(overlaps(l)).toEqual([]);
  });

  it('hangs a couple’s children from the line joining them, others from the parent', () => {
    const l = layoutDescendants(chartOf('descendants', family));
    const d = (key: string) => l.edges.find((e) => e.key === key)!.d;
    expect(d('c=p')).toBe(`M${-(BOX_W + PARTNER_GAP) + BOX_W / 2} 0H${-BOX_W / 2}`);
    expect(d('c>k1')).toMatch(new RegExp(`^M${-(BOX_W + PARTNER_GAP) / 2} 0V`));
    expect(d('c>k2')).toMatch(new RegExp(`^M0 ${BOX_H / 2}V`));
    expect(l.edges.filter((e) => e.kind === 'union').map((e) => e.key).sort()).toEqual(['c=p', 'k1=q']);
  });

  it('draws cousins who married once each, and the other as a repeat beside them', () => {
    // x (via a) and y (via b) are c's grandchildren and partners; z is their child.
    const chart = chartOf(
      'descendants',
      [
        { id: 'c', generations: [0] },
        { id: 'a', role: 'descendant', generations: [1], parents: ['c'] },
        { id: 'b', role: 'descendant', generations: [1], parents: ['c'] },
        { id: 'x', sex: 'M', role: 'descendant', generations: [2], parents: ['a'], partners: ['y'] },
        { id: 'y', sex: 'F', role: 'descendant', generations: [2], parents: ['b'] },
        { id: 'z', role: 'descendant', generations: [3], parents: ['x', 'y'] },
      ],
      3,
    );
    const l = layoutDescendants(chart);
    expect(box(l, 'z').repeatOf).toBeNull();
    expect(box(l, 'z~1').repeatOf).toBe('z');
    expect(box(l, 'y~1').repeatOf).toBe('y');
    expect(box(l, 'x~1').repeatOf).toBe('x');
    expect(box(l, 'x~1').y).toBe(box(l, 'y').y);
    expect(l.repeats).toBe(3);
    expect(l.people).toBe(6);
    expect(overlaps(l)).toEqual([]);
  });
});

describe('hourglass layout', () => {
  it('draws ancestors above and descendants below one centre box', () => {
    const chart = chartOf('hourglass', [
      { id: 'c', sex: 'F', parents: ['f', 'm'], partners: ['p'] },
      { id: 'f', sex: 'M' },
      { id: 'm', sex: 'F' },
      { id: 'p', sex: 'M', role: 'partner', generations: [0] },
      { id: 'k', role: 'descendant', generations: [1], parents: ['p', 'c'] },
    ]);
    const l = layoutHourglass(chart);
    const keys = l.boxes.map((b) => b.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => k === 'c')).toHaveLength(1);
    expect(box(l, 'c')).toMatchObject({ x: 0, y: 0 });
    expect(box(l, 'f').y).toBe(-V_LEVEL);
    expect(box(l, 'f').x).toBeLessThan(box(l, 'm').x);
    expect(box(l, 'k').y).toBe(V_LEVEL);
    expect(box(l, 'p').y).toBe(0);
    expect(overlaps(l)).toEqual([]);
  });
});

describe('viewport', () => {
  it('maps a zoom transform to the part of the layout in view', () => {
    expect(viewRect({ x: 100, y: 50, k: 2 }, 800, 600)).toEqual({ x0: -50, y0: -25, x1: 350, y1: 275 });
  });

  it('culls what is out of view, keeping what touches it', () => {
    const l = layoutPedigree(fullPedigree('pedigree', 5));
    const view = { x0: -100, y0: -40, x1: 300, y1: 40 };
    const shown = visibleItems(l, view);
    expect(shown.boxes.length).toBeGreaterThan(0);
    expect(shown.boxes.length).toBeLessThan(l.boxes.length / 4);
    expect(shown.boxes.map((b) => b.key)).toContain('s1');
    for (const b of l.boxes) expect(shown.boxes.includes(b)).toBe(intersects(rect(b), view));
    expect(shown.edges.length).toBeLessThan(l.edges.length);
    expect(visibleItems(l, { x0: -1e6, y0: -1e6, x1: 1e6, y1: 1e6 }).boxes).toHaveLength(l.boxes.length);
  });

  it('fits a small chart whole and shows a big one around the centre', () => {
    const small = layoutPedigree(fullPedigree('pedigree', 2));
    const t = initialTransform(small, 1000, 700);
    const b = small.bounds;
    expect(b.x0 * t.k + t.x).toBeGreaterThanOrEqual(0);
    expect(b.x1 * t.k + t.x).toBeLessThanOrEqual(1000);
    expect(b.y0 * t.k + t.y).toBeGreaterThanOrEqual(0);
    expect(b.y1 * t.k + t.y).toBeLessThanOrEqual(700);

    const big = layoutPedigree(fullPedigree('pedigree', 8));
    const tb = initialTransform(big, 1000, 700);
    expect(tb.k).toBe(0.55);
    const c = box(big, 's1');
    const sx = c.x * tb.k + tb.x;
    const sy = c.y * tb.k + tb.y;
    expect(sx).toBeGreaterThan(0);
    expect(sx).toBeLessThan(500);
    expect(sy).toBeCloseTo(350);
  });
});

describe('labels', () => {
  it('shortens long names with an ellipsis, by code point', () => {
    expect(fitText('Ada', 5)).toBe('Ada');
    expect(fitText('Augusta Ada King', 8)).toBe('Augusta…');
    expect(fitText('𝔄𝔡𝔞𝔄𝔡𝔞', 4)).toBe('𝔄𝔡𝔞…');
    expect(fitText('abc', 1)).toBe('…');
  });
});
