// What the trainer and the loss-landscape metrics need from a learning problem, independent of
// the model and the loss: a differentiable training loss over "examples" (minibatches are sets
// of example indices), its Hessian-vector products, whole-data evaluation and the
// representations CKA compares. supervisedTask() is classification on a dataset with an MLP or
// CNN; ./pinn.ts gives the physics-informed convection task. One trainer, one Hessian operator,
// one Bezier-curve fit serve both.

import { ArgumentError } from '../errors';
import type { DatasetSplit } from '../data/dataset';
import {
  buildNetwork,
  evaluateNetwork,
  networkRepresentation,
  type Network,
  type NetworkArchitecture,
  type RepresentationLayer,
} from './network';
import { parameterCount } from './mlp';

/** Whole-data metrics of a parameter vector (the keys of a result.json line). */
export interface TaskMetrics {
  train_loss: number;
  test_loss: number;
  /** Classification: accuracy in [0, 1]. */
  train_acc?: number;
  test_acc?: number;
  /** Regression against an exact solution (PINN): |u - u*|_2 / |u*|_2 on the test grid. */
  relative_l2_error?: number;
}

export interface TrainingTask {
  /** Short id (dataset and task), used in cache keys. */
  readonly name: string;
  readonly architecture: NetworkArchitecture;
  /** Number of parameters. */
  readonly dimension: number;
  /** Examples minibatches are drawn from (train rows; collocation points of a PINN). */
  readonly examples: number;
  /** Training loss on the examples `rows` and its gradient (grad overwritten). */
  lossAndGradient(params: Float64Array, grad: Float64Array, rows: ArrayLike<number>): number;
  /** H v of that loss on `rows` (out overwritten); returns the loss. */
  hessianVectorProduct(params: Float64Array, v: Float64Array, out: Float64Array, rows: ArrayLike<number>): number;
  /** Loss and accuracy (or error) on the whole train and test data. */
  evaluate(params: Float64Array): TaskMetrics;
  /** A representation of the test inputs for CKA (row-major rows x columns). */
  representation(
    params: Float64Array,
    layer?: RepresentationLayer,
  ): { values: Float64Array; rows: number; columns: number };
}

/** The error in percent that mode connectivity is measured on: classification error, or the relative L2 error of a regression. */
export function errorPercent(metrics: TaskMetrics, split: 'train' | 'test'): number {
  const accuracy = split === 'train' ? metrics.train_acc : metrics.test_acc;
  if (accuracy !== undefined) return 100 * (1 - accuracy);
  return 100 * (metrics.relative_l2_error ?? NaN);
}

/**
 * Classification of `split` with an MLP or CNN: the mean cross-entropy of the selected train rows.
 * `chunk` is the row count of one evaluation pass (it fixes the summation order of the
 * whole-data loss; the trainer uses max(batch, 256), the landscape metrics 512).
 */
export function supervisedTask(
  arch: NetworkArchitecture,
  split: DatasetSplit,
  options: { chunk?: number } = {},
): TrainingTask {
  const { train, test } = split;
  const inputs = arch.kind === 'cnn' ? arch.image[0] * arch.image[1] * arch.image[2] : arch.inputs;
  if (inputs !== train.features || arch.outputs !== train.classes) {
    throw new ArgumentError('architecture does not fit the dataset', {
      field: train.name,
      expected: `${train.features} inputs, ${train.classes} outputs`,
      found: `${inputs}, ${arch.outputs}`,
    });
  }
  const evaluation = buildNetwork(arch, options.chunk ?? 512);
  const networks = new Map<number, Network>([[evaluation.capacity, evaluation]]);
  // Minibatches reuse the evaluation network when they fit, else one network per larger size.
  const networkFor = (n: number): Network => {
    if (n <= evaluation.capacity) return evaluation;
    if (!networks.has(n)) networks.set(n, buildNetwork(arch, n));
    return networks.get(n)!;
  };
  let batch = new Float64Array(0);
  let labels = new Int32Array(0);
  const gather = (rows: ArrayLike<number>) => {
    const n = rows.length;
    const f = train.features;
    if (batch.length < n * f) {
      batch = new Float64Array(n * f);
      labels = new Int32Array(n);
    }
    for (let r = 0; r < n; r++) {
      const i = rows[r];
      batch.set(train.x.subarray(i * f, (i + 1) * f), r * f);
      labels[r] = train.y[i];
    }
    return n;
  };
  return {
    name: `${train.name}|classification`,
    architecture: arch,
    dimension: parameterCount(arch),
    examples: train.size,
    lossAndGradient(params, grad, rows) {
      const n = gather(rows);
      return networkFor(n).lossAndGradient(params, batch, labels, n, grad).loss;
    },
    hessianVectorProduct(params, v, out, rows) {
      const n = gather(rows);
      return networkFor(n).hessianVectorProduct(params, batch, labels, n, v, out);
    },
    evaluate(params) {
      const tr = evaluateNetwork(evaluation, params, train.x, train.y, train.size);
      const te = evaluateNetwork(evaluation, params, test.x, test.y, test.size);
      return { train_loss: tr.loss, train_acc: tr.accuracy, test_loss: te.loss, test_acc: te.accuracy };
    },
    representation(params, layer = 'logits') {
      return networkRepresentation(evaluation, params, test.x, test.size, layer);
    },
  };
}
