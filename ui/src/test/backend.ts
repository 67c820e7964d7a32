// A fake backend for component tests: mockIPC routes each `invoke` to a handler and records
// the call, so tests can assert the exact command names and argument shapes the UI sends.
import { afterEach, beforeEach } from 'vitest';
import { mockIPC } from '@tauri-apps/api/mocks';
import type { AddCondition } from '../bindings/AddCondition';
import type { AddGeneticTest } from '../bindings/AddGeneticTest';
import type { AppInfo } from '../bindings/AppInfo';
import type { CatalogData } from '../bindings/CatalogData';
import type { Code } from '../bindings/Code';
import type { ConditionCategory } from '../bindings/ConditionCategory';
import type { ConditionDef } from '../bindings/ConditionDef';
import type { ConditionRisk } from '../bindings/ConditionRisk';
import type { ConsanguinityReport } from '../bindings/ConsanguinityReport';
import type { CoupleRiskReport } from '../bindings/CoupleRiskReport';
import type { CriterionResult } from '../bindings/CriterionResult';
import type { Evidence } from '../bindings/Evidence';
import type { Family } from '../bindings/Family';
import type { FamilyView } from '../bindings/FamilyView';
import type { FamilyHistoryReport } from '../bindings/FamilyHistoryReport';
import type { FamilyOverview } from '../bindings/FamilyOverview';
import type { KinRelative } from '../bindings/KinRelative';
import type { RiskExplanation } from '../bindings/RiskExplanation';
import type { RiskModel } from '../bindings/RiskModel';
import type { RiskReport } from '../bindings/RiskReport';
import type { RiskRequest } from '../bindings/RiskRequest';
import type { ReportFile } from '../bindings/ReportFile';
import type { ReportFormat } from '../bindings/ReportFormat';
import type { ReportRequest } from '../bindings/ReportRequest';
import type { ParentLink } from '../bindings/ParentLink';
import type { PedigreeDrawing } from '../bindings/PedigreeDrawing';
import type { PedigreeRequest } from '../bindings/PedigreeRequest';
import type { PersonFamilies } from '../bindings/PersonFamilies';
import type { PersonRef } from '../bindings/PersonRef';
import type { PopulationFrequency } from '../bindings/PopulationFrequency';
import type { Questionnaire } from '../bindings/Questionnaire';
import type { QuestionnaireRelation } from '../bindings/QuestionnaireRelation';
import type { QuestionnaireRelative } from '../bindings/QuestionnaireRelative';
import type { QuestionnaireSaved } from '../bindings/QuestionnaireSaved';
import type { Sex } from '../bindings/Sex';
import type { SyncConflictView } from '../bindings/SyncConflictView';
import type { SyncReport } from '../bindings/SyncReport';
import type { SyncSetupRequest } from '../bindings/SyncSetupRequest';
import type { SyncStatus } from '../bindings/SyncStatus';
import type { TwinSet } from '../bindings/TwinSet';
import type { UnionKind } from '../bindings/UnionKind';
import type { PersonSummary } from '../bindings/PersonSummary';
import type { Person } from '../bindings/Person';
import type { VaultInfo } from '../bindings/VaultInfo';
import type { VaultStatus } from '../bindings/VaultStatus';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Args = any;
export type Handler = (args: Args) => unknown;
export type Call = { cmd: string; args: Args };

export function appInfo(overrides: Partial<AppInfo> = {}): AppInfo {
  return {
    version: '0.1.0',
    default_vault_path: '/home/ada/Documents/family.kinvault',
    recent_vaults: [],
    idle_lock_seconds: 300,
    ...overrides,
  };
}

export function vaultInfo(path = '/home/ada/Documents/family.kinvault', individuals = 0): VaultInfo {
  return {
    path,
    id: 'vault-1',
    stats: {
      individuals,
      families: 0,
      sources: 0,
      other_records: 0,
      conditions: 0,
      genetic_tests: 0,
      probands: 0,
      changes: 0,
      schema_version: 1,
      file_bytes: 4096,
    },
  };
}

export function lockedStatus(): VaultStatus {
  return { unlocked: false, path: null, idle_lock_seconds: 300 };
}

export function unlockedStatus(path = '/home/ada/Documents/family.kinvault'): VaultStatus {
  return { unlocked: true, path, idle_lock_seconds: 300 };
}

export function summary(i: number, overrides: Partial<PersonSummary> = {}): PersonSummary {
  return {
    id: `p${i}`,
    xref: null,
    given: `Given${i}`,
    surname: `Surname${i}`,
    display_name: `Given${i} Surname${i}`,
    sex: 'F',
    birth_year: 1800 + (i % 200),
    death_year: null,
    ...overrides,
  };
}

export function person(overrides: Partial<Person> = {}): Person {
  return {
    id: 'ada',
    xref: null,
    names: [{ kind: 'birth', given: 'Ada', surname: 'Lovelace', prefix: null, suffix: null, nickname: null }],
    sex: 'F',
    gender: null,
    events: [
      {
        kind: { type: 'birth' },
        date: {
          original: '10 DEC 1815',
          qualifier: 'exact',
          calendar: 'gregorian',
          earliest: { year: 1815, month: 12, day: 10 },
          latest: { year: 1815, month: 12, day: 10 },
          phrase: null,
        },
        place: null,
        description: null,
        citations: [],
        notes: [],
      },
    ],
    vital_status: { status: 'unknown' },
    proband: false,
    associations: [],
    conditions: [],
    genetic_tests: [],
    notes: [],
    citations: [],
    media: [],
    ...overrides,
  };
}

/** Rows [offset, offset+limit) of a synthetic list of `total` people. */
export function pageOf(total: number, offset: number, limit: number) {
  const end = Math.min(total, offset + limit);
  const items: PersonSummary[] = [];
  for (let i = offset; i < end; i++) items.push(summary(i));
  return { total, offset, items };
}

export function mockBackend(handlers: Record<string, Handler>) {
  const calls: Call[] = [];
  const all: Record<string, Handler> = {
    app_info: () => appInfo(),
    vault_status: () => lockedStatus(),
    touch: () => null,
    sync_status: () => syncStatus(),
    ...handlers,
  };
  mockIPC(
    (cmd, args) => {
      calls.push({ cmd, args });
      const handler = all[cmd];
      if (!handler) throw { kind: 'internal', message: `test backend has no handler for ${cmd}` };
      return handler(args);
    },
    { shouldMockEvents: true },
  );
  return {
    calls,
    callsTo: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
  };
}

export type Deferred<T> = { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** jsdom does no layout: give listboxes a real-looking height. */
/** Registers beforeEach/afterEach hooks that give every listbox `px` of height for the tests of
 * the calling file (the virtual list renders rows only for the height it sees). */
export function useListboxHeight(px: number): void {
  let restore: () => void = () => {};
  beforeEach(() => {
    restore = fakeListboxHeight(px);
  });
  afterEach(() => restore());
}

export function fakeListboxHeight(px: number): () => void {
  const original = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight');
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.getAttribute('role') === 'listbox' ? px : 0;
    },
  });
  return () => {
    if (original) Object.defineProperty(HTMLElement.prototype, 'clientHeight', original);
    else delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
  };
}

// ── Health: a small catalog fixture and an in-memory vault for the health commands ──────────

/** A catalog entry with the given fields; everything else empty. */
export function conditionDef(overrides: Partial<ConditionDef> & Pick<ConditionDef, 'id' | 'name'>): ConditionDef {
  return {
    synonyms: [],
    category: 'other',
    inheritance: 'multifactorial',
    genes: [],
    codes: [],
    frequencies: [],
    penetrance: [],
    mutation_rate: null,
    reproductive_fitness: null,
    test_sensitivity: null,
    lifetime_risk: [],
    premature_onset: [],
    references: [],
    notes: null,
    user_defined: false,
    ...overrides,
  };
}

function frequency(population: string, label: string, carrier: number, ref: string): PopulationFrequency {
  const q = (1 - Math.sqrt(1 - 2 * carrier)) / 2;
  return {
    population,
    label,
    given: 'carrier_frequency',
    as_reported: null,
    allele_frequency: q,
    carrier_frequency: carrier,
    homozygote_frequency: null,
    affected_frequency: null,
    detection_rate: null,
    ref,
    note: null,
  };
}

function common(id: string, name: string, category: ConditionCategory, snomed: string, icd10: string): ConditionDef {
  return conditionDef({
    id,
    name,
    category,
    codes: [
      { system: 'snomed', code: snomed, display: name },
      { system: 'icd10', code: icd10, display: name },
    ],
    lifetime_risk: [
      { population: 'united_states', label: 'United States', sex: 'any', value: 0.1, from_age: null, to_age: null, ref: 'seer', note: null },
    ],
    references: [{ id: 'seer', citation: 'SEER Cancer Stat Facts.', year: 2017, url: null }],
  });
}

