// Shared pieces of the GEDCOM import and export dialogs: progress subscription around a
// long-running command, phase labels, and the plain-text import report.
import type { ImportReport } from '../bindings/ImportReport';
import type { ProgressEvent } from '../bindings/ProgressEvent';
import type { ProgressPhase } from '../bindings/ProgressPhase';
import { onTransferProgress } from './api';

export const PHASE_LABELS: Record<ProgressPhase, string> = {
  reading: 'Reading file',
  importing: 'Importing records',
  media: 'Storing media',
  checking: 'Checking',
  scanning: 'Scanning vault',
  exporting: 'Writing file',
};

/** How many warnings the import dialog lists (the saved report has them all). */
export const WARNINGS_SHOWN = 200;

/**
 * Runs `task` with `onprogress` subscribed to `transfer-progress` for exactly its duration.
 * The subscription is in place before the command starts, so no early event is missed.
 */
export async function withProgress<T>(task: () => Promise<T>, onprogress: (p: ProgressEvent) => void): Promise<T> {
  let active = true;
  const unlisten = await onTransferProgress((p) => {
    if (active) onprogress(p);
  }).catch(() => null);
  try {
    return await task();
  } finally {
    active = false;
    unlisten?.();
  }
}

/** "1.5 MB", "820 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${units[i]}`;
}

export function warningText(w: { line: number | null; message: string }): string {
  return w.line == null ? w.message : `Line ${w.line}: ${w.message}`;
}

/** The plain-text report "Save report…" writes: the summary and every warning. */
export function importReportText(source: string, r: ImportReport): string {
  const lines = [
    'Kinvault GEDCOM import report',
    `File: ${source}`,
    `Format: ${r.format}, version ${r.version}, encoding ${r.encoding}`,
    '',
    `Individuals: ${r.individuals}`,
    `Families: ${r.families}`,
    `Sources: ${r.sources}`,
    `Media: ${r.media}`,
    `Media files stored: ${r.media_files}`,
    `Other records: ${r.other_records}`,
    `Health observations (imported from GEDCOM, unverified): ${r.health_observations}`,
    '',
    `Warnings: ${r.warnings.length}`,
    ...r.warnings.map(warningText),
  ];
  return lines.join('\n') + '\n';
}
