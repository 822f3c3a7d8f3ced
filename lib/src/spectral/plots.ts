// Plots of an HTSR analysis: esdPlot(layer) draws a layer's ESD on log-log axes with the fitted
// power-law tail, xmin and the Marchenko-Pastur bulk; alphaPlot(result) draws alpha per layer
// against the 2..6 band. Both are Vega-Lite v5 charts (rendered to SVG headless as a fallback);
// the ESD plot also carries `application/vnd.weightlab.esd.v1+json` with the raw eigenvalues,
// fit and MP curve, so the JupyterLab extension can redraw it interactively.

import { mimeBundle, weightlabMimeType, type MimeBundle } from '../display/protocol';
import { vegaLite, type VegaLiteChart, type VegaLiteSpec } from '../display/vega-lite';
import { ArgumentError } from '../errors';
import { EVALS_THRESHOLD, type PowerLawFit } from './powerlaw';
import { truncatedPowerLawDensity } from './powerlaw-package';
import { fitMarchenkoPastur, marchenkoPasturDensity, type MarchenkoPasturFit } from './marchenko-pastur';
import type { HtsrResult, LayerAnalysis } from './result';

const HISTOGRAM_BINS = 60;
const CURVE_POINTS = 200;

/**
 * Log-spaced histogram of the eigenvalues above the fit threshold, as a density (per unit
 * eigenvalue). Default bins: 2√n, between 10 and 60, so small layers do not get one point per bin.
 */
export function logHistogram(evals: Float64Array, bins?: number): { x: number; density: number; low: number; high: number }[] {
  const positive = evals.filter((v) => v > EVALS_THRESHOLD);
  if (positive.length === 0) return [];
  bins ??= Math.min(HISTOGRAM_BINS, Math.max(10, Math.round(2 * Math.sqrt(positive.length))));
  const low = Math.log10(positive[0]), high = Math.log10(positive[positive.length - 1]);
  const width = (high - low) / bins || 1;
  const counts = new Float64Array(bins);
  for (const v of positive) counts[Math.min(bins - 1, Math.floor((Math.log10(v) - low) / width))]++;
  const out = [];
  for (let b = 0; b < bins; b++) {
    if (counts[b] === 0) continue;
    const lo = 10 ** (low + b * width), hi = 10 ** (low + (b + 1) * width);
    out.push({ x: Math.sqrt(lo * hi), density: counts[b] / (evals.length * (hi - lo)), low: lo, high: hi });
  }
  return out;
}

function logSpace(from: number, to: number, count: number): number[] {
  const a = Math.log10(from), b = Math.log10(to);
  return Array.from({ length: count }, (_, i) => 10 ** (a + ((b - a) * i) / (count - 1)));
}

/** The MP bulk density in original eigenvalue units (the fit is done on eigenvalues rescaled to mean 1). */
function marchenkoPasturCurve(layer: LayerAnalysis, mp: MarchenkoPasturFit): { x: number; density: number }[] {
  const q = layer.N / layer.M;
  if (q === 1 || mp.sigmaMp <= 0) return []; // Q = 1 is fitted on singular values (quarter circle), not drawn here
  const scale = mp.wScale * mp.wScale;
  return logSpace(Math.max(mp.bulkMin, EVALS_THRESHOLD), mp.bulkMax, CURVE_POINTS)
    .map((x) => ({ x, density: marchenkoPasturDensity(x * scale, q, mp.sigmaMp) * scale }))
    .filter((point) => point.density > 0 && Number.isFinite(point.density));
}

/** A displayable ESD chart: Vega-Lite + SVG + the weightlab ESD payload. */
export class EsdPlot {
  readonly chart: VegaLiteChart;
  readonly payload: Record<string, unknown>;
  constructor(chart: VegaLiteChart, payload: Record<string, unknown>) {
    this.chart = chart;
    this.payload = payload;
  }
  get spec(): VegaLiteSpec { return this.chart.spec; }
  toSVG(): Promise<string> { return this.chart.toSVG(); }
  toString(): string { return this.chart.toString(); }
  async [mimeBundle](): Promise<MimeBundle> {
    const base = await this.chart[mimeBundle]();
    return { data: { [weightlabMimeType('esd')]: this.payload, ...base.data } };
  }
}

/**
 * Log-log ESD of one analysed layer: histogram density, the fitted power law over [xmin, xmax]
 * (normalised to the tail's share of the eigenvalues), a rule at xmin, and the MP bulk (from the
 * layer's MP fit, or fitted here when analyze ran without mpFit).
 */