/** A few real catalog entries (codes as in crates/catalog/data/conditions.toml). */
export const CATALOG_FIXTURE: ConditionDef[] = [
  conditionDef({
    id: 'cystic-fibrosis',
    name: 'Cystic fibrosis',
    synonyms: ['CF', 'mucoviscidosis'],
    category: 'respiratory',
    inheritance: 'autosomal_recessive',
    genes: ['CFTR'],
    codes: [
      { system: 'snomed', code: '190905008', display: 'Cystic fibrosis' },
      { system: 'icd10', code: 'E84', display: 'Cystic fibrosis' },
      { system: 'omim', code: '219700', display: 'Cystic fibrosis' },
      { system: 'mondo', code: 'MONDO:0009061', display: 'cystic fibrosis' },
    ],
    frequencies: [
      frequency('european', 'Non-Hispanic white (United States)', 0.04, 'acog2011'),
      frequency('ashkenazi_jewish', 'Ashkenazi Jewish', 0.0416667, 'acog2011'),
      frequency('hispanic', 'Hispanic white (United States)', 0.0172414, 'acog2011'),
    ],
    penetrance: [{ outcome: null, female: 1, male: 1, ref: 'acog2011', female_ref: null, male_ref: null, note: null }],
    references: [{ id: 'acog2011', citation: 'ACOG Committee Opinion No. 486.', year: 2011, url: null }],
  }),
  conditionDef({
    id: 'brca1-associated-cancer',
    name: 'BRCA1-associated hereditary breast and ovarian cancer',
    category: 'cancer',
    inheritance: 'autosomal_dominant',
    genes: ['BRCA1'],
    codes: [
      { system: 'snomed', code: '718220008', display: 'Hereditary breast and ovarian cancer syndrome' },
      { system: 'omim', code: '604370', display: 'Breast-ovarian cancer, familial, 1' },
    ],
    frequencies: [
      frequency('general', 'General population', 0.0013, 'peto1999'),
      frequency('ashkenazi_jewish', 'Ashkenazi Jewish', 0.0125, 'roa1996'),
    ],
    penetrance: [{ outcome: null, female: 0.72, male: 0.01, ref: 'peto1999', female_ref: null, male_ref: null, note: null }],
    references: [
      { id: 'peto1999', citation: 'Peto J et al. 1999.', year: 1999, url: null },
      { id: 'roa1996', citation: 'Roa BB et al. 1996.', year: 1996, url: null },
    ],
  }),
  common('coronary-heart-disease', 'Coronary heart disease', 'cardiovascular', '53741008', 'I25'),
  common('stroke', 'Stroke', 'cardiovascular', '230690007', 'I64'),
  common('type-2-diabetes', 'Type 2 diabetes', 'metabolic', '44054006', 'E11'),
  common('breast-cancer', 'Breast cancer', 'cancer', '254837009', 'C50'),
  common('ovarian-cancer', 'Ovarian cancer', 'cancer', '363443007', 'C56'),
  common('colorectal-cancer', 'Colorectal cancer', 'cancer', '363406005', 'C18'),
  common('prostate-cancer', 'Prostate cancer', 'cancer', '399068003', 'C61'),
  common('endometrial-cancer', 'Endometrial cancer', 'cancer', '254878006', 'C54.1'),
];

const words = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
const codeForm = (s: string) => s.trim().toUpperCase().replace(/\s+/g, '');

/** Like Catalog::search: code, ICD-10 parent, exact name, gene, word start, substring. */
export function searchConditions(defs: ConditionDef[], query: string): ConditionDef[] {
  const q = words(query);
  if (!q) return [];
  const code = codeForm(query);
  const icdParent = code.includes('.') ? code.split('.')[0] : null;
  const tiers: ConditionDef[][] = [[], [], [], [], [], []];
  for (const d of defs) {
    const names = [d.name, ...d.synonyms].map(words);
    const tier = d.codes.some((c) => codeForm(c.code) === code)
      ? 0
      : icdParent && d.codes.some((c) => c.system === 'icd10' && codeForm(c.code) === icdParent)
        ? 1
        : [words(d.id), ...names].includes(q)
          ? 2
          : d.genes.some((g) => g.toUpperCase() === code)
            ? 3
            : names.some((n) => n.startsWith(q) || n.includes(` ${q}`))
              ? 4
              : [words(d.id), ...names].some((n) => n.includes(q))
                ? 5
                : -1;
    if (tier >= 0) tiers[tier].push(d);
  }
  return tiers.flat();
}

/** The code an observation is stored with (first SNOMED CT, else ICD-10..., else the id). */
export function primaryCode(def: ConditionDef): Code {
  for (const system of ['snomed', 'icd10', 'omim', 'mondo'] as const) {
    const c = def.codes.find((x) => x.system === system);
    if (c) return c;
  }
  return { system: 'kinvault', code: def.id, display: def.name };
}

/**
 * A family of the in-memory vault: partners and children by id, and optionally what a Family
 * records besides (non-birth links by child, union kind, twin sets, consanguinity).
 */
export type FakeFamily = {
  id: string;
  partners: string[];
  children: string[];
  links?: Record<string, ParentLink[]>;
  kind?: UnionKind;
  twins?: TwinSet[];
  consanguineous?: boolean;
};

/** A fake family as the backend sends a Family. */
export function familyOf(f: FakeFamily): Family {
  return {
    id: f.id,
    xref: null,
    partners: [...f.partners],
    children: f.children.map((person) => ({ person, links: structuredClone(f.links?.[person] ?? []) })),
    kind: f.kind ?? 'unknown',
    events: [],
    twins: structuredClone(f.twins ?? []),
    consanguineous: f.consanguineous ?? false,
    notes: [],
    citations: [],
  };
}

function fakeFamily(f: Family): FakeFamily {
  const links: Record<string, ParentLink[]> = {};
  for (const c of f.children) if (c.links.length) links[c.person] = structuredClone(c.links);
  return {
    id: f.id,
    partners: [...f.partners],
    children: f.children.map((c) => c.person),
    links,
    kind: f.kind,
    twins: structuredClone(f.twins),
    consanguineous: f.consanguineous,
  };
}

/** A person as graph results show them (PersonRef), from the in-memory record. */
export function refOf(p: Person): PersonRef {
  const year = (type: 'birth' | 'death') => p.events.find((e) => e.kind.type === type)?.date?.earliest?.year ?? null;
  return { id: p.id, xref: p.xref, display_name: nameOf(p), sex: p.sex, birth_year: year('birth'), death_year: year('death') };
}

const invalid = (message: string) => ({ kind: 'invalid_input', message });

// ── Sync (sync_status, sync_setup, sync_now, sync_join_code, sync_leave, sync_conflicts,
//    resolve_sync_conflict): fixtures shaped like crates/api/src/sync.rs and an in-memory fake ──

export const SYNC_ACCOUNT = '0b6f3c52-5a7e-4d0e-9a51-3f0c2f1e8a11';
export const SYNC_DEVICE = '7d2c9e40-1b3a-4f6d-8e2f-5c4b3a291807';
/** A join code as crates/sync prints it: KVSYNC1- and 96 hex digits. */
export const JOIN_CODE = `KVSYNC1-${'0123456789abcdef'.repeat(6)}`;

/** Sync status: off unless overridden (what a vault answers before sync is turned on). */
export function syncStatus(overrides: Partial<SyncStatus> = {}): SyncStatus {
  return {
    enabled: false,
    server: null,
    account_id: null,
    device_id: null,
    last_sync_at: null,
    last_error: null,
    outbox: 0,
    unresolved_conflicts: 0,
    batches_pushed: 0,
    cursor: 0,
    ...overrides,
  };
}

/** Sync status of a vault that syncs with `server`. */
export function syncOn(server = 'https://sync.example.org', overrides: Partial<SyncStatus> = {}): SyncStatus {
  return syncStatus({ enabled: true, server, account_id: SYNC_ACCOUNT, device_id: SYNC_DEVICE, ...overrides });
}

export function syncReport(overrides: Partial<SyncReport> = {}): SyncReport {
  return {
    pulled_batches: 0,
    applied_changes: 0,
    pushed_batches: 0,
    pushed_changes: 0,
    new_conflicts: 0,
    rejected_replays: 0,
    snapshot_uploaded: false,
    snapshot_applied: false,
    ...overrides,
  };
}

/** A conflict to review: by default both versions of a person's notes were kept. */
export function syncConflict(id: number, overrides: Partial<SyncConflictView> = {}): SyncConflictView {
  return {
    id,
    at: 1_700_000_000_000 + id,
    entity: 'person',
    entity_id: `p${id}`,
    label: `Given${id} Surname${id}`,
    field: 'notes',
    kind: 'kept-both',
    explanation:
      'The notes were edited on this device and on another at the same time; both versions are kept. Remove the one that is wrong.',
    local: JSON.stringify({ notes: [`here ${id}`] }),
    remote: JSON.stringify({ notes: [`there ${id}`] }),
    ...overrides,
  };
}

/**
 * An in-memory sync for one vault, checking what the backend checks: the server address, the
 * join code's shape, set-up only once, sync only when on. `conflicts`: open before any sync;
 * `arriving`: conflicts the next sync brings; `reports`: what successive syncs answer (the last
 * repeats). Set `state.failNext` to make the next setup fail (nothing set up) or the next
 * sync_now fail (recorded as last_error, as the backend does).
 */
