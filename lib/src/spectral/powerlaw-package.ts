// WeightWatcher's pl_package='powerlaw' path: Jeff Alstott's `powerlaw` 1.x Fit for continuous
// data, with xmin_distribution 'power_law' or 'truncated_power_law', optionally restricted to an
// xmin range (fix_fingers='xmin_peak'), and for 'power_law' optionally bounded above by xmax
// (WeightWatcher's xmax='force': alpha by fmin, the CDF renormalised on [xmin, xmax]). It differs from WWFit (./powerlaw.ts):
// candidate xmins are the *unique* values (minus the last one, in range), fits whose parameters are
// out of range are masked, the KS distance compares against the renormalised empirical CDF of the
// whole data, and the truncated power law is fitted per candidate by scipy's fmin on the negative
// log-likelihood. powerlaw's float arithmetic (numpy's pairwise sums, 1e-307 floors, the
// `1 - CDF(xmin) == 1` escape) is followed where it can change a result.

import { nelderMead } from '../optimize/nelder-mead';
import { upperIncompleteGammaNegative } from './powerlaw-gamma';
import { PowerLawFitError } from './powerlaw';
import { ArgumentError } from '../errors';

export type PowerlawDistribution = 'power_law' | 'truncated_power_law';

/** powerlaw's stand-in for a zero likelihood and for the CDF of an out-of-range fit (10**sys.float_info.min_10_exp). */
const FLOOR = 1e-307;

export interface PowerlawPackageFit {
  distribution: PowerlawDistribution;
  /** alpha of the chosen xmin's fit (the TPL's alpha for 'truncated_power_law'). */
  alpha: number;
  /** The TPL's exponential cut-off rate (NaN for 'power_law'). */
  lambda: number;
  /** KS distance of the chosen fit. */
  D: number;
  /** (alpha - 1)/sqrt(n) for 'power_law'; NaN for 'truncated_power_law' (powerlaw has none). */
  sigma: number;
  xmin: number;
  /** Number of data points >= xmin. */
  tailLength: number;
  /** Largest data value (powerlaw's own xmax stays None: WeightWatcher reports null). */
  dataMax: number;
  /** The xmax the fit was bounded by (undefined without one). */
  xmax?: number;
  /** Per candidate xmin: alpha, Lambda (TPL) and D. */
  candidates: { xmin: Float64Array; alpha: Float64Array; lambda: Float64Array; D: Float64Array };
}

/** numpy's sum of a float64 array (pairwise summation, 8-way unrolled blocks of up to 128). */
export function numpySum(values: ArrayLike<number>, start = 0, count = values.length - start): number {
  if (count < 8) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += values[start + i];
    return sum;
  }
  if (count <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => values[start + j]);
    let i = 8;
    for (; i < count - (count % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += values[start + i + j];
    let sum = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < count; i++) sum += values[start + i];
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return numpySum(values, start, half) + numpySum(values, start + half, count - half);
}

/** A distribution with fixed parameters, as powerlaw's Distribution.cdf / pdf see it. */
interface Model {
  inRange: boolean;
  /** The base CDF before renormalisation at xmin (powerlaw's _cdf_base_function). */
  baseCdf(x: number): number;
}

function powerLawModel(alpha: number, xmin: number): Model {
  return { inRange: alpha > 1, baseCdf: (x) => 1 - (x / xmin) ** (-alpha + 1) };
}

function truncatedModel(alpha: number, lambda: number): Model {
  const inRange = lambda > 0 && alpha > 1;
  const scale = lambda ** (1 - alpha);
  return { inRange, baseCdf: (x) => 1 - upperIncompleteGammaNegative(1 - alpha, lambda * x) / scale };
}

/** The TPL's normalising constant on [xmin, ∞): λ^(1-α) / Γ(1-α, λ xmin). */
function truncatedNormaliser(alpha: number, lambda: number, xmin: number): number {
  return lambda ** (1 - alpha) / upperIncompleteGammaNegative(1 - alpha, lambda * xmin);
}

