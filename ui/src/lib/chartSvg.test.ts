import { describe, expect, it } from 'vitest';
import { layoutChart, layoutFan, layoutPedigree } from './chartLayout';
import {
  EXPORT_COLORS,
  REPEAT_DASH,
  bytesToBase64,
  chartFileName,
  chartToSvg,
  escapeXml,
  lineOffsets,
  moreMarkPath,
  pngSize,
  svgSize,
} from './chartSvg';
import { chartOf, fullPedigree, ref } from '../test/charts';

function parse(svg: string): Document {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
  return doc;
}

const collapse = chartOf('pedigree', [
  { id: 'c', sex: 'F', parents: ['f', 'm'], name: 'Ada <& "Byron">', birth: 1815, death: 1852 },
  { id: 'f', sex: 'M', parents: ['g'], moreAncestors: false },
  { id: 'm', sex: 'F', parents: ['g'] },
  { id: 'g', sex: 'U', generations: [-2], moreAncestors: true },
]);

describe('chartToSvg', () => {
  it('writes a standalone SVG with every person and inline colours', () => {
    const layout = layoutPedigree(collapse);
    const svg = chartToSvg(layout, { title: 'Pedigree chart of Ada' });
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const doc = parse(svg);
    const root = doc.documentElement;
    const size = svgSize(layout);
    expect(root.getAttribute('viewBox')).toBe(`${size.x} ${size.y} ${size.width} ${size.height}`);
    expect(root.getAttribute('width')).toBe(String(size.width));
    expect(root.querySelector(':scope > title')!.textContent).toBe('Pedigree chart of Ada');

    // Background plus one rect per box; each carries its own fill and stroke.
    const rects = [...root.getElementsByTagName('rect')];
    expect(rects).toHaveLength(1 + layout.boxes.length);
    expect(rects[0].getAttribute('fill')).toBe(EXPORT_COLORS.background);
    for (const r of rects.slice(1)) {
      expect(r.getAttribute('fill')).toMatch(/^#[0-9a-f]{6}$/);
      expect(r.getAttribute('stroke')).toMatch(/^#[0-9a-f]{6}$/);
    }
    const texts = [...root.getElementsByTagName('text')].map((t) => t.textContent);
    expect(texts).toContain('Ada <& "Byron">');
    expect(texts).toContain('1815–1852');
    expect(svg).toContain('Ada &lt;&amp; &quot;Byron&quot;&gt;');
    // No CSS anywhere: presentation attributes only, so any viewer draws it the same.
    expect(svg).not.toMatch(/style=|<style/);
  });

  it('marks the centre and dashes repeats', () => {
    const layout = layoutPedigree(collapse);
    const doc = parse(chartToSvg(layout));
    const rects = [...doc.getElementsByTagName('rect')].slice(1);
    const centre = rects[0];
    expect(centre.getAttribute('stroke')).toBe(EXPORT_COLORS.center);
    expect(centre.getAttribute('fill')).toBe(EXPORT_COLORS.sex.F.fill);
    const dashed = rects.filter((r) => r.getAttribute('stroke-dasharray') === REPEAT_DASH);
    expect(dashed).toHaveLength(layout.repeats);
    expect(layout.repeats).toBe(1);
    // The repeat's box says so in its tooltip.
    const titles = [...doc.querySelectorAll('g > title')].map((t) => t.textContent);
    expect(titles.filter((t) => t?.includes('also shown elsewhere'))).toHaveLength(1);
  });

  it('writes the whole chart, however large, and fan sectors as paths', () => {
    const big = layoutChart(fullPedigree('pedigree', 7));
    const doc = parse(chartToSvg(big));
    expect(doc.getElementsByTagName('rect')).toHaveLength(1 + 255);
    const fan = layoutFan(fullPedigree('fan', 3));
    const fdoc = parse(chartToSvg(fan));
    const sectorPaths = [...fdoc.querySelectorAll('g > g > path')];
    expect(sectorPaths).toHaveLength(15);
    // One name line per sector (these people have no dates).
    expect([...fdoc.getElementsByTagName('tspan')].map((t) => t.textContent)).toContain('Person s15');
    expect(fdoc.getElementsByTagName('tspan')).toHaveLength(15);
  });

  it('can leave out the XML declaration for markup put into a page', () => {
    const svg = chartToSvg(layoutPedigree(collapse), { declaration: false });
    expect(svg.startsWith('<svg')).toBe(true);
  });
});

describe('export helpers', () => {
  it('escapes XML', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });

  it('centres text lines', () => {
    expect(lineOffsets(1, 10)).toEqual([3.5]);
    expect(lineOffsets(2, 10)).toEqual([-2.5, 9.5]);
  });

  it('points "more" marks where the hidden people are', () => {
    const l = layoutPedigree(collapse);
    const g = l.boxes.find((b) => b.key === 'g')!;
    const mark = moreMarkPath('pedigree', g)!;
    expect(mark).toMatch(new RegExp(`^M${g.x + g.w / 2 + 3} `));
    expect(moreMarkPath('pedigree', l.boxes.find((b) => b.key === 'f')!)).toBeNull();
    expect(moreMarkPath('hourglass', g)).toMatch(new RegExp(`L${g.x} ${g.y - g.h / 2 - 10}L`));
    const repeat = l.boxes.find((b) => b.repeatOf)!;
    expect(moreMarkPath('pedigree', { ...repeat, moreAncestors: true })).toBeNull();
  });

  it('sizes PNGs at 2× within the canvas limits', () => {
    expect(pngSize(1000, 500)).toEqual({ width: 2000, height: 1000, scale: 2 });
    const wide = pngSize(30_000, 1000);
    expect(wide.width).toBeLessThanOrEqual(16384);
    expect(wide.height).toBe(Math.floor(1000 * wide.scale));
    const huge = pngSize(20_000, 20_000);
    expect(huge.width * huge.height).toBeLessThanOrEqual(64_000_000);
    expect(huge.width).toBe(huge.height);
  });

  it('encodes bytes as base64 in chunks', () => {
    const bytes = new Uint8Array(100_003);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    const encoded = bytesToBase64(bytes);
    expect(encoded).toHaveLength(Math.ceil(bytes.length / 3) * 4);
    expect(Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0))).toEqual(bytes);
    expect(bytesToBase64(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBe('iVBORw==');
  });

  it('names files safely', () => {
    expect(chartFileName('pedigree', ref('a', 'F', null, null, 'Ada Lovelace'), 'svg')).toBe('pedigree-Ada-Lovelace.svg');
    expect(chartFileName('fan', ref('a', 'F', null, null, 'Élise Müller / "Lise"'), 'png')).toBe('fan-Elise-Muller-Lise.png');
    expect(chartFileName('hourglass', ref('a', 'U', null, null, ''), 'svg')).toBe('hourglass-Unnamed.svg');
    expect(chartFileName('descendants', ref('a', 'U', null, null, '王小明'), 'svg')).toBe('descendants-chart.svg');
  });
});
