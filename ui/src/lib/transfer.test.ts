import { describe, expect, it } from 'vitest';
import { formatBytes, importReportText, warningText } from './transfer';

describe('transfer helpers', () => {
  it('formats byte counts', () => {
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(820)).toBe('820 bytes');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
  });

  it('writes every warning into the report, with or without a line', () => {
    expect(warningText({ line: null, message: 'No HEAD.CHAR; read as UTF-8' })).toBe('No HEAD.CHAR; read as UTF-8');
    const text = importReportText('/tmp/a.ged', {
      format: 'gedcom',
      version: '7.0',
      encoding: 'UTF-8',
      individuals: 2,
      families: 1,
      sources: 0,
      media: 0,
      media_files: 0,
      other_records: 0,
      health_observations: 0,
      warnings: [
        { line: 3, message: 'Unknown tag _FOO kept verbatim' },
        { line: null, message: '1 more warning' },
      ],
    });
    expect(text).toContain('File: /tmp/a.ged');
    expect(text).toContain('Warnings: 2\nLine 3: Unknown tag _FOO kept verbatim\n1 more warning\n');
  });
});
