// Colour scales: viridis for numbers (perceptually uniform, readable on light and dark
// backgrounds and by colour-blind readers), Tableau 10 for categories, Okabe-Ito for phases,
// and the text colour that stays legible on a given fill.

import { OKABE_ITO, PHASE_COLORS } from 'weightlab/payloads';

/** 16 viridis stops (matplotlib's table, evenly resampled); interpolated linearly. */
const VIRIDIS = [
  '#440154',
  '#481a6c',
  '#472f7d',
  '#414487',
  '#39568c',
  '#31688e',
  '#2a788e',
  '#23888e',
  '#1f988b',
  '#22a884',
  '#35b779',
  '#54c568',
  '#7ad151',
  '#a5db36',
  '#d2e21b',
  '#fde725',
].map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));

const CATEGORICAL = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export const MISSING_COLOR = '#9e9e9e';

/** Viridis at t in [0, 1] as 'rgb(r,g,b)'. */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [r, g, b] = VIRIDIS[i].map((c, k) => Math.round(c + f * (VIRIDIS[i + 1][k] - c)));
  return `rgb(${r},${g},${b})`;
}

/** A colour per category, in first-seen order (cycles after ten). */
export function categoricalColor(index: number): string {
  return CATEGORICAL[index % CATEGORICAL.length];
}

export interface ColorScale {
  kind: 'quantitative' | 'nominal';
  /** Quantitative only: colours follow log10 of the value (positive columns spanning 100x or more, e.g. learning rates). */
  logarithmic?: boolean;
  /** Quantitative only: a diverging scale, white at this value (inside the domain), red below and blue above. */
  divergingAt?: number;
  /** Colour of each item. */
  colors: string[];
  /** Numeric range (quantitative) or categories in legend order (nominal). */
  domain: [number, number] | string[];
}

/** ColorBrewer RdBu (11 classes), red to blue: diverging, and readable under red-green colour blindness. */
const RED_BLUE = [
  '#67001f',
  '#b2182b',
  '#d6604d',
  '#f4a582',
  '#fddbc7',
  '#f7f7f7',
  '#d1e5f0',
  '#92c5de',
  '#4393c3',
  '#2166ac',
  '#053061',
].map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));

/** The red-blue diverging scale at t in [0, 1] (0.5 white) as 'rgb(r,g,b)'. */
export function redBlue(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (RED_BLUE.length - 1);
  const i = Math.min(RED_BLUE.length - 2, Math.floor(x));
  const [r, g, b] = RED_BLUE[i].map((c, k) => Math.round(c + (x - i) * (RED_BLUE[i + 1][k] - c)));
  return `rgb(${r},${g},${b})`;
}

/** Options of a quantitative scale (defaults: viridis; log when positive and spanning 100x or more). */
export interface ScaleOptions {
  /** true: log10 (when every value is positive); false: never; undefined: the 100x rule. */
  logarithmic?: boolean;
  /** Diverging (red-white-blue) with white at this value; the domain is widened to include it. */
  divergingAt?: number;
}

/** Where `value` falls on a quantitative scale, 0 at the domain's low end and 1 at its high end (0.5 at a diverging scale's centre). */
export function scalePosition(scale: ColorScale, value: number): number {
  const [low, high] = scale.domain as [number, number];
  if (scale.logarithmic) return Math.log10(value / low) / (Math.log10(high / low) || 1);
  const mid = scale.divergingAt;
  if (mid !== undefined)
    return value < mid ? (0.5 * (value - low)) / (mid - low || 1) : 0.5 + (0.5 * (value - mid)) / (high - mid || 1);
  return (value - low) / (high - low || 1);
}

/** The colour at position t in [0, 1] of a quantitative scale. */
export function scaleColor(scale: ColorScale, t: number): string {
  return scale.divergingAt !== undefined ? redBlue(t) : viridis(t);
}