/** The fitted TPL's density at x >= xmin: x^-α e^(-λx) λ^(1-α) / Γ(1-α, λ xmin) (what the ESD plot draws). */
export function truncatedPowerLawDensity(x: number, alpha: number, lambda: number, xmin: number): number {
  return x ** -alpha * Math.exp(-lambda * x) * truncatedNormaliser(alpha, lambda, xmin);
}

/** The TPL's negative log-likelihood of `tail` (all >= xmin), as powerlaw's Distribution.fit minimises it. */
function truncatedNegativeLogLikelihood(tail: Float64Array, xmin: number, alpha: number, lambda: number): number {
  let total = 0; // Python's builtin sum: sequential, from 0
  if (!(lambda > 0 && alpha > 1)) {
    for (let i = 0; i < tail.length; i++) total += Math.log(FLOOR);
    return -total;
  }
  const normaliser = truncatedNormaliser(alpha, lambda, xmin);
  for (let i = 0; i < tail.length; i++) {
    const x = tail[i];
    let likelihood = x ** -alpha * Math.exp(-lambda * x) * normaliser;
    if (likelihood === 0) likelihood = FLOOR;
    total += Math.log(likelihood);
  }
  return -total;
}

/**
 * The TPL maximum-likelihood fit of `tail` (ascending, all >= xmin) at a fixed xmin, as powerlaw's
 * Distribution.fit does it: scipy's fmin from (Hill alpha, 1/mean), no bounds (out-of-range points
 * score the 1e-307 floor). Stops at fmin's absolute 1e-4 tolerances, far inside the MLE's own error.
 */
export function fitTruncatedPowerLaw(
  tail: Float64Array,
  xmin: number,
  hill?: number,
): { alpha: number; lambda: number; negativeLogLikelihood: number; evaluations: number } {
  const n = tail.length;
  let start = hill;
  if (start === undefined) {
    const ratios = new Float64Array(n);
    for (let i = 0; i < n; i++) ratios[i] = Math.log(tail[i] / xmin);
    start = 1 + n / numpySum(ratios);
  }
  const result = nelderMead(
    ([alpha, lambda]) => truncatedNegativeLogLikelihood(tail, xmin, alpha, lambda),
    [start, 1 / (numpySum(tail) / n)],
    { rules: 'scipy' },
  );
  return {
    alpha: result.point[0],
    lambda: result.point[1],
    negativeLogLikelihood: result.value,
    evaluations: result.evaluations,
  };
}

/** The whole data's empirical CDF at its unique values: (index of first occurrence)/n. */
interface EmpiricalCdf {
  bins: Float64Array;
  cdf: Float64Array;
  firstIndex: Int32Array;
}

function empiricalCdf(sorted: Float64Array): EmpiricalCdf {
  const bins: number[] = [];
  const cdf: number[] = [];
  const firstIndex: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) continue;
    bins.push(sorted[i]);
    cdf.push(i / sorted.length);
    firstIndex.push(i);
  }
  return { bins: Float64Array.from(bins), cdf: Float64Array.from(cdf), firstIndex: Int32Array.from(firstIndex) };
}

/**
 * powerlaw's Distribution.KS with a parent Fit: max |T - A| over the unique values >= xmin, A
 * renormalised at xmin, T renormalised on [xmin, xmax] when the fit has an xmax.
 */
function ksDistance(
  model: Model,
  empirical: EmpiricalCdf,
  firstBin: number,
  xmin: number,
  tailLength: number,
  xmax?: number,
): number {
  if (tailLength < 2) return NaN;
  const dropped = empirical.cdf[firstBin];
  const base = model.inRange ? model.baseCdf(xmin) : NaN;
  // Distribution.cdf: norm = 1 - CDF(xmin), minus 1 - CDF(xmax) with an xmax.
  const norm = xmax === undefined ? 1 - base : 1 - base - (1 - model.baseCdf(xmax));
  let plus = -Infinity;
  let minus = -Infinity;
  for (let u = firstBin; u < empirical.bins.length; u++) {
    const actual = (empirical.cdf[u] - dropped) / (1 - dropped);
    let theoretical: number;
    if (!model.inRange) theoretical = FLOOR;
    else if (base === 1)
      theoretical = 1; // no precision left in the tail: powerlaw returns ones
    else theoretical = (model.baseCdf(empirical.bins[u]) - base) / norm;
    const diff = theoretical - actual;
    if (Number.isNaN(diff)) return NaN; // numpy's max/min propagate NaN
    plus = Math.max(plus, diff);
    minus = Math.max(minus, -diff);
  }
  return minus > plus ? minus : plus; // Python's max(D_plus, D_minus)
}