export function syncBackend(
  initial: { status?: SyncStatus; conflicts?: SyncConflictView[]; reports?: SyncReport[]; arriving?: SyncConflictView[] } = {},
) {
  const state = {
    status: structuredClone(initial.status ?? syncStatus()),
    conflicts: structuredClone(initial.conflicts ?? []).map((c) => ({ ...c, resolved: false })),
    arriving: structuredClone(initial.arriving ?? []),
    reports: structuredClone(initial.reports ?? [syncReport()]),
    syncs: 0,
    now: 1_700_000_100_000,
    failNext: null as null | { kind: string; message: string },
    /** Makes the next sync fail but not the setup before it (the account is created). */
    failNextSync: null as null | { kind: string; message: string },
  };
  const open = () => state.conflicts.filter((c) => !c.resolved);
  const view = ({ resolved, ...c }: SyncConflictView & { resolved: boolean }): SyncConflictView => {
    void resolved;
    return structuredClone(c);
  };
  const runSync = (): SyncReport => {
    if (state.failNext || state.failNextSync) {
      const e = (state.failNext ?? state.failNextSync)!;
      state.failNext = state.failNextSync = null;
      state.status.last_error = e.message;
      throw e;
    }
    const report = structuredClone(state.reports[Math.min(state.syncs, state.reports.length - 1)]);
    state.syncs++;
    const arrived = state.arriving.splice(0);
    state.conflicts.push(...arrived.map((c) => ({ ...c, resolved: false })));
    report.new_conflicts = Math.max(report.new_conflicts, arrived.length);
    state.status.outbox = 0;
    state.status.batches_pushed += report.pushed_batches;
    state.status.last_sync_at = (state.now += 60_000);
    state.status.last_error = null;
    state.status.unresolved_conflicts = open().length;
    return report;
  };
  const handlers: Record<string, Handler> = {
    sync_status: () => ({ ...structuredClone(state.status), unresolved_conflicts: state.status.enabled ? open().length : 0 }),
    sync_setup: ({ req }: { req: SyncSetupRequest }) => {
      if (state.status.enabled) {
        throw { kind: 'already_exists', message: `this vault already syncs with account ${state.status.account_id}; it cannot join or create another` };
      }
      const server = req.server.trim();
      if (!/^https?:\/\//.test(server)) {
        throw invalid(`server address ${JSON.stringify(req.server)} must start with https:// (plain http:// only for a server on this machine: localhost, 127.0.0.1 or [::1])`);
      }
      const code = req.join_code?.trim() || null;
      if (code !== null && !/^KVSYNC1-[0-9a-f]{96}$/i.test(code)) {
        throw invalid('not a valid join code (it starts with KVSYNC1- and has 96 hex digits after it)');
      }
      if (state.failNext) {
        // The server could not be reached to create or join: nothing is set up.
        const e = state.failNext;
        state.failNext = null;
        throw e;
      }
      state.status = syncOn(server.replace(/\/+$/, ''));
      const join_code = code === null ? JOIN_CODE : null;
      try {
        return { join_code, report: runSync(), sync_error: null };
      } catch (e) {
        // As the backend: the account exists; the first sync's failure is reported beside the code.
        return { join_code, report: null, sync_error: (e as { message: string }).message };
      }
    },
    sync_now: () => {
      if (!state.status.enabled) {
        throw { kind: 'not_found', message: 'sync is not set up for this vault (give a server address to create or join an account)' };
      }
      return runSync();
    },
    sync_join_code: () => {
      if (!state.status.enabled) throw { kind: 'not_found', message: 'sync is not set up for this vault' };
      return JOIN_CODE;
    },
    sync_leave: () => {
      // As clear_sync_state: settings, keys and outbox go; the conflicts kept for review stay.
      state.status = syncStatus();
      return null;
    },
    sync_conflicts: ({ includeResolved }: { includeResolved: boolean }) =>
      (includeResolved ? state.conflicts : open()).map(view),
    resolve_sync_conflict: ({ id }: { id: number }) => {
      const c = open().find((x) => x.id === id);
      if (!c) throw { kind: 'not_found', message: `no open sync conflict ${id}` };
      c.resolved = true;
      return null;
    },
  };
  return { state, handlers };
}

// ── Clinical pedigree drawing and clinician report (pedigree_drawing, clinician_report) ──────

/** A person as the fake drawing draws them; `generation` 0 is the top row. */
export type DrawnPerson = {
  id: string;
  name: string;
  sex: Sex;
  generation: number;
  /** Catalog ids of the shaded conditions they are affected by. */
  affected?: string[];
  deceased?: boolean;
  proband?: boolean;
};

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII', 'XIII'];
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A small SVG shaped like crates/drawing's (svg.rs): a `<g class="person" data-id=…
 * data-number=…>` per person with a <title> tooltip and a symbol, generation numerals, a
 * legend; names only when `names`. The individual numbers ("II-1") by id.
 */
export function pedigreeSvg(
  people: DrawnPerson[],
  shaded: Array<{ id: string; label: string }>,
  names: boolean,
): { svg: string; numbers: Record<string, string> } {
  const rows = [...new Set(people.map((p) => p.generation))].sort((a, b) => a - b);
  const numbers: Record<string, string> = {};
  const width = 80 + 90 * Math.max(1, ...rows.map((g) => people.filter((p) => p.generation === g).length));
  const height = 60 + 90 * rows.length + 20 * shaded.length;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" class="pedigree" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="Helvetica, Arial, sans-serif" font-size="11" role="img">`,
    '<title>Pedigree</title>',
    '<defs><clipPath id="ped-clip-square"><rect x="-10" y="-10" width="20" height="20"/></clipPath></defs>',
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    '<g class="generations" font-size="13" font-weight="bold">',
    ...rows.map((g, r) => `<text class="generation" data-generation="${r + 1}" x="20" y="${64 + 90 * r}">${ROMAN[r]}</text>`),
    '</g>',
    '<g class="people">',
  ];
  rows.forEach((g, r) => {
    people
      .filter((p) => p.generation === g)
      .forEach((p, i) => {
        const number = `${ROMAN[r]}-${i + 1}`;
        numbers[p.id] = number;
        const fill = p.affected?.length ? '#000' : '#fff';
        const symbol =
          p.sex === 'M'
            ? `<rect class="symbol" x="-10" y="-10" width="20" height="20" fill="${fill}" stroke="#000" stroke-width="1.6"/>`
            : p.sex === 'F'
              ? `<circle class="symbol" cx="0" cy="0" r="10" fill="${fill}" stroke="#000" stroke-width="1.6"/>`
              : `<path class="symbol" d="M0 -11 L11 0 L0 11 L-11 0 Z" fill="${fill}" stroke="#000" stroke-width="1.6"/>`;
        const attrs = [
          `data-id="${xml(p.id)}"`,
          `data-number="${number}"`,
          `data-sex="${p.sex}"`,
          p.affected?.length ? `data-affected="${xml(p.affected.join(' '))}"` : '',
          p.deceased ? 'data-deceased="true"' : '',
          p.proband ? 'data-proband="true"' : '',
        ].filter(Boolean);
        parts.push(
          `<g class="person" ${attrs.join(' ')} transform="translate(${80 + 90 * i} ${60 + 90 * r})">`,
          `<title>${xml(names && p.name ? `${number} ${p.name}` : number)}</title>`,
          symbol,
          p.deceased ? '<line class="deceased" x1="-14" y1="14" x2="14" y2="-14" stroke="#000" stroke-width="1.6"/>' : '',
          `<text class="label number" x="0" y="24" text-anchor="middle">${number}</text>`,
          names && p.name ? `<text class="label name" x="0" y="37" text-anchor="middle">${xml(p.name)}</text>` : '',
          '</g>',
        );
      });
  });
  parts.push('</g>', '<g class="legend">');
  shaded.forEach((c, i) => {
    parts.push(
      `<g class="legend-entry" data-kind="condition" data-condition="${xml(c.id)}" transform="translate(30 ${40 + 90 * rows.length + 20 * i})">`,
      '<rect x="-6" y="-6" width="12" height="12" fill="#000"/>',
      `<text x="14" y="4">${xml(c.label)}</text></g>`,
    );
  });
  parts.push('</g>', '</svg>\n');
  return { svg: parts.join(''), numbers };
}

/** The answer of pedigree_drawing for these people and shaded conditions. */
export function pedigreeDrawingOf(
  people: DrawnPerson[],
  unions: number,
  shaded: Array<{ id: string; label: string }>,
  names = true,
  truncated = false,
): PedigreeDrawing {
  const { svg, numbers } = pedigreeSvg(people, shaded, names);
  return { svg, people: people.length, unions, conditions: shaded.map((c) => c.id), truncated, numbers };
}

/** The first bytes of a PDF file, and an HTML page: what clinician_report sends, base64-encoded. */
export const FAKE_PDF = '%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n';
export const FAKE_HTML = '<!DOCTYPE html><html lang="en"><head><title>Family report</title></head><body></body></html>\n';

/** The answer of clinician_report (file name as src-tauri names it). */
export function reportFileOf(format: ReportFormat): ReportFile {
  return { file_name: `family-report.${format}`, base64: btoa(format === 'pdf' ? FAKE_PDF : FAKE_HTML) };
}
const RELATION_ORDER: QuestionnaireRelation[] = [
  'proband',
  'mother',
  'father',
  'sibling',
  'child',
  'maternal_grandmother',
  'maternal_grandfather',
  'paternal_grandmother',
  'paternal_grandfather',
  'maternal_aunt_or_uncle',
  'paternal_aunt_or_uncle',
];

function relationWords(relation: QuestionnaireRelation, sex: Sex): string {
  const f = sex === 'F';
  const m = sex === 'M';
  const table: Record<QuestionnaireRelation, string> = {
    proband: 'Proband',
    mother: 'Mother',
    father: 'Father',
    sibling: f ? 'Sister' : m ? 'Brother' : 'Sibling',
    child: f ? 'Daughter' : m ? 'Son' : 'Child',
    maternal_grandmother: 'Maternal grandmother',
    maternal_grandfather: 'Maternal grandfather',
    paternal_grandmother: 'Paternal grandmother',
    paternal_grandfather: 'Paternal grandfather',
    maternal_aunt_or_uncle: f ? 'Maternal aunt' : m ? 'Maternal uncle' : "Mother's sibling",
    paternal_aunt_or_uncle: f ? 'Paternal aunt' : m ? 'Paternal uncle' : "Father's sibling",
  };
  return table[relation];
}

function nameOf(p: Person): string {
  const n = p.names[0];
  return [n?.given, n?.surname].filter((s) => s && s.trim()).join(' ');
}

function checkAge(what: string, a: number | null) {
  if (a !== null && (!Number.isFinite(a) || a < 0 || a > 130)) {
    throw invalid(`${what} ${a} is not an age in years between 0 and 130`);
  }
}

/**
 * An in-memory vault for the health commands: people, families (partners and children), the
 * user's own conditions over CATALOG_FIXTURE. Refused writes change nothing, as in the backend.
 */
