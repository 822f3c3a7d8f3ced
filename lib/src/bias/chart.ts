// Vega-Lite v5 specs for inductive-bias results: the error histogram (as a density) with the
// fitted model's density and the eps line, and the comparison / dimension-sweep charts.

import type { ScaledNoncentralChiSquared } from './noncentral-chi-squared';
import type { VegaLiteSpec } from '../display/vega-lite';

/** Histogram of `sorted` as a density over `bins` equal bins spanning [low, high]. */
export function densityHistogram(sorted: Float64Array, low: number, high: number, bins: number): { start: number; end: number; density: number }[] {
  const width = (high - low) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const value of sorted) {
    if (value < low || value > high) continue;
    counts[Math.min(bins - 1, Math.floor((value - low) / width))]++;
  }
  return counts.map((count, i) => ({ start: low + i * width, end: low + (i + 1) * width, density: count / (sorted.length * width) }));
}

export function errorHistogramSpec(sorted: Float64Array, model: ScaledNoncentralChiSquared, eps: number, bits: number, title: string): VegaLiteSpec {
  const n = sorted.length;
  // Span the samples, and eps unless it is so far out that the samples would shrink to a sliver.
  const sampleLow = sorted[0];
  const sampleHigh = sorted[n - 1];
  const span = sampleHigh - sampleLow || Math.abs(sampleHigh) || 1;
  const low = Math.max(0, Math.min(sampleLow, Math.max(eps, sampleLow - span)) - 0.02 * span);
  const high = Math.max(sampleHigh, eps) + 0.02 * span;
  const bins = Math.max(10, Math.min(60, Math.round(Math.sqrt(n))));
  const histogram = densityHistogram(sorted, low, high, bins);
  const curve = Array.from({ length: 200 }, (_, i) => {
    const x = low + ((high - low) * (i + 0.5)) / 200;
    return { error: x, density: model.pdf(x) };
  });
  const epsShown = eps >= low;
  const layers: VegaLiteSpec[] = [
    { data: { values: histogram }, mark: { type: 'bar', opacity: 0.55, color: '#4c78a8' }, encoding: {
      x: { field: 'start', type: 'quantitative', title: 'test error (MSE)', scale: { domain: [low, high] } },
      x2: { field: 'end' },
      y: { field: 'density', type: 'quantitative', title: 'density' },
      y2: { datum: 0 },
    } },
    { data: { values: curve }, mark: { type: 'line', color: '#e45756', strokeWidth: 2 }, encoding: {
      x: { field: 'error', type: 'quantitative' }, y: { field: 'density', type: 'quantitative' },
    } },
  ];
  if (epsShown) {
    layers.push({ data: { values: [{ eps, label: `eps = ${eps.toPrecision(3)}: ${bits.toFixed(1)} bits` }] }, layer: [
      { mark: { type: 'rule', color: '#54a24b', strokeDash: [4, 3], strokeWidth: 2 }, encoding: { x: { field: 'eps', type: 'quantitative' } } },
      { mark: { type: 'text', align: 'left', dx: 4, dy: -4, color: '#54a24b' }, encoding: { x: { field: 'eps', type: 'quantitative' }, y: { value: 10 }, text: { field: 'label' } } },
    ] });
  }
  return {
    title: epsShown ? title : `${title} (eps = ${eps.toPrecision(3)} is left of the axis)`,
    width: 480, height: 240,
    layer: layers,
  };
}

export interface BiasRow {
  label: string;
  bits: number;
  low: number;
  high: number;
  x?: number;
}

/** Bars with interval whiskers, one per hypothesis space. */
export function comparisonSpec(rows: BiasRow[], eps: number, title: string): VegaLiteSpec {
  return {
    title, width: 420, height: Math.max(80, 28 * rows.length),
    data: { values: rows },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8' }, encoding: {
        y: { field: 'label', type: 'nominal', title: null, sort: null },
        x: { field: 'bits', type: 'quantitative', title: `required inductive bias at eps = ${eps.toPrecision(3)} (bits)` },
      } },
      { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'label', type: 'nominal', sort: null }, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
    ],
  };
}

/** Bits against task dimension, one line (with an interval band) per space. */
export function dimensionSpec(rows: (BiasRow & { x: number })[], eps: number, title: string): VegaLiteSpec {
  const encoding = { x: { field: 'x', type: 'quantitative', title: 'task dimension d', scale: { type: 'log', base: 2 } }, color: { field: 'label', type: 'nominal', title: 'hypothesis space' } };
  return {
    title, width: 420, height: 240,
    data: { values: rows },
    layer: [
      { mark: { type: 'area', opacity: 0.2 }, encoding: { ...encoding, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
      { mark: { type: 'line', point: true }, encoding: { ...encoding, y: { field: 'bits', type: 'quantitative', title: `bits at eps = ${eps.toPrecision(3)}` } } },
    ],
  };
}