interface CandidateFit {
  alpha: number;
  lambda: number;
  sigma: number;
  D: number;
  inRange: boolean;
}

/**
 * The power law's negative log-likelihood of `tail` at a fixed xmin, as powerlaw's Distribution.fit
 * minimises it when an xmax is set: densities x^-α (α-1) xmin^(α-1) (its pdf is not renormalised at
 * xmax), zeros floored at 1e-307, out-of-range α scoring the floor, summed by Python's builtin sum.
 */
function powerLawNegativeLogLikelihood(tail: Float64Array, xmin: number, alpha: number): number {
  let total = 0;
  if (!(alpha > 1)) {
    for (let i = 0; i < tail.length; i++) total += Math.log(FLOOR);
    return -total;
  }
  const normaliser = (alpha - 1) * xmin ** (alpha - 1);
  for (let i = 0; i < tail.length; i++) {
    let likelihood = tail[i] ** -alpha * normaliser;
    if (likelihood === 0) likelihood = FLOOR;
    total += Math.log(likelihood);
  }
  return -total;
}

function fitCandidate(
  sorted: Float64Array,
  empirical: EmpiricalCdf,
  firstBin: number,
  distribution: PowerlawDistribution,
  xmax?: number,
): CandidateFit {
  const start = empirical.firstIndex[firstBin];
  const xmin = empirical.bins[firstBin];
  const tail = sorted.subarray(start);
  const n = tail.length;
  const ratios = new Float64Array(n);
  for (let i = 0; i < n; i++) ratios[i] = Math.log(tail[i] / xmin);
  const hill = 1 + n / numpySum(ratios);
  if (distribution === 'power_law' && xmax !== undefined) {
    // With an xmax, Power_Law.fit goes to Distribution.fit: scipy's fmin from the Hill estimate.
    const alpha = nelderMead(([a]) => powerLawNegativeLogLikelihood(tail, xmin, a), [hill], { rules: 'scipy' })
      .point[0];
    const model = powerLawModel(alpha, xmin);
    return {
      alpha,
      lambda: NaN,
      sigma: (alpha - 1) / Math.sqrt(n),
      D: ksDistance(model, empirical, firstBin, xmin, n, xmax),
      inRange: model.inRange,
    };
  }
  if (distribution === 'power_law') {
    // The closed-form MLE is always > 1 here (the tail holds a value above xmin), so powerlaw's fmin fallback never runs.
    const model = powerLawModel(hill, xmin);
    return {
      alpha: hill,
      lambda: NaN,
      sigma: (hill - 1) / Math.sqrt(n),
      D: ksDistance(model, empirical, firstBin, xmin, n),
      inRange: model.inRange,
    };
  }
  const { alpha, lambda } = fitTruncatedPowerLaw(tail, xmin, hill);
  const model = truncatedModel(alpha, lambda);
  return { alpha, lambda, sigma: NaN, D: ksDistance(model, empirical, firstBin, xmin, n), inRange: model.inRange };
}

/** numpy's argmin: the first minimum, or the first NaN if there is one. */
function argmin(values: Float64Array, keep?: (i: number) => boolean): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    if (keep && !keep(i)) continue;
    if (Number.isNaN(values[i])) return i;
    if (best < 0 || values[i] < values[best]) best = i;
  }
  return best;
}