/** Colours for a column of values: viridis (or red-blue when diverging) over [min, max] for numbers, palette for anything else. */
export function colorScale(
  values: readonly unknown[],
  kind: 'quantitative' | 'nominal',
  options: ScaleOptions = {},
): ColorScale {
  if (kind === 'quantitative') {
    const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    let low = numbers.length ? Math.min(...numbers) : 0;
    let high = numbers.length ? Math.max(...numbers) : 1;
    const divergingAt = options.divergingAt;
    if (divergingAt !== undefined) {
      low = Math.min(low, divergingAt);
      high = Math.max(high, divergingAt);
    }
    const logarithmic = divergingAt === undefined && low > 0 && (options.logarithmic ?? high / low >= 100);
    const scale: ColorScale = {
      kind,
      logarithmic,
      ...(divergingAt !== undefined ? { divergingAt } : {}),
      domain: [low, high],
      colors: [],
    };
    // Quantised to 129 levels: at most 129 distinct fill colours, so the canvas batches fills.
    scale.colors = values.map((v) =>
      typeof v === 'number' && Number.isFinite(v)
        ? scaleColor(scale, Math.round(scalePosition(scale, v) * 128) / 128)
        : MISSING_COLOR,
    );
    return scale;
  }
  // Legend order is natural order (seed 2 before seed 10), not the order rows happen to come in.
  const categories = [...new Set(values.filter((v) => v !== null && v !== undefined).map(String))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  const indices = new Map(categories.map((category, index) => [category, index]));
  const colors = values.map((v) =>
    v === null || v === undefined ? MISSING_COLOR : categoricalColor(indices.get(String(v))!),
  );
  return { kind, domain: categories, colors };
}

/** The sRGB channels (0-255) of '#rrggbb' or 'rgb(r,g,b)'; undefined for anything else. */
export function parseColor(color: string): [number, number, number] | undefined {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color.trim());
  if (hex) return [parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16)];
  const rgb = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)/i.exec(color.trim());
  return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : undefined;
}

/** WCAG 2 relative luminance of an sRGB colour (0 black, 1 white). */
export function relativeLuminance([r, g, b]: readonly number[]): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/**
 * Black or white, whichever has the higher WCAG contrast ratio against `background`: text
 * drawn on data colours (phase cells, viridis cells) stays legible from the darkest viridis
 * purple to its yellow. Either reaches at least 4.58:1 on any colour.
 */
export function readableTextColor(background: string): '#000000' | '#ffffff' {
  const rgb = parseColor(background);
  if (!rgb) return '#000000';
  const luminance = relativeLuminance(rgb);
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? '#000000' : '#ffffff';
}

/**
 * A colour per phase label, in `order`: the payload's own colours first, then the shared
 * colours of Yang et al.'s phases (PHASE_COLORS), then the unused Okabe-Ito colours in turn.
 */
export function phaseColors(
  order: readonly string[],
  given: Readonly<Record<string, string>> = {},
): Map<string, string> {
  const colors = new Map<string, string>();
  for (const label of order) {
    const color = given[label] ?? PHASE_COLORS[label];
    if (color) colors.set(label, color);
  }
  const unused = OKABE_ITO.filter(
    (color) => ![...colors.values()].some((c) => c.toLowerCase() === color.toLowerCase()),
  );
  let next = 0;
  for (const label of order) {
    if (!colors.has(label))
      colors.set(label, unused.length ? unused[next++ % unused.length] : categoricalColor(next++));
  }
  return colors;
}

/**
 * Gradient stops (offset in [0, 1] along the domain) that draw a quantitative scale as a colour
 * bar: evenly spaced for viridis; for a diverging scale each half is spread over its own side of
 * the centre, as scalePosition maps values.
 */
export function gradientStops(scale: ColorScale, count = 11): { offset: number; color: string }[] {
  const [low, high] = scale.domain as [number, number];
  const mid = scale.divergingAt;
  return Array.from({ length: count }, (_, i) => {
    const t = i / (count - 1);
    if (mid === undefined) return { offset: t, color: scaleColor(scale, t) };
    const centre = (mid - low) / (high - low || 1);
    const offset = t <= 0.5 ? 2 * t * centre : centre + (2 * t - 1) * (1 - centre);
    return { offset, color: scaleColor(scale, t) };
  });
}

/** Phase labels in legend order: Yang et al.'s (I, II, III, IV-A, IV-B) first, then any others as first seen. */
export function phaseOrder(labels: Iterable<string | null | undefined>): string[] {
  const seen = [...new Set([...labels].filter((p): p is string => typeof p === 'string' && p !== ''))];
  const canonical = Object.keys(PHASE_COLORS);
  return [...canonical.filter((p) => seen.includes(p)), ...seen.filter((p) => !canonical.includes(p))];
}

/**
 * A nominal scale in the phase map's colours when every value of a column is one of Yang et
 * al.'s phases (a manifold coloured by phase then matches the phase diagram); undefined otherwise.
 */
export function phaseScale(values: readonly unknown[]): ColorScale | undefined {
  const labels = values.filter((v) => v !== null && v !== undefined).map(String);
  if (!labels.length || !labels.every((label) => label in PHASE_COLORS)) return undefined;
  const order = phaseOrder(labels);
  const colors = phaseColors(order);
  return {
    kind: 'nominal',
    domain: order,
    colors: values.map((v) => (v === null || v === undefined ? MISSING_COLOR : colors.get(String(v))!)),
  };
}