export function healthBackend(initial: Person[], families: FakeFamily[] = [], risk: RiskFixtures = {}) {
  const store = {
    people: new Map(initial.map((p) => [p.id, structuredClone(p)])),
    families: structuredClone(families),
    userConditions: [] as ConditionDef[],
  };
  let counter = 0;
  let riskCalls = 0;
  const newId = (prefix: string) => `${prefix}-${++counter}`;
  const defs = () => [...CATALOG_FIXTURE, ...store.userConditions];
  const getDef = (id: string) => defs().find((d) => d.id === id);
  const load = (id: string): Person => {
    const p = store.people.get(id);
    if (!p) throw { kind: 'not_found', message: `person ${id} is not in this vault` };
    return structuredClone(p);
  };
  const conditionId = (id: string) => {
    const def = getDef(id.trim());
    if (!def) throw invalid(`${JSON.stringify(id)} is not a condition id in the catalog.`);
    return def;
  };
  const link = (code: Code | null, label: string) =>
    defs().find((d) => (code ? primaryCode(d).code === code.code || (code.system === 'kinvault' && d.id === code.code) : false))
      ?.id ?? defs().find((d) => d.name === label)?.id ?? null;

  function birthFamily(people: Map<string, Person>, fams: FakeFamily[], id: string) {
    void people;
    return fams.find((f) => f.children.includes(id)) ?? null;
  }

  function parentsOf(people: Map<string, Person>, f: FakeFamily) {
    let mother: Person | null = null;
    let father: Person | null = null;
    const unknown: Person[] = [];
    for (const id of f.partners) {
      const p = people.get(id);
      if (!p) continue;
      if (p.sex === 'F' && !mother) mother = p;
      else if (p.sex === 'M' && !father) father = p;
      else unknown.push(p);
    }
    for (const p of unknown) {
      if (!mother) mother = p;
      else if (!father) father = p;
    }
    return { mother, father };
  }

  function entry(p: Person, relation: QuestionnaireRelation): QuestionnaireRelative {
    const vs = p.vital_status;
    return {
      person: p.id,
      relation,
      name: nameOf(p),
      sex: p.sex,
      alive: vs.status === 'alive' ? true : vs.status === 'deceased' ? false : null,
      age: vs.status === 'unknown' ? null : vs.age,
      cause_of_death: vs.status === 'deceased' ? vs.cause : null,
      recorded: p.conditions.map((o) => ({
        condition: link(o.code, o.label),
        label: o.label,
        status: o.status,
        onset_age: o.onset?.min ?? null,
      })),
      add: [],
    };
  }

  function questionnaire(probandId: string): Questionnaire {
    const { people, families: fams } = store;
    const proband = people.get(probandId);
    if (!proband) throw { kind: 'not_found', message: `no person with id or xref "${probandId}" in this vault` };
    const rel: QuestionnaireRelative[] = [entry(proband, 'proband')];
    const birth = birthFamily(people, fams, probandId);
    const { mother, father } = birth ? parentsOf(people, birth) : { mother: null, father: null };
    if (mother) rel.push(entry(mother, 'mother'));
    if (father) rel.push(entry(father, 'father'));
    for (const c of birth?.children ?? []) if (c !== probandId && people.get(c)) rel.push(entry(people.get(c)!, 'sibling'));
    for (const f of fams.filter((f) => f.partners.includes(probandId))) {
      for (const c of f.children) if (people.get(c)) rel.push(entry(people.get(c)!, 'child'));
    }
    const sides = [
      [mother, 'maternal_grandmother', 'maternal_grandfather', 'maternal_aunt_or_uncle'],
      [father, 'paternal_grandmother', 'paternal_grandfather', 'paternal_aunt_or_uncle'],
    ] as const;
    for (const [parent, gm, gf, au] of sides) {
      if (!parent) continue;
      const fam = birthFamily(people, fams, parent.id);
      if (!fam) continue;
      const gp = parentsOf(people, fam);
      if (gp.mother) rel.push(entry(gp.mother, gm));
      if (gp.father) rel.push(entry(gp.father, gf));
      for (const c of fam.children) if (c !== parent.id && people.get(c)) rel.push(entry(people.get(c)!, au));
    }
    return { proband: probandId, relatives: rel };
  }

  function saveQuestionnaire(q: Questionnaire): QuestionnaireSaved {
    // Work on copies; commit only when everything passed.
    const people = new Map([...store.people].map(([k, v]) => [k, structuredClone(v)]));
    const fams: FakeFamily[] = structuredClone(store.families);
    const before = JSON.stringify(store.families);
    const probandId = q.proband;
    if (!people.has(probandId)) throw { kind: 'not_found', message: `no person "${probandId}"` };
    const created: string[] = [];
    const touched = new Set<string>();
    let conditions = 0;
    const newPerson = (name: string, relation: QuestionnaireRelation, sex: Sex) => {
      const display = name.trim() || relationWords(relation, sex);
      const cut = name.trim() ? display.lastIndexOf(' ') : -1;
      const [given, surname] = cut > 0 ? [display.slice(0, cut), display.slice(cut + 1)] : [display, ''];
      const p = person({
        id: newId('rel'),
        names: [{ kind: 'birth', given, surname, prefix: null, suffix: null, nickname: null }],
        sex,
        events: [],
      });
      people.set(p.id, p);
      created.push(p.id);
      return p.id;
    };
    const family = (f: FakeFamily) => {
      fams.push(f);
      return f;
    };
    const birthOf = (id: string) => fams.find((f) => f.children.includes(id)) ?? null;
    const probandBirth = () => birthOf(probandId) ?? family({ id: newId('fam'), partners: [], children: [probandId] });
    const parent = (mother: boolean): string => {
      const b = birthOf(probandId);
      const found = b ? parentsOf(people, b)[mother ? 'mother' : 'father'] : null;
      if (found) return found.id;
      const id = newPerson('', mother ? 'mother' : 'father', mother ? 'F' : 'M');
      probandBirth().partners.push(id);
      return id;
    };
    const parentBirth = (mother: boolean) => {
      const p = parent(mother);
      return birthOf(p) ?? family({ id: newId('fam'), partners: [], children: [p] });
    };
    // Like the backend: a sibling gets both parents and an aunt/uncle both grandparents
    // (placeholders named by their relation), so they are blood relatives in the graph.
    const siblingFamily = () => {
      parent(true);
      parent(false);
      return probandBirth();
    };
    const parentSiblingFamily = (maternal: boolean) => {
      const fam = parentBirth(maternal);
      const side = maternal ? 'maternal' : 'paternal';
      for (const [sex, relation] of [
        ['F', `${side}_grandmother`],
        ['M', `${side}_grandfather`],
      ] as const) {
        if (!fam.partners.some((p) => people.get(p)?.sex === sex)) fam.partners.push(newPerson('', relation, sex));
      }
      return fam;
    };
    const sorted = [...q.relatives].sort((a, b) => RELATION_ORDER.indexOf(a.relation) - RELATION_ORDER.indexOf(b.relation));
    for (const r of sorted) {
      const label = relationWords(r.relation, r.sex);
      const who = r.name.trim() ? `${label.toLowerCase()} (${r.name.trim()})` : label;
      checkAge(`${who}: age:`, r.age);
      let id: string;
      if (r.person) {
        if (!people.has(r.person)) throw { kind: 'not_found', message: `no person "${r.person}"` };
        id = r.person;
      } else if (r.relation === 'proband') {
        throw invalid('the proband entry must name the proband');
      } else if (r.relation === 'mother' || r.relation === 'father') {
        const b = birthOf(probandId);
        if (b && parentsOf(people, b)[r.relation]) {
          throw invalid(`the proband already has a ${r.relation} recorded: edit that entry instead of adding one`);
        }
        id = newPerson(r.name, r.relation, r.relation === 'mother' ? 'F' : 'M');
        probandBirth().partners.push(id);
      } else if (r.relation === 'sibling' || r.relation === 'child' || r.relation.endsWith('aunt_or_uncle')) {
        const fam =
          r.relation === 'sibling'
            ? siblingFamily()
            : r.relation === 'child'
              ? (fams.find((f) => f.partners.includes(probandId)) ?? family({ id: newId('fam'), partners: [probandId], children: [] }))
              : parentSiblingFamily(r.relation === 'maternal_aunt_or_uncle');
        id = newPerson(r.name, r.relation, r.sex);
        fam.children.push(id);
      } else {
        const sex: Sex = r.relation.endsWith('grandmother') ? 'F' : 'M';
        const fam = parentBirth(r.relation.startsWith('maternal'));
        if (fam.partners.some((p) => people.get(p)?.sex === sex)) {
          throw invalid(`the proband already has a ${label.toLowerCase()} recorded: edit that entry instead of adding one`);
        }
        id = newPerson(r.name, r.relation, sex);
        fam.partners.push(id);
      }
      const p = people.get(id)!;
      const was = JSON.stringify(p);
      if (r.alive === true) p.vital_status = { status: 'alive', age: r.age };
      else if (r.alive === false) {
        const date = p.vital_status.status === 'deceased' ? p.vital_status.date : null;
        p.vital_status = { status: 'deceased', age: r.age, date, cause: r.cause_of_death?.trim() || null };
      }
      r.add.forEach((c, j) => {
        const def = getDef(c.condition.trim());
        if (!def) throw invalid(`${who}, condition ${j + 1}: ${JSON.stringify(c.condition)} is not a condition id in the catalog.`);
        checkAge(`${who}: onset of ${def.name}:`, c.onset_age);
        if (c.onset_age !== null && r.age !== null && c.onset_age > r.age) {
          throw invalid(`${who}: onset of ${def.name} at ${c.onset_age} is after their age ${r.age}`);
        }
        p.conditions.push({
          id: newId('obs'),
          code: primaryCode(def),
          label: def.name,
          status: 'affected',
          onset: c.onset_age === null ? null : { min: c.onset_age, max: c.onset_age },
          certainty: 'unknown',
          provenance: { kind: r.relation === 'proband' ? 'self_reported' : 'reported_by_relative' },
          note: null,
        });
        conditions++;
      });
      if (!created.includes(id) && JSON.stringify(p) !== was) touched.add(id);
    }
    store.people = people;
    store.families = fams;
    return {
      people_created: created.length,
      people_updated: touched.size,
      families_changed: before === JSON.stringify(fams) ? 0 : 1,
      conditions_added: conditions,
      questionnaire: questionnaire(probandId),
    };
  }

  function validateUserCondition(def: ConditionDef) {
    const problems: string[] = [];
    const err = (field: string, message: string) => problems.push(`${def.id}: ${field}: ${message}`);
    if (CATALOG_FIXTURE.some((d) => d.id === def.id)) err('id', `\`${def.id}\` is already a built-in condition; choose another id`);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(def.id)) err('id', `\`${def.id}\` is not a slug`);
    if (!def.name.trim()) err('name', 'must not be empty');
    const refs = new Set(def.references.map((r) => r.id));
    def.frequencies.forEach((f, i) => {
      const q = f.allele_frequency;
      if (!(q >= 0 && q <= 1)) err(`frequencies[${i}].allele_frequency`, `${q} is outside [0, 1]`);
      else if (f.carrier_frequency !== null && Math.abs(f.carrier_frequency - 2 * q * (1 - q)) > 1e-3 * f.carrier_frequency) {
        err(`frequencies[${i}].carrier_frequency`, `${f.carrier_frequency} is not 2q(1−q) for allele_frequency ${q} (Hardy–Weinberg)`);
      }
      if (!refs.has(f.ref)) err(`frequencies[${i}].ref`, `reference \`${f.ref}\` is not in this entry's references`);
    });
    def.penetrance.forEach((p, i) => {
      if (!refs.has(p.ref)) err(`penetrance[${i}].ref`, `reference \`${p.ref}\` is not in this entry's references`);
    });
    def.references.forEach((r, i) => {
      if (!r.citation.trim()) err(`references[${i}].citation`, 'must not be empty');
    });
    if (problems.length) throw invalid(`the condition cannot be added: ${problems.join('; ')}`);
  }

  // ── Families (person_families, save_family, delete_family) ──

  function familyView(f: FakeFamily): FamilyView {
    const ids = [...f.partners, ...f.children];
    const people = ids.flatMap((id) => {
      const p = store.people.get(id);
      return p ? [refOf(p)] : [];
    });
    return { family: familyOf(f), people };
  }

  function personFamilies(id: string): PersonFamilies {
    const p = load(id);
    return {
      person: refOf(p),
      as_child: store.families.filter((f) => f.children.includes(p.id)).map(familyView),
      as_partner: store.families.filter((f) => f.partners.includes(p.id)).map(familyView),
    };
  }

  /** Like graph::check_family: the links the family adds must not make anyone their own ancestor. */
  function checkFamily(family: Family) {
    const parentsOf = new Map<string, Set<string>>();
    const link = (child: string, parent: string) => {
      const set = parentsOf.get(child) ?? new Set<string>();
      set.add(parent);
      parentsOf.set(child, set);
    };
    // The vault's links as they are (the family's old version included, as in the backend's graph).
    for (const f of store.families.map(familyOf)) {
      for (const c of f.children) for (const parent of [...f.partners, ...c.links.map((l) => l.parent)]) link(c.person, parent);
    }
    const added = new Map<string, string[]>();
    for (const c of family.children) {
      const parents = [...new Set([...family.partners, ...c.links.map((l) => l.parent)])];
      added.set(c.person, parents);
      for (const parent of parents) link(c.person, parent);
    }
    for (const [child, parents] of added) {
      const seen = new Set<string>();
      const stack = [...parents];
      while (stack.length) {
        const x = stack.pop()!;
        if (x === child) {
          throw invalid(`this family would make ${child} their own ancestor; check who is parent and who is child`);
        }
        if (seen.has(x)) continue;
        seen.add(x);
        stack.push(...(parentsOf.get(x) ?? []));
      }
    }
  }

  function saveFamily(family: Family): Family {
    for (const id of [...family.partners, ...family.children.map((c) => c.person)]) {
      if (!store.people.has(id)) throw { kind: 'not_found', message: `person ${id} is not in this vault` };
    }
    checkFamily(family);
    const saved = fakeFamily(family);
    const i = store.families.findIndex((f) => f.id === family.id);
    if (i >= 0) store.families[i] = saved;
    else store.families.push(saved);
    return familyOf(saved);
  }

  const handlers: Record<string, Handler> = {
    person_families: ({ person: id }) => personFamilies(id),
    save_family: ({ family }: { family: Family }) => saveFamily(structuredClone(family)),
    delete_family: ({ id }) => {
      const i = store.families.findIndex((f) => f.id === id);
      if (i < 0) throw { kind: 'not_found', message: `family ${id} is not in this vault` };
      store.families.splice(i, 1);
      return null;
    },
    find_person_ref: ({ reference }) => {
      const p = store.people.get(reference) ?? [...store.people.values()].find((q) => q.xref === reference);
      if (!p) throw { kind: 'not_found', message: `no person with id or xref "${reference}" in this vault` };
      return refOf(p);
    },
    vault_info: () => vaultInfo(undefined, store.people.size),
    list_people: ({ query }) => {
      const q = (query.search ?? '').toLowerCase();
      const all = [...store.people.values()]
        .filter((p) => nameOf(p).toLowerCase().includes(q))
        .map((p, i) =>
          summary(i, {
            id: p.id,
            given: p.names[0]?.given ?? '',
            surname: p.names[0]?.surname ?? '',
            display_name: nameOf(p),
            sex: p.sex,
            birth_year: null,
          }),
        );
      return { total: all.length, offset: query.offset, items: all.slice(query.offset, query.offset + query.limit) };
    },
    get_person: ({ id }) => load(id),
    update_person: ({ person: p }) => {
      load(p.id);
      store.people.set(p.id, structuredClone(p));
      return structuredClone(p);
    },
    catalog: (): CatalogData => ({ version: 1, released: '2026-11-25', condition: defs(), criterion: [] }),
    search_catalog: ({ query }) => searchConditions(defs(), query),
    add_condition: ({ person: id, req }: { person: string; req: AddCondition }) => {
      const def = conditionId(req.condition);
      checkAge('onset age', req.onset_age);
      checkAge('age', req.age);
      if (req.onset_age !== null && req.status !== 'affected') throw invalid('an onset age goes with status affected only');
      if (req.onset_age !== null && req.age !== null && req.onset_age > req.age) {
        throw invalid(`onset age ${req.onset_age} is after the age at observation ${req.age}`);
      }
      const p = load(id);
      if (req.age !== null) {
        const vs = p.vital_status;
        if (vs.status === 'alive') vs.age = Math.max(vs.age ?? req.age, req.age);
        else if (vs.status === 'unknown') p.vital_status = { status: 'alive', age: req.age };
      }
      const notes = [req.note?.trim(), req.age !== null ? `status as of age ${req.age}` : null].filter(Boolean);
      p.conditions.push({
        id: newId('obs'),
        code: primaryCode(def),
        label: def.name,
        status: req.status,
        onset: req.onset_age === null ? null : { min: req.onset_age, max: req.onset_age },
        certainty: req.certainty,
        provenance: req.provenance,
        note: notes.length ? notes.join('; ') : null,
      });
      store.people.set(p.id, structuredClone(p));
      return p;
    },
    add_genetic_test: ({ person: id, req }: { person: string; req: AddGeneticTest }) => {
      const gene = req.gene.trim();
      if (!gene) throw invalid('name the gene tested (HGNC symbol, e.g. BRCA1)');
      if (/\s/.test(gene)) throw invalid(`${JSON.stringify(gene)} is not a gene symbol (one word, e.g. BRCA1)`);
      if (req.sensitivity !== null && !(req.sensitivity > 0 && req.sensitivity <= 1)) {
        throw invalid(`sensitivity ${req.sensitivity} is not a probability in (0, 1], e.g. 0.9`);
      }
      const p = load(id);
      p.genetic_tests.push({
        id: newId('test'),
        gene,
        variant: req.variant,
        acmg_class: req.acmg_class,
        result: req.result,
        method: req.method,
        sensitivity: req.sensitivity,
        lab: req.lab,
        date: req.date
          ? { original: req.date, qualifier: 'exact', calendar: 'gregorian', earliest: null, latest: null, phrase: null }
          : null,
        provenance: req.provenance,
      });
      store.people.set(p.id, structuredClone(p));
      return p;
    },
    save_user_condition: ({ def }: { def: ConditionDef }) => {
      const saved = { ...structuredClone(def), id: def.id.trim(), user_defined: true };
      validateUserCondition(saved);
      const i = store.userConditions.findIndex((u) => u.id === saved.id);
      if (i >= 0) store.userConditions[i] = saved;
      else store.userConditions.push(saved);
      return saved;
    },
    delete_user_condition: ({ id }) => {
      const i = store.userConditions.findIndex((u) => u.id === id);
      if (i < 0) throw { kind: 'not_found', message: `${JSON.stringify(id)} is not in this vault's catalog` };
      store.userConditions.splice(i, 1);
      return null;
    },
    questionnaire: ({ proband }) => questionnaire(proband),
    save_questionnaire: ({ questionnaire: q }) => saveQuestionnaire(q),
    person_risk: ({ req }: { req: RiskRequest }) => personRisk(req),
    family_overview: ({ proband }) => {
      const p = load(proband);
      if (risk.overview) return { ...structuredClone(risk.overview), proband: p.id };
      const overview: FamilyOverview = {
        proband: p.id,
        pedigree: pedigreeSummary(),
        carrier_threshold: 0.1,
        items: [],
        errors: [],
      };
      return overview;
    },
    couple_risk: ({ a, b, condition, horizon }) => {
      const [pa, pb] = couple(a, b);
      const def = conditionId(condition);
      if (def.inheritance === 'multifactorial') {
        throw invalid(
          `${def.name} is multifactorial: a child's risk comes from the family history of each parent (\`kinvault risk --person\`)`,
        );
      }
      // The father role: a male partner, else the first named.
      const [father, mother] = pa.sex === 'F' && pb.sex === 'M' ? [pb, pa] : [pa, pb];
      const r = structuredClone(risk.couple ?? coupleFixture(father.id, mother.id));
      return { ...r, condition: def.id, name: def.name, father: father.id, mother: mother.id, horizon: horizon ?? 85 };
    },
    consanguinity: ({ a, b }) => {
      const [pa, pb] = couple(a, b);
      return { ...structuredClone(risk.consanguinity ?? consanguinityFixture(pa.id, pb.id)), a: pa.id, b: pb.id };
    },
    pedigree_drawing: ({ req }: { req: PedigreeRequest }) => pedigreeDrawing(req),
    clinician_report: ({ req, format }: { req: ReportRequest; format: ReportFormat }) => {
      load(req.proband);
      for (const c of req.conditions) conditionId(c);
      if (format !== 'pdf' && format !== 'html') throw invalid(`unknown report format ${JSON.stringify(format)}`);
      return reportFileOf(format);
    },
  };

  /**
   * Like crates/api/src/pedigree_drawing.rs: blood relatives within `generations` up and down
   * (up, then down, never up again), then everyone's partners; the conditions asked for, else the
   * (at most four) most often recorded as affected.
   */
  function pedigreeDrawing(req: PedigreeRequest): PedigreeDrawing {
    for (const c of req.conditions) conditionId(c);
    if (req.generations !== null && req.generations > 20) {
      throw invalid('at most 20 generations up and down (or all of them: leave it out)');
    }
    const proband = load(req.proband);
    const limit = req.generations ?? Infinity;
    const level = new Map<string, number>([[proband.id, 0]]);
    const queue: Array<[string, number, boolean]> = [[proband.id, 0, false]];
    while (queue.length) {
      const [id, lv, down] = queue.shift()!;
      if (!down && lv < limit) {
        for (const f of store.families.filter((f) => f.children.includes(id))) {
          for (const p of f.partners.filter((p) => !level.has(p))) {
            level.set(p, lv + 1);
            queue.push([p, lv + 1, false]);
          }
        }
      }
      if (lv > -limit) {
        for (const f of store.families.filter((f) => f.partners.includes(id))) {
          for (const c of f.children.filter((c) => !level.has(c))) {
            level.set(c, lv - 1);
            queue.push([c, lv - 1, true]);
          }
        }
      }
    }
    for (const [id, lv] of [...level]) {
      for (const f of store.families.filter((f) => f.partners.includes(id))) {
        for (const p of f.partners) if (!level.has(p)) level.set(p, lv);
      }
    }
    const drawn = [...level.keys()].map((id) => store.people.get(id)!).filter(Boolean);
    const affectedBy = (p: Person) => [
      ...new Set(p.conditions.filter((o) => o.status === 'affected').flatMap((o) => link(o.code, o.label) ?? [])),
    ];
    let shown: string[];
    if (req.conditions.length) shown = req.conditions.map((c) => c.trim());
    else {
      const counts = new Map<string, number>();
      for (const p of drawn) for (const c of affectedBy(p)) counts.set(c, (counts.get(c) ?? 0) + 1);
      shown = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 4).map(([id]) => id);
    }
    const people: DrawnPerson[] = drawn.map((p) => ({
      id: p.id,
      name: nameOf(p),
      sex: p.sex,
      generation: -level.get(p.id)!,
      affected: affectedBy(p).filter((c) => shown.includes(c)),
      deceased: p.vital_status.status === 'deceased',
      proband: p.id === proband.id,
    }));
    const unions = store.families.filter((f) => {
      const partners = f.partners.filter((id) => level.has(id)).length;
      const children = f.children.filter((id) => level.has(id)).length;
      return partners > 0 || children >= 2;
    }).length;
    const shaded = shown.map((id) => ({ id, label: getDef(id)?.name ?? id }));
    return pedigreeDrawingOf(people, unions, shaded, req.names);
  }

  function couple(a: string, b: string): [Person, Person] {
    const pa = load(a);
    const pb = load(b);
    if (pa.id === pb.id) throw invalid('a couple needs two different people');
    return [pa, pb];
  }

  function pedigreeSummary() {
    const all = [...store.people.values()];
    const withFacts = all.filter((q) => q.conditions.length > 0 || q.genetic_tests.length > 0).length;
    return { people: all.length, with_health_facts: withFacts, truncated: false };
  }

  /** The fixture reports in turn, else the population priors of the catalog for the person. */
  function personRisk(req: RiskRequest): RiskReport {
    const p = load(req.person);
    const horizon = req.horizon ?? 85;
    if (!(horizon >= 1 && horizon <= 120)) throw invalid(`horizon ${horizon} is not an age between 1 and 120`);
    const n = riskCalls++;
    if (risk.reports?.length) {
      const r = structuredClone(risk.reports[Math.min(n, risk.reports.length - 1)]);
      r.person = p.id;
      r.horizon = horizon;
      for (const c of r.conditions) if (c.affected_probability) c.affected_probability.horizon = horizon;
      return r;
    }
    const list = req.conditions.length ? req.conditions.map(conditionId) : defs();
    const all = [...store.people.values()];
    const conditions = list.map((def) => {
      const linked = (q: Person) => q.conditions.filter((o) => o.status !== 'unknown' && link(o.code, o.label) === def.id);
      const own = linked(p);
      const status = own.some((o) => o.status === 'affected') ? 'affected' : own.length > 0 ? 'unaffected' : 'unknown';
      const tested = (q: Person) => q.genetic_tests.some((t) => def.genes.some((g) => g.toUpperCase() === t.gene.toUpperCase()));
      const evidence = all.some((q) => linked(q).length > 0 || tested(q));
      return priorRisk(def, p, status, evidence, horizon);
    });
    return riskReport(p.id, conditions, { horizon, pedigree: pedigreeSummary() });
  }
  return { store, handlers };
}

