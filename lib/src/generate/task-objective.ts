// The task loss of generated networks, differentiable in jax-js: a batch of generated MLP weight
// vectors (one row per network) is cut into its layers and run on a data minibatch, and the mean
// softmax cross-entropy over networks and examples is the loss. This is how classic hypernetworks
// (Ha et al. 2017; MIP hypernetworks, Ortiz et al. 2024) are trained: end to end on the task,
// never on a zoo. Alone, that loss lets the hypernetwork ignore its code and emit one network
// (mode collapse), so an optional function-space repulsion among the networks of a batch (the
// log spread of their predictions on points between the train examples) can be subtracted. Also the coordinates such a generator works in: no zoo statistics, only each
// layer's PyTorch init scale, so a task-trained generator owes nothing to the zoo but its shape.

import { ArgumentError } from '../errors';
import type { Rng } from '../random/rng';
import type { WeightSet } from '../weights/weight-set';
import { denseLayers, type ClassificationData } from './evaluate/mlp-classifier';
import type { Activation, JaxArray, JaxModule } from './nn/jax-ops';
import { activate, deviceArray } from './nn/jax-ops';
import type { FitOptions } from './types';

/** Where each dense layer of an MLP sits in its flat weight vector (WeightSet tensor order). */
export interface MlpLayout {
  layers: { weight: number; bias: number | undefined; inputs: number; outputs: number; inOut: boolean }[];
  dimension: number;
  classes: number;
}

/** The layout of an MLP WeightSet's flat vector (throws for anything but linear layers). */
export function mlpLayout(template: WeightSet): MlpLayout {
  const starts = template.flatOffsets();
  const layers = denseLayers(template).map((layer) => ({
    weight: starts.get(layer.weight)!,
    bias: layer.bias ? starts.get(layer.bias) : undefined,
    inputs: layer.inputs,
    outputs: layer.outputs,
    inOut: layer.inOut,
  }));
  return { layers, dimension: template.numParameters, classes: layers[layers.length - 1].outputs };
}

/**
 * Per-coordinate scale of the init-scaled coordinates: PyTorch's default init bound 1/√fan_in of
 * the layer each weight and bias belongs to. A generator emitting values of order 1 in these
 * units emits weights of the size a freshly initialised network has.
 */
export function initScale(layout: MlpLayout): Float64Array {
  const scale = new Float64Array(layout.dimension).fill(1);
  for (const layer of layout.layers) {
    const bound = 1 / Math.sqrt(layer.inputs);
    scale.fill(bound, layer.weight, layer.weight + layer.inputs * layer.outputs);
    if (layer.bias !== undefined) scale.fill(bound, layer.bias, layer.bias + layer.outputs);
  }
  return scale;
}

/**
 * Logits [N, B, C] of B generated MLPs on one minibatch. `weights` [B, d] are raw weight vectors
 * (consumed), `x` [N, in] the features (consumed). Layer l maps h [N, B, in] to [N, B, out] by
 * broadcasting h[:, :, None, :] against W[None, :, :, :] and summing the last axis, which keeps
 * every network's weights apart without a batched matmul.
 */
export function generatedMlpLogits(
  jx: JaxModule,
  layout: MlpLayout,
  weights: JaxArray,
  x: JaxArray,
  activation: Activation,
  networks: number,
): JaxArray {
  const np = jx.numpy;
  const count = x.shape[0];
  let h = np.reshape(x, [count, 1, 1, layout.layers[0].inputs]);
  layout.layers.forEach((layer, l) => {
    const size = layer.inputs * layer.outputs;
    let w = np.reshape(
      weights.ref.slice([], [layer.weight, layer.weight + size]),
      layer.inOut ? [networks, layer.inputs, layer.outputs] : [networks, layer.outputs, layer.inputs],
    );
    if (layer.inOut) w = np.transpose(w, [0, 2, 1]);
    let out = np.sum(np.multiply(h, np.reshape(w, [1, networks, layer.outputs, layer.inputs])), -1); // [N, B, out]
    if (layer.bias !== undefined)
      out = np.add(
        out,
        np.reshape(weights.ref.slice([], [layer.bias, layer.bias + layer.outputs]), [1, networks, layer.outputs]),
      );
    h =
      l + 1 < layout.layers.length
        ? np.reshape(activate(jx, out, activation), [count, networks, 1, layer.outputs])
        : out;
  });
  weights.dispose();
  return h;
}

/** Floor inside the log of predictionSpread: far below any spread worth having, so it only keeps log finite. */
export const SPREAD_FLOOR = 1e-6;

/**
 * Function-space repulsion among B networks: the mean over pairs i ≠ j of log(ε + D_ij), with
 * D_ij = mean over examples of ‖p_i − p_j‖², the squared distance of their predicted class
 * probabilities. `logits` [M, B, C] (consumed). Why this form: a collapsed hypernetwork is where
 * every D_ij is ~0, and a plain distance (or a Jensen-Shannon divergence) is flat there, so its
 * gradient cannot lift the collapse; the log is scale-free and pushes hardest exactly there.
 * Probabilities are bounded, so the term is bounded too (log ε ≤ · ≤ log 2) and cannot run away.
 * The diagonal D_ii = 0 is computed exactly (differences, not a Gram matrix) and subtracted.
 */
