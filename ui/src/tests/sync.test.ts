// Sync in Settings: turning it on (create or join), the status, "Sync now", errors, conflicts
// and leaving, against the mocked backend's in-memory sync (test/backend.ts syncBackend).
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { SyncReport } from '../bindings/SyncReport';
import type { SyncSetupResult } from '../bindings/SyncSetupResult';
import { checkServerAddress, conflictVersion, formatSyncTime, syncReportLine } from '../lib/sync';
import {
  deferred,
  JOIN_CODE,
  mockBackend,
  pageOf,
  SYNC_ACCOUNT,
  SYNC_DEVICE,
  syncBackend,
  syncConflict,
  syncOn,
  syncReport,
  unlockedStatus,
  vaultInfo,
  type Handler,
} from '../test/backend';

const NETWORK = ['sync_setup', 'sync_now'];

function openVault(handlers: Record<string, Handler>) {
  return mockBackend({
    vault_status: () => unlockedStatus(),
    vault_info: () => vaultInfo(undefined, 3),
    list_people: ({ query }) => pageOf(3, query.offset, query.limit),
    ...handlers,
  });
}

/** Opens Settings and returns the Sync section once its status is read. */
async function openSync(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('settings-button'));
  const dialog = screen.getByTestId('settings-dialog');
  const section = within(dialog).getByTestId('sync-section');
  await waitFor(() => expect(within(section).queryByText('Reading the sync settings…')).not.toBeInTheDocument());
  return within(section);
}

describe('sync: off', () => {
  it('explains end-to-end encryption, sends nothing, and turning on creates an account and shows the join code once', async () => {
    const user = userEvent.setup();
    const sync = syncBackend({ reports: [syncReport({ pushed_batches: 1, pushed_changes: 12 })] });
    const setup = deferred<void>();
    const backend = openVault({
      ...sync.handlers,
      sync_setup: async (args) => {
        await setup.promise;
        return sync.handlers.sync_setup(args) as SyncSetupResult;
      },
    });
    render(App);
    const s = await openSync(user);

    expect(s.getByText(/end-to-end encrypted/)).toBeInTheDocument();
    expect(s.getByText(/never sees names, health conditions/)).toBeInTheDocument();
    expect(s.getByText(/Sync is off by default\. Nothing leaves this computer until you turn it on/)).toBeInTheDocument();
    expect(s.queryByTestId('sync-now')).not.toBeInTheDocument();
    expect(s.queryByTestId('sync-conflicts')).not.toBeInTheDocument();

    // Addresses that would send credentials in the clear, or are not addresses, are refused here.
    const address = s.getByLabelText('Sync server address');
    await user.clear(address);
    await user.type(address, 'http://sync.example.org');
    await user.click(s.getByTestId('sync-setup'));
    expect(s.getByTestId('sync-server-error')).toHaveTextContent('Use an https:// address');
    expect(address).toHaveAttribute('aria-invalid', 'true');
    await user.clear(address);
    await user.type(address, 'https://sync.example.org/');
    expect(s.queryByTestId('sync-server-error')).not.toBeInTheDocument();
    expect(backend.calls.filter((c) => NETWORK.includes(c.cmd))).toEqual([]);

    await user.click(s.getByTestId('sync-setup'));
    expect(s.getByTestId('sync-setup')).toBeDisabled();
    expect(s.getByTestId('sync-setup')).toHaveTextContent('Creating account…');
    expect(backend.callsTo('sync_setup')).toEqual([{ req: { server: 'https://sync.example.org/', join_code: null } }]);
    setup.resolve();

    expect(await s.findByTestId('sync-new-join-code')).toHaveTextContent(JOIN_CODE);
    const box = s.getByTestId('sync-new-join-code-box');
    expect(box).toHaveTextContent(/Keep this join code safe/);
    expect(box).toHaveTextContent(/read everything in this vault/);
    expect(box).toHaveTextContent(/shown now, once/);
    expect(s.getByTestId('sync-result')).toHaveTextContent('Received 0 changes, sent 12 changes.');
    expect(s.getByTestId('sync-status-server')).toHaveTextContent('https://sync.example.org');

    await user.click(s.getByTestId('sync-copy-join-code'));
    expect(await navigator.clipboard.readText()).toBe(JOIN_CODE);
    expect(box).toHaveTextContent('Copied.');

    await user.click(s.getByTestId('sync-hide-join-code'));
    expect(s.queryByTestId('sync-new-join-code')).not.toBeInTheDocument();
    expect(s.queryByText(JOIN_CODE)).not.toBeInTheDocument();
    expect(s.getByTestId('sync-show-join-code')).toBeInTheDocument();
    expect(backend.callsTo('sync_setup')).toHaveLength(1);
    expect(backend.callsTo('sync_now')).toEqual([]);
  });

  it('joins an existing account with the join code from another device', async () => {
    const user = userEvent.setup();
    const sync = syncBackend({ reports: [syncReport({ snapshot_applied: true, pulled_batches: 2, applied_changes: 40 })] });
    const backend = openVault(sync.handlers);
    render(App);
    const s = await openSync(user);

    const address = s.getByLabelText('Sync server address');
    await user.clear(address);
    await user.type(address, '  https://sync.example.org  ');
    await user.type(s.getByLabelText(/Join an existing account/), `  ${JOIN_CODE} `);
    const listed = backend.callsTo('list_people').length;
    await user.click(s.getByTestId('sync-setup'));

    expect(await s.findByTestId('sync-status')).toBeInTheDocument();
    expect(backend.callsTo('sync_setup')).toEqual([{ req: { server: 'https://sync.example.org', join_code: JOIN_CODE } }]);
    // Joining does not show a join code: the other device already has it.
    expect(s.queryByTestId('sync-new-join-code')).not.toBeInTheDocument();
    expect(s.getByTestId('sync-result')).toHaveTextContent(
      "Started from the account's latest copy. Received 40 changes, sent 0 changes.",
    );
    expect(s.getByTestId('sync-status-account')).toHaveTextContent(SYNC_ACCOUNT);
    // What arrived shows in the people list behind the dialog.
    await waitFor(() => expect(backend.callsTo('list_people').length).toBeGreaterThan(listed));
  });

  it('shows why setup failed and stays off', async () => {
    const user = userEvent.setup();
    const sync = syncBackend();
    sync.state.failNext = { kind: 'io', message: 'cannot reach the sync server: connection refused' };
    const backend = openVault(sync.handlers);
    render(App);
    const s = await openSync(user);

    const address = s.getByLabelText('Sync server address');
    await user.clear(address);
    await user.type(address, 'https://sync.example.org');
    await user.click(s.getByTestId('sync-setup'));
    expect(await s.findByTestId('sync-setup-error')).toHaveTextContent('cannot reach the sync server: connection refused');
    expect(s.getByTestId('sync-setup')).toHaveTextContent('Turn on sync');
    expect(s.queryByTestId('sync-now')).not.toBeInTheDocument();

    // The backend checks the join code before it connects; its message is shown as it is.
    await user.type(s.getByLabelText(/Join an existing account/), 'KVSYNC1-nope');
    await user.click(s.getByTestId('sync-setup'));
    expect(await s.findByText(/not a valid join code/)).toBeInTheDocument();
    expect(backend.callsTo('sync_setup')).toHaveLength(2);
  });
});

