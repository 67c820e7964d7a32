import { describe, expect, it } from 'vitest';
import {
  GENERATION_CHOICES,
  SvgImportError,
  defaultPedigreeSettings,
  fitTransform,
  importSvg,
  makeSymbolsActivatable,
  parseGenerations,
  pedigreeFileName,
  pedigreeRequest,
  pedigreeStatus,
  personIdAt,
  personSymbols,
  prefixIds,
  reportRequest,
  svgContentSize,
  withCondition,
  withoutCondition,
} from './pedigreeView';
import { pedigreeSvg } from '../test/backend';

const CF = { id: 'cystic-fibrosis', name: 'Cystic fibrosis' };
const BC = { id: 'breast-cancer', name: 'Breast cancer' };

describe('requests from the controls', () => {
  it('draws three generations with everything shown by default', () => {
    expect(pedigreeRequest('ada', defaultPedigreeSettings())).toEqual({
      proband: 'ada',
      generations: 3,
      conditions: [],
      names: true,
      ages: true,
      test_results: true,
      title: null,
    });
  });

  it('asks for everyone with generations null, and carries conditions and switches', () => {
    const s = { generations: 'everyone' as const, conditions: [CF, BC], names: false, ages: false, testResults: false };
    expect(pedigreeRequest('@I1@', s)).toEqual({
      proband: '@I1@',
      generations: null,
      conditions: ['cystic-fibrosis', 'breast-cancer'],
      names: false,
      ages: false,
      test_results: false,
      title: null,
    });
  });

  it('asks the report for the same family, with everyone spelt 0', () => {
    const s = { ...defaultPedigreeSettings(), generations: 'everyone' as const, conditions: [CF], names: false };
    expect(reportRequest('ada', s)).toEqual({ proband: 'ada', generations: 0, conditions: ['cystic-fibrosis'], names: false });
    expect(reportRequest('ada', { ...s, generations: 5, names: true })).toEqual({
      proband: 'ada',
      generations: 5,
      conditions: ['cystic-fibrosis'],
      names: true,
    });
  });

  it('offers 1 to 6 generations or everyone, and reads the select back', () => {
    expect(GENERATION_CHOICES.map((g) => g.value)).toEqual([1, 2, 3, 4, 5, 6, 'everyone']);
    expect(parseGenerations('everyone')).toBe('everyone');
    expect(parseGenerations('6')).toBe(6);
    expect(parseGenerations('0')).toBe(3);
    expect(parseGenerations('junk')).toBe(3);
  });

  it('adds a condition once and removes it', () => {
    const one = withCondition([], CF);
    expect(withCondition(one, { ...CF, name: 'CF again' })).toEqual([CF]);
    const two = withCondition(one, BC);
    expect(two).toEqual([CF, BC]);
    expect(withoutCondition(two, CF.id)).toEqual([BC]);
    expect(one).toEqual([CF]);
  });
});

describe('status and file names', () => {
  const names = new Map([
    ['cystic-fibrosis', 'Cystic fibrosis'],
    ['breast-cancer', 'Breast cancer'],
  ]);
  const nameOf = (id: string) => names.get(id) ?? id;

  it('counts people and families and names the conditions shaded', () => {
    const d = { people: 12, unions: 4, conditions: ['cystic-fibrosis', 'breast-cancer'] };
    expect(pedigreeStatus(d, nameOf, false)).toBe('12 people, 4 families, shaded: Cystic fibrosis, Breast cancer');
    expect(pedigreeStatus(d, nameOf, true)).toBe(
      '12 people, 4 families, shaded: Cystic fibrosis, Breast cancer (most frequent)',
    );
    expect(pedigreeStatus({ people: 1, unions: 1, conditions: ['x-unknown'] }, nameOf, false)).toBe(
      '1 person, 1 family, shaded: x-unknown',
    );
    expect(pedigreeStatus({ people: 2, unions: 0, conditions: [] }, nameOf, true)).toBe(
      '2 people, 0 families, shaded: none (no condition recorded as affected)',
    );
    expect(pedigreeStatus({ people: 1200, unions: 0, conditions: [] }, nameOf, false)).toMatch(/^1,200 people/);
  });

  it('names the file after the proband only when the drawing has names', () => {
    expect(pedigreeFileName('Ada Lovelace', true)).toBe('clinical-pedigree-Ada-Lovelace.svg');
    expect(pedigreeFileName('Zoë  d’Arcy', true)).toBe('clinical-pedigree-Zoe-d-Arcy.svg');
    expect(pedigreeFileName('Ada Lovelace', false)).toBe('clinical-pedigree.svg');
    expect(pedigreeFileName(null, true)).toBe('clinical-pedigree.svg');
    expect(pedigreeFileName('***', true, 'pdf')).toBe('clinical-pedigree.pdf');
  });
});