// ── Risk: fixtures shaped like crates/api/tests/risk.rs results, and the fake risk commands ──

/** A blood relative as the stratification reports them (no names). */
export function kin(id: string, relation: string, overrides: Partial<KinRelative> = {}): KinRelative {
  return {
    ix: 0,
    id,
    sex: 'F',
    degree: relation === 'self' ? 0 : 1,
    side: 'maternal',
    relation,
    generation: 0,
    half: false,
    assumed_full: false,
    ...overrides,
  };
}

export function explanation(overrides: Partial<RiskExplanation> = {}): RiskExplanation {
  return { summary: '', facts: [], parameters: [], references: [], notes: [], ...overrides };
}

export function conditionRisk(
  overrides: Partial<ConditionRisk> & Pick<ConditionRisk, 'condition' | 'name' | 'model'>,
): ConditionRisk {
  return {
    status: 'unknown',
    category: null,
    carrier_probability: null,
    prior_carrier_probability: null,
    affected_probability: null,
    family_evidence: false,
    explanation: explanation(),
    error: null,
    ...overrides,
  };
}

/** serde_json writes the NaN of a family-history fact's `with`/`without` as null. */
const NO_NUMBER = null as unknown as number;

const REFS = {
  young2007: {
    id: 'young2007',
    citation: 'Young ID. Introduction to Risk Calculation in Genetic Counseling. 3rd ed. Oxford University Press; 2007.',
    year: 2007,
    url: null,
  },
  acog2011: {
    id: 'acog2011',
    citation:
      'ACOG Committee Opinion No. 486: Update on carrier screening for cystic fibrosis. Obstet Gynecol 2011;117:1028–1031.',
    year: 2011,
    url: 'https://doi.org/10.1097/AOG.0b013e31821922c2',
  },
  scheuner1997: {
    id: 'scheuner1997',
    citation:
      'Scheuner MT, Wang SJ, Raffel LJ, Larabell SK, Rotter JI. Family history: a comprehensive genetic risk assessment method for the chronic conditions of adulthood. Am J Med Genet 1997;71:315–324.',
    year: 1997,
    url: null,
  },
  seer: { id: 'seer', citation: 'SEER Cancer Stat Facts: Female Breast Cancer. National Cancer Institute.', year: 2023, url: null },
  vasen1999: {
    id: 'vasen1999',
    citation:
      'Vasen HF, Watson P, Mecklin JP, Lynch HT. New clinical criteria for hereditary nonpolyposis colorectal cancer (HNPCC, Lynch syndrome) proposed by the International Collaborative group on HNPCC. Gastroenterology 1999;116:1453–1456.',
    year: 1999,
    url: null,
  },
} as const;

