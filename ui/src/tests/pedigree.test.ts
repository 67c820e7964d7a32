// The clinical (NSGC) pedigree view of the Charts screen, driven through the whole App against
// the in-memory backend (test/backend.ts: healthBackend draws a small SVG shaped like the real
// one and answers clinician_report with a fake PDF or HTML file).
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import type { ConditionObservation } from '../bindings/ConditionObservation';
import type { PedigreeDrawing } from '../bindings/PedigreeDrawing';
import type { Person } from '../bindings/Person';
import type { Sex } from '../bindings/Sex';
import {
  CATALOG_FIXTURE,
  FAKE_PDF,
  deferred,
  healthBackend,
  mockBackend,
  person,
  primaryCode,
  reportFileOf,
  unlockedStatus,
  useListboxHeight,
  type FakeFamily,
  type Handler,
} from '../test/backend';
import { chartOf, type Spec } from '../test/charts';

useListboxHeight(440);
afterEach(() => vi.restoreAllMocks());

function affected(id: string, condition: string): ConditionObservation {
  const def = CATALOG_FIXTURE.find((d) => d.id === condition)!;
  return {
    id,
    code: primaryCode(def),
    label: def.name,
    status: 'affected',
    onset: null,
    certainty: 'confirmed',
    provenance: { kind: 'medical_record' },
    note: null,
  };
}

function someone(id: string, given: string, surname: string, sex: Sex, overrides: Partial<Person> = {}): Person {
  return person({
    id,
    names: [{ kind: 'birth', given, surname, prefix: null, suffix: null, nickname: null }],
    sex,
    events: [],
    ...overrides,
  });
}

/** Ada (the row opened), her mother (CF) and maternal grandmother (breast cancer), father, sister, husband, son (CF). */
const PEOPLE: Person[] = [
  someone('ada', 'Ada', 'Lovelace', 'F'),
  someone('mum', 'Anne', 'Milbanke', 'F', { conditions: [affected('o1', 'cystic-fibrosis')] }),
  someone('dad', 'George', 'Byron', 'M'),
  someone('sis', 'Allegra', 'Byron', 'F'),
  someone('gran', 'Judith', 'Noel', 'F', { conditions: [affected('o2', 'breast-cancer')] }),
  someone('william', 'William', 'King', 'M'),
  someone('k1', 'Byron', 'King', 'M', { conditions: [affected('o3', 'cystic-fibrosis')] }),
];

const FAMILIES: FakeFamily[] = [
  { id: 'f-gran', partners: ['gran'], children: ['mum'] },
  { id: 'f-birth', partners: ['mum', 'dad'], children: ['ada', 'sis'] },
  { id: 'f-king', partners: ['ada', 'william'], children: ['k1'] },
];

const DEFAULT_REQ = { proband: 'ada', generations: 3, conditions: [], names: true, ages: true, test_results: true, title: null };

async function openAda(extra: (h: Record<string, Handler>) => Record<string, Handler> = () => ({})) {
  const user = userEvent.setup();
  const health = healthBackend(PEOPLE, FAMILIES);
  const drawings: PedigreeDrawing[] = [];
  const backend = mockBackend({
    vault_status: () => unlockedStatus(),
    ...health.handlers,
    pedigree_drawing: (args) => {
      const d = health.handlers.pedigree_drawing(args) as PedigreeDrawing;
      drawings.push(d);
      return d;
    },
    chart: ({ req }) =>
      chartOf(
        req.kind,
        (
          [
            { id: req.center, sex: 'F', parents: ['mum', 'dad'], name: req.center === 'ada' ? 'Ada Lovelace' : 'Anne Milbanke' },
            { id: 'mum', sex: 'F', name: 'Anne Milbanke' },
            { id: 'dad', sex: 'M', name: 'George Byron' },
          ] satisfies Spec[]
        ).filter((s, i) => i === 0 || s.id !== req.center),
        req.generations,
      ),
    save_text_file: ({ suggestedName }) => `/home/ada/${suggestedName}`,
    save_binary_file: ({ suggestedName }) => `/home/ada/${suggestedName}`,
    ...extra(health.handlers),
  });
  render(App);
  await user.click((await screen.findAllByTestId('person-row'))[0]);
  await screen.findByTestId('person-page');
  return { user, backend, drawings };
}

type Backend = Awaited<ReturnType<typeof openAda>>['backend'];

const lastDrawn = (backend: Backend) => backend.callsTo('pedigree_drawing').at(-1)?.req;
const symbols = () => [...screen.getByTestId('pedigree-canvas').querySelectorAll<SVGGElement>('g.person[data-id]')];
const symbol = (id: string) => symbols().find((g) => g.dataset.id === id)!;

