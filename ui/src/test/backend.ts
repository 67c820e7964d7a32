// A fake backend for component tests: mockIPC routes each `invoke` to a handler and records
// the call, so tests can assert the exact command names and argument shapes the UI sends.
import { mockIPC } from '@tauri-apps/api/mocks';
import type { AppInfo } from '../bindings/AppInfo';
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