describe('sync: first sync fails after the account is made', () => {
  it('shows the join code, says sync is on, and why the first sync failed', async () => {
    const user = userEvent.setup();
    const sync = syncBackend();
    sync.state.failNextSync = { kind: 'io', message: 'cannot reach the sync server: connection reset' };
    openVault(sync.handlers);
    render(App);
    const s = await openSync(user);

    const address = s.getByLabelText('Sync server address');
    await user.clear(address);
    await user.type(address, 'https://sync.example.org');
    await user.click(s.getByTestId('sync-setup'));
    expect(await s.findByTestId('sync-setup-partial')).toHaveTextContent('the first sync failed');
    expect(s.getByText(/cannot reach the sync server: connection reset/)).toBeInTheDocument();
    expect(s.getByText(new RegExp(JOIN_CODE))).toBeInTheDocument();
    expect(s.getByTestId('sync-now')).toBeEnabled();
  });
});

describe('sync: on', () => {
  const LAST = 1_700_000_000_000;

  it('shows the status and what Sync now did', async () => {
    const user = userEvent.setup();
    const sync = syncBackend({
      status: syncOn('https://sync.example.org', { last_sync_at: LAST, outbox: 2 }),
      reports: [syncReport({ pulled_batches: 3, applied_changes: 5, pushed_batches: 2, pushed_changes: 3 })],
      arriving: [syncConflict(7)],
    });
    const running = deferred<void>();
    const backend = openVault({
      ...sync.handlers,
      sync_now: async () => {
        await running.promise;
        return sync.handlers.sync_now({}) as SyncReport;
      },
    });
    render(App);
    const s = await openSync(user);

    expect(s.getByTestId('sync-status-server')).toHaveTextContent('https://sync.example.org');
    expect(s.getByTestId('sync-status-account')).toHaveTextContent(SYNC_ACCOUNT);
    expect(s.getByTestId('sync-status-device')).toHaveTextContent(SYNC_DEVICE);
    expect(s.getByTestId('sync-status-last')).toHaveTextContent(formatSyncTime(LAST));
    expect(s.getByTestId('sync-status-outbox')).toHaveTextContent('2 batches of changes');
    expect(s.getByText(/only when you press “Sync now”/)).toBeInTheDocument();
    expect(s.getByTestId('sync-conflict-count')).toHaveTextContent('(0)');
    expect(s.queryByRole('alert')).not.toBeInTheDocument();
    // Opening the settings reads the vault only.
    expect(backend.calls.filter((c) => NETWORK.includes(c.cmd))).toEqual([]);

    await user.click(s.getByTestId('sync-now'));
    expect(s.getByTestId('sync-now')).toBeDisabled();
    expect(s.getByTestId('sync-now')).toHaveTextContent('Syncing…');
    running.resolve();

    await waitFor(() =>
      expect(s.getByTestId('sync-result')).toHaveTextContent(
        'Received 5 changes, sent 3 changes. 1 new conflict to review below.',
      ),
    );
    expect(s.getByTestId('sync-now')).toHaveTextContent('Sync now');
    expect(s.getByTestId('sync-now')).toBeEnabled();
    await waitFor(() => expect(s.getByTestId('sync-status-outbox')).toHaveTextContent('Nothing'));
    expect(s.getByTestId('sync-status-last')).toHaveTextContent(formatSyncTime(sync.state.status.last_sync_at!));
    await waitFor(() => expect(s.getByTestId('sync-conflict-count')).toHaveTextContent('(1)'));
    expect(s.getAllByTestId('sync-conflict')).toHaveLength(1);
    expect(backend.callsTo('sync_now')).toEqual([{}]);
  });

  it('shows a failed sync as an alert, and clears it after a sync that works', async () => {
    const user = userEvent.setup();
    const sync = syncBackend({ status: syncOn('https://sync.example.org', { last_sync_at: LAST }) });
    sync.state.failNext = { kind: 'io', message: 'cannot reach the sync server: timed out' };
    openVault(sync.handlers);
    render(App);
    const s = await openSync(user);

    await user.click(s.getByTestId('sync-now'));
    const alert = await s.findByRole('alert');
    expect(alert).toHaveTextContent('The last sync failed: cannot reach the sync server: timed out');
    expect(alert).toHaveAttribute('data-testid', 'sync-last-error');
    // Shown once, not also as the answer of the call.
    expect(s.queryByTestId('sync-error')).not.toBeInTheDocument();
    expect(s.getByTestId('sync-result')).toBeEmptyDOMElement();
    expect(s.getByTestId('sync-status-last')).toHaveTextContent(formatSyncTime(LAST));

    await user.click(s.getByTestId('sync-now'));
    expect(await s.findByText('Up to date: nothing to receive or send.')).toBeInTheDocument();
    await waitFor(() => expect(s.queryByTestId('sync-last-error')).not.toBeInTheDocument());
  });

  it('shows an error the backend recorded before the dialog opened', async () => {
    const user = userEvent.setup();
    const sync = syncBackend({
      status: syncOn('https://sync.example.org', { last_error: 'the sync server refused the credentials: 401' }),
    });
    openVault(sync.handlers);
    render(App);
    const s = await openSync(user);
    expect(s.getByRole('alert')).toHaveTextContent('the sync server refused the credentials: 401');
    expect(s.getByTestId('sync-status-last')).toHaveTextContent('Not yet');
  });

  it('lists conflicts with both versions and marks them reviewed', async () => {
    const user = userEvent.setup();
    const sync = syncBackend({
      status: syncOn(),
      conflicts: [
        syncConflict(1, { label: 'Ada Lovelace' }),
        syncConflict(2, {
          label: 'Charles Babbage',
          field: null,
          kind: 'deleted-elsewhere',
          explanation: "Deleted on another device while edited here; the delete won. This device's version is kept below.",
          local: JSON.stringify({ id: 'p2', notes: ['engine'] }),
          remote: null,
        }),
      ],
    });
    const backend = openVault(sync.handlers);
    render(App);
    const s = await openSync(user);

    const list = await s.findByTestId('sync-conflicts');
    expect(within(list).getByTestId('sync-conflict-count')).toHaveTextContent('(2)');
    const items = within(list).getAllByTestId('sync-conflict');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('Ada Lovelace');
    expect(items[0]).toHaveTextContent('both versions are kept');
    expect(within(items[0]).getByTestId('sync-conflict-local')).toHaveTextContent('here 1');
    expect(within(items[0]).getByTestId('sync-conflict-remote')).toHaveTextContent('there 1');
    expect(items[1]).toHaveTextContent('Charles Babbage');
    expect(items[1]).toHaveTextContent('the delete won');
    expect(within(items[1]).getByTestId('sync-conflict-local')).toHaveTextContent('"engine"');
    expect(within(items[1]).getByTestId('sync-conflict-remote')).toHaveTextContent('(none: it was deleted)');
    // The versions sit in a closed <details> until asked for.
    const details = items[1].querySelector('details')!;
    expect(details.open).toBe(false);
    await user.click(within(items[1]).getByText('Show both versions'));
    expect(details.open).toBe(true);

    await user.click(within(list).getByRole('button', { name: 'Mark reviewed: Charles Babbage' }));
    await waitFor(() => expect(within(list).getAllByTestId('sync-conflict')).toHaveLength(1));
    expect(backend.callsTo('resolve_sync_conflict')).toEqual([{ id: 2 }]);
    expect(within(list).getByTestId('sync-conflict-count')).toHaveTextContent('(1)');
    expect(within(list).getByTestId('sync-conflict')).toHaveTextContent('Ada Lovelace');

    await user.click(within(list).getByRole('button', { name: 'Mark reviewed: Ada Lovelace' }));
    expect(await within(list).findByText(/None\./)).toBeInTheDocument();
    expect(within(list).getByTestId('sync-conflict-count')).toHaveTextContent('(0)');
    expect(backend.callsTo('sync_conflicts')[0]).toEqual({ includeResolved: false });
  });

  it('shows the join code only when asked, with the warning', async () => {
    const user = userEvent.setup();
    const sync = syncBackend({ status: syncOn() });
    const backend = openVault(sync.handlers);
    render(App);
    const s = await openSync(user);

    expect(s.queryByText(JOIN_CODE)).not.toBeInTheDocument();
    expect(backend.callsTo('sync_join_code')).toEqual([]);
    await user.click(s.getByTestId('sync-show-join-code'));
    expect(await s.findByTestId('sync-join-code')).toHaveTextContent(JOIN_CODE);
    expect(s.getByTestId('sync-join-code-box')).toHaveTextContent(/read everything in this vault/);
    expect(backend.callsTo('sync_join_code')).toHaveLength(1);
    await user.click(s.getByTestId('sync-hide-join-code'));
    expect(s.queryByText(JOIN_CODE)).not.toBeInTheDocument();
  });

  it('asks before it stops syncing on this device', async () => {
    const user = userEvent.setup();
    const sync = syncBackend({ status: syncOn('https://sync.example.org', { outbox: 1 }) });
    const backend = openVault(sync.handlers);
    render(App);
    const s = await openSync(user);

    await user.click(s.getByTestId('sync-leave'));
    const confirm = s.getByRole('alertdialog');
    expect(confirm).toHaveTextContent('Stop syncing on this device?');
    expect(confirm).toHaveTextContent("The vault's data stays on this computer");
    expect(confirm).toHaveTextContent('1 batch of changes has not been sent yet');
    await user.click(s.getByTestId('sync-leave-cancel'));
    expect(s.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(backend.callsTo('sync_leave')).toEqual([]);

    await user.click(s.getByTestId('sync-leave'));
    await user.click(s.getByTestId('sync-leave-confirm'));
    expect(await s.findByTestId('sync-left')).toHaveTextContent('This device no longer syncs');
    expect(backend.callsTo('sync_leave')).toEqual([{}]);
    expect(s.getByTestId('sync-setup')).toHaveTextContent('Turn on sync');
    expect(s.queryByTestId('sync-status')).not.toBeInTheDocument();
  });
});

describe('sync helpers', () => {
  it('accepts https:// addresses and http:// only on this computer', () => {
    expect(checkServerAddress('https://sync.example.org')).toBeNull();
    expect(checkServerAddress(' https://sync.example.org:8443/kv/ ')).toBeNull();
    expect(checkServerAddress('http://127.0.0.1:8080')).toBeNull();
    expect(checkServerAddress('http://localhost:8080')).toBeNull();
    expect(checkServerAddress('http://[::1]:8080')).toBeNull();
    expect(checkServerAddress('https://')).toMatch(/Enter the sync server/);
    expect(checkServerAddress('')).toMatch(/Enter the sync server/);
    expect(checkServerAddress('http://sync.example.org')).toMatch(/Use an https:\/\//);
    expect(checkServerAddress('ftp://sync.example.org')).toMatch(/must start with https/);
    expect(checkServerAddress('sync.example.org')).toMatch(/not a web address/);
  });

  it('says what a sync did', () => {
    expect(syncReportLine(syncReport())).toBe('Up to date: nothing to receive or send.');
    expect(syncReportLine(syncReport({ applied_changes: 1, pushed_changes: 2, new_conflicts: 3 }))).toBe(
      'Received 1 change, sent 2 changes. 3 new conflicts to review below.',
    );
    expect(syncReportLine(syncReport({ rejected_replays: 1 }))).toBe(
      'Up to date: nothing to receive or send. 1 batch the server sent again was ignored.',
    );
    expect(conflictVersion('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(conflictVersion(null)).toBe('(none: it was deleted)');
  });
});
