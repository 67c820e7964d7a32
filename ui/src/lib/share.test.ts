import { describe, expect, it } from 'vitest';
import type { SharePerson } from '../bindings/SharePerson';
import { conditionTexts, contentsText, parseRecipients, sizeText, testTexts, vitalText } from './share';

/** A well-formed age public key (bech32 characters only). */
const KEY_A = 'age1' + 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'.repeat(2).slice(0, 58);
const KEY_B = 'age1' + 'ac7lmu6ech45nj3s0wdvt2fg8x9yrzpq'.repeat(2).slice(0, 58);
const SECRET = 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';

function sharePerson(overrides: Partial<SharePerson> = {}): SharePerson {
  return {
    id: 'I1',
    name: 'Ann Lee',
    proband: false,
    relation: 'aunt',
    sex: 'F',
    birth_year: 1960,
    vital_status: 'alive',
    death_year: null,
    conditions: [],
    tests: [],
    ...overrides,
  };
}

describe('parseRecipients', () => {
  it('reads keys one or more per line, skipping comments and duplicates', () => {
    const text = `# created: 2024-01-01\n# public key: ${KEY_A}\n${KEY_A}\n  ${KEY_B.toUpperCase()} , ${KEY_A}\n\n`;
    expect(parseRecipients(text)).toEqual({ keys: [KEY_A, KEY_B], problems: [] });
    expect(parseRecipients('')).toEqual({ keys: [], problems: [] });
  });

  it('says what is wrong with each word by position, never repeating it', () => {
    const { keys, problems } = parseRecipients(`${KEY_A}\n${SECRET}\nhello ${KEY_A.slice(0, 40)}`);
    expect(keys).toEqual([KEY_A]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^Key 2 is a secret key/);
    expect(problems[1]).toMatch(/^Key 3 is not an age public key/);
    expect(problems[2]).toMatch(/^Key 4 is not a complete age public key/);
    expect(problems.join(' ')).not.toContain('QQQQ');
  });
});

describe('wording an opened share', () => {
  it('vital status', () => {
    expect(vitalText(sharePerson())).toBe('alive');
    expect(vitalText(sharePerson({ vital_status: 'deceased', death_year: 2001 }))).toBe('died 2001');
    expect(vitalText(sharePerson({ vital_status: 'deceased' }))).toBe('deceased');
    expect(vitalText(sharePerson({ vital_status: 'unknown' }))).toBe('unknown');
  });

  it('conditions with codes and onset, tests with their details', () => {
    const p = sharePerson({
      conditions: [
        { label: 'Breast cancer', codes: ['SNOMED 254837009', 'ICD-10 C50'], onset: '41 y', status: 'affected', provenance: { kind: 'self_reported' } },
        { label: 'Stroke', codes: [], onset: null, status: 'unaffected', provenance: { kind: 'self_reported' } },
      ],
      tests: [
        { gene: 'BRCA1', variant: 'c.68_69del', result: 'positive', acmg: 'pathogenic', lab: null, date: '2021' },
        { gene: 'TP53', variant: null, result: 'negative', acmg: null, lab: null, date: null },
      ],
    });
    expect(conditionTexts(p)).toEqual([
      'Breast cancer — affected, onset 41 y (SNOMED 254837009, ICD-10 C50)',
      'Stroke — unaffected',
    ]);
    expect(testTexts(p)).toEqual(['BRCA1 positive — pathogenic, c.68_69del, 2021', 'TP53 negative']);
  });

  it('sizes and contents', () => {
    expect(sizeText(900)).toBe('900 B');
    expect(sizeText(30 * 1024)).toBe('30 KiB');
    expect(sizeText(12 * 1024 * 1024)).toBe('12 MiB');
    expect(contentsText([{ name: 'report.pdf', media_type: 'application/pdf', description: '', bytes: 2048 }])).toBe(
      'report.pdf (2048 B)',
    );
  });
});
