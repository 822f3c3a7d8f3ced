// The empirical spectral density of a layer: squared singular values of each of its matrices
// (from the eigensolvers of ../eigen, which pick the engine), pooled over Conv2d slices, with
// WeightWatcher's apply_esd columns (sv_max, sv_min, rank_loss, weak_rank_loss, lambda_max). Two
// layers of similar size can be solved side by side, one per thread (layerSpectra, used by analyze()).
//
// Accuracy versus WeightWatcher's SVD of W: see ../eigen/solve.ts. matrix_rank, rank_loss and
// entropy differ from WeightWatcher's on rank-deficient layers only.

import type { EngineOption } from '../backend/engine';
import {
  sideBySideWorthwhile,
  squaredSingularValues,
  squaredSingularValuesSideBySide,
  type EigenEngine,
  type SvdMethod,
} from '../eigen/solve';
import type { LayerMatrices } from './matrices';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

/** WeightWatcher's WEAK_RANK_LOSS_TOLERANCE: eigenvalues below it count as weak rank loss (absolute). */
export const WEAK_RANK_TOLERANCE = 1e-6;

export interface Spectrum {
  /** Pooled eigenvalues, ascending. */
  evals: Float64Array;
  /** Largest singular value over slices. */
  svMax: number;
  /** WeightWatcher's sv_min: the largest of the per-slice smallest singular values (sic). */
  svMin: number;
  /** Σ over slices of (#singular values − numerical rank with N·eps tolerance). */
  rankLoss: number;
  /** #eigenvalues below 1e-6. */
  weakRankLoss: number;
  lambdaMax: number;
}

/** How layerSpectrum finds the eigenvalues. */
export interface LayerSpectrumOptions {
  /**
   * Eigensolver engine: 'auto' (two wasm threads for orders from 512 when a core is spare, else one
   * wasm thread, else plain JS), or 'parallel', 'wasm', 'js' (an ArgumentError, with the reason,
   * when the requested one cannot run here).
   * @default 'auto'
   */
  engine?: EngineOption<EigenEngine>;
  /**
   * Squared singular values via the Gram matrix ('gram'), one-sided Jacobi ('jacobi'), or 'auto'
   * (Jacobi only for small rank-deficient matrices).
   * @default 'auto'
   */
  svd?: SvdMethod;
}

/** layerSpectrum()'s defaults. */
export const LAYER_SPECTRUM_DEFAULTS = {
  engine: 'auto',
  svd: 'auto',
} as const satisfies OptionDefaults<LayerSpectrumOptions>;

/** The pooled ESD of a layer (from layerMatrices) and WeightWatcher's apply_esd columns. */
export async function layerSpectrum(layer: LayerMatrices, settings: LayerSpectrumOptions = {}): Promise<Spectrum> {
  const { engine, svd } = resolveOptions('layerSpectrum', LAYER_SPECTRUM_DEFAULTS, settings);
  const perMatrix: Float64Array[] = [];
  for (const matrix of layer.matrices) perMatrix.push(await squaredSingularValues(matrix, engine, svd));
  return pooledSpectrum(layer, perMatrix);
}

/**
 * layerSpectrum of each layer, the same eigenvalues bit for bit, but two single-matrix layers of
 * similar size are solved side by side, one per thread, when `engine` is 'auto', a core is spare
 * and the method is not 'jacobi' (see ../eigen/solve.ts, sideBySideWorthwhile).
 */
export async function layerSpectra(
  layers: LayerMatrices[],
  engine: EngineOption<EigenEngine> = 'auto',
  method: SvdMethod = 'auto',
): Promise<Spectrum[]> {
  if (
    layers.length === 2 &&
    layers[0].matrices.length === 1 &&
    layers[1].matrices.length === 1 &&
    sideBySideWorthwhile(layers[0].matrices[0], layers[1].matrices[0], engine, method)
  ) {
    const [first, second] = await squaredSingularValuesSideBySide(layers[0].matrices[0], layers[1].matrices[0], method);
    return [pooledSpectrum(layers[0], [first]), pooledSpectrum(layers[1], [second])];
  }
  const out: Spectrum[] = [];
  for (const layer of layers) out.push(await layerSpectrum(layer, { engine, svd: method }));
  return out;
}

/** Pools per-matrix squared singular values (ascending each) into a layer's ESD with WeightWatcher's apply_esd columns. */
function pooledSpectrum(layer: LayerMatrices, perMatrix: Float64Array[]): Spectrum {
  const pooled: Float64Array[] = [];
  let svMax = 0,
    svMin = 0,
    rankLoss = 0;
  for (let evals of perMatrix) {
    if (evals.length > layer.numComponents) evals = evals.slice(evals.length - layer.numComponents);
    pooled.push(evals);
    if (evals.length === 0) continue;
    const top = Math.sqrt(evals[evals.length - 1]);
    svMax = Math.max(svMax, top);
    svMin = Math.max(svMin, Math.sqrt(evals[0]));
    const tolerance = top * layer.N * Number.EPSILON;
    let rank = 0;
    for (const value of evals) if (Math.sqrt(value) > tolerance) rank++;
    rankLoss += evals.length - rank;
  }
  const total = pooled.reduce((sum, part) => sum + part.length, 0);
  const evals = new Float64Array(total);
  let at = 0;
  for (const part of pooled) {
    evals.set(part, at);
    at += part.length;
  }
  evals.sort();
  let weakRankLoss = 0;
  for (const value of evals) if (value < WEAK_RANK_TOLERANCE) weakRankLoss++;
  return { evals, svMax, svMin, rankLoss, weakRankLoss, lambdaMax: evals.length ? evals[evals.length - 1] : NaN };
}
