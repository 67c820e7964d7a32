// The one place the UI talks to the backend. Every Tauri command the UI uses is wrapped here
// with its request and response types (generated from Rust, see ../bindings), and every
// failure is turned into an ApiError, so screens only ever see `{ kind, message }`.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { AddCondition } from '../bindings/AddCondition';
import type { AddGeneticTest } from '../bindings/AddGeneticTest';
import type { ApiError } from '../bindings/ApiError';
import type { AppInfo } from '../bindings/AppInfo';
import type { CatalogData } from '../bindings/CatalogData';
import type { ChangePassphraseRequest } from '../bindings/ChangePassphraseRequest';
import type { ConditionDef } from '../bindings/ConditionDef';
import type { ConsanguinityReport } from '../bindings/ConsanguinityReport';
import type { CoupleRiskReport } from '../bindings/CoupleRiskReport';
import type { Chart } from '../bindings/Chart';
import type { ChartKind } from '../bindings/ChartKind';
import type { ChartRequest } from '../bindings/ChartRequest';
import type { CreateVaultRequest } from '../bindings/CreateVaultRequest';
import type { CreatedVault } from '../bindings/CreatedVault';
import type { ErrorKind } from '../bindings/ErrorKind';
import type { ExportFamilyRequest } from '../bindings/ExportFamilyRequest';
import type { ExportFormat } from '../bindings/ExportFormat';
import type { ExportReport } from '../bindings/ExportReport';
import type { ExportRequest } from '../bindings/ExportRequest';
import type { Family } from '../bindings/Family';
import type { FamilyExportReport } from '../bindings/FamilyExportReport';
import type { FamilyImportOptions } from '../bindings/FamilyImportOptions';
import type { FamilyImportReport } from '../bindings/FamilyImportReport';
import type { FamilyOverview } from '../bindings/FamilyOverview';
import type { GraphReport } from '../bindings/GraphReport';
import type { ImportReport } from '../bindings/ImportReport';
import type { InbreedingResult } from '../bindings/InbreedingResult';
import type { IntegrityReport } from '../bindings/IntegrityReport';
import type { NewPerson } from '../bindings/NewPerson';
import type { OpenVaultRequest } from '../bindings/OpenVaultRequest';
import type { PedigreeDrawing } from '../bindings/PedigreeDrawing';
import type { PedigreeRequest } from '../bindings/PedigreeRequest';
import type { PeoplePage } from '../bindings/PeoplePage';
import type { PeopleQuery } from '../bindings/PeopleQuery';
import type { Person } from '../bindings/Person';
import type { PersonFamilies } from '../bindings/PersonFamilies';
import type { PersonRef } from '../bindings/PersonRef';
import type { ProgressEvent } from '../bindings/ProgressEvent';
import type { Questionnaire } from '../bindings/Questionnaire';
import type { QuestionnaireSaved } from '../bindings/QuestionnaireSaved';
import type { RecoverVaultRequest } from '../bindings/RecoverVaultRequest';
import type { RelateResult } from '../bindings/RelateResult';
import type { ReportFile } from '../bindings/ReportFile';
import type { ReportFormat } from '../bindings/ReportFormat';
import type { ReportRequest } from '../bindings/ReportRequest';
import type { RiskReport } from '../bindings/RiskReport';
import type { RiskRequest } from '../bindings/RiskRequest';
import type { OpenShareRequest } from '../bindings/OpenShareRequest';
import type { OpenedShareView } from '../bindings/OpenedShareView';
import type { ShareFile } from '../bindings/ShareFile';
import type { ShareKeyFile } from '../bindings/ShareKeyFile';
import type { ShareRequest } from '../bindings/ShareRequest';
import type { SyncConflictView } from '../bindings/SyncConflictView';
import type { SyncReport } from '../bindings/SyncReport';
import type { SyncSetupRequest } from '../bindings/SyncSetupRequest';
import type { SyncSetupResult } from '../bindings/SyncSetupResult';
import type { SyncStatus } from '../bindings/SyncStatus';
import type { VaultInfo } from '../bindings/VaultInfo';
import type { VaultStatus } from '../bindings/VaultStatus';

export type { ApiError, ErrorKind };

// `satisfies` makes the compiler flag a kind added to or removed from ErrorKind in Rust.
const KINDS = {
  wrong_passphrase: true,
  wrong_recovery_key: true,
  weak_passphrase: true,
  locked: true,
  not_found: true,
  already_exists: true,
  not_a_vault: true,
  invalid_input: true,
  too_new: true,
  corrupt: true,
  io: true,
  cancelled: true,
  internal: true,
} satisfies Record<ErrorKind, true>;

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(KINDS, value);
}

