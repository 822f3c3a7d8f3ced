// Plots of an HTSR analysis: esdPlot(layer) draws a layer's ESD on log-log axes with the fitted
// power-law tail, xmin and the Marchenko-Pastur bulk, each named in the legend and none drawn
// outside the frame; alphaPlot(result) draws alpha per layer against the 2..6 band. Both are
// Vega-Lite v5 charts (rendered to SVG headless as a fallback); the ESD plot also carries
// `application/vnd.weightlab.esd.v1+json` with the raw eigenvalues, fit, MP curve and a given
// title, so the JupyterLab extension can redraw it interactively.

import { mimeBundle, type MimeBundle } from '../display/protocol';
import { ESD_MIME, type EsdPayload } from '../display/payloads';
import {
  chartBundle,
  overlayLegend,
  vegaLite,
  type ChartOverlay,
  type VegaLiteChart,
  type VegaLiteSpec,
} from '../display/vega-lite';
import { ArgumentError } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { EVALS_THRESHOLD, OVER_TRAINED_THRESHOLD, UNDER_TRAINED_THRESHOLD, type PowerLawFit } from './powerlaw';
import { truncatedPowerLawDensity } from './powerlaw-package';
import { fitMarchenkoPastur, marchenkoPasturDensity, type MarchenkoPasturFit } from './marchenko-pastur';
import type { HtsrResult, LayerAnalysis } from './result';

const HISTOGRAM_BINS = 60;
const CURVE_POINTS = 200;

/**
 * Log-spaced histogram of the eigenvalues above the fit threshold, as a density (per unit
 * eigenvalue). Default bins: 2√n, between 10 and 60, so small layers do not get one point per bin.
 */
export function logHistogram(
  evals: Float64Array,
  bins?: number,
): { x: number; density: number; low: number; high: number }[] {
  const positive = evals.filter((v) => v > EVALS_THRESHOLD);
  if (positive.length === 0) return [];
  bins ??= Math.min(HISTOGRAM_BINS, Math.max(10, Math.round(2 * Math.sqrt(positive.length))));
  const low = Math.log10(positive[0]),
    high = Math.log10(positive[positive.length - 1]);
  const width = (high - low) / bins || 1;
  const counts = new Float64Array(bins);
  for (const v of positive) counts[Math.min(bins - 1, Math.floor((Math.log10(v) - low) / width))]++;
  const out = [];
  for (let b = 0; b < bins; b++) {
    if (counts[b] === 0) continue;
    const lo = 10 ** (low + b * width),
      hi = 10 ** (low + (b + 1) * width);
    out.push({ x: Math.sqrt(lo * hi), density: counts[b] / (evals.length * (hi - lo)), low: lo, high: hi });
  }
  return out;
}

