// The main user journey against the real app: create a vault, add a person,
// search, record a condition through the catalog picker and see the risk panel assess it, lock,
// fail and then succeed at unlocking, import a GEDCOM file, draw a chart.
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { saveScreenshot } from '../lib/screenshot.mjs';

const PASSPHRASE = 'correct horse battery staple';
// Key derivation in a debug build can take a while; creating/unlocking gets longer.
const KDF_TIMEOUT = 90_000;

const byTestId = (id) => $(`[data-testid="${id}"]`);
const rows = () => $$('[data-testid="person-row"]');

async function fill(id, value) {
  const input = byTestId(id);
  await input.waitForDisplayed();
  await input.clearValue();
  await input.setValue(value);
}

async function click(id) {
  const el = byTestId(id);
  await el.waitForClickable();
  await el.click();
}

// Read in the page rather than element by element: after a big list re-renders, WebKitWebDriver's
// element commands can wait for a repaint that a page at rest never makes (see lib/screenshot.mjs).
async function rowTexts() {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="person-row"]')].map((r) => r.textContent.replace(/\s+/g, ' ').trim()),
  );
}

async function waitForRowCount(n, why) {
  await browser.waitUntil(async () => (await rowTexts()).length === n, {
    timeoutMsg: `expected ${n} person row(s) ${why}; have ${(await rowTexts()).length}`,
  });
}

async function waitForLovelaceRow(why) {
  await browser.waitUntil(async () => (await rowTexts()).some((t) => t.includes('Lovelace')), {
    timeoutMsg: `expected a person row containing "Lovelace" ${why}`,
  });
}

// Searches for `search` and opens the first row whose text contains `text`.
async function openPersonRow(search, text) {
  await fill('people-search', search);
  let index = -1;
  await browser.waitUntil(
    async () => {
      index = (await rowTexts()).findIndex((t) => t.includes(text));
      return index >= 0;
    },
    { timeoutMsg: `no row containing "${text}"` },
  );
  await (await rows())[index].click();
}

