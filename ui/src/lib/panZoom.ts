// Pan and zoom arithmetic for the chart canvas (ChartCanvas.svelte handles the events).
//
// Hand-written rather than d3-zoom: d3-zoom pulls in d3-color, whose class setup assigns
// `prototype.constructor`, which throws under Tauri's `freezePrototype` (the frozen
// Object.prototype makes inherited read-only properties unassignable). A blank window in the
// real app was the symptom.

import type { Transform } from './chartLayout';

/** Zooms by `factor` keeping the screen point (cx, cy) fixed; the scale stays in [min, max]. */
export function zoomAt(t: Transform, factor: number, cx: number, cy: number, min: number, max: number): Transform {
  const k = Math.min(max, Math.max(min, t.k * factor));
  const f = k / t.k;
  return { k, x: cx - (cx - t.x) * f, y: cy - (cy - t.y) * f };
}

/** Moves the view by (dx, dy) screen pixels. */
export function panBy(t: Transform, dx: number, dy: number): Transform {
  return { k: t.k, x: t.x + dx, y: t.y + dy };
}

/** The zoom factor of one wheel event (line or page deltas count as ~20 pixels per unit). */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const pixels = deltaMode === 0 ? deltaY : deltaY * 20;
  return Math.exp(-pixels * 0.002);
}

/** Two-finger pinch: the transform after the fingers moved from (a0, b0) to (a1, b1). */
export function pinch(
  t: Transform,
  a0: [number, number],
  b0: [number, number],
  a1: [number, number],
  b1: [number, number],
  min: number,
  max: number,
): Transform {
  const d0 = Math.hypot(b0[0] - a0[0], b0[1] - a0[1]) || 1;
  const d1 = Math.hypot(b1[0] - a1[0], b1[1] - a1[1]) || 1;
  const m0: [number, number] = [(a0[0] + b0[0]) / 2, (a0[1] + b0[1]) / 2];
  const m1: [number, number] = [(a1[0] + b1[0]) / 2, (a1[1] + b1[1]) / 2];
  const zoomed = zoomAt(t, d1 / d0, m0[0], m0[1], min, max);
  return panBy(zoomed, m1[0] - m0[0], m1[1] - m0[1]);
}