const RECORDED_STATUS_NOTE =
  "A recorded status is read as known up to the person's current age (or age at death); relatives without a status or test add only their place in the family.";

const XLR_PARAMETERS = [
  { name: 'allele frequency q (negligible)', value: '0.000000', reference: 'textbook' },
  { name: 'penetrance, women', value: '0% at any age', reference: 'textbook' },
  { name: 'penetrance, men', value: '100% at any age', reference: 'textbook' },
  { name: 'risk horizon', value: 'age 85', reference: null },
];
const TEXTBOOK_REF = { ...REFS.young2007, id: 'textbook' };

/**
 * A woman whose mother tested positive for a textbook X-linked recessive disorder (the user's
 * own catalog condition of the Rust test), before her three sons were recorded unaffected: 1/2.
 */
export const XLR_BEFORE_SONS: ConditionRisk = conditionRisk({
  condition: 'textbook-xlr',
  name: 'Textbook X-linked disorder',
  model: 'mendelian_x_linked_recessive',
  carrier_probability: 0.5,
  prior_carrier_probability: 2e-12,
  affected_probability: { now: 0, at_age: 45, by_horizon: 0, remaining: 0, horizon: 85, prior_by_horizon: 0 },
  family_evidence: true,
  explanation: explanation({
    summary:
      'Textbook X-linked disorder: carrier probability 50% (before any family facts: 1 in 500,000,000,000). Moved most by mother: tested positive (TXL): 1 in 500,000,000,000 → 50%. Model: X-linked recessive, TXL, exact Bayesian calculation over 4 relatives.',
    facts: [
      {
        people: ['grandma'],
        description: 'mother: tested positive (TXL)',
        measure: 'carrier probability',
        without: 2e-12,
        with: 0.5,
      },
    ],
    parameters: XLR_PARAMETERS,
    references: [TEXTBOOK_REF],
    notes: [RECORDED_STATUS_NOTE],
  }),
});

