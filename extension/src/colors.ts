// Colour scales: viridis for numbers (perceptually uniform, readable on light and dark
// backgrounds and by colour-blind readers) and Tableau 10 for categories.

/** 16 viridis stops (matplotlib's table, evenly resampled); interpolated linearly. */
const VIRIDIS = [
  '#440154', '#481a6c', '#472f7d', '#414487', '#39568c', '#31688e', '#2a788e', '#23888e',
  '#1f988b', '#22a884', '#35b779', '#54c568', '#7ad151', '#a5db36', '#d2e21b', '#fde725',
].map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));

const CATEGORICAL = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

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
  /** Colour of each item. */
  colors: string[];
  /** Numeric range (quantitative) or categories in legend order (nominal). */
  domain: [number, number] | string[];
}

/** Colours for a column of values: viridis over [min, max] for numbers, palette for anything else. */
export function colorScale(values: readonly unknown[], kind: 'quantitative' | 'nominal'): ColorScale {
  if (kind === 'quantitative') {
    const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const low = numbers.length ? Math.min(...numbers) : 0;
    const high = numbers.length ? Math.max(...numbers) : 1;
    const logarithmic = low > 0 && high / low >= 100;
    const position = logarithmic ? (v: number) => Math.log10(v / low) / Math.log10(high / low) : (v: number) => (v - low) / (high - low || 1);
    // Quantised to 129 levels: at most 129 distinct fill colours, so the canvas batches fills.
    return { kind, logarithmic, domain: [low, high], colors: values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? viridis(Math.round(position(v) * 128) / 128) : MISSING_COLOR)) };
  }
  const categories: string[] = [];
  const colors = values.map((v) => {
    if (v === null || v === undefined) return MISSING_COLOR;
    const key = String(v);
    let index = categories.indexOf(key);
    if (index < 0) index = categories.push(key) - 1;
    return categoricalColor(index);
  });
  return { kind, domain: categories, colors };
}
