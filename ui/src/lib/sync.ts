// Pure helpers for the Sync settings: checking the server address before anything is sent, and
// turning sync results into words.
import type { SyncReport } from '../bindings/SyncReport';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why `address` cannot be a sync server, or null when it can: an https:// address, or http://
 * for a server on this computer only (anything else would send the device's credentials in the
 * clear).
 */
export function checkServerAddress(address: string): string | null {
  const text = address.trim();
  if (text === '' || /^https?:\/\/$/i.test(text)) return "Enter the sync server's address.";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'That is not a web address. It looks like https://sync.example.org.';
  }
  if (url.protocol === 'https:' && url.hostname) return null;
  if (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)) return null;
  if (url.protocol === 'http:') return 'Use an https:// address: http:// is only for a server on this computer.';
  return 'The address must start with https://.';
}

const count = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** One line on what a sync did: changes received and sent, new conflicts. */
export function syncReportLine(r: SyncReport): string {
  const parts: string[] = [];
  if (r.snapshot_applied) parts.push("Started from the account's latest copy.");
  if (r.applied_changes === 0 && r.pushed_changes === 0 && !r.snapshot_applied) {
    parts.push('Up to date: nothing to receive or send.');
  } else {
    parts.push(`Received ${count(r.applied_changes, 'change', 'changes')}, sent ${count(r.pushed_changes, 'change', 'changes')}.`);
  }
  if (r.new_conflicts > 0) {
    parts.push(`${count(r.new_conflicts, 'new conflict', 'new conflicts')} to review below.`);
  }
  if (r.rejected_replays > 0) {
    parts.push(`${count(r.rejected_replays, 'batch the server sent again was', 'batches the server sent again were')} ignored.`);
  }
  return parts.join(' ');
}

/** A Unix-milliseconds time in the user's locale and time zone. */
export function formatSyncTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** One side of a conflict for reading: indented JSON, or a note when that side was deleted. */
export function conflictVersion(json: string | null): string {
  if (json === null) return '(none: it was deleted)';
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}
