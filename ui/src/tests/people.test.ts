import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { PeoplePage } from '../bindings/PeoplePage';
import type { Person } from '../bindings/Person';
import {
  deferred,
  fakeListboxHeight,
  mockBackend,
  pageOf,
  person,
  summary,
  unlockedStatus,
  vaultInfo,
  type Handler,
} from '../test/backend';

const ROW_HEIGHT = 44; // People.svelte
const VIEWPORT = 440; // ten rows
const MAX_SCROLL = 15_000_000; // lib/virtual.ts

let restoreHeight: () => void;
beforeEach(() => {
  restoreHeight = fakeListboxHeight(VIEWPORT);
});
afterEach(() => restoreHeight());

function openVault(handlers: Record<string, Handler>) {
  return mockBackend({
    vault_status: () => unlockedStatus(),
    vault_info: () => vaultInfo(undefined, 3),
    ...handlers,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rowIndices(): number[] {
  return screen.getAllByTestId('person-row').map((r) => Number(r.dataset.index));
}

describe('people search', () => {
  it('waits for a pause in typing before searching', async () => {
    const backend = openVault({ list_people: ({ query }) => pageOf(query.search ? 1 : 3, query.offset, query.limit) });
    render(App);
    const search = await screen.findByTestId('people-search');
    await screen.findAllByTestId('person-row');

    for (const text of ['a', 'ad', 'ada']) await fireEvent.input(search, { target: { value: text } });
    await sleep(60);
    expect(backend.callsTo('list_people').filter((a) => a.query.search)).toEqual([]);

    await waitFor(() => expect(backend.callsTo('list_people').filter((a) => a.query.search)).toHaveLength(1));
    expect(backend.callsTo('list_people').at(-1)).toEqual({ query: { search: 'ada', offset: 0, limit: 200 } });
    await sleep(200);
    expect(backend.callsTo('list_people').filter((a) => a.query.search)).toHaveLength(1);
    expect(await screen.findByTestId('people-status')).toHaveTextContent('1 match for “ada”');
  });

  it('shows only the latest search even when an older response arrives last', async () => {
    const pending = new Map<string, ReturnType<typeof deferred<PeoplePage>>>();
    openVault({
      list_people: ({ query }) => {
        if (!query.search) return pageOf(3, query.offset, query.limit);
        const d = deferred<PeoplePage>();
        pending.set(query.search, d);
        return d.promise;
      },
    });
    render(App);
    const search = await screen.findByTestId('people-search');
    await screen.findAllByTestId('person-row');

    await fireEvent.input(search, { target: { value: 'lov' } });
    await waitFor(() => expect(pending.has('lov')).toBe(true));
    await fireEvent.input(search, { target: { value: 'lovelace' } });
    await waitFor(() => expect(pending.has('lovelace')).toBe(true));

    const newer = { total: 1, offset: 0, items: [summary(1, { given: 'Ada', surname: 'Lovelace' })] };
    const older = {
      total: 2,
      offset: 0,
      items: [summary(2, { given: 'Lovisa', surname: 'Lovgren' }), summary(3, { given: 'Loveday', surname: 'Hart' })],
    };
    pending.get('lovelace')!.resolve(newer);
    await waitFor(() => expect(screen.getAllByTestId('person-row')).toHaveLength(1));
    pending.get('lov')!.resolve(older);
    await sleep(50);

    const rows = screen.getAllByTestId('person-row');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('Ada Lovelace');
    expect(screen.queryByText('Lovgren')).not.toBeInTheDocument();
    expect(screen.getByTestId('people-status')).toHaveTextContent('1 match for “lovelace”');
  });
});

describe('virtualized list', () => {
  it('renders a window of rows out of a million and fetches pages by offset as it scrolls', async () => {
    const backend = openVault({ list_people: ({ query }) => pageOf(1_000_000, query.offset, query.limit) });
    render(App);
    await screen.findAllByTestId('person-row');

    // Ten visible rows plus one partial plus eight overscan below.
    expect(rowIndices()).toEqual(Array.from({ length: 19 }, (_, i) => i));
    expect(screen.getAllByTestId('person-row')[0]).toHaveTextContent('Given0 Surname0');
    expect(screen.getAllByTestId('person-row')[0]).toHaveTextContent('1800–');
    expect(backend.callsTo('list_people')).toEqual([{ query: { search: null, offset: 0, limit: 200 } }]);
    expect(screen.getByTestId('people-status')).toHaveTextContent('1,000,000 people');

    // Scroll to row 500,000. The spacer is capped, so scrollTop maps onto content linearly.
    const list = screen.getByTestId('people-list');
    const ratio = (1_000_000 * ROW_HEIGHT - VIEWPORT) / (MAX_SCROLL - VIEWPORT);
    list.scrollTop = Math.ceil((500_000 * ROW_HEIGHT) / ratio);
    await fireEvent.scroll(list);

    await waitFor(() => expect(screen.getByText('Surname500005')).toBeInTheDocument());
    const indices = rowIndices();
    expect(indices.length).toBeLessThanOrEqual(30);
    expect(indices[0]).toBe(500_000 - 8);
    expect(indices).toEqual(Array.from({ length: indices.length }, (_, i) => indices[0] + i));
    const offsets = backend.callsTo('list_people').map((a) => a.query.offset);
    expect(offsets).toEqual([0, 499_800, 500_000]);
    expect(backend.callsTo('list_people').every((a) => a.query.limit === 200)).toBe(true);
  });

  it('moves with the keyboard and opens the person on Enter', async () => {
    const user = userEvent.setup();
    openVault({
      list_people: ({ query }) => pageOf(50, query.offset, query.limit),
      get_person: ({ id }) => person({ id, names: [{ ...person().names[0], given: 'Given2', surname: 'Surname2' }] }),
    });
    render(App);
    await screen.findAllByTestId('person-row');
    screen.getByTestId('people-list').focus();
    // The first key lands on the top row (0), then 1, 2, 3 and back to 2.
    await user.keyboard('{ArrowDown}{ArrowDown}{ArrowDown}{ArrowDown}{ArrowUp}');
    const active = screen.getAllByTestId('person-row').find((r) => r.getAttribute('aria-selected') === 'true');
    expect(active?.dataset.index).toBe('2');
    expect(screen.getByTestId('people-list')).toHaveAttribute('aria-activedescendant', 'person-row-2');
    await user.keyboard('{Enter}');
    expect(await screen.findByTestId('person-page')).toHaveTextContent('Given2 Surname2');
  });
});

describe('add person', () => {
  it('sends NewPerson with null for empty dates and shows the new person', async () => {
    const user = userEvent.setup();
    let total = 0;
    const created = person({ id: 'new-1', events: [] });
    const backend = openVault({
      list_people: ({ query }) => ({
        ...pageOf(total, query.offset, query.limit),
        items: total ? [summary(0, { id: 'new-1', given: 'Ada', surname: 'Lovelace' })] : [],
      }),
      add_person: () => {
        total = 1;
        return created;
      },
      get_person: () => created,
    });
    render(App);
    expect(await screen.findByTestId('people-empty')).toBeInTheDocument();

    await user.click(screen.getByTestId('add-person'));
    await user.type(screen.getByTestId('person-given'), 'Ada');
    await user.type(screen.getByTestId('person-surname'), 'Lovelace');
    await user.selectOptions(screen.getByTestId('person-sex'), 'F');
    expect(screen.getByTestId('person-birth')).toHaveAttribute('placeholder', 'e.g. 10 DEC 1815 or ABT 1850');
    await user.type(screen.getByTestId('person-death'), '   ');
    await user.click(screen.getByTestId('person-save'));

    await waitFor(() =>
      expect(backend.callsTo('add_person')).toEqual([
        { person: { given: 'Ada', surname: 'Lovelace', sex: 'F', birth: null, death: null } },
      ]),
    );
    expect(await screen.findByTestId('person-page')).toHaveTextContent('Ada Lovelace');
    const rows = await screen.findAllByTestId('person-row');
    expect(rows).toHaveLength(1);
    expect(within(rows[0]).getByText('Lovelace').tagName).toBe('STRONG');
  });

  it('shows the backend message when a date is not understood', async () => {
    const user = userEvent.setup();
    const message = 'birth date "32 FOO 18x" is not a date Kinvault understands; write e.g. "10 DEC 1815"';
    const backend = openVault({
      list_people: ({ query }) => pageOf(0, query.offset, query.limit),
      add_person: () => {
        throw { kind: 'invalid_input', message };
      },
    });
    render(App);
    await user.click(await screen.findByTestId('add-person'));
    await user.type(screen.getByTestId('person-given'), 'Ada');
    await user.type(screen.getByTestId('person-birth'), '32 FOO 18x');
    await user.click(screen.getByTestId('person-save'));
    expect(await screen.findByTestId('form-error')).toHaveTextContent(message);
    expect(backend.callsTo('add_person')[0].person.birth).toBe('32 FOO 18x');
  });
});

describe('person page', () => {
  function withAda(extra: Record<string, Handler> = {}) {
    let stored: Person = person({
      conditions: [],
      genetic_tests: [],
    });
    const backend = openVault({
      list_people: ({ query }) => pageOf(1, query.offset, query.limit),
      get_person: () => stored,
      update_person: ({ person: p }) => {
        stored = p;
        return p;
      },
      delete_person: () => null,
      ...extra,
    });
    return backend;
  }

  it('shows the record and saves edits as a whole Person', async () => {
    const user = userEvent.setup();
    const backend = withAda();
    render(App);
    await user.click((await screen.findAllByTestId('person-row'))[0]);
    const page = await screen.findByTestId('person-page');
    await waitFor(() => expect(page).toHaveTextContent('10 DEC 1815'));
    expect(page).toHaveTextContent('Health records: 0 conditions, 0 tests');

    await user.click(screen.getByTestId('person-edit'));
    await user.clear(screen.getByTestId('person-birth'));
    await user.type(screen.getByTestId('person-birth'), 'ABT 1816');
    await user.type(screen.getByTestId('person-death'), '27 NOV 1852');
    await user.click(screen.getByTestId('person-proband'));
    await user.click(screen.getByTestId('person-save'));

    await waitFor(() => expect(backend.callsTo('update_person')).toHaveLength(1));
    const sent: Person = backend.callsTo('update_person')[0].person;
    expect(sent.id).toBe('ada');
    expect(sent.proband).toBe(true);
    expect(sent.events.map((e) => [e.kind.type, e.date?.original])).toEqual([
      ['birth', 'ABT 1816'],
      ['death', '27 NOV 1852'],
    ]);
    expect(await screen.findByTestId('person-birth-text')).toHaveTextContent('ABT 1816');
  });

  it('shows update errors inline', async () => {
    const user = userEvent.setup();
    withAda({
      update_person: () => {
        throw { kind: 'invalid_input', message: 'death date "soon" is not a date Kinvault understands' };
      },
    });
    render(App);
    await user.click((await screen.findAllByTestId('person-row'))[0]);
    await user.click(await screen.findByTestId('person-edit'));
    await user.type(screen.getByTestId('person-death'), 'soon');
    await user.click(screen.getByTestId('person-save'));
    expect(await screen.findByTestId('form-error')).toHaveTextContent('death date "soon"');
  });

  it('deletes only after confirmation', async () => {
    const user = userEvent.setup();
    const backend = withAda();
    render(App);
    await user.click((await screen.findAllByTestId('person-row'))[0]);
    await user.click(await screen.findByTestId('person-delete'));
    expect(backend.callsTo('delete_person')).toEqual([]);
    await user.click(screen.getByTestId('person-delete-confirm'));
    await waitFor(() => expect(backend.callsTo('delete_person')).toEqual([{ id: 'ada' }]));
    await waitFor(() => expect(screen.queryByTestId('person-page')).not.toBeInTheDocument());
  });
});

describe('settings', () => {
  it('sets the idle lock, checks integrity and changes the passphrase', async () => {
    const user = userEvent.setup();
    const backend = openVault({
      list_people: ({ query }) => pageOf(0, query.offset, query.limit),
      set_idle_lock_seconds: ({ seconds }) => ({
        version: '0.1.0',
        default_vault_path: null,
        recent_vaults: [],
        idle_lock_seconds: seconds,
      }),
      check_vault: () => ({ ok: false, problems: ['page 7: checksum mismatch'] }),
      change_passphrase: () => null,
    });
    render(App);
    await user.click(await screen.findByTestId('settings-button'));
    const dialog = screen.getByTestId('settings-dialog');

    const minutes = within(dialog).getByTestId('idle-minutes');
    expect(minutes).toHaveValue(5);
    await user.clear(minutes);
    await user.type(minutes, '10');
    await user.click(within(dialog).getByTestId('idle-save'));
    await waitFor(() => expect(backend.callsTo('set_idle_lock_seconds')).toEqual([{ seconds: 600 }]));

    await user.click(within(dialog).getByTestId('check-vault'));
    expect(await within(dialog).findByText('page 7: checksum mismatch')).toBeInTheDocument();

    await user.type(within(dialog).getByTestId('current-passphrase'), 'old passphrase');
    await user.type(within(dialog).getByTestId('change-new-passphrase'), 'new passphrase!');
    await user.type(within(dialog).getByTestId('change-new-passphrase-confirm'), 'new passphrase!');
    await user.click(within(dialog).getByTestId('change-submit'));
    expect(await within(dialog).findByTestId('change-result')).toHaveTextContent('Passphrase changed');
    expect(backend.callsTo('change_passphrase')).toEqual([
      { req: { current_passphrase: 'old passphrase', new_passphrase: 'new passphrase!' } },
    ]);

    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('settings-dialog')).not.toBeInTheDocument();
  });
});