/** The same woman once her three sons (15, 18, 20) are recorded unaffected: 1/9. */
export const XLR_THREE_SONS: ConditionRisk = conditionRisk({
  ...XLR_BEFORE_SONS,
  carrier_probability: 1 / 9,
  explanation: explanation({
    summary:
      'Textbook X-linked disorder: carrier probability 11% (before any family facts: 1 in 500,000,000,000). Moved most by 3 sons: unaffected (ages 15–20): 50% → 11%. Model: X-linked recessive, TXL, exact Bayesian calculation over 7 relatives.',
    facts: [
      {
        people: ['s1', 's2', 's3'],
        description: '3 sons: unaffected (ages 15–20)',
        measure: 'carrier probability',
        without: 0.5,
        with: 1 / 9,
      },
      {
        people: ['grandma'],
        description: 'mother: tested positive (TXL)',
        measure: 'carrier probability',
        without: 4e-12,
        with: 1 / 9,
      },
    ],
    parameters: XLR_PARAMETERS,
    references: [TEXTBOOK_REF],
    notes: [RECORDED_STATUS_NOTE],
  }),
});

/** Records that cannot all be true under the model: an error, no number. */
export const XLR_ERROR: ConditionRisk = conditionRisk({
  condition: 'textbook-xlr',
  name: 'Textbook X-linked disorder',
  model: 'mendelian_x_linked_recessive',
  family_evidence: true,
  error:
    'the records cannot all be true under the model (no genotype of the family has a non-zero probability); check the records of: son, a more distant relative (female)',
  explanation: explanation({ parameters: XLR_PARAMETERS, references: [TEXTBOOK_REF] }),
});

const CF_Q = 0.0204168;
const CF_PRIOR = 2 * CF_Q * (1 - CF_Q);
const CF_PARAMETERS = [
  { name: 'allele frequency q (Non-Hispanic white (United States))', value: '0.020417, reported as 1 in 25', reference: 'acog2011' },
  { name: 'penetrance, women', value: '100% at any age', reference: 'young2007' },
  { name: 'penetrance, men', value: '100% at any age', reference: 'young2007' },
  { name: 'test sensitivity (ACMG/ACOG 23-variant CFTR panel, non-Hispanic white population)', value: '88%', reference: 'acog2011' },
  { name: 'risk horizon', value: 'age 85', reference: null },
];

/** The unaffected sister of a child with cystic fibrosis: 2/3. */
export const CF_SIBLING: ConditionRisk = conditionRisk({
  condition: 'cystic-fibrosis',
  name: 'Cystic fibrosis',
  model: 'mendelian_autosomal_recessive',
  status: 'unaffected',
  carrier_probability: 2 / 3,
  prior_carrier_probability: CF_PRIOR,
  affected_probability: { now: 0, at_age: 12, by_horizon: 0, remaining: 0, horizon: 85, prior_by_horizon: CF_Q * CF_Q },
  family_evidence: true,
  explanation: explanation({
    summary:
      'Cystic fibrosis: carrier probability 67% (before any family facts: 4.0%). Moved most by brother: affected, onset 0: 4.0% → 67%. Model: autosomal recessive, CFTR, exact Bayesian calculation over 4 relatives.',
    facts: [
      { people: ['sib'], description: 'brother: affected, onset 0', measure: 'carrier probability', without: 0.0408, with: 2 / 3 },
    ],
    parameters: CF_PARAMETERS,
    references: [REFS.acog2011, REFS.young2007],
    notes: [RECORDED_STATUS_NOTE],
  }),
});

/** Cystic fibrosis with nothing recorded in the family: the population prior. */
export const CF_PRIOR_ONLY: ConditionRisk = conditionRisk({
  condition: 'cystic-fibrosis',
  name: 'Cystic fibrosis',
  model: 'mendelian_autosomal_recessive',
  carrier_probability: CF_PRIOR,
  prior_carrier_probability: CF_PRIOR,
  affected_probability: { now: 0, at_age: 30, by_horizon: 0, remaining: 0, horizon: 85, prior_by_horizon: CF_Q * CF_Q },
  explanation: explanation({
    summary:
      'Cystic fibrosis: carrier probability 4.0% (before any family facts: 4.0%). No one in the family has a recorded status or test for it: this is the population prior. Model: autosomal recessive, CFTR, exact Bayesian calculation over 4 relatives.',
    parameters: CF_PARAMETERS,
    references: [REFS.acog2011, REFS.young2007],
    notes: [RECORDED_STATUS_NOTE],
  }),
});

/** The daughter of a BRCA1 carrier: just over 1/2. */
export const BRCA1_DAUGHTER: ConditionRisk = conditionRisk({
  condition: 'brca1-associated-cancer',
  name: 'BRCA1-associated hereditary breast and ovarian cancer',
  model: 'mendelian_autosomal_dominant',
  carrier_probability: 0.50065,
  prior_carrier_probability: 0.0026,
  affected_probability: { now: 0.012, at_age: 30, by_horizon: 0.36, remaining: 0.348, horizon: 85, prior_by_horizon: 0.0019 },
  family_evidence: true,
  explanation: explanation({
    summary:
      'BRCA1-associated hereditary breast and ovarian cancer: probability of carrying a pathogenic variant 50% (before any family facts: 0.26%). Moved most by mother: affected (breast cancer), onset 44; tested positive (BRCA1): 0.26% → 50%. Model: autosomal dominant, BRCA1, exact Bayesian calculation over 4 relatives.',
    facts: [
      {
        people: ['mum'],
        description: 'mother: affected (breast cancer), onset 44; tested positive (BRCA1)',
        measure: 'carrier probability',
        without: 0.0026,
        with: 0.50065,
      },
    ],
    parameters: [
      { name: 'allele frequency q (General population)', value: '0.000650', reference: 'peto1999' },
      { name: 'penetrance for breast cancer, women', value: '72% by 85', reference: 'peto1999' },
      { name: 'risk horizon', value: 'age 85', reference: null },
    ],
    references: [{ id: 'peto1999', citation: 'Peto J et al. 1999.', year: 1999, url: null }],
    notes: [RECORDED_STATUS_NOTE],
  }),
});

/** Breast cancer in the mother at 44: high familial risk (Scheuner 1997). */
export const BREAST_HIGH: ConditionRisk = conditionRisk({
  condition: 'breast-cancer',
  name: 'Breast cancer',
  model: 'family_history_scheuner1997',
  category: 'high',
  family_evidence: true,
  explanation: explanation({
    summary:
      'Breast cancer: high familial risk — Premature onset in a first-degree relative. Next step: High familial risk of breast cancer: share this family history with a clinician for a clinical risk assessment, including referral for genetic counselling (genetic evaluation), and a personalised prevention plan; breast cancer screening where guidelines recommend it may start earlier or be more frequent than for the general population, as current guidelines advise.',
    facts: [
      {
        people: ['mum'],
        description: 'Premature onset in a first-degree relative (mother at 44)',
        measure: 'familial risk',
        without: NO_NUMBER,
        with: NO_NUMBER,
      },
    ],
    parameters: [
      { name: 'premature onset (any relatives)', value: '≤ 50', reference: 'scheuner1997' },
      { name: 'population lifetime risk (United States)', value: '13%', reference: 'seer' },
    ],
    references: [REFS.scheuner1997, REFS.seer],
    notes: ['Menopause is not recorded: onset before the menopause cannot be told apart from onset after it.'],
  }),
});

/** Stroke with nothing in the family: average. */
export const STROKE_AVERAGE: ConditionRisk = conditionRisk({
  condition: 'stroke',
  name: 'Stroke',
  model: 'family_history_scheuner1997',
  category: 'average',
  explanation: explanation({
    summary:
      'Stroke: average familial risk — No affected first- or second-degree relatives. Next step: Average familial risk of stroke: follow the prevention and screening recommendations for the general population, and reassess if the family history changes.',
    references: [REFS.scheuner1997],
  }),
});

/** A multifactorial condition no model covers. */
export const NOT_MODELLED: ConditionRisk = conditionRisk({
  condition: 'asthma',
  name: 'Asthma',
  model: 'not_modelled',
  explanation: explanation({
    summary:
      'Asthma: multifactorial, and not among the conditions the family-history stratification covers; no risk is computed.',
  }),
});

function evidence(member: KinRelative, condition: string, onset: number | null): Evidence {
  return {
    member,
    condition,
    onset: onset === null ? null : { min: onset, max: onset },
    onset_class: onset !== null && onset < 50 ? 'early' : 'late',
    threshold: { age: 50, inclusive: false },
  };
}

export function criterionResult(
  criterion: 'amsterdam-ii' | 'revised-bethesda',
  overrides: Partial<CriterionResult> = {},
): CriterionResult {
  return {
    criterion,
    name: criterion === 'amsterdam-ii' ? 'Amsterdam II criteria' : 'Revised Bethesda guidelines',
    index: kin('me', 'self'),
    status: criterion === 'amsterdam-ii' ? 'not_met' : 'not_applicable',
    clauses: [],
    next_step: null,
    notes: [],
    references: [REFS.vasen1999],
    ...overrides,
  };
}