/**
 * powerlaw.Fit(data, xmin=None | (lo, hi), xmax, xmin_distribution=distribution) on ascending positive
 * `data` (with an xmax, 'power_law' only, the values above it dropped first): fits every candidate xmin (unique values, within [min(range), max(range)] when a
 * range is given, the last one dropped) and keeps the first with the smallest D among the fits whose
 * parameters are in range (all of them if none is). Throws PowerLawFitError where powerlaw returns
 * NaNs (no candidate), which WeightWatcher reports as a failed fit.
 */
export function fitPowerlawPackage(
  data: Float64Array,
  distribution: PowerlawDistribution,
  xminRange?: readonly [number, number],
  xmax?: number,
): PowerlawPackageFit {
  if (xmax !== undefined && distribution !== 'power_law')
    throw new ArgumentError("an xmax-bounded powerlaw fit is ported for 'power_law' only", {
      field: 'xmax',
      expected: "fit 'PL'",
      found: distribution,
    });
  // Fit drops the data above xmax before anything else.
  let kept = data.length;
  if (xmax !== undefined) while (kept > 0 && !(data[kept - 1] <= xmax)) kept--;
  const sorted = data.subarray(0, kept);
  const empirical = empiricalCdf(sorted);
  let candidateBins: number[] = [];
  for (let u = 0; u < empirical.bins.length; u++) {
    const x = empirical.bins[u];
    if (!xminRange || (Math.min(...xminRange) <= x && x <= Math.max(...xminRange))) candidateBins.push(u);
  }
  candidateBins = candidateBins.slice(0, -1); // "don't look at the last xmin"
  if (candidateBins.length === 0)
    throw new PowerLawFitError('fewer than 2 unique values left to fit in the xmin range');
  const count = candidateBins.length;
  const xmins = new Float64Array(count),
    alphas = new Float64Array(count),
    lambdas = new Float64Array(count),
    Ds = new Float64Array(count);
  const fits = candidateBins.map((u, i) => {
    const fit = fitCandidate(sorted, empirical, u, distribution, xmax);
    xmins[i] = empirical.bins[u];
    alphas[i] = fit.alpha;
    lambdas[i] = fit.lambda;
    Ds[i] = fit.D;
    return fit;
  });
  const anyInRange = fits.some((f) => f.inRange);
  const best = argmin(Ds, anyInRange ? (i) => fits[i].inRange : undefined);
  const chosen = fits[best];
  const tailLength = sorted.length - empirical.firstIndex[candidateBins[best]];
  return {
    distribution,
    alpha: chosen.alpha,
    lambda: chosen.lambda,
    D: chosen.D,
    sigma: chosen.sigma,
    xmin: xmins[best],
    tailLength,
    dataMax: sorted[sorted.length - 1],
    xmax,
    candidates: { xmin: xmins, alpha: alphas, lambda: lambdas, D: Ds },
  };
}

/**
 * WeightWatcher's fix_fingers='xmin_peak' range: the left edge of the fullest of 100 histogram bins
 * of log10(evals), xmin2 = 10^edge, range (log10(0.95·xmin2), xminMax ?? 1.5·xmin2). The lower bound
 * is a log10 value while the upper one is linear (sic, kept: powerlaw only uses min and max of it).
 * The histogram follows numpy's: edges start + i·step, the last edge exactly the maximum.
 */
export function xminPeakRange(sorted: Float64Array, xminMax?: number): [number, number] {
  const logs = Array.from(sorted, (x) => Math.log10(x));
  let first = Math.min(...logs),
    last = Math.max(...logs);
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const bins = 100;
  const step = (last - first) / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = step === 0 ? (i / bins) * (last - first) + first : i * step + first;
  edges[bins] = last;
  const counts = new Int32Array(bins);
  const norm = bins / (last - first);
  for (const value of logs) {
    let index = Math.trunc((value - first) * norm);
    if (index === bins) index--;
    if (value < edges[index]) index--;
    else if (value >= edges[index + 1] && index !== bins - 1) index++;
    counts[index]++;
  }
  let peak = 0;
  for (let i = 1; i < bins; i++) if (counts[i] > counts[peak]) peak = i;
  const xmin2 = 10 ** edges[peak];
  return [Math.log10(0.95 * xmin2), xminMax ?? 1.5 * xmin2];
}
