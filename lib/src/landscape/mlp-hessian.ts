// The Hessian of a zoo model's training loss as a HessianOperator, for any network (MLP, CNN:
// exact products by the R-operator) or any training task (a PINN's comes from its own HVP).
// PyHessian semantics: the criterion only (no weight decay), evaluation mode, one fixed batch.
// Yang et al. use one batch of 200 train rows; PyHessian's maintainer advises more for stable
// estimates (issue #5); the batch is the same for every model of a zoo (a seeded choice), so
// cells compare fairly.

import { rng } from '../random/rng';
import type { Dataset } from '../data/dataset';
import { selectRows } from '../data/dataset';
import type { NetworkArchitecture } from '../train/network';
import { supervisedTask, type TrainingTask } from '../train/task';
import type { HessianOperator } from './hessian';

/** A fixed, seeded choice of `samples` of `size` examples, ascending (all when samples >= size). */
export function hessianRows(size: number, samples: number, seed = 0): Int32Array {
  if (samples >= size) return Int32Array.from({ length: size }, (_, i) => i);
  const order = rng(seed).fold('hessian-batch').permutation(size);
  return Int32Array.from(order.subarray(0, samples)).sort();
}

/** A fixed, seeded batch of `samples` rows (all rows when samples >= size). */
export function hessianBatch(data: Dataset, samples: number, seed = 0): Dataset {
  if (samples >= data.size) return data;
  return selectRows(data, hessianRows(data.size, samples, seed));
}

/** The Hessian of the mean cross-entropy of an MLP or CNN on `batch`, with the loss of the last product. */
export function networkHessian(
  arch: NetworkArchitecture,
  params: Float64Array,
  batch: Dataset,
): HessianOperator & { loss: number; products: number } {
  const task = supervisedTask(arch, { train: batch, test: batch }, { chunk: batch.size });
  return taskHessian(
    task,
    params,
    Int32Array.from({ length: batch.size }, (_, i) => i),
  );
}

/** The MLP Hessian's original name: the same as networkHessian. */
export const mlpHessian = networkHessian;

/** The Hessian of a training task's loss on the examples `rows` (e.g. hessianRows(task.examples, 256)). */
export function taskHessian(
  task: TrainingTask,
  params: Float64Array,
  rows: ArrayLike<number>,
): HessianOperator & { loss: number; products: number } {
  const out = new Float64Array(task.dimension);
  const op = {
    dimension: out.length,
    loss: NaN,
    products: 0,
    apply(vector: Float64Array): Float64Array {
      op.loss = task.hessianVectorProduct(params, vector, out, rows);
      op.products++;
      return out;
    },
  };
  return op;
}
