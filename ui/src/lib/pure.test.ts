import { describe, expect, it, vi } from 'vitest';
import { throttle, watchActivity } from './activity';
import { fileName, formatDuration, lifeYears, passphraseStrength } from './format';
import { PageCache } from './pageCache';
import { applyDraft, draftFrom } from './personEdit';
import { MAX_SCROLL_PX, scrollHeight, scrollTopToReveal, windowAt } from './virtual';
import { person } from '../test/backend';

describe('format', () => {
  it('formats life years', () => {
    expect(lifeYears(1815, 1852)).toBe('1815–1852');
    expect(lifeYears(1815, null)).toBe('1815–');
    expect(lifeYears(null, 1852)).toBe('–1852');
    expect(lifeYears(null, null)).toBe('');
  });

  it('finds file names on any platform', () => {
    expect(fileName('/home/ada/family.kinvault')).toBe('family.kinvault');
    expect(fileName('C:\\Users\\Ada\\family.kinvault')).toBe('family.kinvault');
  });

  it('formats idle durations', () => {
    expect(formatDuration(300)).toBe('5 minutes');
    expect(formatDuration(60)).toBe('1 minute');
    expect(formatDuration(30)).toBe('30 seconds');
    expect(formatDuration(90)).toBe('1.5 minutes');
  });

  it('rates passphrases', () => {
    expect(passphraseStrength('short').score).toBe(0);
    expect(passphraseStrength('aaaaaaaaaaaaaaaaaaaa').score).toBe(1);
    expect(passphraseStrength('correct horse battery staple').score).toBe(3);
  });
});

describe('activity throttle', () => {
  it('lets one ping through per interval, plus one trailing ping for activity inside it', () => {
    vi.useFakeTimers();
    try {
      const send = vi.fn();
      const ping = throttle(send, 20_000);
      ping();
      expect(send).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(5_000);
      ping();
      ping();
      vi.advanceTimersByTime(14_999);
      expect(send).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(1);
      expect(send).toHaveBeenCalledTimes(2); // at t = 20 s, for the activity at 5 s
      vi.advanceTimersByTime(60_000);
      expect(send).toHaveBeenCalledTimes(2); // nothing new happened
      ping();
      expect(send).toHaveBeenCalledTimes(3);
      ping(); // schedules a trailing ping...
      ping.cancel(); // ...which cleanup drops
      vi.advanceTimersByTime(60_000);
      expect(send).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('listens for keys, pointer and wheel, and stops when cleaned up', () => {
    const target = new EventTarget();
    const send = vi.fn();
    const stop = watchActivity(target, send, 0);
    target.dispatchEvent(new Event('keydown'));
    target.dispatchEvent(new Event('pointerdown'));
    target.dispatchEvent(new Event('wheel'));
    target.dispatchEvent(new Event('mousemove'));
    expect(send).toHaveBeenCalledTimes(3);
    stop();
    target.dispatchEvent(new Event('keydown'));
    expect(send).toHaveBeenCalledTimes(3);
  });
});

describe('PageCache', () => {
  it('evicts the least recently used page', () => {
    const cache = new PageCache<number>(2);
    cache.set(0, [0]);
    cache.set(1, [1]);
    cache.get(0); // 0 is now the most recent
    cache.set(2, [2]);
    expect(cache.pages().sort()).toEqual([0, 2]);
    expect(cache.size).toBe(2);
  });
});

describe('virtual window', () => {
  it('renders only the visible rows plus overscan', () => {
    const g = { count: 1_000_000, rowHeight: 40, viewport: 400 };
    expect(windowAt(g, 0, 5)).toEqual({ start: 0, end: 16, offset: 0, first: 0 });
  });

  it('caps the spacer height and still reaches the last row', () => {
    const g = { count: 1_000_000, rowHeight: 40, viewport: 400 };
    expect(scrollHeight(g)).toBe(MAX_SCROLL_PX);
    const bottom = windowAt(g, MAX_SCROLL_PX - 400, 5);
    expect(bottom.end).toBe(1_000_000);
    // The last row's bottom edge lines up with the bottom of the viewport.
    const lastRowTop = bottom.offset + (999_999 - bottom.start) * 40;
    expect(lastRowTop + 40).toBeCloseTo(MAX_SCROLL_PX, 3);
  });

  it('is an ordinary list when it fits under the cap', () => {
    const g = { count: 1000, rowHeight: 40, viewport: 400 };
    expect(windowAt(g, 4000, 2)).toEqual({ start: 98, end: 113, offset: 98 * 40, first: 100 });
    expect(scrollTopToReveal(g, 0, 50)).toBe(51 * 40 - 400);
    expect(scrollTopToReveal(g, 4000, 100)).toBeNull();
    expect(scrollTopToReveal(g, 4000, 10)).toBe(400);
  });

  it('reveals rows deep in a scaled list', () => {
    const g = { count: 1_000_000, rowHeight: 40, viewport: 400 };
    const top = scrollTopToReveal(g, 0, 600_000)!;
    const w = windowAt(g, top, 0);
    expect(w.start).toBeLessThanOrEqual(600_000);
    expect(w.end).toBeGreaterThan(600_000);
  });
});

describe('applyDraft', () => {
  it('edits names and the birth date text, leaving the input untouched', () => {
    const before = person();
    const after = applyDraft(before, { ...draftFrom(before), given: ' Augusta Ada ', birth: 'ABT 1816' });
    expect(after.names[0].given).toBe('Augusta Ada');
    expect(after.events[0].date?.original).toBe('ABT 1816');
    expect(before.names[0].given).toBe('Ada');
  });

  it('adds a death event in the documented shape and marks the person deceased', () => {
    const after = applyDraft(person(), { ...draftFrom(person()), death: '27 NOV 1852' });
    expect(after.events[1]).toEqual({
      kind: { type: 'death' },
      date: {
        original: '27 NOV 1852',
        qualifier: 'unparsed',
        calendar: 'gregorian',
        earliest: null,
        latest: null,
        phrase: null,
      },
      place: null,
      description: null,
      citations: [],
      notes: [],
    });
    expect(after.vital_status.status).toBe('deceased');
  });

  it('drops an emptied birth event unless it still holds a place', () => {
    const p = person();
    expect(applyDraft(p, { ...draftFrom(p), birth: '' }).events).toEqual([]);
    p.events[0].place = { name: 'London', latitude: null, longitude: null };
    const kept = applyDraft(p, { ...draftFrom(p), birth: '  ' });
    expect(kept.events[0].date).toBeNull();
    expect(kept.events[0].place?.name).toBe('London');
  });

  it('sets gender null when blank and keeps the proband flag', () => {
    const after = applyDraft(person({ gender: 'woman' }), { ...draftFrom(person()), gender: ' ', proband: true });
    expect(after.gender).toBeNull();
    expect(after.proband).toBe(true);
  });

  it('drafts the consultand flag and sets it only when checked', () => {
    expect(draftFrom(person()).consultand).toBe(false);
    expect(draftFrom(person({ consultand: true })).consultand).toBe(true);
    const sister = applyDraft(person(), { ...draftFrom(person()), consultand: true });
    expect(sister.consultand).toBe(true);
    const cleared = applyDraft(person({ consultand: true }), { ...draftFrom(person()), consultand: false });
    expect('consultand' in cleared).toBe(false);
    expect(applyDraft(person(), draftFrom(person()))).toEqual(person());
  });
});
