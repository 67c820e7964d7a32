import { describe, expect, it } from 'vitest';
import { PATH_BOX_H, PATH_BOX_W, formatCoefficient, formatDecimal, pathLayout, pathText, type PathDrawing } from './relatePath';
import { ref, relationship } from '../test/charts';

const a = ref('a', 'F', 1950, null, 'Ann');
const f = ref('f', 'M', 1920, 1990, 'Frank');
const g1 = ref('g1', 'M', 1890, 1960, 'George');
const g2 = ref('g2', 'F', 1892, 1970, 'Grace');
const u = ref('u', 'F', 1922, null, 'Una');
const b = ref('b', 'M', 1952, null, 'Bob');

const cell = (d: PathDrawing, id: string) => {
  const box = d.boxes.find((x) => x.person.id === id)!;
  return [box.col, box.row];
};

describe('pathLayout', () => {
  it('draws first cousins as two lines under the common-ancestor couple', () => {
    const rel = relationship(
      [
        [a, null],
        [f, 'parent'],
        [g1, 'parent'],
        [u, 'child'],
        [b, 'child'],
      ],
      [g1, g2],
    );
    const d = pathLayout(rel);
    expect(d.boxes.map((x) => [x.person.id, x.role])).toEqual([
      ['a', 'a'],
      ['f', 'between'],
      ['g1', 'ancestor'],
      ['u', 'between'],
      ['b', 'b'],
      ['g2', 'spouse'],
    ]);
    expect(cell(d, 'a')).toEqual([0, 2]);
    expect(cell(d, 'f')).toEqual([0, 1]);
    expect(cell(d, 'g1')).toEqual([0, 0]);
    expect(cell(d, 'g2')).toEqual([1, 0]);
    expect(cell(d, 'u')).toEqual([1, 1]);
    expect(cell(d, 'b')).toEqual([1, 2]);
    // Both lines hang from the middle of the line joining the couple.
    const g1x = d.boxes.find((x) => x.person.id === 'g1')!.x;
    const g2x = d.boxes.find((x) => x.person.id === 'g2')!.x;
    const mid = (g1x + g2x) / 2;
    const line = (key: string) => d.lines.find((l) => l.key === key)!;
    expect(line('union-apex').kind).toBe('union');
    expect(line('1-2').d.endsWith(`H${mid}V${d.boxes[2].y}`)).toBe(true);
    expect(line('2-3').d.startsWith(`M${mid} ${d.boxes[2].y}`)).toBe(true);
    expect(d.lines).toHaveLength(5);
    expect(d.width).toBe(2 * 12 + PATH_BOX_W + (PATH_BOX_W + 36));
    expect(d.height).toBe(2 * 12 + PATH_BOX_H + 2 * (PATH_BOX_H + 30));
  });

  it('centres a single common ancestor over both lines', () => {
    const rel = relationship(
      [
        [a, null],
        [f, 'parent'],
        [b, 'child'],
      ],
      [f],
      'half-brother',
    );
    const d = pathLayout(rel);
    const [ba, bf, bb] = d.boxes;
    expect(d.boxes).toHaveLength(3);
    expect(bf.x).toBe((ba.x + bb.x) / 2);
    expect(bf.y).toBeLessThan(ba.y);
    expect(ba.y).toBe(bb.y);
    expect(bf.role).toBe('ancestor');
  });

  it('draws a direct line as one column', () => {
    const rel = relationship(
      [
        [a, null],
        [f, 'parent'],
        [g1, 'parent'],
      ],
      [g1],
      'grandfather',
    );
    const d = pathLayout(rel);
    expect(d.boxes.map((x) => [x.col, x.row])).toEqual([
      [0, 2],
      [0, 1],
      [0, 0],
    ]);
    expect(d.lines.map((l) => l.d)).toEqual([
      `M${d.boxes[0].x} ${d.boxes[0].y - PATH_BOX_H / 2}V${d.boxes[1].y + PATH_BOX_H / 2}`,
      `M${d.boxes[1].x} ${d.boxes[1].y - PATH_BOX_H / 2}V${d.boxes[2].y + PATH_BOX_H / 2}`,
    ]);
    expect(d.boxes[2].role).toBe('b');
  });

  it('puts partners side by side, and goes across for in-laws and step relations', () => {
    const spouse = pathLayout(relationship([[a, null], [b, 'partner']], [], 'husband'));
    expect(spouse.boxes.map((x) => [x.col, x.row])).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(spouse.lines[0]).toMatchObject({ kind: 'union', d: `M${12 + PATH_BOX_W} ${12 + PATH_BOX_H / 2}H${12 + PATH_BOX_W + 36}` });

    // Father-in-law: a's husband b, then b's father f.
    const inLaw = pathLayout(relationship([[a, null], [b, 'partner'], [f, 'parent']], [], 'father-in-law'));
    expect(inLaw.boxes.map((x) => [x.col, x.row])).toEqual([
      [0, 1],
      [1, 1],
      [1, 0],
    ]);

    // Stepbrother: up to a's father, across to his wife, down to her son.
    const step = pathLayout(relationship([[a, null], [f, 'parent'], [u, 'partner'], [b, 'child']], [], 'stepbrother'));
    expect(step.boxes.map((x) => [x.col, x.row])).toEqual([
      [0, 1],
      [0, 0],
      [1, 0],
      [1, 1],
    ]);
    expect(step.lines.map((l) => l.kind)).toEqual(['line', 'union', 'line']);
  });

  it('dashes adoptive links and draws nothing for an empty path', () => {
    const adopted = pathLayout(relationship([[a, null], [f, 'parent', 'adopted']], [f], 'father (adoptive)'));
    expect(adopted.lines[0].legal).toBe(true);
    expect(pathLayout(relationship([], []))).toEqual({ boxes: [], lines: [], width: 0, height: 0 });
  });

  it('says the path in words', () => {
    expect(pathText(relationship([[a, null], [f, 'parent'], [b, 'child']], [f]).path)).toBe('Ann → Frank → Bob');
  });
});

describe('coefficients', () => {
  it('shows the exact fraction and the decimal', () => {
    expect(formatCoefficient(0.0625, '1/16')).toBe('1/16 (0.0625)');
    expect(formatCoefficient(0.28125, '9/32')).toBe('9/32 (0.28125)');
    expect(formatCoefficient(1 / 64, '1/64')).toBe('1/64 (0.015625)');
    expect(formatCoefficient(0, '0')).toBe('0');
    expect(formatCoefficient(1, '1')).toBe('1');
    expect(formatCoefficient(null, null)).toBe('—');
    expect(formatCoefficient(0.25, null)).toBe('0.25');
    expect(formatCoefficient(2 ** -70, '1/2^70')).toBe('1/2^70 (8.47e-22)');
  });

  it('writes small decimals in scientific notation', () => {
    expect(formatDecimal(1 / 1024)).toBe('9.766e-4');
    expect(formatDecimal(0.0001)).toBe('1e-4');
    expect(formatDecimal(0.001)).toBe('0.001');
  });
});
