import { emit } from '@tauri-apps/api/event';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { appInfo, deferred, lockedStatus, mockBackend, pageOf, unlockedStatus, vaultInfo } from '../test/backend';
import type { CreatedVault } from '../bindings/CreatedVault';

const PATH = '/home/ada/Documents/family.kinvault';

describe('welcome → create', () => {
  it('creates a vault with the typed path and passphrase, then shows the recovery key once', async () => {
    const user = userEvent.setup();
    const creating = deferred<CreatedVault>();
    const backend = mockBackend({
      create_vault: () => creating.promise,
      list_people: ({ query }) => pageOf(0, query.offset, query.limit),
      vault_info: () => vaultInfo('/tmp/ours.kinvault'),
    });
    render(App);

    await user.click(await screen.findByTestId('create-vault'));
    const path = screen.getByTestId('vault-path') as HTMLInputElement;
    expect(path.value).toBe(PATH); // prefilled from app_info
    await user.clear(path);
    await user.type(path, '/tmp/ours.kinvault');
    await user.type(screen.getByTestId('passphrase'), 'correct horse battery');
    await user.type(screen.getByTestId('passphrase-confirm'), 'correct horse battery');
    await user.click(screen.getByTestId('create-submit'));

    const submit = screen.getByTestId('create-submit');
    expect(submit).toBeDisabled();
    expect(submit).toHaveTextContent('Deriving key…');
    expect(backend.callsTo('create_vault')).toEqual([
      { req: { path: '/tmp/ours.kinvault', passphrase: 'correct horse battery' } },
    ]);

    creating.resolve({ vault: vaultInfo('/tmp/ours.kinvault'), recovery_key: 'ABCD-EFGH-JKLM-NPQR' });
    expect(await screen.findByTestId('recovery-key')).toHaveTextContent('ABCD-EFGH-JKLM-NPQR');
    expect(screen.getByText(/only once/i)).toBeInTheDocument();

    await user.click(screen.getByTestId('recovery-ack'));
    expect(await screen.findByTestId('people-search')).toBeInTheDocument();
    expect(screen.queryByTestId('recovery-key')).not.toBeInTheDocument();
  });

  it('does not submit mismatched or short passphrases and says why', async () => {
    const user = userEvent.setup();
    const backend = mockBackend({ create_vault: () => null });
    render(App);
    await user.click(await screen.findByTestId('create-vault'));
    await user.type(screen.getByTestId('passphrase'), 'correct horse');
    await user.type(screen.getByTestId('passphrase-confirm'), 'correct horsf');
    expect(screen.getByText('The two passphrases do not match.')).toBeInTheDocument();
    await user.click(screen.getByTestId('create-submit'));
    expect(backend.callsTo('create_vault')).toEqual([]);

    await user.clear(screen.getByTestId('passphrase'));
    await user.clear(screen.getByTestId('passphrase-confirm'));
    await user.type(screen.getByTestId('passphrase'), 'short');
    await user.type(screen.getByTestId('passphrase-confirm'), 'short');
    await user.click(screen.getByTestId('create-submit'));
    expect(screen.getByText(/needs at least 8 characters/)).toBeInTheDocument();
    expect(backend.callsTo('create_vault')).toEqual([]);
  });

  it('fills the path from the native save dialog', async () => {
    const user = userEvent.setup();
    const backend = mockBackend({ pick_vault_path: () => '/media/usb/tree.kinvault' });
    render(App);
    await user.click(await screen.findByTestId('create-vault'));
    await user.click(screen.getByRole('button', { name: 'Browse…' }));
    await waitFor(() => expect(screen.getByTestId('vault-path')).toHaveValue('/media/usb/tree.kinvault'));
    expect(backend.callsTo('pick_vault_path')).toEqual([{ save: true }]);
  });
});