function logSpace(from: number, to: number, count: number): number[] {
  const a = Math.log10(from),
    b = Math.log10(to);
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

/**
 * What esdPlot puts in `application/vnd.weightlab.esd.v1+json`: the extension's EsdPayload plus
 * diagnostics the renderer ignores (the fit's per-candidate alpha and D, the MP fit's parameters,
 * the histogram drawn in the Vega-Lite view).
 */
export interface EsdPlotPayload extends EsdPayload {
  fit:
    | (NonNullable<EsdPayload['fit']> & {
        sigma: number;
        num_pl_spikes: number;
        /** The truncated power law's cut-off rate (fit 'TPL' / 'E_TPL'). */
        Lambda?: number;
        /** Per candidate xmin: alpha and D of the fit from it. */
        candidates: { xmin: number[]; alpha: number[]; D: number[] };
      })
    | null;
  marchenkoPastur: (MarchenkoPasturFit & { curve: { x: number; density: number }[] }) | null;
  /** The log-spaced histogram of the Vega-Lite view (density per unit eigenvalue). */
  histogram: { x: number; density: number; low: number; high: number }[];
}

/** A displayable ESD chart: the weightlab ESD payload (the extension's view), Vega-Lite + SVG, text. */
export class EsdPlot {
  readonly chart: VegaLiteChart;
  readonly payload: EsdPlotPayload;
  constructor(chart: VegaLiteChart, payload: EsdPlotPayload) {
    this.chart = chart;
    this.payload = payload;
  }
  get spec(): VegaLiteSpec {
    return this.chart.spec;
  }
  toSVG(): Promise<string> {
    return this.chart.toSVG();
  }
  toString(): string {
    return this.chart.toString();
  }
  [mimeBundle](): Promise<MimeBundle> {
    return chartBundle(this.chart, { [ESD_MIME]: this.payload });
  }
}

export interface EsdPlotOptions {
  /**
   * Chart title. A given title is also the title of the extension's interactive ESD view.
   * @default undefined ("ESD of layer <layer_id> <name>: alpha …, xmin …")
   */
  title?: string;
}

/** esdPlot()'s defaults. */
export const ESD_PLOT_DEFAULTS = { title: undefined } as const satisfies OptionDefaults<EsdPlotOptions>;

/** Colours of the overlays, shared by the ESD and alpha charts. */
const COLORS = { histogram: '#4c78a8', marchenkoPastur: '#54a24b', fit: '#e45756', xmin: '#b279a2' };

/** Keeps the points of a curve whose x and y lie inside the frame, so no line leaves the plot. */
function insideFrame<T extends { x: number; density: number }>(
  points: T[],
  x: [number, number],
  y: [number, number],
): T[] {
  return points.filter((p) => p.x >= x[0] && p.x <= x[1] && p.density >= y[0] && p.density <= y[1]);
}

/**
 * Log-log ESD of one analysed layer: histogram density, the fitted power law over [xmin, xmax]
 * (normalised to the tail's share of the eigenvalues), a rule at xmin (λmin), and the MP bulk
 * (from the layer's MP fit, or fitted here when analyze ran without mpFit). A legend names each.
 */
export function esdPlot(layer: LayerAnalysis, settings: EsdPlotOptions = {}): EsdPlot {
  if (!layer || !(layer.evals instanceof Float64Array))
    throw new ArgumentError('esdPlot takes a layer of an analyze() result: result.layer(idOrName)', { field: 'layer' });
  const options = resolveOptions('esdPlot', ESD_PLOT_DEFAULTS, settings);
  if (options.title !== undefined && typeof options.title !== 'string')
    throw new ArgumentError('the title must be a string', { field: 'title', found: typeof options.title });
  const { row, evals, fit } = layer;
  const { histogram, mp, truncated, floor, xDomain, yDomain, bulk, tail } = esdFrame(layer, true);
  const fitLabel = fit
    ? `: ${truncated ? `TPL alpha ${fit.alpha.toFixed(3)}, Lambda ${fit.lambda!.toPrecision(3)}` : `alpha ${fit.alpha.toFixed(3)}`}, xmin ${fit.xmin.toPrecision(4)}`
    : ' (power-law fit failed)';
  const title = options.title ?? `ESD of layer ${row.layer_id} ${row.name}${fitLabel}`;
  const names = {
    histogram: 'ESD histogram',
    marchenkoPastur: 'Marchenko–Pastur fit',
    fit: !fit
      ? ''
      : truncated
        ? `truncated power law, α = ${fit.alpha.toFixed(2)}, Λ = ${fit.lambda!.toPrecision(3)}`
        : `power-law fit, α = ${fit.alpha.toFixed(2)}`,
    xmin: fit ? `λmin = ${fit.xmin.toPrecision(3)}` : '',
  };
  const overlays: ChartOverlay[] = [{ name: names.histogram, color: COLORS.histogram }];
  if (bulk.length > 1) overlays.push({ name: names.marchenkoPastur, color: COLORS.marchenkoPastur });
  if (tail.length > 1) overlays.push({ name: names.fit, color: COLORS.fit, dash: [6, 3] });
  if (fit) overlays.push({ name: names.xmin, color: COLORS.xmin, dash: [2, 2] });
  const legend = overlayLegend(overlays);
  const x = {
    field: 'x',
    type: 'quantitative',
    scale: { type: 'log', domain: xDomain, nice: false },
    title: 'eigenvalue λ (log scale)',
  };
  const y = {
    field: 'density',
    type: 'quantitative',
    scale: { type: 'log', domain: yDomain, nice: false },
    title: 'density (log scale)',
  };
  const line = (values: { x: number; density: number }[], name: string) => ({
    data: { values },
    mark: { type: 'line', strokeWidth: 2, clip: true },
    encoding: { x, y, ...legend.encode(name) },
  });
  const spec: VegaLiteSpec = {
    title,
    width: 420,
    height: 280,
    layer: [
      {
        data: { values: histogram },
        mark: { type: 'bar', opacity: 0.7, clip: true },
        encoding: {
          x: { ...x, field: 'low' },
          x2: { field: 'high' },
          y,
          y2: { datum: floor },
          ...legend.encode(names.histogram),
          tooltip: [
            { field: 'low', title: 'from λ', format: '.4g' },
            { field: 'high', title: 'to λ', format: '.4g' },
            { field: 'density', format: '.4g' },
          ],
        },
      },
      ...(bulk.length > 1 ? [line(bulk, names.marchenkoPastur)] : []),
      ...(tail.length > 1 ? [line(tail, names.fit)] : []),
      ...(fit
        ? [
            {
              data: { values: [{ x: fit.xmin }] },
              mark: { type: 'rule', strokeWidth: 2, clip: true },
              encoding: { x, ...legend.encode(names.xmin) },
            },
          ]
        : []),
    ],
  };
  const payload: EsdPlotPayload = {
    ...(options.title !== undefined ? { title: options.title } : {}),
    // The renderer's EsdLayer fields (lib/src/display/payloads.ts).
    layer: { layerId: row.layer_id, name: row.name, layerType: row.layer_type, N: layer.N, M: layer.M, Q: row.Q },
    eigenvalues: Array.from(evals),
    fit: fit
      ? {
          alpha: fit.alpha,
          xmin: fit.xmin,
          xmax: fit.xmax,
          D: fit.D,
          warning: row.warning,
          sigma: fit.sigma,
          num_pl_spikes: row.num_pl_spikes,
          ...(truncated ? { Lambda: fit.lambda } : {}),
          candidates: {
            xmin: Array.from(fit.candidates.xmin),
            alpha: Array.from(fit.candidates.alpha),
            D: Array.from(fit.candidates.D),
          },
        }
      : null,
    marchenkoPastur: mp ? { ...mp, curve: bulk } : null,
    histogram,
  };
  return new EsdPlot(vegaLite(spec), payload);
}

/** What an ESD panel draws, cut to its frame: the histogram, the MP bulk and power-law curves, and the log-log frame. */
interface EsdFrame {
  histogram: ReturnType<typeof logHistogram>;
  mp: MarchenkoPasturFit | undefined;
  truncated: boolean;
  /** The y axis' lower end, where the histogram's bars start. */
  floor: number;
  xDomain: [number, number];
  yDomain: [number, number];
  bulk: { x: number; density: number }[];
  tail: { x: number; density: number }[];
}

/**
 * The geometry of a layer's ESD panel (esdPlot, one panel of esdGrid); `withBulk` adds the
 * Marchenko-Pastur bulk (the layer's MP fit, or one fitted here).
 */
function esdFrame(layer: LayerAnalysis, withBulk: boolean): EsdFrame {
  const { evals, fit } = layer;
  const histogram = logHistogram(evals);
  const mp = !withBulk ? undefined : layer.mp && layer.mp.sigmaMp > 0 ? layer.mp : safeFit(layer);
  const tailShare = fit ? fit.tailLength / evals.length : 0;
  const truncated = fit?.lambda !== undefined;
  const tailDensity = (x: number, f: PowerLawFit) =>
    f.lambda !== undefined
      ? truncatedPowerLawDensity(x, f.alpha, f.lambda, f.xmin)
      : ((f.alpha - 1) / f.xmin) * (x / f.xmin) ** -f.alpha;
  // The frame: x spans the histogram's bins; y runs from a decade below the lowest bin (the MP
  // density falls to 0 at the bulk edges, which would stretch a log axis over many decades) to
  // above the highest bin or curve. Each overlay is cut to the frame, so the fit's tail stops
  // where it leaves the plot instead of running past it.
  const densities = histogram.map((bin) => bin.density);
  const xDomain: [number, number] = histogram.length
    ? [histogram[0].low, histogram[histogram.length - 1].high]
    : [EVALS_THRESHOLD, 1];
  const floor = densities.length ? Math.min(...densities) / 10 : EVALS_THRESHOLD;
  const highest = densities.length ? Math.max(...densities) : 1;
  const bulkCurve = mp ? marchenkoPasturCurve(layer, mp) : [];
  const tailCurve = fit
    ? logSpace(fit.xmin, Math.min(fit.xmax, xDomain[1]), CURVE_POINTS).map((x) => ({
        x,
        density: tailShare * tailDensity(x, fit),
      }))
    : [];
  // Curves may rise above the histogram (the MP peak, the fit at xmin), up to a decade more.
  const ceiling = highest * 10;
  const top =
    Math.min(
      ceiling,
      Math.max(highest, ...insideFrame([...bulkCurve, ...tailCurve], xDomain, [floor, ceiling]).map((p) => p.density)),
    ) * 1.5;
  const yDomain: [number, number] = [floor, top];
  const bulk = insideFrame(bulkCurve, xDomain, yDomain);
  const tail = insideFrame(tailCurve, xDomain, yDomain);
  return { histogram, mp, truncated, floor, xDomain, yDomain, bulk, tail };
}

function safeFit(layer: LayerAnalysis): MarchenkoPasturFit | undefined {
  try {
    const mp = fitMarchenkoPastur(layer.evals, layer.N, layer.M);
    return mp.sigmaMp > 0 ? mp : undefined;
  } catch {
    return undefined;
  }
}

export interface AlphaPlotOptions {
  /**
   * Chart title.
   * @default undefined ("alpha per layer" or "alpha_weighted per layer")
   */
  title?: string;
  /**
   * The column drawn: 'alpha' (with the well-trained band) or 'alpha_weighted'.
   * @default 'alpha'
   */
  column?: 'alpha' | 'alpha_weighted';
}

/** alphaPlot()'s defaults. */
export const ALPHA_PLOT_DEFAULTS = {
  title: undefined,
  column: 'alpha',
} as const satisfies OptionDefaults<AlphaPlotOptions>;

/** alpha per layer (in layer order) with the 2..6 band where HTSR considers a layer well trained. */
export function alphaPlot(result: HtsrResult, settings: AlphaPlotOptions = {}): VegaLiteChart {
  const options = resolveOptions('alphaPlot', ALPHA_PLOT_DEFAULTS, settings);
  const { column } = options;
  if (column !== 'alpha' && column !== 'alpha_weighted')
    throw new ArgumentError('alphaPlot draws alpha or alpha_weighted', {
      field: 'column',
      expected: "'alpha' or 'alpha_weighted'",
      found: String(column),
    });
  const values = result.layers
    .map((layer, index) => ({
      index,
      layer_id: layer.row.layer_id,
      name: layer.row.name,
      layer_type: layer.row.layer_type,
      value: layer.row[column],
      warning: layer.row.warning || 'ok',
    }))
    .filter((v) => typeof v.value === 'number' && (v.value as number) > 0);
  const label = column === 'alpha' ? 'alpha (α)' : 'alpha_weighted (α̂)';
  // One failed-looking fit (alpha in the millions, as for an orthogonal layer) would flatten every
  // other point onto the axis: values spread over more than a decade get a log axis.
  const drawn = values.map((v) => v.value as number);
  const spread = drawn.length ? Math.max(...drawn) / Math.min(...drawn) : 1;
  const logarithmic = spread > 10;
  const y = {
    field: 'value',
    type: 'quantitative',
    title: logarithmic ? `${label} (log)` : label,
    scale: logarithmic ? { type: 'log' } : { zero: false },
  };
  const layers: VegaLiteSpec[] = [];
  if (column === 'alpha') {
    // The band spans the frame's width; its fill has its own scale, so it gets a legend entry
    // of its own beside the warning colours.
    const band = `well trained: ${OVER_TRAINED_THRESHOLD} ≤ α ≤ ${UNDER_TRAINED_THRESHOLD}`;
    layers.push({
      data: { values: [{ low: OVER_TRAINED_THRESHOLD, high: UNDER_TRAINED_THRESHOLD }] },
      mark: { type: 'rect', opacity: 0.15 },
      encoding: {
        y: { ...y, field: 'low' },
        y2: { field: 'high' },
        fill: {
          datum: band,
          type: 'nominal',
          scale: { domain: [band], range: [COLORS.marchenkoPastur] },
          legend: { title: 'HTSR band', symbolOpacity: 0.4, labelLimit: 0 },
        },
      },
    });
  }
  layers.push({
    data: { values },
    mark: { type: 'point', filled: true, size: 60 },
    encoding: {
      x: { field: 'layer_id', type: 'ordinal', title: 'layer id', axis: { labelAngle: 0 } },
      y,
      color: {
        field: 'warning',
        type: 'nominal',
        scale: { domain: ['ok', 'over-trained', 'under-trained'], range: [COLORS.histogram, COLORS.fit, '#f58518'] },
        title: 'HTSR warning',
      },
      tooltip: [{ field: 'name' }, { field: 'layer_type' }, { field: 'value', title: label, format: '.3f' }],
    },
  });
  return vegaLite({
    title: options.title ?? `${column === 'alpha' ? 'alpha' : 'alpha_weighted'} per layer`,
    width: Math.max(240, 18 * values.length),
    height: 240,
    layer: layers,
  });
}

export interface EsdGridOptions {
  /**
   * Panels per row of the grid.
   * @default 3
   */
  columns?: number;
  /**
   * The analysed layers drawn, by layer_id or name, in this order.
   * @default undefined (every analysed layer, in layer order)
   */
  layers?: (number | string)[];
  /**
   * Chart title.
   * @default undefined ("ESD of <n> layers (log-log): histogram, power-law fit, xmin")
   */
  title?: string;
}

/** esdGrid()'s defaults. */
export const ESD_GRID_DEFAULTS = {
  columns: 3,
  layers: undefined,
  title: undefined,
} as const satisfies OptionDefaults<EsdGridOptions>;

/** One panel of an ESD grid: the layer it draws and its fit. */
export interface EsdGridPanel {
  /** The facet's label: "<layer_id> <name>: α <alpha>" (or "fit failed"). */
  panel: string;
  layer_id: number;
  name: string;
  /** Number of eigenvalues of the layer's ESD. */
  num_evals: number;
  /** The fitted tail exponent, null when the fit failed. */
  alpha: number | null;
  /** Where the fitted tail starts (λmin), null when the fit failed. */
  xmin: number | null;
}

/** A displayable grid of ESD panels, one facet per layer: Vega-Lite + SVG and a text list of the panels. */
export class EsdGrid {
  readonly chart: VegaLiteChart;
  readonly panels: readonly EsdGridPanel[];
  constructor(chart: VegaLiteChart, panels: EsdGridPanel[]) {
    this.chart = chart;
    this.panels = panels;
  }
  get spec(): VegaLiteSpec {
    return this.chart.spec;
  }
  toSVG(): Promise<string> {
    return this.chart.toSVG();
  }
  toString(): string {
    const lines = this.panels.map(
      (p) =>
        `  ${p.layer_id} ${p.name}: ${p.num_evals} eigenvalues, ${p.alpha === null ? 'power-law fit failed' : `alpha ${p.alpha.toFixed(3)}, xmin ${p.xmin!.toPrecision(4)}`}`,
    );
    return [`ESD grid of ${this.panels.length} layers (log-log histogram, power-law fit, xmin):`, ...lines].join('\n');
  }
  [mimeBundle](): Promise<MimeBundle> {
    return chartBundle(this.chart, {}, this.toString());
  }
}

/**
 * Every analysed layer's ESD in one chart, one facet per layer (each with its own log-log axes): the
 * histogram density, the fitted power-law tail and a rule at xmin, drawn as esdPlot draws them
 * (without the Marchenko-Pastur bulk). For a closer look at one layer: esdPlot(result.layer(id)).
 */
export function esdGrid(result: HtsrResult, settings: EsdGridOptions = {}): EsdGrid {
  const options = resolveOptions('esdGrid', ESD_GRID_DEFAULTS, settings);
  const { columns } = options;
  if (!Number.isInteger(columns) || columns < 1)
    throw new ArgumentError('columns is a number of panels per row', {
      field: 'columns',
      expected: 'an integer >= 1',
      found: String(columns),
    });
  if (options.title !== undefined && typeof options.title !== 'string')
    throw new ArgumentError('the title must be a string', { field: 'title', found: typeof options.title });
  if (!result || !Array.isArray(result.layers))
    throw new ArgumentError('esdGrid takes an analyze() result', { field: 'result' });
  const layers = options.layers ? options.layers.map((which) => result.layer(which)) : result.layers;
  if (layers.length === 0)
    throw new ArgumentError('no analysed layer to draw', {
      field: 'result',
      expected: 'an analyze() result with at least one analysed layer',
      found: `${result.skipped.length} skipped layers`,
    });
  const names = { histogram: 'ESD histogram', fit: 'fitted tail', xmin: 'λmin (xmin)' };
  const legend = overlayLegend([
    { name: names.histogram, color: COLORS.histogram },
    { name: names.fit, color: COLORS.fit, dash: [6, 3] },
    { name: names.xmin, color: COLORS.xmin, dash: [2, 2] },
  ]);
  const panels: EsdGridPanel[] = [];
  const values: Record<string, unknown>[] = [];
  for (const layer of layers) {
    const { row, fit } = layer;
    const panel = `${row.layer_id} ${row.name}: ${fit ? `α ${fit.alpha.toFixed(2)}` : 'fit failed'}`;
    panels.push({
      panel,
      layer_id: row.layer_id,
      name: row.name,
      num_evals: layer.evals.length,
      alpha: fit ? fit.alpha : null,
      xmin: fit ? fit.xmin : null,
    });
    const { histogram, floor, tail } = esdFrame(layer, false);
    for (const bin of histogram) values.push({ panel, kind: 'bin', ...bin, floor });
    if (tail.length > 1) for (const point of tail) values.push({ panel, kind: 'fit', ...point });
    if (fit) values.push({ panel, kind: 'xmin', x: fit.xmin });
  }
  const x = { field: 'x', type: 'quantitative', scale: { type: 'log', nice: false }, title: 'eigenvalue λ' };
  const y = { field: 'density', type: 'quantitative', scale: { type: 'log', nice: false }, title: 'density' };
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  const spec: VegaLiteSpec = {
    title: options.title ?? `ESD of ${layers.length} layers (log-log): histogram, power-law fit, xmin`,
    data: { values },
    facet: {
      field: 'panel',
      type: 'nominal',
      sort: panels.map((p) => p.panel),
      title: null,
      header: { labelLimit: 0, labelFontSize: 11 },
    },
    columns,
    // Each layer's ESD spans its own decades: every panel gets its own axes.
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 200,
      height: 150,
      layer: [
        {
          transform: only('bin'),
          mark: { type: 'bar', opacity: 0.7, clip: true },
          encoding: {
            x: { ...x, field: 'low' },
            x2: { field: 'high' },
            y,
            y2: { field: 'floor' },
            ...legend.encode(names.histogram),
            tooltip: [
              { field: 'low', title: 'from λ', format: '.4g' },
              { field: 'high', title: 'to λ', format: '.4g' },
              { field: 'density', format: '.4g' },
            ],
          },
        },
        {
          transform: only('fit'),
          mark: { type: 'line', strokeWidth: 2, clip: true },
          encoding: { x, y, ...legend.encode(names.fit) },
        },
        {
          transform: only('xmin'),
          mark: { type: 'rule', strokeWidth: 2, clip: true },
          encoding: { x, ...legend.encode(names.xmin) },
        },
      ],
    },
  };
  return new EsdGrid(vegaLite(spec), panels);
}
