// Pan and zoom arithmetic for the chart canvases (ChartCanvas.svelte handles its events itself;
// PedigreeCanvas.svelte through PanZoomGesture below).
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

type Point = [number, number];

/**
 * The pointers on a pan/zoom surface (components/PedigreeCanvas.svelte): one pointer pans once it
 * has moved `dragStart` pixels (below that a press stays a click), two pinch. The click that ends
 * a drag is not a click on what lies under the pointer (`endsDrag`).
 */
export class PanZoomGesture {
  private pointers = new Map<number, Point>();
  private pressedAt: Point | null = null;
  private dragging = false;

  constructor(
    readonly minK: number,
    readonly maxK: number,
    readonly dragStart = 4,
  ) {}

  /** A pointer went down at `p` (surface pixels). */
  down(id: number, p: Point): void {
    this.pointers.set(id, p);
    if (this.pointers.size === 1) {
      this.pressedAt = p;
      this.dragging = false;
    }
  }

  /**
   * A pointer moved to `p`: the new transform, or null when nothing moves. `capture` is true on
   * the move that turned a press into a drag (capture the pointer then, not before, so a plain
   * click still reaches the element clicked).
   */
  move(id: number, p: Point, t: Transform): { t: Transform; capture: boolean } | null {
    const before = this.pointers.get(id);
    if (!before) return null;
    let next: Transform | null = null;
    let capture = false;
    if (this.pointers.size >= 2) {
      const [[ida, a0], [idb, b0]] = [...this.pointers.entries()];
      const a1 = ida === id ? p : a0;
      const b1 = idb === id ? p : b0;
      next = pinch(t, a0, b0, a1, b1, this.minK, this.maxK);
      this.dragging = true;
    } else {
      const from = this.pressedAt;
      if (!this.dragging && from && Math.hypot(p[0] - from[0], p[1] - from[1]) >= this.dragStart) {
        this.dragging = true;
        capture = true;
      }
      if (this.dragging) next = panBy(t, p[0] - before[0], p[1] - before[1]);
    }
    this.pointers.set(id, p);
    return next ? { t: next, capture } : null;
  }

  /** A pointer went up or was cancelled. */
  up(id: number): void {
    this.pointers.delete(id);
    if (this.pointers.size === 0) this.pressedAt = null;
  }

  /** On click: true when the click ends a drag (and must not activate anything); resets. */
  endsDrag(): boolean {
    const was = this.dragging;
    this.dragging = false;
    return was;
  }
}
