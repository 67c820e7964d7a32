// Sharing with a clinician: the "Share with clinician" dialog (keys or a passphrase, saved via the
// save dialog) and the read-only "Open share" view, against the mocked backend.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import type { OpenedShareView } from '../bindings/OpenedShareView';
import type { ShareFile } from '../bindings/ShareFile';
import type { ShareManifest } from '../bindings/ShareManifest';
import type { ShareRequest } from '../bindings/ShareRequest';
import OpenShareDialog from '../screens/OpenShareDialog.svelte';
import ShareDialog from '../screens/ShareDialog.svelte';
import {
  FAKE_PDF,
  lockedStatus,
  mockBackend,
  pageOf,
  unlockedStatus,
  useListboxHeight,
  vaultInfo,
  type Handler,
} from '../test/backend';

useListboxHeight(440);

const KEY_A = 'age1' + 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'.repeat(2).slice(0, 58);
const KEY_B = 'age1' + 'ac7lmu6ech45nj3s0wdvt2fg8x9yrzpq'.repeat(2).slice(0, 58);
const SECRET = 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';
const ANN = { id: 'ann', xref: '@I3@', display_name: 'Ann Lee', sex: 'F' as const, birth_year: 1980, death_year: null };

function manifest(req: Partial<ShareRequest> = {}): ShareManifest {
  const keys = req.recipients?.length ?? 1;
  return {
    format: 'kinvault-clinician-share',
    version: 1,
    created: '2025-03-01',
    created_at: '2025-03-01T10:00:00Z',
    app_version: '0.1.0',
    catalog_version: '1',
    vault_id: 'vault-1',
    proband: { id: 'I3', label: 'Ann Lee' },
    contents: [
      { name: 'family-history.fhir.json', media_type: 'application/fhir+json', description: '', bytes: 3112 },
      { name: 'report.pdf', media_type: 'application/pdf', description: '', bytes: 30 * 1024 },
    ],
    counts: { people: 3, families: 1, living: 2, conditions: 1, genetic_tests: 1 },
    options: {
      generations: 3,
      conditions: [],
      names: true,
      health_included: true,
      living_included: true,
      protection: req.passphrase ? 'passphrase' : 'x25519',
      recipients: req.passphrase ? 0 : keys,
    },
    warnings: ['pedigree.ga4gh.json: 1 genetic test results not written'],
  };
}

function shareFile(req: ShareRequest): ShareFile {
  const m = manifest(req);
  return {
    file_name: 'family-share-2025-03-01.age',
    base64: btoa('age-encryption.org/v1\n...'),
    report: { path: null, file_name: 'family-share-2025-03-01.age', bytes: 40 * 1024, manifest: m },
  };
}

function openedView(): OpenedShareView {
  return {
    share: {
      manifest: manifest(),
      people: [
        {
          id: 'I3',
          name: 'Ann Lee',
          proband: true,
          relation: 'proband',
          sex: 'F',
          birth_year: 1980,
          vital_status: 'alive',
          death_year: null,
          conditions: [],
          tests: [{ gene: 'BRCA1', variant: null, result: 'positive', acmg: 'pathogenic', lab: null, date: null }],
        },
        {
          id: 'I2',
          name: 'Mia Lee',
          proband: false,
          relation: 'mother',
          sex: 'F',
          birth_year: 1952,
          vital_status: 'deceased',
          death_year: 2015,
          conditions: [
            {
              label: 'Breast cancer',
              codes: ['SNOMED 254837009', 'ICD-10 C50'],
              onset: '44 y',
              status: 'affected',
              provenance: { kind: 'imported', format: 'FHIR' },
            },
          ],
          tests: [],
        },
      ],
      warnings: [],
    },
    report_pdf: { file_name: 'family-report-2025-03-01.pdf', base64: btoa(FAKE_PDF) },
    report_html: { file_name: 'family-report-2025-03-01.html', base64: btoa('<html></html>') },
  };
}

function shareBackend(handlers: Record<string, Handler> = {}) {
  return mockBackend({
    vault_status: () => unlockedStatus(),
    find_person_ref: () => ANN,
    create_share: ({ req }: { req: ShareRequest }) => shareFile(req),
    save_binary_file: ({ suggestedName }: { suggestedName: string }) => `/home/ada/${suggestedName}`,
    ...handlers,
  });
}

async function renderShare() {
  const onclose = vi.fn();
  render(ShareDialog, { props: { initialProband: 'ann', onclose } });
  await waitFor(() => expect(screen.getByTestId('share-proband')).toHaveValue('Ann Lee'));
  return onclose;
}