describe('Kinvault desktop app', () => {
  it('creates a vault from the welcome screen and shows a recovery key', async () => {
    await byTestId('create-vault').waitForDisplayed({ timeout: 60_000 });
    await click('create-vault');

    const dataDir = process.env.KINVAULT_DATA_DIR;
    assert.ok(dataDir, 'KINVAULT_DATA_DIR must be set (scripts/e2e.sh sets it)');
    await fill('vault-path', path.join(dataDir, 'e2e.kinvault'));
    await fill('passphrase', PASSPHRASE);
    await fill('passphrase-confirm', PASSPHRASE);
    await click('create-submit');

    const key = byTestId('recovery-key');
    await key.waitForDisplayed({ timeout: KDF_TIMEOUT });
    let shown = '';
    await browser.waitUntil(
      async () => {
        // The key may be shown as text or in a read-only input.
        shown = ((await key.getText()) || (await key.getValue()) || '').trim();
        return shown.length > 0;
      },
      { timeoutMsg: 'recovery key is empty' },
    );
    await click('recovery-ack');
  });

  it('adds a person and finds them by search', async () => {
    await click('add-person');
    await fill('person-given', 'Ada');
    await fill('person-surname', 'Lovelace');
    const sex = byTestId('person-sex');
    await sex.waitForDisplayed();
    await sex.selectByAttribute('value', 'F');
    await fill('person-birth', '10 DEC 1815');
    await click('person-save');
    await waitForLovelaceRow('after saving Ada Lovelace');

    await fill('people-search', 'love');
    await waitForRowCount(1, 'for search "love"');
    assert.match((await rowTexts())[0], /Lovelace/);

    await fill('people-search', 'zzz');
    await waitForRowCount(0, 'for search "zzz"');

    // Leave a search that matches, whether or not the app keeps it across a lock.
    await fill('people-search', 'love');
    await waitForRowCount(1, 'for search "love" again');
  });

  it('records a condition with the catalog picker and shows its risk', async () => {
    await (await rows())[0].click();
    await byTestId('person-page').waitForDisplayed();
    await click('condition-add');
    // Search by code: ICD-10 E84 is cystic fibrosis.
    await fill('condition-search', 'E84');
    const option = byTestId('condition-option');
    await option.waitForDisplayed({ timeout: 10_000 });
    await option.click();
    await browser.waitUntil(
      async () => /Cystic fibrosis/.test(await browser.execute(() => document.querySelector('[data-testid="condition-chosen"]')?.textContent ?? '')),
      { timeoutMsg: 'the picked condition is not shown' },
    );
    const status = byTestId('condition-status');
    await status.selectByAttribute('value', 'affected');
    await fill('condition-onset', '1');
    await click('condition-save');
    const conditionTexts = () =>
      browser.execute(() => [...document.querySelectorAll('[data-testid="condition-item"]')].map((e) => e.textContent));
    await browser.waitUntil(async () => (await conditionTexts()).some((t) => /Cystic fibrosis/.test(t)), {
      timeoutMsg: 'the new condition is not listed on the person page',
    });
    // The risk panel (backend: kinvault-risk) assesses it: the Mendelian row for cystic fibrosis.
    const panelOpen = await browser.execute(
      () => document.querySelector('[data-testid="risk-toggle"]')?.getAttribute('aria-expanded') === 'true',
    );
    if (!panelOpen) await click('risk-toggle');
    const cfRow = () =>
      browser.execute(() => document.querySelector('[data-testid="risk-condition"][data-condition="cystic-fibrosis"]')?.textContent ?? '');
    await browser.waitUntil(async () => /Autosomal recessive/i.test(await cfRow()), {
      timeout: 30_000,
      timeoutMsg: 'the risk panel does not show cystic fibrosis',
    });
  });

  it('locks, rejects a wrong passphrase, and unlocks with the right one', async () => {
    await click('lock-button');
    await byTestId('unlock-passphrase').waitForDisplayed();

    await fill('unlock-passphrase', 'wrong passphrase');
    await click('unlock-submit');
    const error = byTestId('unlock-error');
    await error.waitForDisplayed({ timeout: KDF_TIMEOUT });
    await browser.waitUntil(async () => /passphrase/i.test(await error.getText()), {
      timeoutMsg: 'unlock error does not mention the passphrase',
    });

    await fill('unlock-passphrase', PASSPHRASE);
    await click('unlock-submit');
    await byTestId('people-search').waitForDisplayed({ timeout: KDF_TIMEOUT });
    await waitForLovelaceRow('after unlocking');
  });

  it('imports a GEDCOM file with the import dialog and lists its people', async () => {
    // scripts/e2e.sh points the (debug build's) file picker at a Family Tree Maker export.
    await click('import-open');
    await byTestId('import-dialog').waitForDisplayed();
    await click('import-choose');
    // The path is shown cut with an ellipsis; its title holds all of it.
    await browser.waitUntil(async () => /ftm17\.ged$/.test((await byTestId('import-path').getAttribute('title')) ?? ''), {
      timeoutMsg: 'the chosen file is not shown in the import dialog',
    });
    await click('import-start');
    await byTestId('import-summary').waitForDisplayed({ timeout: 60_000 });
    const individuals = (await byTestId('import-individuals').getText()).replace(/\D/g, '');
    assert.equal(individuals, '178', 'individuals imported');
    await $('[data-testid="import-dialog"] button[aria-label="Close"]').click();
    await byTestId('import-dialog').waitForDisplayed({ reverse: true });

    await fill('people-search', 'agnan');
    await browser.waitUntil(async () => (await rowTexts()).some((t) => t.includes('Agnan')), {
      timeoutMsg: 'no row for a person from the imported file',
    });
    await fill('people-search', 'love');
    await waitForRowCount(1, 'Ada is still there after the import');
  });

  it("shows an imported person's parents in the family section", async () => {
    await openPersonRow('agnan', 'Agnan');
    await byTestId('family-section').waitForDisplayed();
    // person_families against the real vault: Agnan's parents are in the file.
    const people = () => browser.execute(() => document.querySelectorAll('[data-testid="family-person"]').length);
    await browser.waitUntil(async () => (await people()) >= 2, {
      timeout: 20_000,
      timeoutMsg: 'the family section lists fewer than two relatives',
    });
    const loadError = await browser.execute(() => document.querySelector('[data-testid="family-load-error"]')?.textContent ?? '');
    assert.equal(loadError, '', 'the family section failed to load');

    // The clinical (NSGC) pedigree drawn by the Rust backend, shown in the charts screen.
    await click('open-pedigree');
    const symbols = () => browser.execute(() => document.querySelectorAll('g.person[data-id]').length);
    await browser.waitUntil(async () => (await symbols()) >= 3, {
      timeout: 30_000,
      timeoutMsg: 'the clinical pedigree shows fewer than three people',
    });
    const status = await browser.execute(() => document.querySelector('[data-testid="pedigree-status"]')?.textContent ?? '');
    assert.match(status, /\d+ people/);
    await click('chart-close');
    await byTestId('people-search').waitForDisplayed();
  });

  it('draws the pedigree chart of an imported person', async () => {
    await openPersonRow('agnan', 'Agnan');
    await click('people-open-charts');
    await byTestId('chart-svg').waitForDisplayed({ timeout: 30_000 });
    // Agnan has parents in the file: the chart shows him and at least one of them.
    const nodes = () => browser.execute(() => document.querySelectorAll('[data-testid="chart-node"]').length);
    await browser.waitUntil(async () => (await nodes()) >= 2, {
      timeoutMsg: 'the pedigree chart shows fewer than two people',
    });
    await click('chart-close');
    await byTestId('people-search').waitForDisplayed();
    await fill('people-search', 'love');
    await waitForRowCount(1, 'back on the people list');
  });

  it('saves a screenshot of the people screen', async () => {
    const dir = process.env.E2E_SCREENSHOT_DIR ?? path.resolve('artifacts');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'people.png');
    await saveScreenshot(file);
    const bytes = fs.readFileSync(file);
    assert.ok(bytes.length > 1000, `screenshot is only ${bytes.length} bytes`);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'screenshot is not a PNG');
  });
});