describe('importing the SVG', () => {
  const drawn = pedigreeSvg(
    [
      { id: 'mum', name: 'Anne Milbanke', sex: 'F', generation: 0, affected: ['cystic-fibrosis'] },
      { id: 'dad', name: 'George Byron', sex: 'M', generation: 0 },
      { id: 'ada', name: 'Ada Lovelace', sex: 'F', generation: 1, proband: true },
    ],
    [{ id: 'cystic-fibrosis', label: 'Cystic fibrosis' }],
    true,
  );

  it('imports the <svg> element with its symbols', () => {
    const svg = importSvg(drawn.svg);
    expect(svg).toBeInstanceOf(SVGSVGElement);
    expect(svg.ownerDocument).toBe(document);
    expect(personSymbols(svg).map((g) => g.getAttribute('data-id'))).toEqual(['mum', 'dad', 'ada']);
    expect(drawn.numbers).toEqual({ mum: 'I-1', dad: 'I-2', ada: 'II-1' });
    expect(svg.querySelector('.legend-entry')).toHaveTextContent('Cystic fibrosis');
  });

  it('refuses text that is not well-formed, or whose root is not an SVG <svg>', () => {
    expect(() => importSvg('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')).toThrow(SvgImportError);
    expect(() => importSvg('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')).toThrow('not well-formed');
    expect(() => importSvg('<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>')).toThrow(
      'not an SVG image (its root is <html>)',
    );
    // An <svg> outside the SVG namespace is not SVG.
    expect(() => importSvg('<svg><g/></svg>')).toThrow('not an SVG image');
    expect(() => importSvg('')).toThrow(SvgImportError);
  });

  it('drops whatever could run or reach out', () => {
    const svg = importSvg(
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)" viewBox="0 0 10 10">' +
        '<script>alert(2)</script><style>body{display:none}</style>' +
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>' +
        '<g class="person" data-id="a" onclick="alert(3)" style="fill:red"><rect width="5" height="5"/></g>' +
        '<use href="#a"/><use xlink:href="https://example.com/x.svg#y"/><a href="javascript:alert(4)"><text>x</text></a>' +
        '</svg>',
    );
    expect(svg.querySelector('script, style, foreignObject')).toBeNull();
    expect(svg.getElementsByTagName('foreignObject')).toHaveLength(0);
    expect(svg.hasAttribute('onload')).toBe(false);
    const g = svg.querySelector('g.person')!;
    expect(g.hasAttribute('onclick')).toBe(false);
    expect(g.hasAttribute('style')).toBe(false);
    expect(g.getAttribute('data-id')).toBe('a');
    const uses = svg.querySelectorAll('use');
    expect(uses[0].getAttribute('href')).toBe('#a');
    expect(uses[1].hasAttribute('xlink:href')).toBe(false);
    expect(svg.querySelector('a')!.hasAttribute('href')).toBe(false);
    expect(svg.querySelector('text')).toHaveTextContent('x');
  });

  it('reads the size from the viewBox, else width and height', () => {
    const sized = (attrs: string) => importSvg(`<svg xmlns="http://www.w3.org/2000/svg" ${attrs}/>`);
    expect(svgContentSize(sized('viewBox="0 0 640 480" width="10" height="10"'))).toEqual({ width: 640, height: 480 });
    expect(svgContentSize(sized('width="300" height="200"'))).toEqual({ width: 300, height: 200 });
    expect(svgContentSize(sized(''))).toEqual({ width: 1, height: 1 });
  });

  it('makes the symbols buttons named by their tooltip, and finds the person under a target', () => {
    const svg = importSvg(drawn.svg);
    expect(makeSymbolsActivatable(svg, 'redraw around them')).toBe(3);
    expect(svg.getAttribute('role')).toBe('group');
    const ada = svg.querySelector('g.person[data-id="ada"]')!;
    expect(ada.getAttribute('role')).toBe('button');
    expect(ada.getAttribute('tabindex')).toBe('0');
    expect(ada.getAttribute('aria-label')).toBe('II-1 Ada Lovelace: redraw around them');
    expect(personIdAt(ada.querySelector('.symbol'))).toBe('ada');
    expect(personIdAt(ada)).toBe('ada');
    expect(personIdAt(svg.querySelector('.background'))).toBeNull();
    expect(personIdAt(null)).toBeNull();
    expect(personIdAt(window)).toBeNull();
  });
});

describe('a second copy on the page', () => {
  it('gets ids of its own, and its references follow', () => {
    const svg = importSvg(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs>' +
        '<pattern id="ped-fill-1" width="5" height="5"><rect width="5" height="5"/></pattern>' +
        '<clipPath id="ped-clip-circle"><circle r="5"/></clipPath></defs>' +
        '<g clip-path="url(#ped-clip-circle)"><rect fill="url(#ped-fill-1)" stroke="url(#elsewhere)"/></g>' +
        '<use href="#ped-fill-1"/><use href="#missing"/></svg>',
    );
    expect(prefixIds(svg, 'print-')).toBe(2);
    expect([...svg.querySelectorAll('[id]')].map((e) => e.id)).toEqual(['print-ped-fill-1', 'print-ped-clip-circle']);
    expect(svg.querySelector('g')!.getAttribute('clip-path')).toBe('url(#print-ped-clip-circle)');
    expect(svg.querySelector('g rect')!.getAttribute('fill')).toBe('url(#print-ped-fill-1)');
    expect(svg.querySelector('g rect')!.getAttribute('stroke')).toBe('url(#elsewhere)');
    const uses = svg.querySelectorAll('use');
    expect(uses[0].getAttribute('href')).toBe('#print-ped-fill-1');
    expect(uses[1].getAttribute('href')).toBe('#missing');
    expect(prefixIds(importSvg('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'x-')).toBe(0);
  });
});

describe('fitting the drawing in view', () => {
  it('shows a large drawing whole and centred', () => {
    const t = fitTransform(2000, 1000, 1000, 700, 24);
    expect(t.k).toBeCloseTo((1000 - 48) / 2000);
    expect(t.x).toBeCloseTo((1000 - 2000 * t.k) / 2);
    expect(t.y).toBeCloseTo((700 - 1000 * t.k) / 2);
  });

  it('does not blow a small drawing up beyond the maximum', () => {
    const t = fitTransform(100, 50, 1000, 700, 24, 1.5);
    expect(t.k).toBe(1.5);
    expect(t.x).toBe((1000 - 150) / 2);
  });
});