describe('Share with a clinician', () => {
  it('encrypts to the pasted public keys and saves through the save dialog', async () => {
    const user = userEvent.setup();
    const backend = shareBackend();
    await renderShare();
    const dialog = screen.getByTestId('share-dialog');
    expect(within(dialog).getByTestId('share-warning')).toHaveTextContent('health information');

    // Nothing entered: the problems are listed and nothing is sent.
    await user.click(screen.getByTestId('share-create'));
    expect(screen.getByTestId('share-problems')).toHaveTextContent('public key (age1…)');
    // A secret key pasted by mistake is named as such, without being repeated.
    await user.type(screen.getByTestId('share-keys'), SECRET);
    await user.click(screen.getByTestId('share-create'));
    expect(screen.getByTestId('share-problems')).toHaveTextContent('Key 1 is a secret key');
    expect(screen.getByTestId('share-problems')).not.toHaveTextContent('QQQQ');
    expect(backend.callsTo('create_share')).toEqual([]);

    await user.clear(screen.getByTestId('share-keys'));
    await user.type(screen.getByTestId('share-keys'), `${KEY_A}\n# a comment\n${KEY_B}\n${KEY_A}`);
    await user.selectOptions(screen.getByTestId('share-generations'), '2');
    await user.click(screen.getByTestId('share-names'));
    await user.click(screen.getByTestId('share-create'));

    const done = await screen.findByTestId('share-done');
    expect(backend.callsTo('create_share')).toEqual([
      {
        req: {
          proband: 'ann',
          generations: 2,
          conditions: [],
          names: false,
          recipients: [KEY_A, KEY_B],
          passphrase: null,
        },
      },
    ]);
    expect(backend.callsTo('save_binary_file')).toEqual([
      { suggestedName: 'family-share-2025-03-01.age', base64: btoa('age-encryption.org/v1\n...') },
    ]);
    expect(done).toHaveTextContent('Saved to /home/ada/family-share-2025-03-01.age (40 KiB).');
    expect(done).toHaveTextContent('encrypted to 2 public keys');
  });

  it('encrypts to a passphrase typed twice', async () => {
    const user = userEvent.setup();
    const backend = shareBackend();
    await renderShare();
    await user.click(screen.getByTestId('share-use-passphrase'));
    await user.type(screen.getByTestId('share-passphrase'), 'clinic visit in march');
    await user.type(screen.getByTestId('share-passphrase-confirm'), 'clinic visit in May');
    await user.click(screen.getByTestId('share-create'));
    expect(screen.getByTestId('share-problems')).toHaveTextContent('Type the passphrase twice');
    expect(backend.callsTo('create_share')).toEqual([]);

    await user.clear(screen.getByTestId('share-passphrase-confirm'));
    await user.type(screen.getByTestId('share-passphrase-confirm'), 'clinic visit in march');
    await user.click(screen.getByTestId('share-create'));
    expect(await screen.findByTestId('share-done')).toHaveTextContent('encrypted to a passphrase');
    const [{ req }] = backend.callsTo('create_share');
    expect(req.recipients).toEqual([]);
    expect(req.passphrase).toBe('clinic visit in march');
  });

  it('shows the backend refusal, and says so when the save dialog is cancelled', async () => {
    const user = userEvent.setup();
    let refuse = true;
    shareBackend({
      create_share: ({ req }: { req: ShareRequest }) => {
        if (refuse) throw { kind: 'invalid_input', message: 'recipient 1 is not usable: its checksum does not match' };
        return shareFile(req);
      },
      save_binary_file: () => null,
    });
    await renderShare();
    await user.type(screen.getByTestId('share-keys'), KEY_A);
    await user.click(screen.getByTestId('share-create'));
    expect(await screen.findByTestId('share-error')).toHaveTextContent('checksum does not match');
    refuse = false;
    await user.click(screen.getByTestId('share-create'));
    expect(await screen.findByTestId('share-not-saved')).toHaveTextContent('no file was written');
    expect(screen.queryByTestId('share-done')).toBeNull();
  });
});

