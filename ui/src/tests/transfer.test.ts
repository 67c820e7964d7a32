import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { ExportReport } from '../bindings/ExportReport';
import type { ImportReport } from '../bindings/ImportReport';
import { deferred, useListboxHeight, mockBackend, pageOf, unlockedStatus, vaultInfo, type Handler } from '../test/backend';

useListboxHeight(440);

const GED = '/home/ada/Downloads/lovelace.ged';

function importReport(warnings: number): ImportReport {
  return {
    format: 'gedcom',
    version: '5.5.1',
    encoding: 'UTF-8',
    individuals: 1234,
    families: 456,
    sources: 78,
    media: 9,
    media_files: 0,
    other_records: 12,
    health_observations: 3,
    warnings: Array.from({ length: warnings }, (_, i) => ({ line: i + 10, message: `Odd tag number ${i}` })),
  };
}

function exportReport(path: string, overrides: Partial<ExportReport> = {}): ExportReport {
  return {
    path,
    format: 'gedcom-5.5.1',
    individuals: 40,
    families: 15,
    sources: 6,
    other_records: 2,
    media: 1,
    living_excluded: 7,
    health_excluded: 4,
    records_excluded: 3,
    media_files: 0,
    bytes: 2048,
    ...overrides,
  };
}

function openVault(handlers: Record<string, Handler>) {
  let total = 3;
  const backend = mockBackend({
    vault_status: () => unlockedStatus(),
    vault_info: () => vaultInfo(undefined, total),
    list_people: ({ query }) => pageOf(total, query.offset, query.limit),
    ...handlers,
  });
  return { ...backend, setTotal: (n: number) => (total = n) };
}

describe('GEDCOM import', () => {
  it('shows progress, then the summary and warnings, and refreshes the people list', async () => {
    const user = userEvent.setup();
    const run = deferred<ImportReport>();
    const backend = openVault({
      pick_import_file: () => GED,
      import_gedcom: () => run.promise,
      save_text_file: ({ suggestedName }) => `/home/ada/${suggestedName}`,
    });
    render(App);
    expect(await screen.findAllByTestId('person-row')).toHaveLength(3);

    await user.click(screen.getByTestId('import-open'));
    const dialog = await screen.findByTestId('import-dialog');
    expect(within(dialog).getByTestId('import-start')).toBeDisabled();
    await user.click(within(dialog).getByText('Choose file…'));
    expect(await within(dialog).findByTestId('import-path')).toHaveTextContent(GED);

    await user.click(within(dialog).getByTestId('import-start'));
    await waitFor(() => expect(backend.callsTo('import_gedcom')).toEqual([{ path: GED }]));
    const progress = await within(dialog).findByTestId('import-progress');

    await emit('transfer-progress', { phase: 'importing', done: 250, total: 1000 });
    await waitFor(() => expect(within(progress).getByTestId('import-progress-count')).toHaveTextContent('250 / 1,000'));
    expect(within(progress).getByTestId('import-progress-phase')).toHaveTextContent('Importing records');
    const bar = progress.querySelector('progress')!;
    expect(bar.value).toBe(250);
    expect(bar.max).toBe(1000);

    backend.setTotal(5);
    run.resolve(importReport(205));

    const summary = await within(dialog).findByTestId('import-summary');
    for (const text of ['1,234', '456', '78', '12', 'Health observations']) expect(summary).toHaveTextContent(text);
    expect(within(dialog).queryByTestId('import-progress')).not.toBeInTheDocument();
    const warnings = within(dialog).getByTestId('import-warnings');
    expect(warnings).toHaveTextContent('205 warnings');
    expect(within(warnings).getAllByRole('listitem')).toHaveLength(200);
    expect(within(warnings).getAllByRole('listitem')[0]).toHaveTextContent('Line 10');
    expect(within(warnings).getAllByRole('listitem')[0]).toHaveTextContent('Odd tag number 0');
    expect(within(warnings).getByTestId('import-warnings-more')).toHaveTextContent('5 more');

    // The people list behind the dialog was refreshed.
    await waitFor(() => expect(screen.getAllByTestId('person-row')).toHaveLength(5));
    expect(screen.getByTestId('person-count')).toHaveTextContent('5 people');

    // Events after the run no longer move anything.
    await emit('transfer-progress', { phase: 'importing', done: 1, total: 2 });
    expect(within(dialog).queryByTestId('import-progress')).not.toBeInTheDocument();

    await user.click(within(dialog).getByTestId('import-save-report'));
    await waitFor(() => expect(backend.callsTo('save_text_file')).toHaveLength(1));
    const { suggestedName, text } = backend.callsTo('save_text_file')[0];
    expect(suggestedName).toBe('lovelace-import-report.txt');
    expect(text).toContain('Individuals: 1234');
    expect(text).toContain('Line 10: Odd tag number 0');
    expect(text).toContain('Line 214: Odd tag number 204');
    expect(await within(dialog).findByTestId('import-save-result')).toHaveTextContent(
      'Report saved to /home/ada/lovelace-import-report.txt',
    );
  });

  it('cancels a running import and says nothing changed', async () => {
    const user = userEvent.setup();
    const run = deferred<ImportReport>();
    const backend = openVault({
      pick_import_file: () => GED,
      import_gedcom: () => run.promise,
      cancel_transfer: () => {
        run.reject({ kind: 'cancelled', message: 'The operation was cancelled.' });
        return null;
      },
    });
    render(App);
    await screen.findAllByTestId('person-row');
    const listCalls = backend.callsTo('list_people').length;

    await user.click(screen.getByTestId('import-open'));
    const dialog = await screen.findByTestId('import-dialog');
    await user.click(within(dialog).getByText('Choose file…'));
    await within(dialog).findByText(GED);
    await user.click(within(dialog).getByTestId('import-start'));
    await user.click(await within(dialog).findByTestId('import-cancel'));

    expect(await within(dialog).findByTestId('import-cancelled')).toHaveTextContent(
      'Import cancelled — nothing was changed.',
    );
    expect(backend.callsTo('cancel_transfer')).toHaveLength(1);
    expect(within(dialog).queryByTestId('import-progress')).not.toBeInTheDocument();
    expect(within(dialog).queryByTestId('import-summary')).not.toBeInTheDocument();
    expect(backend.callsTo('list_people')).toHaveLength(listCalls);
  });

  it('shows other errors as they are', async () => {
    const user = userEvent.setup();
    openVault({
      pick_import_file: () => GED,
      import_gedcom: () => {
        throw { kind: 'invalid_input', message: 'This is not a GEDCOM file (no HEAD record).' };
      },
    });
    render(App);
    await user.click(await screen.findByTestId('import-open'));
    const dialog = await screen.findByTestId('import-dialog');
    await user.click(within(dialog).getByText('Choose file…'));
    await within(dialog).findByText(GED);
    await user.click(within(dialog).getByTestId('import-start'));
    expect(await within(dialog).findByTestId('import-error')).toHaveTextContent('no HEAD record');
  });
});

