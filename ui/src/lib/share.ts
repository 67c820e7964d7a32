// Pure helpers of the clinician-share dialogs (screens/ShareDialog.svelte, OpenShareDialog.svelte):
// reading the recipient keys a user pasted, and wording an opened share's people.
import type { SharePerson } from '../bindings/SharePerson';
import type { ShareEntry } from '../bindings/ShareEntry';

/** An age X25519 public key: "age1" and 58 bech32 characters. */
const PUBLIC_KEY = /^age1[02-9ac-hj-np-z]{58}$/;

export type Recipients = { keys: string[]; problems: string[] };

/**
 * The public keys in pasted text: one or more per line (a recipients file with `#` comments
 * works too), duplicates dropped. `problems` says what is wrong with each other word, by
 * position, without repeating it (it could be a secret key pasted by mistake).
 */
export function parseRecipients(text: string): Recipients {
  const keys: string[] = [];
  const problems: string[] = [];
  let n = 0;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    for (const word of trimmed.split(/[\s,;]+/).filter(Boolean)) {
      n += 1;
      if (word.toUpperCase().startsWith('AGE-SECRET-KEY-')) {
        problems.push(`Key ${n} is a secret key. Paste the clinician's public key (age1…) instead — and keep the secret key private.`);
      } else if (!word.toLowerCase().startsWith('age1')) {
        problems.push(`Key ${n} is not an age public key: those start with “age1”.`);
      } else if (!PUBLIC_KEY.test(word.toLowerCase())) {
        problems.push(`Key ${n} is not a complete age public key (“age1” and 58 more letters and digits).`);
      } else if (!keys.includes(word.toLowerCase())) {
        keys.push(word.toLowerCase());
      }
    }
  }
  return { keys, problems };
}

/** "alive", "died 2001", "deceased", "unknown". */
export function vitalText(p: SharePerson): string {
  switch (p.vital_status) {
    case 'alive':
      return 'alive';
    case 'deceased':
      return p.death_year === null ? 'deceased' : `died ${p.death_year}`;
    default:
      return 'unknown';
  }
}

/** "Breast cancer — affected, onset 41 y (SNOMED 254837009, ICD-10 C50)". */
export function conditionTexts(p: SharePerson): string[] {
  return p.conditions.map((c) => {
    const onset = c.onset ? `, onset ${c.onset}` : '';
    const codes = c.codes.length ? ` (${c.codes.join(', ')})` : '';
    return `${c.label} — ${c.status}${onset}${codes}`;
  });
}

/** "BRCA1 positive — pathogenic, NM_007294.4:c.68_69del". */
export function testTexts(p: SharePerson): string[] {
  return p.tests.map((t) => {
    const extra = [t.acmg, t.variant, t.lab, t.date].filter((x): x is string => !!x);
    return `${t.gene} ${t.result}${extra.length ? ` — ${extra.join(', ')}` : ''}`;
  });
}

/** "12 KiB". */
export function sizeText(bytes: number): string {
  if (bytes < 10 * 1024) return `${bytes} B`;
  if (bytes < 10 * 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return `${Math.ceil(bytes / (1024 * 1024))} MiB`;
}

/** "report.pdf (30 KiB), …". */
export function contentsText(entries: ShareEntry[]): string {
  return entries.map((e) => `${e.name} (${sizeText(e.bytes)})`).join(', ');
}
