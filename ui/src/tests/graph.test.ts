// The relationship calculator and the charts, driven through the whole App with a fake backend.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import type { ChartRequest } from '../bindings/ChartRequest';
import type { PersonSummary } from '../bindings/PersonSummary';
import type { RelateResult } from '../bindings/RelateResult';
import { fakeListboxHeight, mockBackend, person, summary, unlockedStatus, vaultInfo, type Handler } from '../test/backend';
import { chartOf, fullPedigree, ref, relationship, type Spec } from '../test/charts';

// jsdom cannot load images or draw on a canvas: the rasteriser is replaced, the rest is real.
const svgToPngBase64 = vi.hoisted(() => vi.fn(async () => 'iVBORw=='));
vi.mock('../lib/chartSvg', async (original) => ({ ...(await original<typeof import('../lib/chartSvg')>()), svgToPngBase64 }));

const ada = ref('ada', 'F', 1815, 1852, 'Ada Lovelace');
const byron = ref('byron', 'M', 1788, 1824, 'George Byron');
const anne = ref('anne', 'F', 1792, 1860, 'Anne Milbanke');

const PEOPLE: PersonSummary[] = [
  summary(0, { id: 'ada', given: 'Ada', surname: 'Lovelace', display_name: 'Ada Lovelace', birth_year: 1815, death_year: 1852 }),
  summary(1, { id: 'byron', given: 'George', surname: 'Byron', display_name: 'George Byron', sex: 'M', xref: '@I7@', birth_year: 1788, death_year: 1824 }),
  summary(2, { id: 'anne', given: 'Anne', surname: 'Milbanke', display_name: 'Anne Milbanke', birth_year: 1792, death_year: 1860 }),
];

const REFS: Record<string, typeof ada> = { ada, byron, anne, I7: byron, '@I7@': byron };

function relateResult(a: typeof ada, b: typeof ada): RelateResult {
  return {
    a,
    b,
    summary: 'father',
    relationships: [relationship([[a, null], [b, 'parent']], [b], 'father')],
    truncated: false,
    kinship: 0.25,
    kinship_exact: '1/4',
    kinship_x: 0.5,
    kinship_x_exact: '1/2',
    kappa: { k0: { value: 0, exact: '0' }, k1: { value: 1, exact: '1' }, k2: { value: 0, exact: '0' } },
    notes: [],
  };
}

const ADA_SPECS: Spec[] = [
  { id: 'ada', sex: 'F', parents: ['byron', 'anne'], name: 'Ada Lovelace', birth: 1815, death: 1852 },
  { id: 'byron', sex: 'M', name: 'George Byron', birth: 1788, death: 1824, moreAncestors: true },
  { id: 'anne', sex: 'F', name: 'Anne Milbanke', birth: 1792, death: 1860 },
];

function chartFor(req: ChartRequest) {
  if (req.center === 'byron') return chartOf(req.kind, [{ id: 'byron', sex: 'M', name: 'George Byron' }], req.generations);
  return chartOf(req.kind, ADA_SPECS, req.generations);
}

let restoreHeight: () => void;
beforeEach(() => {
  restoreHeight = fakeListboxHeight(440);
  svgToPngBase64.mockClear();
});
afterEach(() => restoreHeight());