describe('GEDCOM export', () => {
  it('leaves living people and health data out unless ticked, and sends the chosen format', async () => {
    const user = userEvent.setup();
    const backend = openVault({
      pick_export_path: ({ format }) => (format === 'gedzip' ? '/home/ada/tree.gdz' : '/home/ada/tree.ged'),
      export_gedcom: ({ req }) => exportReport(req.path, { format: req.format }),
    });
    render(App);
    await user.click(await screen.findByTestId('export-open'));
    const dialog = await screen.findByTestId('export-dialog');
    expect(within(dialog).getByTestId('export-living')).not.toBeChecked();
    expect(within(dialog).getByTestId('export-health')).not.toBeChecked();
    expect(within(dialog).queryByTestId('export-health-warning')).not.toBeInTheDocument();

    await user.click(within(dialog).getByTestId('export-start'));
    const summary = await within(dialog).findByTestId('export-summary');
    expect(backend.callsTo('pick_export_path')).toEqual([{ format: 'gedcom-5.5.1' }]);
    expect(backend.callsTo('export_gedcom')).toEqual([
      { req: { path: '/home/ada/tree.ged', format: 'gedcom-5.5.1', include_living: false, include_health: false } },
    ]);
    expect(summary).toHaveTextContent('/home/ada/tree.ged');
    expect(within(summary).getByTestId('export-individuals')).toHaveTextContent('40');
    expect(within(summary).getByTestId('export-living-excluded')).toHaveTextContent('7');
    expect(within(summary).getByTestId('export-health-excluded')).toHaveTextContent('4');
    expect(within(summary).getByTestId('export-bytes')).toHaveTextContent('2 KB');

    await fireEvent.change(within(dialog).getByTestId('export-format'), { target: { value: 'gedzip' } });
    await user.click(within(dialog).getByTestId('export-living'));
    await user.click(within(dialog).getByTestId('export-health'));
    expect(within(dialog).getByTestId('export-health-warning')).toBeInTheDocument();
    await user.click(within(dialog).getByTestId('export-start'));

    await waitFor(() => expect(backend.callsTo('export_gedcom')).toHaveLength(2));
    expect(backend.callsTo('pick_export_path')[1]).toEqual({ format: 'gedzip' });
    expect(backend.callsTo('export_gedcom')[1]).toEqual({
      req: { path: '/home/ada/tree.gdz', format: 'gedzip', include_living: true, include_health: true },
    });
  });

  it('does nothing when the save dialog is cancelled', async () => {
    const user = userEvent.setup();
    const backend = openVault({ pick_export_path: () => null, export_gedcom: () => exportReport('x') });
    render(App);
    await user.click(await screen.findByTestId('export-open'));
    const dialog = await screen.findByTestId('export-dialog');
    await user.click(within(dialog).getByTestId('export-start'));
    await waitFor(() => expect(backend.callsTo('pick_export_path')).toHaveLength(1));
    expect(backend.callsTo('export_gedcom')).toEqual([]);
    expect(within(dialog).getByTestId('export-start')).toBeEnabled();
  });

  it('cancels a running export', async () => {
    const user = userEvent.setup();
    const run = deferred<ExportReport>();
    const backend = openVault({
      pick_export_path: () => '/home/ada/tree.ged',
      export_gedcom: () => run.promise,
      cancel_transfer: () => {
        run.reject({ kind: 'cancelled', message: 'cancelled' });
        return null;
      },
    });
    render(App);
    await user.click(await screen.findByTestId('export-open'));
    const dialog = await screen.findByTestId('export-dialog');
    await user.click(within(dialog).getByTestId('export-start'));
    await emit('transfer-progress', { phase: 'exporting', done: 3, total: 40 });
    await waitFor(() => expect(within(dialog).getByTestId('export-progress')).toHaveTextContent('3 / 40'));
    await user.click(within(dialog).getByTestId('export-cancel'));
    expect(await within(dialog).findByTestId('export-cancelled')).toBeInTheDocument();
    expect(backend.callsTo('cancel_transfer')).toHaveLength(1);
  });
});