export function predictionSpread(jx: JaxModule, logits: JaxArray): JaxArray {
  const np = jx.numpy;
  const [count, networks, classes] = logits.shape;
  const p = jx.nn.softmax(logits, -1);
  const difference = np.subtract(
    np.reshape(p.ref, [count, networks, 1, classes]),
    np.reshape(p, [count, 1, networks, classes]),
  );
  const distance = np.divide(np.sum(np.square(difference), [0, 3]), count); // [B, B]
  const all = np.sum(np.log(np.add(distance, SPREAD_FLOOR)));
  return np.divide(np.subtract(all, networks * Math.log(SPREAD_FLOOR)), networks * (networks - 1));
}

/** The repulsive part of a task loss: its weight and the inputs it is measured on. */
export interface Repulsion {
  weight: number;
  context: JaxArray;
}

/**
 * Mean cross-entropy of B generated MLPs on one minibatch (`weights` [B, d], `x` [N, in] and
 * `onehot` [N, C], all consumed), minus, when `repulsion` is given, its weight times the
 * predictionSpread of the networks on `repulsion.context` [M, in] (consumed): the term that keeps
 * a task-trained hypernetwork from emitting one network for every code. Both input sets go
 * through one forward pass.
 */
export function generatedMlpLoss(
  jx: JaxModule,
  layout: MlpLayout,
  weights: JaxArray,
  x: JaxArray,
  onehot: JaxArray,
  activation: Activation,
  networks: number,
  repulsion?: Repulsion,
): JaxArray {
  const np = jx.numpy;
  const count = x.shape[0];
  const inputs = repulsion ? np.concatenate([x, repulsion.context], 0) : x;
  let logits = generatedMlpLogits(jx, layout, weights, inputs, activation, networks);
  let spread: JaxArray | undefined;
  if (repulsion) {
    spread = predictionSpread(jx, logits.ref.slice([count, logits.shape[0]]));
    logits = logits.slice([0, count]);
  }
  // logSoftmax, not logsumexp minus the picked logit: jax-js 0.1.25 differentiates the latter wrongly under jit.
  const logProbabilities = jx.nn.logSoftmax(logits, -1); // [N, B, C]
  const picked = np.sum(np.multiply(logProbabilities, np.reshape(onehot, [count, 1, layout.classes])));
  const crossEntropy = np.negative(np.divide(picked, count * networks));
  return spread ? np.subtract(crossEntropy, np.multiply(spread, repulsion!.weight)) : crossEntropy;
}

/** The train split a task-objective fit learns from: the generator's own, else the fit options' task. */
export function taskTrainingData(
  own: ClassificationData | undefined,
  options: FitOptions,
  who: string,
): { data: ClassificationData; activation: Activation } {
  const task = options.task;
  const data = own ?? task?.train;
  if (!data)
    throw new ArgumentError(`${who}: objective 'task' needs the task's train split`, {
      field: 'data',
      expected: 'options.data, or fit(zoo, { task }) with a classificationTask',
    });
  return { data, activation: task?.activation ?? 'relu' };
}

/** A random minibatch of `size` rows: features [size, in] and one-hot labels [size, classes] on the device. */
export function taskMinibatch(
  jx: JaxModule,
  data: ClassificationData,
  classes: number,
  size: number,
  source: Rng,
): [JaxArray, JaxArray] {
  const rows = source.integers(size, 0, data.y.length);
  const f = data.features;
  const x = new Float32Array(size * f);
  const onehot = new Float32Array(size * classes);
  for (let r = 0; r < size; r++) {
    for (let k = 0; k < f; k++) x[r * f + k] = data.x[rows[r] * f + k];
    onehot[r * classes + data.y[rows[r]]] = 1;
  }
  return [deviceArray(jx, x, [size, f]), deviceArray(jx, onehot, [size, classes])];
}

/**
 * `size` points between the train examples, where networks that all fit the train split can
 * still differ: each is x_a + u (x_b − x_a) for random rows a, b and u ~ U(0, 1) (mixup inputs),
 * so most lie between two classes, near the decision boundaries. Features [size, in] on the device.
 */
export function betweenExamples(jx: JaxModule, data: ClassificationData, size: number, source: Rng): JaxArray {
  const a = source.integers(size, 0, data.y.length),
    b = source.integers(size, 0, data.y.length);
  const u = source.uniform(size);
  const f = data.features;
  const x = new Float32Array(size * f);
  for (let r = 0; r < size; r++)
    for (let k = 0; k < f; k++)
      x[r * f + k] = data.x[a[r] * f + k] + u[r] * (data.x[b[r] * f + k] - data.x[a[r] * f + k]);
  return deviceArray(jx, x, [size, f]);
}