async function drawnIds(count: number) {
  await waitFor(() => expect(symbols()).toHaveLength(count));
  return symbols().map((g) => g.dataset.id);
}

async function openPedigree(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByTestId('open-pedigree'));
  await screen.findByTestId('pedigree-canvas');
}

describe('clinical pedigree', () => {
  it('switches from the genealogy chart to the clinical pedigree and back, keeping the person and settings', async () => {
    const { user, backend } = await openAda();
    await user.click(screen.getByTestId('open-charts'));
    await screen.findByTestId('chart-svg');
    expect(screen.getByTestId('chart-view-genealogy')).toHaveAttribute('aria-pressed', 'true');

    await user.click(screen.getByTestId('chart-view-clinical'));
    expect(screen.getByTestId('chart-view-clinical')).toHaveAttribute('aria-pressed', 'true');
    expect(screen.queryByTestId('chart-kind')).not.toBeInTheDocument();
    await waitFor(() => expect(backend.callsTo('pedigree_drawing')).toEqual([{ req: DEFAULT_REQ }]));
    expect(await drawnIds(7)).toEqual(['gran', 'mum', 'dad', 'ada', 'sis', 'william', 'k1']);
    await waitFor(() =>
      expect(screen.getByTestId('pedigree-status')).toHaveTextContent(
        'Clinical pedigree of Ada Lovelace · 7 people, 3 families, shaded: Cystic fibrosis, Breast cancer (most frequent)',
      ),
    );
    expect(screen.getByTestId('pedigree-hint')).toHaveTextContent('Click a symbol to redraw the pedigree with that person as proband.');
    // The symbols are buttons named by their tooltip.
    expect(within(screen.getByTestId('pedigree-canvas')).getByRole('button', { name: /II-1 Anne Milbanke/ })).toBe(
      symbol('mum'),
    );
    await user.click(screen.getByTestId('pedigree-names'));
    await waitFor(() => expect(lastDrawn(backend)).toMatchObject({ names: false }));

    // Back to the genealogy chart: the chart already loaded is shown again, not fetched again.
    await user.click(screen.getByTestId('chart-view-genealogy'));
    const svg = await screen.findByTestId('chart-svg');
    expect(screen.queryByTestId('pedigree-canvas')).not.toBeInTheDocument();
    expect(screen.getByTestId('chart-status')).toHaveTextContent('Pedigree chart of Ada Lovelace');
    expect(backend.callsTo('chart')).toHaveLength(1);

    // Re-centred there, the clinical pedigree follows, with its settings kept.
    const mother = within(svg).getAllByTestId('chart-node').find((n) => n.dataset.personId === 'mum')!;
    await fireEvent.click(mother);
    await waitFor(() => expect(backend.callsTo('chart').at(-1).req.center).toBe('mum'));
    await user.click(screen.getByTestId('chart-view-clinical'));
    await waitFor(() => expect(lastDrawn(backend)).toEqual({ ...DEFAULT_REQ, proband: 'mum', names: false }));
    expect(screen.getByTestId('pedigree-names')).not.toBeChecked();
    await waitFor(() => expect(screen.getByTestId('pedigree-status')).toHaveTextContent('Clinical pedigree of Anne Milbanke'));
  });

  it('opens from the person page with them as proband', async () => {
    const { user, backend } = await openAda();
    expect(screen.getByTestId('open-pedigree')).toHaveTextContent('Clinical pedigree…');
    await openPedigree(user);
    expect(screen.getByTestId('chart-view-clinical')).toHaveAttribute('aria-pressed', 'true');
    expect(backend.callsTo('pedigree_drawing')).toEqual([{ req: DEFAULT_REQ }]);
    // The genealogy chart is not fetched until it is shown.
    expect(backend.callsTo('chart')).toEqual([]);
    expect(symbol('ada')).toHaveAttribute('data-proband', 'true');

    await user.click(screen.getByTestId('chart-close'));
    expect(await screen.findByTestId('people-list')).toBeInTheDocument();
  });

  it('redraws with the generations, conditions and switches chosen', async () => {
    const { user, backend } = await openAda();
    await openPedigree(user);
    await drawnIds(7);

    await user.selectOptions(screen.getByTestId('pedigree-generations'), 'everyone');
    await waitFor(() => expect(lastDrawn(backend)).toEqual({ ...DEFAULT_REQ, generations: null }));
    await user.selectOptions(screen.getByTestId('pedigree-generations'), '1');
    await waitFor(() => expect(lastDrawn(backend)).toEqual({ ...DEFAULT_REQ, generations: 1 }));
    // One generation up: the grandmother is left out.
    expect(await drawnIds(6)).not.toContain('gran');
    expect(within(screen.getByTestId('pedigree-generations')).getAllByRole('option').map((o) => o.textContent)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      'Everyone',
    ]);

    await user.click(screen.getByTestId('pedigree-names'));
    await waitFor(() => expect(lastDrawn(backend)).toMatchObject({ names: false }));
    await waitFor(() => expect(screen.getByTestId('pedigree-canvas')).not.toHaveTextContent('Ada Lovelace'));
    await user.click(screen.getByTestId('pedigree-ages'));
    await waitFor(() => expect(lastDrawn(backend)).toMatchObject({ names: false, ages: false, test_results: true }));
    await user.click(screen.getByTestId('pedigree-tests'));
    await waitFor(() =>
      expect(lastDrawn(backend)).toEqual({ ...DEFAULT_REQ, generations: 1, names: false, ages: false, test_results: false }),
    );

    // Conditions: picked from the catalog, shown as chips, removed again.
    expect(screen.getByTestId('pedigree-shading')).toHaveTextContent('automatic');
    await user.type(screen.getByTestId('pedigree-condition'), 'cyst');
    await user.click(await screen.findByRole('option', { name: /Cystic fibrosis/ }));
    await waitFor(() => expect(lastDrawn(backend)).toMatchObject({ conditions: ['cystic-fibrosis'] }));
    expect(screen.getByTestId('pedigree-condition')).toHaveValue('');
    await user.type(screen.getByTestId('pedigree-condition'), 'breast');
    await user.click(await screen.findByRole('option', { name: /^Breast cancer/ }));
    await waitFor(() => expect(lastDrawn(backend)).toMatchObject({ conditions: ['cystic-fibrosis', 'breast-cancer'] }));
    expect(screen.getAllByTestId('pedigree-condition-chip').map((c) => c.dataset.condition)).toEqual([
      'cystic-fibrosis',
      'breast-cancer',
    ]);
    await waitFor(() =>
      expect(screen.getByTestId('pedigree-status')).toHaveTextContent('shaded: Cystic fibrosis, Breast cancer'),
    );
    expect(screen.getByTestId('pedigree-status')).not.toHaveTextContent('most frequent');

    await user.click(screen.getByRole('button', { name: 'Stop shading Cystic fibrosis' }));
    await waitFor(() => expect(lastDrawn(backend)).toMatchObject({ conditions: ['breast-cancer'] }));
    await user.click(screen.getByRole('button', { name: 'Stop shading Breast cancer' }));
    await waitFor(() => expect(lastDrawn(backend)).toMatchObject({ conditions: [] }));
    expect(screen.queryByTestId('pedigree-condition-chip')).not.toBeInTheDocument();
    expect(screen.getByTestId('pedigree-shading')).toHaveTextContent('automatic');
  });

  it('redraws around a symbol clicked or pressed, and goes back', async () => {
    const { user, backend } = await openAda();
    await openPedigree(user);
    await drawnIds(7);

    await fireEvent.click(symbol('mum').querySelector('.symbol')!);
    await waitFor(() => expect(lastDrawn(backend)).toEqual({ ...DEFAULT_REQ, proband: 'mum' }));
    await waitFor(() => expect(screen.getByTestId('pedigree-status')).toHaveTextContent('Clinical pedigree of Anne Milbanke'));

    await waitFor(() => expect(symbol('dad')).toHaveAttribute('tabindex', '0'));
    symbol('dad').focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(lastDrawn(backend)).toMatchObject({ proband: 'dad' }));
    // The focus follows to the new centre's symbol in the new drawing.
    await waitFor(() => expect(symbol('dad')).toHaveAttribute('data-proband', 'true'));
    expect(symbol('dad')).toHaveFocus();

    // Clicking the proband again, or the background, draws nothing new.
    const count = backend.callsTo('pedigree_drawing').length;
    await fireEvent.click(symbol('dad'));
    await fireEvent.click(screen.getByTestId('pedigree-canvas').querySelector('.background')!);
    expect(backend.callsTo('pedigree_drawing')).toHaveLength(count);

    await user.click(screen.getByTestId('chart-back'));
    await waitFor(() => expect(lastDrawn(backend)).toMatchObject({ proband: 'mum' }));
    await user.click(screen.getByTestId('chart-back'));
    await waitFor(() => expect(lastDrawn(backend)).toMatchObject({ proband: 'ada' }));
    expect(screen.getByTestId('chart-back')).toBeDisabled();
  });

  it('zooms and fits the drawing', async () => {
    const { user } = await openAda();
    await openPedigree(user);
    await drawnIds(7);
    const scale = () =>
      Number(/scale\(([\d.]+)\)/.exec(screen.getByTestId('pedigree-canvas').querySelector('g.drawing')!.getAttribute('transform')!)![1]);
    const fitted = scale();
    await user.click(screen.getByTestId('pedigree-zoom-in'));
    await waitFor(() => expect(scale()).toBeCloseTo(fitted * 1.25, 5));
    await user.click(screen.getByTestId('pedigree-fit'));
    await waitFor(() => expect(scale()).toBeCloseTo(fitted, 5));
  });

  it('exports the drawing as SVG, without names in the file name when the drawing has none', async () => {
    const { user, backend, drawings } = await openAda();
    await openPedigree(user);
    await drawnIds(7);
    await waitFor(() => expect(screen.getByTestId('pedigree-status')).toHaveTextContent('of Ada Lovelace'));

    await user.click(screen.getByTestId('pedigree-export-svg'));
    await waitFor(() => expect(backend.callsTo('save_text_file')).toHaveLength(1));
    expect(backend.callsTo('save_text_file')[0]).toEqual({
      suggestedName: 'clinical-pedigree-Ada-Lovelace.svg',
      text: drawings.at(-1)!.svg,
    });
    expect(backend.callsTo('save_text_file')[0].text).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(await screen.findByTestId('pedigree-notice')).toHaveTextContent(
      'Saved to /home/ada/clinical-pedigree-Ada-Lovelace.svg.',
    );

    await user.click(screen.getByTestId('pedigree-names'));
    await waitFor(() => expect(drawings.at(-1)!.svg).not.toContain('Ada Lovelace'));
    await waitFor(() => expect(screen.getByTestId('pedigree-canvas')).not.toHaveTextContent('Ada Lovelace'));
    await user.click(screen.getByTestId('pedigree-export-svg'));
    await waitFor(() => expect(backend.callsTo('save_text_file')).toHaveLength(2));
    const anonymous = backend.callsTo('save_text_file')[1];
    expect(anonymous.suggestedName).toBe('clinical-pedigree.svg');
    expect(anonymous.text).toBe(drawings.at(-1)!.svg);
    expect(anonymous.text).not.toMatch(/Lovelace|Milbanke/);
  });

  it('prints just the drawing, whole', async () => {
    const { user } = await openAda();
    await openPedigree(user);
    await drawnIds(7);
    let printed: Element | null = null;
    const print = vi.spyOn(window, 'print').mockImplementation(() => {
      printed = screen.getByTestId('pedigree-print-area').cloneNode(true) as Element;
    });
    await user.click(screen.getByTestId('pedigree-print'));
    expect(print).toHaveBeenCalledTimes(1);
    const copy = printed as Element | null;
    expect(copy?.querySelectorAll('svg > g.people > g.person')).toHaveLength(7);
    // A fresh copy of the drawing: not the on-screen one, and no genealogy chart.
    expect(copy?.querySelector('[tabindex]')).toBeNull();
    // With ids of its own: the hidden on-screen copy's clip paths would print nothing.
    expect(copy?.querySelector('clipPath')?.id).toBe('print-ped-clip-square');
    expect(screen.queryByTestId('chart-print-area')).not.toBeInTheDocument();
    await fireEvent(window, new Event('afterprint'));
    expect(screen.queryByTestId('pedigree-print-area')).not.toBeInTheDocument();
  });

  it('saves the clinician report as PDF and as HTML for the family shown', async () => {
    const pending = deferred<unknown>();
    let first = true;
    const { user, backend } = await openAda((h) => ({
      clinician_report: (args) => {
        const file = h.clinician_report(args);
        if (!first) return file;
        first = false;
        return pending.promise.then(() => file);
      },
    }));
    await openPedigree(user);
    await drawnIds(7);

    await user.click(screen.getByTestId('pedigree-report-pdf'));
    await waitFor(() =>
      expect(backend.callsTo('clinician_report')).toEqual([
        { req: { proband: 'ada', generations: 3, conditions: [], names: true }, format: 'pdf' },
      ]),
    );
    expect(screen.getByTestId('pedigree-report-pdf')).toHaveTextContent('Generating report…');
    expect(screen.getByTestId('pedigree-report-pdf')).toBeDisabled();
    expect(screen.getByTestId('pedigree-report-html')).toBeDisabled();
    expect(screen.getByTestId('pedigree-export-svg')).toBeDisabled();
    pending.resolve(null);
    await waitFor(() => expect(backend.callsTo('save_binary_file')).toHaveLength(1));
    const pdf = backend.callsTo('save_binary_file')[0];
    expect(pdf).toEqual({ suggestedName: 'family-report.pdf', base64: reportFileOf('pdf').base64 });
    expect(atob(pdf.base64)).toBe(FAKE_PDF);
    expect(atob(pdf.base64).startsWith('%PDF-')).toBe(true);
    expect(await screen.findByTestId('pedigree-notice')).toHaveTextContent('Saved to /home/ada/family-report.pdf.');
    expect(screen.getByTestId('pedigree-report-pdf')).toHaveTextContent('Clinician report (PDF)');
    expect(screen.getByTestId('pedigree-report-pdf')).toBeEnabled();

    // The report covers what the controls say: everyone, the conditions chosen, no names.
    await user.selectOptions(screen.getByTestId('pedigree-generations'), 'everyone');
    await user.type(screen.getByTestId('pedigree-condition'), 'cyst');
    await user.click(await screen.findByRole('option', { name: /Cystic fibrosis/ }));
    await user.click(screen.getByTestId('pedigree-names'));
    await user.click(screen.getByTestId('pedigree-report-html'));
    await waitFor(() => expect(backend.callsTo('save_binary_file')).toHaveLength(2));
    expect(backend.callsTo('clinician_report')[1]).toEqual({
      req: { proband: 'ada', generations: 0, conditions: ['cystic-fibrosis'], names: false },
      format: 'html',
    });
    expect(backend.callsTo('save_binary_file')[1]).toEqual({
      suggestedName: 'family-report.html',
      base64: reportFileOf('html').base64,
    });
    expect(await screen.findByTestId('pedigree-notice')).toHaveTextContent('Saved to /home/ada/family-report.html.');
  });

  it('shows a report that failed, and says nothing when the save is cancelled', async () => {
    let fail = true;
    const { user, backend } = await openAda((h) => ({
      clinician_report: (args) => {
        if (fail) throw { kind: 'invalid_input', message: '"nope" is not a condition id in the catalog.' };
        return h.clinician_report(args);
      },
      save_binary_file: () => null,
    }));
    await openPedigree(user);
    await drawnIds(7);
    await user.click(screen.getByTestId('pedigree-report-pdf'));
    const alert = await screen.findByTestId('pedigree-notice');
    expect(alert).toHaveAttribute('role', 'alert');
    expect(alert).toHaveTextContent('is not a condition id in the catalog');
    expect(backend.callsTo('save_binary_file')).toEqual([]);

    fail = false;
    await user.click(screen.getByTestId('pedigree-report-html'));
    await waitFor(() => expect(backend.callsTo('save_binary_file')).toHaveLength(1));
    await waitFor(() => expect(screen.queryByTestId('pedigree-notice')).not.toBeInTheDocument());
    expect(screen.getByTestId('pedigree-report-html')).toBeEnabled();
  });

  it('shows a drawing error and refuses a drawing that is not SVG', async () => {
    let answer: 'error' | 'html' | 'ok' = 'error';
    const { user, backend } = await openAda((h) => ({
      pedigree_drawing: (args) => {
        if (answer === 'error') throw { kind: 'not_found', message: 'no person with id or xref "ada" in this vault' };
        const d = h.pedigree_drawing(args) as PedigreeDrawing;
        return answer === 'html' ? { ...d, svg: '<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>' } : d;
      },
    }));
    await user.click(screen.getByTestId('open-pedigree'));
    const error = await screen.findByTestId('pedigree-error');
    expect(error).toHaveAttribute('role', 'alert');
    expect(error).toHaveTextContent('no person with id or xref "ada"');
    expect(screen.getByTestId('pedigree-export-svg')).toBeDisabled();

    answer = 'html';
    await user.selectOptions(screen.getByTestId('pedigree-generations'), '2');
    await waitFor(() => expect(screen.getByTestId('pedigree-error')).toHaveTextContent('not an SVG image (its root is <html>)'));
    expect(screen.queryByTestId('pedigree-canvas')).not.toBeInTheDocument();

    answer = 'ok';
    await user.selectOptions(screen.getByTestId('pedigree-generations'), '3');
    await drawnIds(7);
    expect(screen.queryByTestId('pedigree-error')).not.toBeInTheDocument();
    expect(backend.callsTo('pedigree_drawing')).toHaveLength(3);
  });

  it('warns when the family was cut at the size limit', async () => {
    const { user } = await openAda((h) => ({
      pedigree_drawing: (args) => ({ ...(h.pedigree_drawing(args) as PedigreeDrawing), truncated: true }),
    }));
    await openPedigree(user);
    expect(await screen.findByTestId('pedigree-truncated')).toHaveTextContent('stops at 1,000 people');
  });
});
