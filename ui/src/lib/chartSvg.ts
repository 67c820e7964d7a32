// Chart export: a laid-out chart (see chartLayout.ts) as a standalone SVG document with every
// style inline (presentation attributes: fill, stroke, font-size...), so it looks the same in a
// browser, Inkscape or a print shop, and rasterised to PNG on a canvas. The whole chart is
// written, not just what the screen shows (the screen culls what is out of view).
import type { ChartKind } from '../bindings/ChartKind';
import type { PersonRef } from '../bindings/PersonRef';
import type { Sex } from '../bindings/Sex';
import {
  boxRadius,
  occurrenceLabel,
  personName,
  sexSymbolPath,
  type Box,
  type ChartLayout,
  type Edge,
  type Sector,
} from './chartLayout';

/** Light, print-friendly colours of the exported chart (the screen follows the app theme). */
export const EXPORT_COLORS = {
  background: '#ffffff',
  text: '#1d2430',
  muted: '#5a6473',
  edge: '#8a94a3',
  center: '#2c6e7f',
  repeatFill: '#ffffff',
  sex: {
    M: { fill: '#e3eef8', stroke: '#3b6e96' },
    F: { fill: '#f9e6ee', stroke: '#a24a72' },
    X: { fill: '#efe9f6', stroke: '#6c5a8e' },
    U: { fill: '#eef0f3', stroke: '#6b7480' },
  } satisfies Record<Sex, { fill: string; stroke: string }>,
} as const;

export const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Cantarell, 'Noto Sans', sans-serif";

/** Where the text and marks sit inside a person box (shared with the on-screen chart). */
export const BOX_TEXT = { x: 26, nameY: 20, yearsY: 37, singleY: 29, symbolX: 14 } as const;

export const REPEAT_DASH = '5 3';
export const LEGAL_DASH = '6 4';

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Baseline offsets (px) of `n` text lines centred on 0. */
export function lineOffsets(n: number, fontSize: number, lineHeight = 1.2): number[] {
  const lh = fontSize * lineHeight;
  return Array.from({ length: n }, (_, i) => Math.round(((i - (n - 1) / 2) * lh + fontSize * 0.35) * 10) / 10);
}

/**
 * A small triangle on the edge of a box pointing where the chart has more people (parents or
 * children not drawn): right for a pedigree, up/down for the vertical charts. Null when none.
 */
export function moreMarkPath(kind: ChartKind, b: Box): string | null {
  if (b.repeatOf || kind === 'fan') return null;
  const x = b.x;
  const y = b.y;
  const hw = b.w / 2;
  const hh = b.h / 2;
  if (kind === 'pedigree') {
    return b.moreAncestors ? `M${x + hw + 3} ${y - 5}L${x + hw + 10} ${y}L${x + hw + 3} ${y + 5}Z` : null;
  }
  const ancestorSide = b.role === 'ancestor' || (b.center && kind === 'hourglass');
  if (ancestorSide && b.moreAncestors) return `M${x - 5} ${y - hh - 3}L${x} ${y - hh - 10}L${x + 5} ${y - hh - 3}Z`;
  if ((b.role === 'descendant' || b.center) && b.moreDescendants) {
    return `M${x - 5} ${y + hh + 3}L${x} ${y + hh + 10}L${x + 5} ${y + hh + 3}Z`;
  }
  return null;
}

function attrs(a: Record<string, string | number | null | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
}

function edgeSvg(e: Edge): string {
  return `<path${attrs({
    d: e.d,
    fill: 'none',
    stroke: EXPORT_COLORS.edge,
    'stroke-width': e.kind === 'union' ? 2 : 1.5,
    'stroke-dasharray': e.legal ? LEGAL_DASH : null,
  })}/>`;
}

function boxSvg(kind: ChartKind, b: Box): string {
  const c = EXPORT_COLORS.sex[b.person.sex];
  const x0 = b.x - b.w / 2;
  const y0 = b.y - b.h / 2;
  const parts: string[] = [`<title>${escapeXml(occurrenceLabel(b))}</title>`];
  parts.push(
    `<rect${attrs({
      width: b.w,
      height: b.h,
      rx: boxRadius(b.person.sex, b.h),
      fill: b.repeatOf ? EXPORT_COLORS.repeatFill : c.fill,
      stroke: b.center ? EXPORT_COLORS.center : c.stroke,
      'stroke-width': b.center ? 3 : 1.5,
      'stroke-dasharray': b.repeatOf ? REPEAT_DASH : null,
    })}/>`,
  );
  parts.push(`<path${attrs({ d: sexSymbolPath(b.person.sex, BOX_TEXT.symbolX, b.h / 2), fill: c.stroke })}/>`);
  const [name, years] = b.lines;
  parts.push(
    `<text${attrs({
      x: BOX_TEXT.x,
      y: years ? BOX_TEXT.nameY : BOX_TEXT.singleY,
      'font-size': 13,
      'font-weight': 600,
      fill: EXPORT_COLORS.text,
    })}>${escapeXml(name ?? '')}</text>`,
  );
  if (years) {
    parts.push(`<text${attrs({ x: BOX_TEXT.x, y: BOX_TEXT.yearsY, 'font-size': 12, fill: EXPORT_COLORS.muted })}>${escapeXml(years)}</text>`);
  }
  if (b.repeatOf) {
    parts.push(`<text${attrs({ x: b.w - 8, y: 14, 'font-size': 11, 'text-anchor': 'end', fill: EXPORT_COLORS.muted })}>↺</text>`);
  }
  const more = moreMarkPath(kind, b);
  return (
    `<g${attrs({ transform: `translate(${x0} ${y0})` })}>${parts.join('')}</g>` +
    (more ? `<path${attrs({ d: more, fill: EXPORT_COLORS.edge })}/>` : '')
  );
}