describe('Open a clinician share', () => {
  function openBackend(handlers: Record<string, Handler> = {}) {
    return mockBackend({
      pick_share_file: ({ key }: { key: boolean }) => (key ? '/home/dr/keys/clinic.txt' : '/home/dr/in/family.age'),
      open_share: () => openedView(),
      save_binary_file: ({ suggestedName }: { suggestedName: string }) => `/home/dr/${suggestedName}`,
      ...handlers,
    });
  }

  it('opens with a key file and shows the manifest, the people and the report to save', async () => {
    const user = userEvent.setup();
    const backend = openBackend();
    render(OpenShareDialog, { props: { onclose: vi.fn() } });
    expect(screen.getByTestId('open-share-open')).toBeDisabled();
    await user.click(screen.getByTestId('open-share-pick'));
    expect(await screen.findByTestId('open-share-path')).toHaveTextContent('family.age');
    await user.click(screen.getByTestId('open-share-pick-key'));
    expect(await screen.findByTestId('open-share-key-path')).toHaveTextContent('clinic.txt');
    await user.click(screen.getByTestId('open-share-open'));

    const view = await screen.findByTestId('open-share-view');
    expect(backend.callsTo('pick_share_file')).toEqual([{ key: false }, { key: true }]);
    expect(backend.callsTo('open_share')).toEqual([
      { req: { path: '/home/dr/in/family.age', identity: null, identity_file: '/home/dr/keys/clinic.txt', passphrase: null } },
    ]);
    expect(view).toHaveTextContent('Read-only');
    expect(screen.getByTestId('open-share-proband')).toHaveTextContent('Ann Lee');
    expect(screen.getByTestId('open-share-counts')).toHaveTextContent('3 in 1 families (2 may be living)');
    const rows = within(screen.getByTestId('open-share-people')).getAllByTestId('open-share-person');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('BRCA1 positive — pathogenic');
    expect(rows[1]).toHaveTextContent('mother');
    expect(rows[1]).toHaveTextContent('died 2015');
    expect(rows[1]).toHaveTextContent('Breast cancer — affected, onset 44 y (SNOMED 254837009, ICD-10 C50)');
    expect(view).toHaveTextContent('What the files could not carry (1)');

    await user.click(screen.getByTestId('open-share-save-pdf'));
    expect(await screen.findByTestId('open-share-notice')).toHaveTextContent(
      'Report saved to /home/dr/family-report-2025-03-01.pdf.',
    );
    expect(backend.callsTo('save_binary_file')).toEqual([
      { suggestedName: 'family-report-2025-03-01.pdf', base64: btoa(FAKE_PDF) },
    ]);
  });

  it('opens with a passphrase; a wrong one is a clear error', async () => {
    const user = userEvent.setup();
    let attempts = 0;
    const backend = openBackend({
      open_share: () => {
        attempts += 1;
        if (attempts === 1) throw { kind: 'wrong_passphrase', message: 'wrong passphrase for this share' };
        return openedView();
      },
    });
    render(OpenShareDialog, { props: { onclose: vi.fn() } });
    await user.click(screen.getByTestId('open-share-pick'));
    await user.click(screen.getByTestId('open-share-use-passphrase'));
    await user.type(screen.getByTestId('open-share-passphrase'), 'not it{Enter}');
    expect(await screen.findByTestId('open-share-error')).toHaveTextContent('wrong passphrase for this share');
    await user.clear(screen.getByTestId('open-share-passphrase'));
    await user.type(screen.getByTestId('open-share-passphrase'), 'clinic visit in march');
    await user.click(screen.getByTestId('open-share-open'));
    await screen.findByTestId('open-share-view');
    expect(backend.callsTo('open_share').map((c) => c.req.passphrase)).toEqual(['not it', 'clinic visit in march']);
    expect(backend.callsTo('open_share').every((c) => c.req.identity === null && c.req.identity_file === null)).toBe(
      true,
    );
  });

  it('makes a key pair: the secret goes to a file, the public key is shown', async () => {
    const user = userEvent.setup();
    const backend = openBackend({
      generate_share_identity: () => ({ path: '/home/dr/keys/new.txt', public_key: KEY_B }),
    });
    render(OpenShareDialog, { props: { onclose: vi.fn() } });
    await user.click(screen.getByTestId('open-share-keygen'));
    expect(await screen.findByTestId('open-share-public-key')).toHaveTextContent(KEY_B);
    expect(screen.getByTestId('open-share-new-key')).toHaveTextContent('/home/dr/keys/new.txt');
    expect(screen.getByTestId('open-share-key-path')).toHaveTextContent('new.txt');
    expect(backend.callsTo('generate_share_identity')).toEqual([{}]);
  });
});

describe('entry points', () => {
  it('the people screen opens both dialogs', async () => {
    const user = userEvent.setup();
    mockBackend({
      vault_status: () => unlockedStatus(),
      vault_info: () => vaultInfo(undefined, 3),
      list_people: ({ query }) => pageOf(3, query.offset, query.limit),
    });
    render(App);
    await screen.findAllByTestId('person-row');
    await user.click(screen.getByTestId('share-open'));
    expect(await screen.findByTestId('share-dialog')).toBeInTheDocument();
    await user.click(within(screen.getByTestId('share-dialog')).getByLabelText('Close'));
    await user.click(screen.getByTestId('open-share-open-dialog'));
    expect(await screen.findByTestId('open-share-dialog')).toBeInTheDocument();
  });

  it('the welcome screen opens a share without a vault', async () => {
    const user = userEvent.setup();
    mockBackend({ vault_status: () => lockedStatus() });
    render(App);
    await user.click(await screen.findByTestId('welcome-open-share'));
    expect(await screen.findByTestId('open-share-dialog')).toBeInTheDocument();
  });
});
