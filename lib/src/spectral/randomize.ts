// The randomized ESD (randomize=True): every matrix of a layer with its entries shuffled, which
// destroys correlations but keeps the entry distribution. WeightWatcher shuffles with numpy's
// global RNG; here the shuffle draws from an explicit seeded weightlab Rng, so results are
// reproducible but not bit-equal to WeightWatcher's (compare them statistically).

import type { Rng } from '../random/rng';
import type { LayerMatrices, LayerMatrix } from './matrices';
import type { EngineOption } from '../backend/engine';
import { squaredSingularValues, type EigenEngine, type SvdMethod } from '../eigen/solve';

/** Fisher-Yates shuffle of a copy of `values`, with 53-bit uniforms (bias below 2^-30 for any size). */
export function shuffled(values: Float64Array, random: Rng): Float64Array {
  const out = values.slice();
  const uniforms = random.uniform(Math.max(0, out.length - 1));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(uniforms[out.length - 1 - i] * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** Pooled eigenvalues (ascending) of `replicas` independent shuffles of every matrix of the layer. */
export async function randomEigenvalues(
  layer: LayerMatrices,
  replicas: number,
  random: Rng,
  engine: EngineOption<EigenEngine>,
  method: SvdMethod = 'auto',
): Promise<Float64Array> {
  const parts: Float64Array[] = [];
  for (let replica = 0; replica < replicas; replica++) {
    for (const matrix of layer.matrices) {
      const shuffledMatrix: LayerMatrix = {
        rows: matrix.rows,
        cols: matrix.cols,
        values: shuffled(matrix.values, random),
      };
      let evals = await squaredSingularValues(shuffledMatrix, engine, method);
      if (evals.length > layer.numComponents) evals = evals.slice(evals.length - layer.numComponents);
      parts.push(evals);
    }
  }
  const out = new Float64Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out.sort();
}

/** WeightWatcher's replica count: 5 when the layer has fewer than 100 components, else 1. */
export function replicaCount(numComponents: number): number {
  return numComponents < 100 ? 5 : 1;
}
