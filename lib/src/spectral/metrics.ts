// Scale metrics of an ESD (WeightWatcher's apply_norm_metrics), the matrix rank and entropy it
// reports, SETOL's detX / trace-log condition (RMT_Util.detX_constraint) and the Jensen-Shannon
// distance used by the randomized ESD. All take eigenvalues sorted ascending, in float64.

/** WeightWatcher's EPSILON in matrix_entropy (1e-10 on the CPU path). */
const ENTROPY_EPSILON = 1e-10;

export interface NormMetrics {
  norm: number;
  logNorm: number;
  spectralNorm: number;
  logSpectralNorm: number;
  alphaWeighted: number;
  logAlphaNorm: number;
  stableRank: number;
  matrixRank: number;
  entropy: number;
}

/** Σλ, log10 Σλ, λmax, alpha·log10 λmax, log10 Σλ^alpha, Σλ/λmax, rank and entropy (alpha = -1 for a failed fit). */
export function normMetrics(evals: Float64Array, alpha: number, n: number): NormMetrics {
  let norm = 0,
    spectralNorm = -Infinity,
    alphaNorm = 0;
  for (const value of evals) {
    norm += value;
    if (value > spectralNorm) spectralNorm = value;
    alphaNorm += value ** alpha;
  }
  const logSpectralNorm = Math.log10(spectralNorm);
  return {
    norm,
    logNorm: Math.log10(norm),
    spectralNorm,
    logSpectralNorm,
    alphaWeighted: alpha * logSpectralNorm,
    logAlphaNorm: Math.log10(alphaNorm),
    stableRank: norm / spectralNorm,
    matrixRank: matrixRank(evals, n),
    entropy: matrixEntropy(evals, n),
  };
}

/** np.linalg.matrix_rank on the singular values sqrt(λ): #(σ > σmax·N·eps). */
export function matrixRank(evals: Float64Array, n: number): number {
  let maxSingular = 0;
  for (const value of evals) maxSingular = Math.max(maxSingular, Math.sqrt(value));
  const tolerance = maxSingular * n * Number.EPSILON;
  let rank = 0;
  for (const value of evals) if (Math.sqrt(value) > tolerance) rank++;
  return rank;
}

/** Matrix entropy: p = λ/Σλ + 1e-10, −Σ p ln p / ln(rank + 1e-10). */
export function matrixEntropy(evals: Float64Array, n: number): number {
  const rank = matrixRank(evals, n) + ENTROPY_EPSILON;
  let total = 0;
  for (const value of evals) total += value;
  let sum = 0;
  for (const value of evals) {
    const p = value / total + ENTROPY_EPSILON;
    sum += p * Math.log(p);
  }
  return -sum / Math.log(rank);
}

/** Eigenvalues rescaled so they sum to their count (mean 1), and the factor Wscale (λ̃ = λ·Wscale²). */
export function rescaleEigenvalues(evals: Float64Array): { rescaled: Float64Array; scale: number } {
  let total = 0;
  for (const value of evals) total += value;
  const scale = Math.sqrt(evals.length) / Math.sqrt(total);
  const factor = scale * scale;
  return { rescaled: evals.map((value) => factor * value), scale };
}

export interface DetX {
  /** Number of eigenvalues in the tail whose rescaled product first drops below 1. */
  detXNum: number;
  /** The eigenvalue where that tail starts, in original units (comparable to xmin). */
  detXVal: number;
  /** The same in rescaled units (WeightWatcher's name, although the value is the rescaled one). */
  detXValUnrescaled: number;
  /** Index into the ascending eigenvalues. */
  index: number;
}

/**
 * SETOL's trace-log / ERG condition: walking down from the largest rescaled eigenvalue, the
 * first index whose tail product Π λ̃ drops below 1. Products are tracked as sums of logs,
 * identical to np.prod except at overflow. If the product never drops below 1 the index is 1
 * (WeightWatcher's loop variable), not 0; fewer than 2 or constant eigenvalues give index 0.
 */
export function detX(evals: Float64Array): DetX {
  const { rescaled, scale } = rescaleEigenvalues(evals);
  const count = rescaled.length;
  let num = 0,
    index = 0;
  if (count >= 2 && rescaled[0] < rescaled[count - 1]) {
    num = count;
    let logProduct = 0;
    for (index = count - 1; index >= 1; index--) {
      logProduct += Math.log(rescaled[index]);
      if (logProduct < 0) {
        num = count - index;
        break;
      }
    }
    if (index < 1) index = 1;
  }
  const factor = scale * scale;
  return { detXNum: num, detXVal: rescaled[index] / factor, detXValUnrescaled: rescaled[index], index };
}

/**
 * Jensen-Shannon distance of two equally long eigenvalue vectors treated as discrete distributions
 * paired element by element (scipy.stats.entropy normalises each), natural log.
 */
export function jensenShannonDistance(p: Float64Array, q: Float64Array): number {
  const m = p.map((value, i) => (value + q[i]) / 2);
  return Math.sqrt((relativeEntropy(p, m) + relativeEntropy(q, m)) / 2);
}

function relativeEntropy(p: Float64Array, q: Float64Array): number {
  let sp = 0,
    sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i];
    sq += q[i];
  }
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp,
      b = q[i] / sq;
    if (a > 0 && b > 0) sum += a * Math.log(a / b);
    else if (a > 0) return Infinity;
  }
  return sum;
}
