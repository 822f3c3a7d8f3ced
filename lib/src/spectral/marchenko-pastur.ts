// WeightWatcher's Marchenko-Pastur fit (mp_fit=True: WeightWatcher.mp_fit with
// RMT_Util.fit_density_with_range and resid_mp): rescale the ESD to mean 1, fit the MP bulk's
// sigma by a 195-point grid search polished with Nelder-Mead (scipy.optimize.brute + fmin,
// replicated step by step), then count the spikes beyond the bulk edge plus a Tracy-Widom margin.

import { nelderMead } from '../optimize/nelder-mead';

/** Kernel-density bandwidth WeightWatcher uses (bw = 0.1, sklearn 'linear' kernel). */
const BANDWIDTH = 0.1;
/** KDE grid points below this density are dropped from the residual (resid_mp's THRESH). */
const DENSITY_THRESHOLD = 0.01;
const GRID_POINTS = 1000;

export interface MarchenkoPasturFit {
  numSpikes: number;
  sigmaMp: number;
  mpSoftrank: number;
  /** Bulk edges in original eigenvalue units. */
  bulkMax: number;
  bulkMin: number;
  /** sqrt(n / Σλ): the factor that rescales the ESD to mean 1. */
  wScale: number;
}

/** The -1 columns WeightWatcher writes when the fit raises. */
export const FAILED_MP_FIT: MarchenkoPasturFit = {
  numSpikes: -1,
  sigmaMp: -1,
  mpSoftrank: -1,
  bulkMax: -1,
  bulkMin: -1,
  wScale: -1,
};

/** MP density of eigenvalues for aspect ratio Q and scale sigma, 0 outside the bulk (np.nan_to_num of NaN). */
export function marchenkoPasturDensity(x: number, q: number, sigma: number): number {
  const [a, b] = marchenkoPasturEdges(q, sigma);
  const value = (1 / (2 * Math.PI * sigma * sigma * x * (1 / q))) * Math.sqrt((b - x) * (x - a));
  if (Number.isNaN(value)) return 0;
  if (value === Infinity) return Number.MAX_VALUE;
  return value;
}

/** Bulk edges [λ−, λ+] = [(σ(1 − 1/√Q))², (σ(1 + 1/√Q))²]. */
export function marchenkoPasturEdges(q: number, sigma: number): [number, number] {
  const root = Math.sqrt(1 / q);
  return [(sigma * (1 - root)) ** 2, (sigma * (1 + root)) ** 2];
}

function quarterCircleDensity(x: number, sigma: number): number {
  const value = (1 / (Math.PI * sigma * sigma)) * Math.sqrt(4 - x * x);
  return Number.isNaN(value) ? 0 : value;
}

/** The kept KDE grid (density > 0.01) of the values being fitted; fixed for every sigma. */
function densityGrid(values: Float64Array): { x: Float64Array; density: Float64Array; peak: number } {
  let max = -Infinity;
  for (const v of values) max = Math.max(max, v);
  const stop = max + 0.5;
  const keptX: number[] = [];
  const keptDensity: number[] = [];
  const norm = BANDWIDTH * values.length;
  const step = stop / (GRID_POINTS - 1);
  for (let i = 0; i < GRID_POINTS; i++) {
    // np.linspace(0, stop, 1000): i*step, with the last point exactly `stop`.
    const g = i === GRID_POINTS - 1 ? stop : i * step;
    let sum = 0;
    for (const v of values) {
      const t = 1 - Math.abs(g - v) / BANDWIDTH;
      if (t > 0) sum += t;
    }
    const density = sum / norm;
    if (density > DENSITY_THRESHOLD) {
      keptX.push(g);
      keptDensity.push(density);
    }
  }
  let peakIndex = 0;
  for (let i = 1; i < keptDensity.length; i++) if (keptDensity[i] > keptDensity[peakIndex]) peakIndex = i;
  return { x: Float64Array.from(keptX), density: Float64Array.from(keptDensity), peak: keptX[peakIndex] };
}

/** resid_mp(allresid=False): Σ (ρ_MP − KDE)² over the kept grid, or 1000² per point if the edges are implausible. */
function residual(sigma: number, grid: { x: Float64Array; density: Float64Array; peak: number }, q: number): number {
  const { x, density, peak } = grid;
  let total = 0;
  if (q === 1) {
    for (let i = 0; i < x.length; i++) total += (quarterCircleDensity(x[i], sigma) - density[i]) ** 2;
    return total;
  }
  const [a, b] = marchenkoPasturEdges(q, sigma);
  if (b < peak || b > x[x.length - 1] || a > peak) return x.length * 1000 * 1000;
  for (let i = 0; i < x.length; i++) total += (marchenkoPasturDensity(x[i], q, sigma) - density[i]) ** 2;
  return total;
}

/**
 * The MP fit of ascending eigenvalues `evals` of a layer with WeightWatcher's N and M (Q = N/M;
 * Q = 1 fits singular values to the quarter circle, as WeightWatcher does).
 */
export function fitMarchenkoPastur(evals: Float64Array, n: number, m: number): MarchenkoPasturFit {
  const q = n / m;
  let total = 0;
  for (const v of evals) total += v;
  const wScale = Math.sqrt(evals.length) / Math.sqrt(total);
  const factor = wScale * wScale;
  const rescaled = evals.map((v) => factor * v);
  let lambdaMax = -Infinity;
  for (const v of rescaled) lambdaMax = Math.max(lambdaMax, v);
  const fitted = q === 1 ? rescaled.map(Math.sqrt) : rescaled;
  const grid = densityGrid(fitted);
  if (grid.x.length === 0) return FAILED_MP_FIT;
  // brute's range: slice(0.05 s, 2 s, 0.01 s) with s = sqrt(λmax / (1 + 1/√Q)²), laid out as np.arange does.
  const s = Math.sqrt(lambdaMax / (1 + 1 / Math.sqrt(q)) ** 2);
  const start = 0.05 * s,
    stop = 2.0 * s,
    step = 0.01 * s;
  const count = Math.ceil((stop - start) / step);
  const delta = start + step - start;
  let bestSigma = start,
    bestValue = Infinity;
  for (let i = 0; i < count; i++) {
    const sigma = i === 0 ? start : i === 1 ? start + step : start + i * delta;
    const value = residual(sigma, grid, q);
    if (value < bestValue) {
      bestValue = value;
      bestSigma = sigma;
    }
  }
  // scipy.optimize.fmin with its defaults (xtol = ftol = 1e-4, 200 iterations and calls), step for step.
  const sigmaMp = nelderMead(([sigma]) => residual(sigma, grid, q), [bestSigma], { rules: 'scipy' }).point[0];
  const bulkMax = (sigmaMp * (1 + 1 / Math.sqrt(q))) ** 2;
  const bulkMin = (sigmaMp * (1 - 1 / Math.sqrt(q))) ** 2;
  const tracyWidom = (1 / Math.sqrt(q)) * bulkMax ** (2 / 3) * m ** (-2 / 3);
  const edge = bulkMax + Math.sqrt(tracyWidom);
  let numSpikes = 0;
  for (const v of rescaled) if (v > edge) numSpikes++;
  return {
    numSpikes,
    sigmaMp,
    mpSoftrank: bulkMax / lambdaMax,
    bulkMax: bulkMax / factor,
    bulkMin: bulkMin / factor,
    wScale,
  };
}
