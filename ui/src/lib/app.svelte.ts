// Which screen is showing and what the app knows about the open vault. One instance per
// mounted App (passed down as a prop), so tests start from a clean slate.
import type { AppInfo } from '../bindings/AppInfo';
import type { CreatedVault } from '../bindings/CreatedVault';
import type { VaultInfo } from '../bindings/VaultInfo';
import { api, toApiError, type LockReason } from './api';
import { formatDuration } from './format';

export type Screen =
  | { name: 'loading' }
  | { name: 'welcome' }
  | { name: 'create' }
  | { name: 'recovery'; key: string }
  | { name: 'open' }
  | { name: 'unlock'; path: string; notice: string | null }
  | { name: 'people' };

export class AppStore {
  screen = $state<Screen>({ name: 'loading' });
  info = $state<AppInfo | null>(null);
  vault = $state<VaultInfo | null>(null);
  /** A problem talking to the backend at start-up, shown on the welcome screen. */
  startError = $state<string | null>(null);

  async start(): Promise<void> {
    try {
      const [info, status] = await Promise.all([api.appInfo(), api.vaultStatus()]);
      this.info = info;
      if (status.unlocked) {
        this.vault = await api.vaultInfo();
        this.screen = { name: 'people' };
        return;
      }
    } catch (e) {
      this.startError = toApiError(e).message;
    }
    this.screen = { name: 'welcome' };
  }

  get idleLockSeconds(): number {
    return this.info?.idle_lock_seconds ?? 0;
  }

  async refreshInfo(): Promise<void> {
    try {
      this.info = await api.appInfo();
    } catch {
      // Keep what we had; the welcome screen still works without a fresh recent list.
    }
  }

  goWelcome(): void {
    this.screen = { name: 'welcome' };
    void this.refreshInfo();
  }

  goCreate(): void {
    this.screen = { name: 'create' };
  }

  goOpen(): void {
    this.screen = { name: 'open' };
  }

  goUnlock(path: string, notice: string | null = null): void {
    this.screen = { name: 'unlock', path, notice };
  }

  /** A vault was opened (unlock or recovery). */
  unlocked(vault: VaultInfo): void {
    this.vault = vault;
    this.screen = { name: 'people' };
    void this.refreshInfo();
  }

  /** A vault was created: show its recovery key, once. */
  created(result: CreatedVault): void {
    this.vault = result.vault;
    this.screen = { name: 'recovery', key: result.recovery_key };
    void this.refreshInfo();
  }

  recoveryAcknowledged(): void {
    // Replacing the screen drops the only reference the UI holds to the key.
    this.screen = { name: 'people' };
  }

  /** The backend locked the vault (idle timer, or another trigger): back to Unlock. */
  lockedOut(reason: LockReason | 'unknown', path?: string | null): void {
    const where = path ?? this.vault?.path ?? (this.screen.name === 'unlock' ? this.screen.path : null);
    this.vault = null;
    if (!where) {
      this.goWelcome();
      return;
    }
    if (this.screen.name === 'unlock' && this.screen.path === where && reason !== 'idle') return;
    const notice =
      reason === 'idle'
        ? `Locked after ${formatDuration(this.idleLockSeconds)} of inactivity.`
        : reason === 'unknown'
          ? 'The vault was locked. Enter your passphrase to continue.'
          : null;
    this.goUnlock(where, notice);
  }

  /** The Lock button. */
  async lock(): Promise<void> {
    const path = this.vault?.path;
    try {
      await api.lockVault();
    } catch {
      // Locking an already locked vault is fine; either way the UI forgets everything.
    }
    this.lockedOut('manual', path);
  }

  setIdleLockSeconds(info: AppInfo): void {
    this.info = info;
  }
}
