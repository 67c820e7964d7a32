import { describe, expect, it } from 'vitest';
import { PanZoomGesture, panBy, pinch, wheelFactor, zoomAt } from './panZoom';

describe('pan and zoom', () => {
  it('zooms around the pointer: the point under it stays put', () => {
    const t = { x: 10, y: 20, k: 1 };
    const z = zoomAt(t, 2, 110, 70, 0.01, 4);
    expect(z.k).toBe(2);
    // The chart point under (110, 70) before: ((110-10)/1, (70-20)/1) = (100, 50).
    expect((110 - z.x) / z.k).toBeCloseTo(100);
    expect((70 - z.y) / z.k).toBeCloseTo(50);
  });

  it('keeps the scale within its limits', () => {
    expect(zoomAt({ x: 0, y: 0, k: 3 }, 10, 0, 0, 0.01, 4).k).toBe(4);
    expect(zoomAt({ x: 0, y: 0, k: 0.02 }, 0.1, 0, 0, 0.01, 4).k).toBe(0.01);
  });

  it('pans by screen pixels at any scale', () => {
    expect(panBy({ x: 1, y: 2, k: 3 }, 10, -5)).toEqual({ x: 11, y: -3, k: 3 });
  });

  it('wheel up zooms in, down zooms out, lines count more than pixels', () => {
    expect(wheelFactor(-100, 0)).toBeGreaterThan(1);
    expect(wheelFactor(100, 0)).toBeLessThan(1);
    expect(wheelFactor(3, 1)).toBeLessThan(wheelFactor(3, 0));
  });

  it('pinches: fingers twice as far apart double the scale around their midpoint', () => {
    const t = { x: 0, y: 0, k: 1 };
    const z = pinch(t, [40, 50], [60, 50], [30, 50], [70, 50], 0.01, 4);
    expect(z.k).toBeCloseTo(2);
    expect((50 - z.x) / z.k).toBeCloseTo(50);
    // Moving both fingers pans.
    const p = pinch(t, [40, 50], [60, 50], [50, 60], [70, 60], 0.01, 4);
    expect(p).toEqual({ x: 10, y: 10, k: 1 });
  });
});

describe('pan/zoom gesture', () => {
  const t0 = { x: 0, y: 0, k: 1 };

  it('keeps a press that barely moves a click, and pans once it moves far enough', () => {
    const g = new PanZoomGesture(0.01, 4, 4);
    g.down(1, [10, 10]);
    expect(g.move(1, [12, 11], t0)).toBeNull();
    g.up(1);
    expect(g.endsDrag()).toBe(false);

    g.down(1, [10, 10]);
    const first = g.move(1, [20, 10], t0)!;
    expect(first).toEqual({ t: { x: 10, y: 0, k: 1 }, capture: true });
    const second = g.move(1, [25, 15], first.t)!;
    expect(second).toEqual({ t: { x: 15, y: 5, k: 1 }, capture: false });
    g.up(1);
    // The click ending the drag is swallowed, once.
    expect(g.endsDrag()).toBe(true);
    expect(g.endsDrag()).toBe(false);
  });

  it('ignores pointers it did not see go down', () => {
    const g = new PanZoomGesture(0.01, 4);
    expect(g.move(7, [100, 100], t0)).toBeNull();
  });

  it('pinches with two pointers within the scale limits', () => {
    const g = new PanZoomGesture(0.01, 1.5);
    g.down(1, [0, 0]);
    g.down(2, [100, 0]);
    const zoomed = g.move(2, [200, 0], t0)!;
    expect(zoomed.t.k).toBe(1.5);
    expect(g.endsDrag()).toBe(true);
  });

  it('a new press after an unfinished drag starts afresh', () => {
    const g = new PanZoomGesture(0.01, 4);
    g.down(1, [0, 0]);
    g.move(1, [50, 0], t0);
    g.up(1);
    g.down(1, [0, 0]);
    expect(g.endsDrag()).toBe(false);
  });
});