export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return isErrorKind(v.kind) && typeof v.message === 'string';
}

/** Turns anything a command can reject with into an ApiError (unknown shapes become 'internal'). */
export function toApiError(error: unknown): ApiError {
  if (isApiError(error)) return { kind: error.kind, message: error.message };
  if (typeof error === 'string') {
    // Tauri itself rejects with plain strings (unknown command, bad arguments...).
    return { kind: 'internal', message: error || 'Something went wrong.' };
  }
  if (error instanceof Error) return { kind: 'internal', message: error.message || error.name };
  if (typeof error === 'object' && error !== null) {
    const message = (error as Record<string, unknown>).message;
    if (typeof message === 'string' && message) return { kind: 'internal', message };
  }
  return { kind: 'internal', message: 'Something went wrong.' };
}

type ErrorListener = (error: ApiError, command: string) => void;
const errorListeners = new Set<ErrorListener>();

/** Called for every failed command (the app uses it to notice a vault locked under it). */
export function onApiError(listener: ErrorListener): () => void {
  errorListeners.add(listener);
  return () => errorListeners.delete(listener);
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    const error = toApiError(raw);
    for (const listener of errorListeners) listener(error, command);
    throw error;
  }
}

export const PAGE_LIMIT_MAX = 1000;

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  vaultStatus: () => call<VaultStatus>('vault_status'),
  createVault: (req: CreateVaultRequest) => call<CreatedVault>('create_vault', { req }),
  openVault: (req: OpenVaultRequest) => call<VaultInfo>('open_vault', { req }),
  recoverVault: (req: RecoverVaultRequest) => call<VaultInfo>('recover_vault', { req }),
  changePassphrase: (req: ChangePassphraseRequest) => call<null>('change_passphrase', { req }),
  lockVault: () => call<null>('lock_vault'),
  touch: () => call<null>('touch'),
  setIdleLockSeconds: (seconds: number) => call<AppInfo>('set_idle_lock_seconds', { seconds }),
  vaultInfo: () => call<VaultInfo>('vault_info'),
  checkVault: () => call<IntegrityReport>('check_vault'),
  listPeople: (query: PeopleQuery) => call<PeoplePage>('list_people', { query }),
  getPerson: (id: string) => call<Person>('get_person', { id }),
  addPerson: (person: NewPerson) => call<Person>('add_person', { person }),
  updatePerson: (person: Person) => call<Person>('update_person', { person }),
  deletePerson: (id: string) => call<null>('delete_person', { id }),
  /** Native open/save dialog run by the backend; null when the user cancels. */
  pickVaultPath: (save: boolean) => call<string | null>('pick_vault_path', { save }),
  /** Native open dialog for a .ged/.gdz file; null when the user cancels. */
  pickImportFile: () => call<string | null>('pick_import_file'),
  /** Long-running; rejects with kind 'cancelled' (vault unchanged) after cancelTransfer. */
  importGedcom: (path: string) => call<ImportReport>('import_gedcom', { path }),
  /** Native save dialog for an export in `format`; null when the user cancels. */
  pickExportPath: (format: ExportFormat) => call<string | null>('pick_export_path', { format }),
  /** Long-running; rejects with kind 'cancelled' after cancelTransfer. */
  exportGedcom: (req: ExportRequest) => call<ExportReport>('export_gedcom', { req }),
  /** Asks a running import or export to stop. */
  cancelTransfer: () => call<null>('cancel_transfer'),
  /** Native save dialog, then the backend writes `text`; the path written, or null when cancelled. */
  saveTextFile: (suggestedName: string, text: string) =>
    call<string | null>('save_text_file', { suggestedName, text }),
  /** Native save dialog, then the backend writes the bytes of `base64`; the path, or null when cancelled. */
  saveBinaryFile: (suggestedName: string, base64: string) =>
    call<string | null>('save_binary_file', { suggestedName, base64 }),

  // Health data and clinical formats (crates/api/src/clinical.rs; docs/catalog.md, docs/interop.md).
  /** The condition catalog (conditions, criteria, references): built-in plus the vault's own. */
  catalog: () => call<CatalogData>('catalog'),
  /** Catalog conditions matching a name, synonym, id, gene or code, best first. */
  searchCatalog: (query: string) => call<ConditionDef[]>('search_catalog', { query }),
  /** Records a condition (by catalog id) for a person; the updated person. */
  addCondition: (person: string, req: AddCondition) => call<Person>('add_condition', { person, req }),
  /** Records a genetic test result for a person; the updated person. */
  addGeneticTest: (person: string, req: AddGeneticTest) => call<Person>('add_genetic_test', { person, req }),
  /**
   * Adds a condition of the user's own to the vault's catalog (or replaces the one with the same
   * id); validated like a built-in entry, errors name the field. The stored entry.
   */
  saveUserCondition: (def: ConditionDef) => call<ConditionDef>('save_user_condition', { def }),
  /** Removes a user-defined condition; observations recorded with it keep their label and code. */
  deleteUserCondition: (id: string) => call<null>('delete_user_condition', { id }),
  /** The family health questionnaire for a proband, with the close relatives already recorded. */
  questionnaire: (proband: string) => call<Questionnaire>('questionnaire', { proband }),
  /**
   * Creates the new relatives, links them, updates vital status and adds the conditions, in one
   * transaction (a refused questionnaire changes nothing; errors name the relative and entry).
   */
  saveQuestionnaire: (questionnaire: Questionnaire) =>
    call<QuestionnaireSaved>('save_questionnaire', { questionnaire }),
  /** Imports a PED/.fam, CanRisk, FHIR or My Family Health Portrait file (one transaction). */
  importFamilyFile: (path: string, options: FamilyImportOptions) =>
    call<FamilyImportReport>('import_family_file', { path, options }),
  /** Exports FHIR, GA4GH Pedigree, PED or CanRisk around a proband. */
  exportFamilyFile: (req: ExportFamilyRequest) => call<FamilyExportReport>('export_family_file', { req }),

  // Family graph. People are named by id or GEDCOM xref ('I12' or '@I12@'); an unknown one
  // rejects with kind 'not_found'. The first graph call of a session builds the graph (seconds
  // on a very large vault); later ones answer in milliseconds.
  /** A person as graph results show them. */
  findPersonRef: (reference: string) => call<PersonRef>('find_person_ref', { reference }),
  /** How `b` is related to `a` (names say what b is to a), with paths and kinship coefficients. */
  relate: (a: string, b: string) => call<RelateResult>('relate', { a, b }),
  /** Inbreeding coefficients of one person, and how their parents are related. */
  inbreeding: (person: string) => call<InbreedingResult>('inbreeding', { person }),
  /** Nodes and links of a pedigree, descendants, hourglass or fan chart. */
  chart: (req: ChartRequest) => call<Chart>('chart', { req }),
  /** Ancestors of `person` (a pedigree chart), `generations` back. */
  ancestors: (person: string, generations: number) =>
    call<Chart>('chart', { req: chartRequest(person, 'pedigree', generations) }),
  /** Descendants of `person` with their partners, `generations` down. */
  descendants: (person: string, generations: number) =>
    call<Chart>('chart', { req: chartRequest(person, 'descendants', generations) }),
  /** The graph's size and data problems (people recorded as their own ancestors...). */
  graphReport: () => call<GraphReport>('graph_report'),
  /** The families a person (id or xref) was born or adopted into and the ones they formed, with names. */
  personFamilies: (person: string) => call<PersonFamilies>('person_families', { person }),
  /**
   * Saves a whole family, new or changed (members must be in the vault). Rejects with kind
   * 'invalid_input', changing nothing, when it would make someone their own ancestor.
   */
  saveFamily: (family: Family) => call<Family>('save_family', { family }),
  /** Deletes a family record (its members' own records stay). */
  deleteFamily: (id: string) => call<null>('delete_family', { id }),

  // Genetic risk (crates/api/src/risk). Every number comes with its explanation: what moved it,
  // the model's parameters and their references. Nothing is cached: each call reads the vault.
  /** Risk for one person: one entry per requested catalog condition (empty: all), and the family history. */
  personRisk: (req: RiskRequest) => call<RiskReport>('person_risk', { req }),
  /** Who in the proband's family should consider genetic counselling, testing or screening, and why. */
  familyOverview: (proband: string) => call<FamilyOverview>('family_overview', { proband }),
  /**
   * Risk for a prospective child of `a` and `b` for a Mendelian condition, from both families'
   * records (a multifactorial one is refused with the reason); `horizon` null: age 85.
   */
  coupleRisk: (a: string, b: string, condition: string, horizon: number | null) =>
    call<CoupleRiskReport>('couple_risk', { a, b, condition, horizon }),
  /** Inbreeding coefficient of a child of `a` and `b`, and the added risk per recessive condition. */
  consanguinity: (a: string, b: string) => call<ConsanguinityReport>('consanguinity', { a, b }),

  // Clinical pedigree and clinician report (crates/api/src/pedigree_drawing.rs, report.rs;
  // docs/pedigree-drawing.md).
  /**
   * The NSGC pedigree around a proband as SVG text, with who and what it shows. `generations`
   * null: everyone related by blood (at most 1,000 people, then `truncated`).
   */
  pedigreeDrawing: (req: PedigreeRequest) => call<PedigreeDrawing>('pedigree_drawing', { req }),
  /**
   * The clinician report (pedigree, family history, risks, references) as a PDF or HTML file,
   * base64-encoded for saveBinaryFile. Here `generations` 0 means everyone, null the default 3.
   */
  clinicianReport: (req: ReportRequest, format: ReportFormat) =>
    call<ReportFile>('clinician_report', { req, format }),

  // Encrypted shares for a clinician (crates/api/src/share.rs; docs/sharing.md).
  /**
   * An age-encrypted share of the proband's family (FHIR, GA4GH, test results, the report), to
   * public keys or a passphrase; base64-encoded for saveBinaryFile. Rejects with 'invalid_input'
   * naming a bad key, 'weak_passphrase' for a short passphrase.
   */
  createShare: (req: ShareRequest) => call<ShareFile>('create_share', { req }),
  /**
   * Opens a share read-only (no vault needed; none is written): the manifest, the people and the
   * report files. A wrong key or passphrase rejects with 'wrong_passphrase'; a damaged or altered
   * file with 'corrupt'; a file that is not a share with 'invalid_input'.
   */
  openShare: (req: OpenShareRequest) => call<OpenedShareView>('open_share', { req }),
  /**
   * Makes an age key pair: the secret key is written to a new file chosen in a native dialog
   * (it never reaches the UI); the public key is returned. Null when the dialog is cancelled.
   */
  generateShareIdentity: () => call<ShareKeyFile | null>('generate_share_identity'),
  /** Native open dialog for a share (key false) or a key file (key true); null when cancelled. */
  pickShareFile: (key: boolean) => call<string | null>('pick_share_file', { key }),

  // End-to-end-encrypted sync (crates/api/src/sync.rs). Only syncSetup and syncNow use the
  // network, and only when the user asks: there is no background sync.
  /** Whether this vault syncs, with which server and account, and what is waiting. No network. */
  syncStatus: () => call<SyncStatus>('sync_status'),
  /**
   * Turns sync on: creates an account (join_code null; the result carries the new join code,
   * shown once) or joins one with a join code, then syncs once. Rejects with 'invalid_input' for
   * a bad address or join code, 'io' when the server cannot be reached, 'already_exists' when
   * the vault already syncs.
   */
  syncSetup: (req: SyncSetupRequest) => call<SyncSetupResult>('sync_setup', { req }),
  /** Sends this device's changes and receives the others'; 'not_found' when sync is off. */
  syncNow: () => call<SyncReport>('sync_now'),
  /** The join code that lets another device join the account (and read everything in it). */
  syncJoinCode: () => call<string>('sync_join_code'),
  /** Stops syncing on this device; the vault's data stays, the account and other devices too. */
  syncLeave: () => call<null>('sync_leave'),
  /** Merges to review (both versions kept, or an edit that lost to a delete). */
  syncConflicts: (includeResolved: boolean) =>
    call<SyncConflictView[]>('sync_conflicts', { includeResolved }),
  /** Marks a conflict reviewed; 'not_found' when it is not open. */
  resolveSyncConflict: (id: number) => call<null>('resolve_sync_conflict', { id }),
};

function chartRequest(center: string, kind: ChartKind, generations: number): ChartRequest {
  return { center, kind, generations, include_non_birth: false, max_nodes: 0 };
}

export type Api = typeof api;

export type LockReason = 'idle' | 'manual';
export type VaultLockedPayload = { reason: LockReason };

/** Subscribes to the backend's `vault-locked` event. */
export function onVaultLocked(handler: (payload: VaultLockedPayload) => void): Promise<UnlistenFn> {
  return listen<VaultLockedPayload>('vault-locked', (event) => {
    const reason = event.payload?.reason === 'idle' ? 'idle' : 'manual';
    handler({ reason });
  });
}

/** Subscribes to the backend's `transfer-progress` event (sent while an import/export runs). */
export function onTransferProgress(handler: (progress: ProgressEvent) => void): Promise<UnlistenFn> {
  return listen<ProgressEvent>('transfer-progress', (event) => {
    const p = event.payload;
    if (p && typeof p.done === 'number' && typeof p.total === 'number') handler(p);
  });
}