describe('unlock', () => {
  const recent = [
    { path: PATH, last_opened: 1_700_000_000_000, exists: true },
    { path: '/gone/old.kinvault', last_opened: 1_600_000_000_000, exists: false },
  ];

  it('shows the backend message, clears the field and keeps focus', async () => {
    const user = userEvent.setup();
    const backend = mockBackend({
      app_info: () => appInfo({ recent_vaults: recent }),
      open_vault: () => {
        throw { kind: 'wrong_passphrase', message: 'wrong passphrase' };
      },
    });
    render(App);

    const items = await screen.findAllByTestId('recent-vault');
    expect(items).toHaveLength(2);
    expect(items[1]).toHaveTextContent('not found');
    expect(items[1]).toBeDisabled();
    await user.click(items[0]);

    expect(screen.getByTestId('unlock-path')).toHaveTextContent(PATH);
    const field = screen.getByTestId('unlock-passphrase');
    await waitFor(() => expect(field).toHaveFocus());
    await user.type(field, 'not my passphrase');
    await user.click(screen.getByTestId('unlock-submit'));

    expect(await screen.findByTestId('unlock-error')).toHaveTextContent('wrong passphrase');
    expect(field).toHaveValue('');
    await waitFor(() => expect(field).toHaveFocus());
    expect(backend.callsTo('open_vault')).toEqual([{ req: { path: PATH, passphrase: 'not my passphrase' } }]);
  });

  it('recovers with the recovery key and a new passphrase', async () => {
    const user = userEvent.setup();
    const backend = mockBackend({
      app_info: () => appInfo({ recent_vaults: recent }),
      recover_vault: () => vaultInfo(PATH, 2),
      list_people: ({ query }) => pageOf(2, query.offset, query.limit),
    });
    render(App);
    await user.click((await screen.findAllByTestId('recent-vault'))[0]);
    await user.click(screen.getByTestId('forgot-passphrase'));
    await user.type(screen.getByTestId('recovery-key-input'), '  ABCD-EFGH  ');
    await user.type(screen.getByTestId('new-passphrase'), 'a brand new phrase');
    await user.type(screen.getByTestId('new-passphrase-confirm'), 'a brand new phrase');
    await user.click(screen.getByTestId('recover-submit'));
    expect(await screen.findByTestId('people-search')).toBeInTheDocument();
    expect(backend.callsTo('recover_vault')).toEqual([
      { req: { path: PATH, recovery_key: 'ABCD-EFGH', new_passphrase: 'a brand new phrase' } },
    ]);
  });

  it('opens a vault picked in the native dialog', async () => {
    const user = userEvent.setup();
    const backend = mockBackend({ pick_vault_path: () => '/picked/x.kinvault' });
    render(App);
    await user.click(await screen.findByTestId('open-vault'));
    await user.click(screen.getByTestId('browse'));
    expect(await screen.findByTestId('unlock-path')).toHaveTextContent('/picked/x.kinvault');
    expect(backend.callsTo('pick_vault_path')).toEqual([{ save: false }]);
  });
});

describe('locking', () => {
  function unlockedBackend(extra = {}) {
    return mockBackend({
      vault_status: () => unlockedStatus(PATH),
      vault_info: () => vaultInfo(PATH, 3),
      list_people: ({ query }) => pageOf(3, query.offset, query.limit),
      lock_vault: () => null,
      ...extra,
    });
  }

  it('goes to Unlock with a notice when the backend locks for inactivity', async () => {
    unlockedBackend();
    render(App);
    expect(await screen.findAllByTestId('person-row')).toHaveLength(3);
    await emit('vault-locked', { reason: 'idle' });
    expect(await screen.findByTestId('lock-notice')).toHaveTextContent('Locked after 5 minutes of inactivity');
    expect(screen.getByTestId('unlock-path')).toHaveTextContent(PATH);
    expect(screen.queryByTestId('person-row')).not.toBeInTheDocument();
  });

  it('locks from the top bar', async () => {
    const user = userEvent.setup();
    const backend = unlockedBackend();
    render(App);
    await user.click(await screen.findByTestId('lock-button'));
    expect(await screen.findByTestId('unlock-passphrase')).toBeInTheDocument();
    expect(screen.queryByTestId('lock-notice')).not.toBeInTheDocument();
    expect(backend.callsTo('lock_vault')).toHaveLength(1);
  });

  it('pings touch on activity, at most once per 20 s', async () => {
    const backend = unlockedBackend();
    render(App);
    await screen.findAllByTestId('person-row');
    await fireEvent.keyDown(window, { key: 'a' });
    await fireEvent.pointerDown(window);
    await fireEvent.wheel(window);
    await waitFor(() => expect(backend.callsTo('touch')).toHaveLength(1));
  });

  it('returns to Unlock when a command reports the vault locked', async () => {
    const user = userEvent.setup();
    unlockedBackend({
      get_person: () => {
        throw { kind: 'locked', message: 'the vault is locked' };
      },
    });
    render(App);
    await user.click((await screen.findAllByTestId('person-row'))[0]);
    expect(await screen.findByTestId('lock-notice')).toHaveTextContent('The vault was locked');
  });

  it('starts on Welcome when nothing is open', async () => {
    mockBackend({ vault_status: () => lockedStatus() });
    render(App);
    expect(await screen.findByTestId('create-vault')).toBeInTheDocument();
    expect(screen.getByText(/stays on this computer, encrypted/)).toBeInTheDocument();
  });
});
