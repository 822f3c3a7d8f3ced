// The Hessian of a zoo MLP's mean cross-entropy on a fixed batch of training rows, as a
// HessianOperator: exact products by the R-operator (../train/mlp.ts). PyHessian semantics:
// the criterion only (no weight decay), evaluation mode, one fixed batch. Yang et al. use one
// batch of 200 train rows; PyHessian's maintainer advises more for stable estimates (issue #5);
// the batch is the same for every model of a zoo (a seeded choice), so cells compare fairly.

import { rng } from '../random/rng';
import type { Dataset } from '../data/dataset';
import { selectRows } from '../data/dataset';
import { MlpWorkspace, hessianVectorProductMlp, parameterCount, type MlpArchitecture } from '../train/mlp';
import type { HessianOperator } from './hessian';

/** A fixed, seeded batch of `samples` rows (all rows when samples >= size). */
export function hessianBatch(data: Dataset, samples: number, seed = 0): Dataset {
  if (samples >= data.size) return data;
  const order = rng(seed).fold('hessian-batch').permutation(data.size);
  return selectRows(data, Array.from(order.subarray(0, samples)).sort((a, b) => a - b));
}

export function mlpHessian(arch: MlpArchitecture, params: Float64Array, batch: Dataset): HessianOperator & { loss: number; products: number } {
  const ws = new MlpWorkspace(arch, batch.size);
  const out = new Float64Array(parameterCount(arch));
  const op = {
    dimension: out.length,
    loss: NaN,
    products: 0,
    apply(vector: Float64Array): Float64Array {
      op.loss = hessianVectorProductMlp(ws, params, batch.x, batch.y, batch.size, vector, out);
      op.products++;
      return out;
    },
  };
  return op;
}