/** Colorectal cancer in the mother (45) and grandmother (60), endometrial in an aunt (52). */
export function amsterdamMet(): CriterionResult {
  const mum = kin('mum', 'mother', { generation: -1 });
  const aunt = kin('aunt', 'maternal aunt', { degree: 2, generation: -1 });
  const gran = kin('gran', 'maternal grandmother', { degree: 2, generation: -2 });
  const counted = [evidence(mum, 'colorectal-cancer', 45), evidence(aunt, 'endometrial-cancer', 52), evidence(gran, 'colorectal-cancer', 60)];
  return criterionResult('amsterdam-ii', {
    status: 'met_pending_verification',
    clauses: [
      {
        clause: 'three-affected',
        text: 'At least three relatives (the proband counts as one) with a Lynch-associated cancer (colorectal cancer, endometrial cancer)',
        status: 'met',
        evidence: counted,
        note: null,
      },
      {
        clause: 'one-first-degree-of-other-two',
        text: 'One of them is a first-degree relative of the other two',
        status: 'met',
        evidence: counted,
        note: 'The mother is a first-degree relative of the maternal aunt and the maternal grandmother.',
      },
      { clause: 'successive-generations', text: 'At least two successive generations affected', status: 'met', evidence: counted, note: null },
      { clause: 'one-diagnosed-early', text: 'At least one diagnosed before age 50', status: 'met', evidence: [counted[0]], note: null },
      {
        clause: 'fap-excluded',
        text: 'Familial adenomatous polyposis excluded in any colorectal cancer case',
        status: 'not_assessable',
        evidence: [],
        note: 'Polyposis is not recorded: a clinician must exclude familial adenomatous polyposis in every colorectal cancer case.',
      },
      {
        clause: 'pathology-verified',
        text: 'Tumours verified by pathological examination',
        status: 'not_assessable',
        evidence: [],
        note: 'Diagnoses are as recorded (often reported by relatives); they must be verified from pathology reports.',
      },
    ],
    next_step: {
      kind: 'genetic_counselling',
      text: 'The family history as recorded meets the Amsterdam II criteria for Lynch syndrome: referral for genetic counselling, to consider germline testing of the mismatch-repair genes, is the next step. A clinician must first verify the diagnoses from pathology reports and exclude familial adenomatous polyposis.',
      references: [REFS.vasen1999],
    },
    notes: ['The proband and relatives up to the third degree are counted; generations are counted from the proband.'],
  });
}

export function familyHistory(person: string, overrides: Partial<FamilyHistoryReport> = {}): FamilyHistoryReport {
  return {
    proband: 0,
    proband_id: person,
    relatives: { first_degree: 3, second_degree: 0, third_degree: 0 },
    conditions: [],
    lynch: {
      amsterdam_ii: criterionResult('amsterdam-ii', { index: kin(person, 'self') }),
      revised_bethesda: criterionResult('revised-bethesda', { index: kin(person, 'self') }),
      bethesda_relatives: [],
    },
    notes: [],
    ...overrides,
  };
}

export function riskReport(person: string, conditions: ConditionRisk[], overrides: Partial<RiskReport> = {}): RiskReport {
  return {
    person,
    catalog_version: 1,
    horizon: 85,
    pedigree: { people: 4, with_health_facts: 2, truncated: false },
    conditions,
    family_history: familyHistory(person),
    ...overrides,
  };
}

/** The family of the Rust overview test: a BRCA1-positive mother with breast cancer at 44. */
export function overviewFixture(proband: string): FamilyOverview {
  const brca = 'BRCA1-associated hereditary breast and ovarian cancer';
  return {
    proband,
    pedigree: { people: 4, with_health_facts: 1, truncated: false },
    carrier_threshold: 0.1,
    items: [
      {
        person: 'sis',
        relation: 'sister',
        condition: 'brca1-associated-cancer',
        name: brca,
        suggestion: 'genetic_counselling',
        carrier_probability: 0.50065,
        category: null,
        reason: `carrier probability 50% for ${brca} (not tested for BRCA1)`,
      },
      {
        person: proband,
        relation: 'self',
        condition: 'brca1-associated-cancer',
        name: brca,
        suggestion: 'genetic_counselling',
        carrier_probability: 0.50065,
        category: null,
        reason: `carrier probability 50% for ${brca} (not tested for BRCA1)`,
      },
      {
        person: 'sis',
        relation: 'sister',
        condition: 'breast-cancer',
        name: 'Breast cancer',
        suggestion: 'screening',
        carrier_probability: null,
        category: 'high',
        reason: 'high familial risk of breast cancer: Premature onset in a first-degree relative',
      },
      {
        person: 'dad',
        relation: 'father',
        condition: 'coronary-heart-disease',
        name: 'Coronary heart disease',
        suggestion: 'prevention',
        carrier_probability: null,
        category: 'moderate',
        reason: 'moderate familial risk of coronary heart disease: A first-degree relative with late or unknown onset',
      },
    ],
    errors: [],
  };
}

/** A child of first cousins (φ = 1/16), cystic fibrosis, nothing else recorded. */
export function coupleFixture(father: string, mother: string): CoupleRiskReport {
  const affected = CF_Q * CF_Q + (CF_Q * (1 - CF_Q)) / 16;
  const carrier = CF_PRIOR * (15 / 16);
  return {
    condition: 'cystic-fibrosis',
    name: 'Cystic fibrosis',
    model: 'mendelian_autosomal_recessive',
    father,
    mother,
    kinship: 1 / 16,
    kinship_fraction: '1/16',
    son_affected: affected,
    son_carrier: carrier,
    daughter_affected: affected,
    daughter_carrier: carrier,
    child_affected: affected,
    horizon: 85,
    explanation: explanation({
      summary:
        "Cystic fibrosis: a son would be affected with probability 0.17%, a daughter 0.17% (3.7% carrier). Parents' kinship φ = 1/16 (related: the child's inbreeding coefficient F equals φ); 0 relatives' records used. Model: autosomal recessive, CFTR, exact calculation with the prospective child added to the pedigree.",
      parameters: CF_PARAMETERS,
      references: [REFS.acog2011, REFS.young2007],
    }),
  };
}

/** First cousins' consanguinity table (F = 1/16). */
export function consanguinityFixture(a: string, b: string): ConsanguinityReport {
  const row = (condition: string, name: string, q: number, population: string, reference: string) => {
    const unrelated = q * q;
    const couple = q * q + (q * (1 - q)) / 16;
    return {
      condition,
      name,
      allele_frequency: q,
      population,
      unrelated_risk: unrelated,
      couple_risk: couple,
      added_risk: couple - unrelated,
      relative_risk: couple / unrelated,
      reference,
    };
  };
  return {
    a,
    b,
    inbreeding: 1 / 16,
    inbreeding_fraction: '1/16',
    conditions: [
      row('cystic-fibrosis', 'Cystic fibrosis', CF_Q, 'Non-Hispanic white (United States)', REFS.acog2011.citation),
      row('phenylketonuria', 'Phenylketonuria', 0.0079, 'European', 'Hillert A et al. The genetic landscape and epidemiology of phenylketonuria. Am J Hum Genet 2020;107:234–250.'),
    ],
    notes: [
      'P(affected child) = (q² + F·q(1−q)) × penetrance, q the population allele frequency (Hardy–Weinberg with inbreeding; Wright 1922). Family records are not used here: `risk --couple A B --condition ID` uses them.',
      "Beyond the named conditions, first-cousin couples have an added risk of about 1.7–2.8% for a child with a serious recessive disorder or birth defect over the population's 3–4% (Bennett et al. 2002, J Genet Couns 11:97–119); F here is 1/16.",
    ],
  };
}

/** What the fake risk commands answer; anything left out is derived from the in-memory vault. */
export type RiskFixtures = {
  /** person_risk answers: the n-th call gets the n-th report (the last one repeats). */
  reports?: RiskReport[];
  overview?: FamilyOverview;
  couple?: CoupleRiskReport;
  consanguinity?: ConsanguinityReport;
};

const MODEL_OF: Record<ConditionDef['inheritance'], RiskModel> = {
  autosomal_dominant: 'mendelian_autosomal_dominant',
  autosomal_recessive: 'mendelian_autosomal_recessive',
  x_linked_recessive: 'mendelian_x_linked_recessive',
  x_linked_dominant: 'mendelian_x_linked_dominant',
  multifactorial: 'family_history_scheuner1997',
};

/**
 * The population prior of one condition for a person (no genetics: the fake reports the prior
 * as the result), with the person's own status and whether anyone recorded has evidence.
 */
function priorRisk(def: ConditionDef, p: Person, status: ConditionRisk['status'], evidence: boolean, horizon: number): ConditionRisk {
  const freq = def.frequencies.find((f) => p.ancestry?.includes(f.population)) ?? def.frequencies[0];
  const base = { condition: def.id, name: def.name, model: MODEL_OF[def.inheritance], status, family_evidence: evidence };
  if (def.inheritance === 'multifactorial') {
    return conditionRisk({
      ...base,
      category: 'average',
      explanation: explanation({
        summary: `${def.name}: average familial risk — No affected first- or second-degree relatives.`,
        references: def.references,
      }),
    });
  }
  const q = freq?.allele_frequency ?? 0;
  const hemizygous = def.inheritance.startsWith('x_linked') && p.sex === 'M';
  const carrier = hemizygous ? q : def.inheritance === 'autosomal_recessive' || def.inheritance === 'x_linked_recessive' ? 2 * q * (1 - q) : 1 - (1 - q) ** 2;
  return conditionRisk({
    ...base,
    carrier_probability: carrier,
    prior_carrier_probability: carrier,
    affected_probability: { now: null, at_age: null, by_horizon: 0, remaining: 0, horizon, prior_by_horizon: 0 },
    explanation: explanation({
      summary: `${def.name}: carrier probability ${(carrier * 100).toFixed(1)}%. No one in the family has a recorded status or test for it: this is the population prior.`,
      parameters: freq ? [{ name: `allele frequency q (${freq.label})`, value: q.toFixed(6), reference: freq.ref }] : [],
      references: def.references,
    }),
  });
}
