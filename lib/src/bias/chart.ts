// Vega-Lite v5 specs for inductive-bias results: the error histogram (as a density) with the
// fitted model's density and the eps line, and the comparison / dimension-sweep charts. Each
// names what it draws (a legend entry per overlay, axis titles with units).

import type { ScaledNoncentralChiSquared } from './noncentral-chi-squared';
import { overlayLegend, type ChartOverlay, type VegaLiteSpec } from '../display/vega-lite';

/** Histogram of `sorted` as a density over `bins` equal bins spanning [low, high]. */
export function densityHistogram(
  sorted: Float64Array,
  low: number,
  high: number,
  bins: number,
): { start: number; end: number; density: number }[] {
  const width = (high - low) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const value of sorted) {
    if (value < low || value > high) continue;
    counts[Math.min(bins - 1, Math.floor((value - low) / width))]++;
  }
  return counts.map((count, i) => ({
    start: low + i * width,
    end: low + (i + 1) * width,
    density: count / (sorted.length * width),
  }));
}

/** What an error histogram's title says: the result's name and, under it, its number. */
export interface ChartTitle {
  text: string;
  subtitle?: string;
}

/**
 * The sampled test errors as a density histogram, the fitted model's density, and a rule at
 * eps; the legend names all three (eps with its bits).
 */
export function errorHistogramSpec(
  sorted: Float64Array,
  model: ScaledNoncentralChiSquared,
  eps: number,
  bits: number,
  title: ChartTitle,
): VegaLiteSpec {
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
    return { start: x, density: model.pdf(x) };
  });
  const epsShown = eps >= low;
  const names = {
    histogram: `sampled test errors (${n})`,
    model: 'fitted scaled non-central χ²',
    eps: `eps = ${eps.toPrecision(3)}: ${bits.toFixed(1)} bits`,
  };
  const overlays: ChartOverlay[] = [
    { name: names.histogram, color: '#4c78a8' },
    { name: names.model, color: '#e45756' },
  ];
  if (epsShown) overlays.push({ name: names.eps, color: '#54a24b', dash: [4, 3] });
  const legend = overlayLegend(overlays);
  const x = {
    field: 'start',
    type: 'quantitative',
    title: 'test error (MSE)',
    scale: { domain: [low, high], nice: false },
  };
  const y = { field: 'density', type: 'quantitative', title: 'density' };
  const layers: VegaLiteSpec[] = [
    {
      data: { values: histogram },
      mark: { type: 'bar', opacity: 0.55 },
      encoding: { x, x2: { field: 'end' }, y, y2: { datum: 0 }, ...legend.encode(names.histogram) },
    },
    {
      data: { values: curve },
      mark: { type: 'line', strokeWidth: 2, clip: true },
      encoding: { x, y, ...legend.encode(names.model) },
    },
  ];
  if (epsShown)
    layers.push({
      data: { values: [{ start: eps }] },
      mark: { type: 'rule', strokeWidth: 2 },
      encoding: { x, ...legend.encode(names.eps) },
    });
  const subtitle = [title.subtitle, epsShown ? undefined : `eps = ${eps.toPrecision(3)} is left of the axis`].filter(
    (line): line is string => !!line,
  );
  return {
    title: { text: title.text, ...(subtitle.length ? { subtitle } : {}) },
    width: 480,
    height: 240,
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

/** Bars with interval whiskers, one per hypothesis space; the legend names bar and whisker. */
export function comparisonSpec(rows: BiasRow[], eps: number, level: number, title: string): VegaLiteSpec {
  const names = { estimate: 'estimate', interval: `${Math.round(100 * level)}% interval` };
  const legend = overlayLegend([
    { name: names.estimate, color: '#4c78a8' },
    { name: names.interval, color: 'black' },
  ]);
  // The labels are the spaces' names; an axis title beside long names would overlap them.
  const y = { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 0 } };
  return {
    title,
    width: 420,
    height: Math.max(80, 28 * rows.length),
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          x: {
            field: 'bits',
            type: 'quantitative',
            title: `required inductive bias at eps = ${eps.toPrecision(3)} (bits)`,
          },
          ...legend.encode(names.estimate),
        },
      },
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          y,
          x: { field: 'low', type: 'quantitative' },
          x2: { field: 'high' },
          ...legend.encode(names.interval),
        },
      },
    ],
  };
}

/** Bits against task dimension, one line (with its interval as a band) per space. */
export function dimensionSpec(
  rows: (BiasRow & { x: number })[],
  eps: number,
  level: number,
  title: string,
): VegaLiteSpec {
  const encoding = {
    x: { field: 'x', type: 'quantitative', title: 'task dimension d', scale: { type: 'log', base: 2 } },
    color: {
      field: 'label',
      type: 'nominal',
      title: 'hypothesis space',
      legend: { orient: 'bottom', direction: 'vertical', labelLimit: 0, symbolOpacity: 1 },
    },
  };
  // The axis is as tall as the frame; a longer title would stick out above it.
  const yTitle = `bits at eps = ${eps.toPrecision(3)}`;
  return {
    title: { text: title, subtitle: `lines: estimate; shaded bands: ${Math.round(100 * level)}% interval` },
    width: 420,
    height: 240,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: { ...encoding, y: { field: 'low', type: 'quantitative', title: yTitle }, y2: { field: 'high' } },
      },
      {
        mark: { type: 'line', point: true },
        encoding: { ...encoding, y: { field: 'bits', type: 'quantitative', title: yTitle } },
      },
    ],
  };
}