export function esdPlot(layer: LayerAnalysis, options: { title?: string } = {}): EsdPlot {
  if (!layer || !(layer.evals instanceof Float64Array)) throw new ArgumentError('esdPlot takes a layer of an analyze() result: result.layer(idOrName)', { field: 'layer' });
  const { row, evals, fit } = layer;
  const histogram = logHistogram(evals);
  const mp = layer.mp && layer.mp.sigmaMp > 0 ? layer.mp : safeFit(layer);
  // The MP density falls to 0 at the bulk edges; on a log axis that would stretch y over many
  // decades, so the curve stops a decade below the lowest histogram density.
  const floor = histogram.length ? Math.min(...histogram.map((bin) => bin.density)) / 10 : 0;
  const bulk = mp ? marchenkoPasturCurve(layer, mp).filter((point) => point.density >= floor) : [];
  const tailShare = fit ? fit.tailLength / evals.length : 0;
  const truncated = fit?.lambda !== undefined;
  const tailDensity = (x: number, f: PowerLawFit) => f.lambda !== undefined
    ? truncatedPowerLawDensity(x, f.alpha, f.lambda, f.xmin)
    : ((f.alpha - 1) / f.xmin) * (x / f.xmin) ** -f.alpha;
  const tail = fit ? logSpace(fit.xmin, fit.xmax, CURVE_POINTS).map((x) => ({ x, density: tailShare * tailDensity(x, fit) })) : [];
  const fitLabel = fit ? `: ${truncated ? `TPL alpha ${fit.alpha.toFixed(3)}, Lambda ${fit.lambda!.toPrecision(3)}` : `alpha ${fit.alpha.toFixed(3)}`}, xmin ${fit.xmin.toPrecision(4)}` : ' (power-law fit failed)';
  const title = options.title ?? `ESD of layer ${String(row.layerId)} ${String(row.name)}${fitLabel}`;
  const x = { field: 'x', type: 'quantitative', scale: { type: 'log' }, title: 'eigenvalue λ' };
  const y = { field: 'density', type: 'quantitative', scale: { type: 'log' }, title: 'density' };
  const spec: VegaLiteSpec = {
    title, width: 420, height: 280,
    layer: [
      { data: { values: histogram }, mark: { type: 'point', filled: true, size: 22, color: '#4c78a8' }, encoding: { x, y, tooltip: [{ field: 'x', format: '.4g' }, { field: 'density', format: '.4g' }] } },
      ...(bulk.length ? [{ data: { values: bulk.map((p) => ({ ...p, curve: 'MP bulk' })) }, mark: { type: 'line', color: '#54a24b', strokeWidth: 2 }, encoding: { x, y } }] : []),
      ...(tail.length ? [{ data: { values: tail.map((p) => ({ ...p, curve: truncated ? 'truncated power law' : 'power law' })) }, mark: { type: 'line', color: '#e45756', strokeDash: [6, 3], strokeWidth: 2 }, encoding: { x, y } }] : []),
      ...(fit ? [{ data: { values: [{ x: fit.xmin }] }, mark: { type: 'rule', color: '#e45756' }, encoding: { x } }] : []),
    ],
  };
  const payload = {
    layer: { layerId: row.layerId, name: row.name, layerType: row.layerType, N: layer.N, M: layer.M, Q: row.Q },
    eigenvalues: Array.from(evals),
    fit: fit ? { alpha: fit.alpha, xmin: fit.xmin, xmax: fit.xmax, D: fit.D, sigma: fit.sigma, numPlSpikes: row.numPlSpikes, ...(truncated ? { lambda: fit.lambda } : {}),
      candidates: { xmin: Array.from(fit.candidates.xmin), alpha: Array.from(fit.candidates.alpha), D: Array.from(fit.candidates.D) } } : null,
    marchenkoPastur: mp ? { ...mp, curve: bulk } : null,
    histogram,
  };
  return new EsdPlot(vegaLite(spec), payload);
}

function safeFit(layer: LayerAnalysis): MarchenkoPasturFit | undefined {
  try {
    const mp = fitMarchenkoPastur(layer.evals, layer.N, layer.M);
    return mp.sigmaMp > 0 ? mp : undefined;
  } catch {
    return undefined;
  }
}

/** alpha per layer (in layer order) with the 2..6 band where HTSR considers a layer well trained. */
export function alphaPlot(result: HtsrResult, options: { title?: string; column?: 'alpha' | 'alphaWeighted' } = {}): VegaLiteChart {
  const column = options.column ?? 'alpha';
  const values = result.layers.map((layer, index) => ({
    index, layerId: layer.row.layerId, name: String(layer.row.name), layerType: layer.row.layerType,
    value: layer.row[column], warning: layer.row.warning || 'ok',
  })).filter((v) => typeof v.value === 'number' && (v.value as number) > 0);
  const label = column === 'alpha' ? 'alpha' : 'alpha_weighted';
  const layers: VegaLiteSpec[] = [];
  if (column === 'alpha') {
    layers.push({ data: { values: [{ low: 2, high: 6 }] }, mark: { type: 'rect', color: '#54a24b', opacity: 0.12 }, encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } });
  }
  layers.push({
    data: { values },
    mark: { type: 'point', filled: true, size: 60 },
    encoding: {
      x: { field: 'layerId', type: 'ordinal', title: 'layer id' },
      y: { field: 'value', type: 'quantitative', title: label, scale: { zero: false } },
      color: { field: 'warning', type: 'nominal', scale: { domain: ['ok', 'over-trained', 'under-trained'], range: ['#4c78a8', '#e45756', '#f58518'] }, title: 'warning' },
      tooltip: [{ field: 'name' }, { field: 'layerType' }, { field: 'value', title: label, format: '.3f' }],
    },
  });
  return vegaLite({ title: options.title ?? (column === 'alpha' ? 'alpha per layer (band: 2 ≤ alpha ≤ 6)' : `${label} per layer`), width: Math.max(240, 18 * values.length), height: 220, layer: layers });
}