function openVault(handlers: Record<string, Handler> = {}) {
  return mockBackend({
    vault_status: () => unlockedStatus(),
    vault_info: () => vaultInfo(undefined, PEOPLE.length),
    list_people: ({ query }) => {
      const words: string[] = (query.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      const items = PEOPLE.filter((p) => words.every((w) => `${p.display_name} ${p.xref ?? ''}`.toLowerCase().includes(w)));
      return { total: items.length, offset: query.offset, items: items.slice(query.offset, query.offset + query.limit) };
    },
    get_person: ({ id }) => person({ id }),
    find_person_ref: ({ reference }) => {
      const found = REFS[reference];
      if (!found) throw { kind: 'not_found', message: `no person with id or xref "${reference}" in this vault` };
      return found;
    },
    relate: ({ a, b }) => relateResult(REFS[a], REFS[b]),
    chart: ({ req }) => chartFor(req),
    save_text_file: ({ suggestedName }) => `/home/ada/${suggestedName}`,
    save_binary_file: ({ suggestedName }) => `/home/ada/${suggestedName}`,
    ...handlers,
  });
}

async function openAda(user: ReturnType<typeof userEvent.setup>) {
  render(App);
  await user.click((await screen.findAllByTestId('person-row'))[0]);
  await screen.findByTestId('person-page');
}

const nodesIn = (svg: HTMLElement) => within(svg).queryAllByTestId('chart-node');

describe('relationship calculator', () => {
  it('opens from the person page with them first, finds the second by name and draws the path', async () => {
    const user = userEvent.setup();
    const backend = openVault();
    await openAda(user);
    await user.click(screen.getByTestId('open-relate'));
    await screen.findByTestId('relate-dialog');
    await waitFor(() => expect(screen.getByTestId('relate-a')).toHaveValue('Ada Lovelace'));
    expect(backend.callsTo('find_person_ref')).toEqual([{ reference: 'ada' }]);
    expect(backend.callsTo('relate')).toEqual([]);

    await user.type(screen.getByTestId('relate-b'), 'byr');
    const option = await screen.findByTestId('person-option');
    expect(option).toHaveTextContent('George Byron');
    expect(backend.callsTo('list_people').at(-1)).toEqual({ query: { search: 'byr', offset: 0, limit: 8 } });
    await user.click(option);

    await waitFor(() => expect(backend.callsTo('relate')).toEqual([{ a: 'ada', b: 'byron' }]));
    const result = await screen.findByTestId('relate-result');
    expect(within(result).getByTestId('relate-summary')).toHaveTextContent('father');
    expect(screen.getByTestId('relate-kinship')).toHaveTextContent('1/4 (0.25)');
    expect(screen.getByTestId('relate-kinship-x')).toHaveTextContent('1/2 (0.5)');
    expect(result).toHaveTextContent('Common ancestor: George Byron (1788–1824)');
    const path = within(result).getByTestId('relate-path');
    expect(path).toHaveAttribute('aria-label', 'Ada Lovelace → George Byron');
    expect(path.querySelectorAll('g.box')).toHaveLength(2);
    expect(path.querySelectorAll('path.line')).toHaveLength(1);
  });

  it('takes an xref, and swaps the two people', async () => {
    const user = userEvent.setup();
    const backend = openVault();
    render(App);
    await user.click(await screen.findByTestId('people-open-relate'));
    await user.type(screen.getByTestId('relate-a'), 'ada');
    await user.click(await screen.findByTestId('person-option'));
    await user.type(screen.getByTestId('relate-b'), 'I7{Enter}');
    await waitFor(() => expect(backend.callsTo('relate')).toEqual([{ a: 'ada', b: 'byron' }]));
    expect(backend.callsTo('find_person_ref')).toContainEqual({ reference: 'I7' });
    expect(screen.getByTestId('relate-b')).toHaveValue('George Byron');

    await user.click(screen.getByTestId('relate-swap'));
    await waitFor(() => expect(backend.callsTo('relate').at(-1)).toEqual({ a: 'byron', b: 'ada' }));
    expect(screen.getByTestId('relate-a')).toHaveValue('George Byron');
    expect(await screen.findByTestId('relate-result')).toHaveTextContent('What is Ada Lovelace to George Byron?');
  });

  it('says when no one matches', async () => {
    const user = userEvent.setup();
    openVault();
    render(App);
    await user.click(await screen.findByTestId('people-open-relate'));
    await user.type(screen.getByTestId('relate-b'), 'nobody{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('No one matches “nobody”.');
  });
});

describe('charts', () => {
  it('opens on the person, draws them and re-centres on a click', async () => {
    const user = userEvent.setup();
    const backend = openVault();
    await openAda(user);
    await user.click(screen.getByTestId('open-charts'));

    await waitFor(() =>
      expect(backend.callsTo('chart')).toEqual([
        { req: { center: 'ada', kind: 'pedigree', generations: 4, include_non_birth: false, max_nodes: 5000 } },
      ]),
    );
    const svg = await screen.findByTestId('chart-svg');
    await waitFor(() => expect(nodesIn(svg)).toHaveLength(3));
    expect(screen.getByTestId('chart-status')).toHaveTextContent('Pedigree chart of Ada Lovelace');
    const father = nodesIn(svg).find((n) => n.dataset.personId === 'byron')!;
    expect(father).toHaveAccessibleName('George Byron, 1788–1824');
    expect(father.querySelector('rect')).toHaveAttribute('rx', '2'); // square corners for a man
    // The "more ancestors" mark on the father.
    expect(svg.querySelectorAll('path.more')).toHaveLength(1);

    // fireEvent: user-event's mousedown has no `view`, which d3-zoom's drag guard needs.
    await fireEvent.click(father);
    await waitFor(() => expect(backend.callsTo('chart').at(-1).req.center).toBe('byron'));
    await waitFor(() => expect(nodesIn(screen.getByTestId('chart-svg'))).toHaveLength(1));

    await user.click(screen.getByTestId('chart-back'));
    await waitFor(() => expect(backend.callsTo('chart').at(-1).req.center).toBe('ada'));
    expect(screen.getByTestId('chart-back')).toBeDisabled();

    await user.click(screen.getByTestId('chart-close'));
    expect(await screen.findByTestId('people-list')).toBeInTheDocument();
  });

  it('switches chart kind and generations, and exports SVG and PNG', async () => {
    const user = userEvent.setup();
    const backend = openVault();
    await openAda(user);
    await user.click(screen.getByTestId('open-charts'));
    await screen.findByTestId('chart-svg');

    await user.selectOptions(screen.getByTestId('chart-kind'), 'fan');
    await waitFor(() => expect(backend.callsTo('chart').at(-1).req).toMatchObject({ kind: 'fan', generations: 5 }));
    await waitFor(() => expect(screen.getByTestId('chart-svg')).toHaveAttribute('data-kind', 'fan'));
    expect(screen.getByTestId('chart-svg').querySelectorAll('[data-testid="chart-node"] path.shape')).toHaveLength(3);

    await user.selectOptions(screen.getByTestId('chart-generations'), '7');
    await waitFor(() => expect(backend.callsTo('chart').at(-1).req).toMatchObject({ kind: 'fan', generations: 7 }));
    // A fan goes at most 9 generations.
    expect(within(screen.getByTestId('chart-generations')).getAllByRole('option')).toHaveLength(9);

    await user.click(screen.getByTestId('chart-export-svg'));
    await waitFor(() => expect(backend.callsTo('save_text_file')).toHaveLength(1));
    const saved = backend.callsTo('save_text_file')[0];
    expect(saved.suggestedName).toBe('fan-Ada-Lovelace.svg');
    expect(saved.text).toMatch(/^<\?xml[^]*<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(saved.text).toContain('<title>Fan chart of Ada Lovelace</title>');
    expect(saved.text).toContain('George Byron');
    expect(await screen.findByTestId('chart-notice')).toHaveTextContent('Saved fan-Ada-Lovelace.svg.');

    await user.click(screen.getByTestId('chart-export-png'));
    await waitFor(() => expect(backend.callsTo('save_binary_file')).toHaveLength(1));
    expect(backend.callsTo('save_binary_file')[0]).toEqual({ suggestedName: 'fan-Ada-Lovelace.png', base64: 'iVBORw==' });
    const [svgText, width, height, scale] = svgToPngBase64.mock.calls[0] as unknown as [string, number, number, number];
    expect(svgText).toBe(saved.text);
    expect(width).toBeGreaterThan(100);
    expect(height).toBeGreaterThan(100);
    expect(scale).toBe(2);
  });

  it('reports an export the backend could not write', async () => {
    const user = userEvent.setup();
    openVault({
      save_text_file: () => {
        throw { kind: 'io', message: 'could not write /x.svg: read-only file system' };
      },
    });
    await openAda(user);
    await user.click(screen.getByTestId('open-charts'));
    await screen.findByTestId('chart-svg');
    await user.click(screen.getByTestId('chart-export-svg'));
    expect(await screen.findByTestId('chart-notice')).toHaveTextContent('read-only file system');
  });

  it('moves to the first occurrence when a repeat is clicked, without a new request', async () => {
    const user = userEvent.setup();
    const backend = openVault({
      chart: ({ req }) =>
        chartOf(
          req.kind,
          [
            { id: 'c', sex: 'F', parents: ['f', 'm'], name: 'Child' },
            { id: 'f', sex: 'M', parents: ['g'], name: 'Father' },
            { id: 'm', sex: 'F', parents: ['g'], name: 'Mother' },
            { id: 'g', sex: 'M', generations: [-2], name: 'Grandfather' },
          ],
          req.generations,
          true,
        ),
    });
    await openAda(user);
    await user.click(screen.getByTestId('open-charts'));
    const svg = await screen.findByTestId('chart-svg');
    await waitFor(() => expect(nodesIn(svg)).toHaveLength(5));
    expect(screen.getByTestId('chart-truncated')).toBeInTheDocument();
    expect(screen.getByTestId('chart-status')).toHaveTextContent('1 shown again');
    const repeat = nodesIn(svg).find((n) => n.dataset.repeatOf)!;
    expect(repeat.dataset.repeatOf).toBe('g');
    expect(repeat).toHaveAccessibleName('Grandfather (also shown elsewhere)');

    await fireEvent.click(repeat);
    const first = nodesIn(svg).find((n) => n.dataset.key === 'g')!;
    await waitFor(() => expect(first).toHaveFocus());
    expect(first).toHaveClass('flash');
    expect(backend.callsTo('chart')).toHaveLength(1);
  });

  it('draws only what is in view, and leaves text out when zoomed far out', async () => {
    const user = userEvent.setup();
    openVault({ chart: () => fullPedigree('pedigree', 8) });
    render(App);
    await user.click(await screen.findByTestId('people-open-charts'));
    expect(screen.getByTestId('chart-status')).toHaveTextContent('Choose a person to centre the chart on.');
    await user.type(screen.getByTestId('chart-center'), 'ada');
    await user.click(await screen.findByTestId('person-option'));

    const svg = await screen.findByTestId('chart-svg');
    await waitFor(() => expect(nodesIn(svg).length).toBeGreaterThan(0));
    const inView = nodesIn(svg).length;
    expect(inView).toBeLessThan(511 / 4);
    expect(svg.querySelectorAll('text').length).toBeGreaterThan(0);

    await user.click(screen.getByTestId('chart-fit'));
    await waitFor(() => expect(nodesIn(svg)).toHaveLength(511));
    expect(svg.querySelectorAll('text')).toHaveLength(0);
    const scale = () => Number(/scale\(([\d.]+)\)/.exec(svg.querySelector('g')!.getAttribute('transform')!)![1]);
    const fitted = scale();
    expect(fitted).toBeLessThan(0.05);
    await user.click(screen.getByTestId('chart-zoom-in'));
    await waitFor(() => expect(scale()).toBeCloseTo(fitted * 1.25, 5));
  });

  it('prints the whole chart, not just what is on screen', async () => {
    const user = userEvent.setup();
    openVault({ chart: () => fullPedigree('pedigree', 8) });
    let printed = -1;
    const print = vi.spyOn(window, 'print').mockImplementation(() => {
      printed = screen.getByTestId('chart-print-area').querySelectorAll('rect').length;
    });
    await openAda(user);
    await user.click(screen.getByTestId('open-charts'));
    const svg = await screen.findByTestId('chart-svg');
    await waitFor(() => expect(nodesIn(svg).length).toBeGreaterThan(0));
    await user.click(screen.getByTestId('chart-print'));
    expect(print).toHaveBeenCalledTimes(1);
    expect(printed).toBe(1 + 511); // background + every box
    await fireEvent(window, new Event('afterprint'));
    expect(screen.queryByTestId('chart-print-area')).not.toBeInTheDocument();
  });

  it('shows a chart error', async () => {
    const user = userEvent.setup();
    openVault({
      chart: () => {
        throw { kind: 'invalid_input', message: 'a chart goes at most 200 generations each way' };
      },
    });
    await openAda(user);
    await user.click(screen.getByTestId('open-charts'));
    expect(await screen.findByTestId('chart-error')).toHaveTextContent('at most 200 generations');
  });
});
