// Small, pure helpers for turning backend data into words on screen.
import type { Person } from '../bindings/Person';
import type { Sex } from '../bindings/Sex';

export const SEX_OPTIONS: ReadonlyArray<{ value: Sex; label: string }> = [
  { value: 'M', label: 'Male' },
  { value: 'F', label: 'Female' },
  { value: 'X', label: 'Intersex' },
  { value: 'U', label: 'Unknown' },
];

export function sexLabel(sex: Sex): string {
  return SEX_OPTIONS.find((o) => o.value === sex)?.label ?? 'Unknown';
}

export function sexSymbol(sex: Sex): string {
  switch (sex) {
    case 'M':
      return '♂';
    case 'F':
      return '♀';
    case 'X':
      return '⚥';
    default:
      return '?';
  }
}

/** "1815–1852", "1815–", "–1852" or "" when neither year is known. */
export function lifeYears(birth: number | null, death: number | null): string {
  if (birth == null && death == null) return '';
  return `${birth ?? ''}–${death ?? ''}`;
}

/** The last component of a path, for either separator. */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** "5 minutes", "1 minute", "30 seconds", "1.5 minutes". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  if (seconds % 3600 === 0 && seconds >= 7200) return `${seconds / 3600} hours`;
  const minutes = Math.round((seconds / 60) * 10) / 10;
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export const MIN_PASSPHRASE = 8;

export type Strength = { score: 0 | 1 | 2 | 3; label: string; hint: string };

/**
 * A rough hint, not a guarantee: length and variety. The backend makes the real decision
 * (it may reject with 'weak_passphrase').
 */
export function passphraseStrength(p: string): Strength {
  if (p.length < MIN_PASSPHRASE) {
    return { score: 0, label: 'Too short', hint: `Use at least ${MIN_PASSPHRASE} characters.` };
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(p)).length;
  const words = p.trim().split(/\s+/).filter((w) => w.length >= 3).length;
  const unique = new Set(p).size;
  let points = 0;
  if (p.length >= 12) points++;
  if (p.length >= 16) points++;
  if (classes >= 3) points++;
  if (words >= 4) points++;
  if (unique < 5) points = 0;
  if (points >= 3) return { score: 3, label: 'Strong', hint: 'Good choice. Make sure you can remember it.' };
  if (points >= 1) {
    return { score: 2, label: 'Fair', hint: 'Longer is better: four or more unrelated words work well.' };
  }
  return { score: 1, label: 'Weak', hint: 'Try a longer phrase of four or more unrelated words.' };
}

export function primaryName(person: Person): { given: string; surname: string } {
  const n = person.names[0];
  return { given: n?.given ?? '', surname: n?.surname ?? '' };
}

export function displayName(person: Person): string {
  const { given, surname } = primaryName(person);
  return [given, surname].filter((s) => s.trim()).join(' ') || 'Unnamed person';
}

export function eventDateText(person: Person, type: 'birth' | 'death'): string {
  const event = person.events.find((e) => e.kind.type === type);
  return event?.date?.original ?? '';
}

export function eventPlace(person: Person, type: 'birth' | 'death'): string {
  const event = person.events.find((e) => e.kind.type === type);
  return event?.place?.name ?? '';
}
