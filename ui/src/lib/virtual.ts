// Geometry for a windowed list with fixed row heights. Browsers cap an element's height
// (about 33.5 million px in WebKit and Chromium), so past MAX_SCROLL_PX the scrollbar is
// scaled: one scrolled pixel moves `ratio` pixels through the content.

export const MAX_SCROLL_PX = 15_000_000;

export type Geometry = {
  count: number;
  rowHeight: number;
  viewport: number;
  maxScroll?: number;
};

export type Window = {
  /** First rendered row (inclusive). */
  start: number;
  /** One past the last rendered row. */
  end: number;
  /** Where the first rendered row sits inside the scrolled spacer, in px. */
  offset: number;
  /** The row at the top of the viewport. */
  first: number;
};

export function contentHeight(g: Geometry): number {
  return g.count * g.rowHeight;
}

/** Height of the scrolled spacer element. */
export function scrollHeight(g: Geometry): number {
  return Math.min(contentHeight(g), g.maxScroll ?? MAX_SCROLL_PX);
}

/** Content pixels per scrolled pixel (1 unless the list is taller than the cap). */
export function ratio(g: Geometry): number {
  const content = contentHeight(g);
  const scroll = scrollHeight(g);
  if (content <= scroll || scroll <= g.viewport) return 1;
  return (content - g.viewport) / (scroll - g.viewport);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), Math.max(lo, hi));
}

/** The content offset shown at the top of the viewport for a given scrollTop. */
export function contentTop(g: Geometry, scrollTop: number): number {
  return clamp(scrollTop * ratio(g), 0, contentHeight(g) - g.viewport);
}

export function windowAt(g: Geometry, scrollTop: number, overscan: number): Window {
  if (g.count <= 0 || g.rowHeight <= 0) return { start: 0, end: 0, offset: 0, first: 0 };
  const top = contentTop(g, scrollTop);
  const first = Math.floor(top / g.rowHeight);
  const visible = Math.ceil(g.viewport / g.rowHeight) + 1;
  const start = clamp(first - overscan, 0, g.count - 1);
  const end = Math.min(g.count, first + visible + overscan);
  // Row i sits at i*rowHeight in content space; shift so `top` lines up with scrollTop.
  const offset = scrollTop - top + start * g.rowHeight;
  return { start, end, offset, first: Math.min(first, g.count - 1) };
}

/** The scrollTop that brings row `index` fully into view, or null when it already is. */
export function scrollTopToReveal(g: Geometry, scrollTop: number, index: number): number | null {
  const top = contentTop(g, scrollTop);
  const rowTop = index * g.rowHeight;
  const rowBottom = rowTop + g.rowHeight;
  // Browsers keep scrollTop in whole (device) pixels: round towards showing the whole row.
  if (rowTop < top) return Math.floor(rowTop / ratio(g));
  if (rowBottom > top + g.viewport) return Math.ceil((rowBottom - g.viewport) / ratio(g));
  return null;
}