function sectorSvg(s: Sector): string {
  const c = EXPORT_COLORS.sex[s.person.sex];
  const offsets = lineOffsets(s.lines.length, s.fontSize);
  const spans = s.lines
    .map(
      (line, i) =>
        `<tspan${attrs({ x: 0, y: offsets[i], 'font-weight': i === 0 ? 600 : null, fill: i === 0 ? EXPORT_COLORS.text : EXPORT_COLORS.muted })}>${escapeXml(line)}</tspan>`,
    )
    .join('');
  return (
    `<g><title>${escapeXml(occurrenceLabel(s))}</title>` +
    `<path${attrs({
      d: s.d,
      fill: s.repeatOf ? EXPORT_COLORS.repeatFill : c.fill,
      stroke: s.center ? EXPORT_COLORS.center : c.stroke,
      'stroke-width': s.center ? 3 : 1,
      'stroke-dasharray': s.repeatOf ? REPEAT_DASH : null,
    })}/>` +
    (spans
      ? `<text${attrs({ transform: `translate(${s.tx} ${s.ty}) rotate(${s.rotate})`, 'text-anchor': 'middle', 'font-size': s.fontSize })}>${spans}</text>`
      : '') +
    `</g>`
  );
}

export type SvgOptions = {
  title?: string;
  padding?: number;
  /** Start with `<?xml …?>` (default): a file does, markup put into a page does not. */
  declaration?: boolean;
};

/** Size of the exported picture: the layout's bounds plus padding on every side. */
export function svgSize(layout: ChartLayout, padding = 24): { x: number; y: number; width: number; height: number } {
  const b = layout.bounds;
  return {
    x: Math.floor(b.x0 - padding),
    y: Math.floor(b.y0 - padding),
    width: Math.ceil(b.x1 - b.x0 + 2 * padding),
    height: Math.ceil(b.y1 - b.y0 + 2 * padding),
  };
}

/** The whole chart as a standalone SVG document (UTF-8 text). */
export function chartToSvg(layout: ChartLayout, opts: SvgOptions = {}): string {
  const { x, y, width, height } = svgSize(layout, opts.padding ?? 24);
  const out: string[] = [
    opts.declaration === false ? '' : '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<svg${attrs({
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `${x} ${y} ${width} ${height}`,
      'font-family': FONT_FAMILY,
    })}>`,
  ];
  if (opts.title) out.push(`<title>${escapeXml(opts.title)}</title>`);
  out.push(`<rect${attrs({ x, y, width, height, fill: EXPORT_COLORS.background })}/>`);
  out.push('<g>', ...layout.edges.map(edgeSvg), '</g>');
  out.push('<g>', ...layout.sectors.map(sectorSvg), ...layout.boxes.map((b) => boxSvg(layout.kind, b)), '</g>');
  out.push('</svg>\n');
  return out.join('');
}

// ----- PNG --------------------------------------------------------------------------------------

/** WebKit and Chromium refuse canvases much past these; bigger charts are scaled down. */
export const PNG_MAX_SIDE = 16384;
export const PNG_MAX_PIXELS = 64_000_000;

/** Pixel size of the PNG: `scale`× the SVG size, shrunk to stay within the canvas limits. */
export function pngSize(
  width: number,
  height: number,
  scale = 2,
  maxSide = PNG_MAX_SIDE,
  maxPixels = PNG_MAX_PIXELS,
): { width: number; height: number; scale: number } {
  const s = Math.min(scale, maxSide / width, maxSide / height, Math.sqrt(maxPixels / (width * height)));
  return { width: Math.max(1, Math.floor(width * s)), height: Math.max(1, Math.floor(height * s)), scale: s };
}

/** Base64 of binary data (chunked, so a 50 MB PNG does not overflow the call stack). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/**
 * Rasterises an SVG document: loads it as an image from a blob: URL (the page's CSP allows
 * `img-src blob:`), draws it on a white canvas at `scale`, and returns the PNG as base64.
 */
export async function svgToPngBase64(svg: string, width: number, height: number, scale = 2): Promise<string> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    const loaded = new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('The chart picture could not be loaded for PNG export.'));
    });
    img.src = url;
    await loaded;
    const size = pngSize(width, height, scale);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This system cannot draw on a canvas, so PNG export is unavailable.');
    ctx.fillStyle = EXPORT_COLORS.background;
    ctx.fillRect(0, 0, size.width, size.height);
    ctx.drawImage(img, 0, 0, size.width, size.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('The chart is too large to turn into a PNG.');
    return bytesToBase64(new Uint8Array(await blob.arrayBuffer()));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** "pedigree-Ada-Lovelace.svg": a file name safe on every system. */
export function chartFileName(kind: ChartKind, person: PersonRef, ext: 'svg' | 'png'): string {
  const name = personName(person)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${kind}-${name || 'chart'}.${ext}`;
}
