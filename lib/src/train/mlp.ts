// The multilayer perceptron of weightlab's zoos, written out by hand in float64: forward
// pass, cross-entropy loss and gradient (backprop), and the exact Hessian-vector product
// by Pearlmutter's R-operator (forward-mode differentiation of the backward pass, i.e.
// forward-over-reverse). Zoo nets are tiny (<= ~20k parameters), where plain loops beat any
// dispatching engine per call (bench/zoo.js --engines: the jitted jax-js engine in ./jax-engine.ts
// trains 0.1-0.9x as many models per minute); jax-js eager autodiff is the oracle in the tests.
//
// Parameter layout: one flat Float64Array, per layer the weight (out x in, PyTorch's Linear
// layout) then the bias, named `layers.<l>.weight` / `layers.<l>.bias` (the ModelZoos
// weight-then-bias vectorisation, so WeightSet.flatten() of a checkpoint gives this vector).

import { ArgumentError, ShapeError } from '../errors';
import { rng } from '../random/rng';
import { Tensor } from '../tensor/tensor';
import { WeightSet } from '../weights/weight-set';
import { cnnInitialParameters, cnnSlots, cnnTensorShapes } from './cnn';
import type { NetworkArchitecture } from './network';
import {
  accumulate,
  accumulateWeights,
  activate,
  affine,
  backProject,
  crossEntropy,
  curvature,
  slope,
  type LayerSlot,
} from './kernels';

export type MlpActivation = 'relu' | 'tanh';

export interface MlpArchitecture {
  kind: 'mlp';
  inputs: number;
  /** Hidden widths, e.g. [64] for 64-64-10 or [32, 32] for depth 2. */
  hidden: number[];
  outputs: number;
  activation: MlpActivation;
}

export type { LayerSlot } from './kernels';
export { crossEntropy } from './kernels';

/** An MLP architecture from its sizes (activation ReLU unless given). */
export function mlp(
  inputs: number,
  hidden: number[],
  outputs: number,
  activation: MlpActivation = 'relu',
): MlpArchitecture {
  for (const size of [inputs, ...hidden, outputs]) {
    if (!Number.isInteger(size) || size < 1)
      throw new ArgumentError('layer sizes must be positive integers', {
        found: `[${[inputs, ...hidden, outputs].join(', ')}]`,
      });
  }
  return { kind: 'mlp', inputs, hidden: [...hidden], outputs, activation };
}

/** Where every layer lives in the flat parameter vector. */
export function layerSlots(arch: MlpArchitecture): LayerSlot[] {
  const sizes = [arch.inputs, ...arch.hidden, arch.outputs];
  const slots: LayerSlot[] = [];
  let at = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const slot = {
      name: `layers.${l}`,
      inputs: sizes[l],
      outputs: sizes[l + 1],
      weight: at,
      bias: at + sizes[l] * sizes[l + 1],
    };
    at = slot.bias + sizes[l + 1];
    slots.push(slot);
  }
  return slots;
}

/** Where every layer of an MLP or a CNN lives in the flat vector (one row of a weight is one filter). */
export function networkSlots(arch: NetworkArchitecture): LayerSlot[] {
  return arch.kind === 'cnn' ? cnnSlots(arch) : layerSlots(arch);
}

/** Number of parameters (weights and biases) of an MLP or a CNN. */
export function parameterCount(arch: NetworkArchitecture): number {
  const slots = networkSlots(arch);
  const last = slots[slots.length - 1];
  return last.bias + last.outputs;
}

/**
 * Seeded initialisation: weights kaiming-uniform for ReLU (U(-b, b), b = sqrt(6 / fan_in), as
 * torch.nn.init.kaiming_uniform_ with a = 0, PTMZ's `kaiming_uniform`), biases zero.
 */
export function initialParameters(arch: NetworkArchitecture, seed: number): Float64Array {
  if (arch.kind === 'cnn') return cnnInitialParameters(arch, seed);
  const params = new Float64Array(parameterCount(arch));
  const random = rng(seed).fold('init');
  for (const slot of layerSlots(arch)) {
    const bound = Math.sqrt(6 / slot.inputs);
    params.set(random.fold(slot.name).uniform(slot.inputs * slot.outputs, -bound, bound), slot.weight);
  }
  return params;
}

/** Every checkpoint tensor of the architecture: name, shape and offset in the flat vector (weight then bias per layer). */
function tensorLayout(arch: NetworkArchitecture): { name: string; shape: number[]; offset: number }[] {
  if (arch.kind === 'cnn') return cnnTensorShapes(arch);
  return layerSlots(arch).flatMap((slot) => [
    { name: `${slot.name}.weight`, shape: [slot.outputs, slot.inputs], offset: slot.weight },
    { name: `${slot.name}.bias`, shape: [slot.outputs], offset: slot.bias },
  ]);
}

/** The flat vector as a WeightSet of float32 (default, what zoo checkpoints store) or float64 tensors. */
export function toWeightSet(
  arch: NetworkArchitecture,
  params: Float64Array,
  dtype: 'float32' | 'float64' = 'float32',
): WeightSet {
  const tensors: [string, Tensor][] = tensorLayout(arch).map(({ name, shape, offset }) => {
    const values = params.subarray(offset, offset + shape.reduce((a, b) => a * b, 1));
    return [
      name,
      new Tensor(dtype, dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), shape),
    ];
  });
  return new WeightSet(tensors);
}

/** The flat float64 vector of a checkpoint (checks every tensor's name and shape against `arch`). */
export function fromWeightSet(arch: NetworkArchitecture, weights: WeightSet): Float64Array {
  const params = new Float64Array(parameterCount(arch));
  for (const { name, shape, offset } of tensorLayout(arch)) {
    const info = weights.info(name);
    if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError('checkpoint tensor does not fit the architecture', {
        field: name,
        expected: `[${shape.join(', ')}]`,
        found: `[${info.shape.join(', ')}]`,
      });
    }
    params.set(weights.get(name).toFloat64(), offset);
  }
  return params;
}

/** Scratch buffers for one batch size, reused across steps (no allocation in the training loop). */
export class MlpWorkspace {
  readonly arch: MlpArchitecture;
  readonly slots: LayerSlot[];
  readonly capacity: number;
  /** Pre-activations z[l] (l = 1..L) and activations a[l] (a[0] is the input, not owned). */
  readonly z: Float64Array[];
  readonly a: Float64Array[];
  readonly g: Float64Array[];
  readonly rz: Float64Array[];
  readonly ra: Float64Array[];
  readonly rg: Float64Array[];
  readonly back: Float64Array;
  readonly rback: Float64Array;
  readonly batch: Float64Array;
  readonly labels: Int32Array;

  constructor(arch: MlpArchitecture, capacity: number) {
    this.arch = arch;
    this.slots = layerSlots(arch);
    this.capacity = capacity;
    const sizes = [arch.inputs, ...arch.hidden, arch.outputs];
    const widest = Math.max(...sizes);
    const make = () => sizes.map((s) => new Float64Array(capacity * s));
    this.z = make();
    this.a = make();
    this.g = make();
    this.rz = make();
    this.ra = make();
    this.rg = make();
    this.back = new Float64Array(capacity * widest);
    this.rback = new Float64Array(capacity * widest);
    this.batch = new Float64Array(capacity * arch.inputs);
    this.labels = new Int32Array(capacity);
  }
}

/** Forward pass on n rows of x; logits land in ws.z[L] (and are returned as a view). */
export function forward(ws: MlpWorkspace, p: Float64Array, x: Float64Array, n: number): Float64Array {
  const { arch, slots } = ws;
  if (n > ws.capacity)
    throw new ArgumentError('batch larger than the workspace', { expected: `<= ${ws.capacity}`, found: String(n) });
  let input = x;
  for (let l = 0; l < slots.length; l++) {
    affine(input, n, slots[l].inputs, p, slots[l], ws.z[l + 1]);
    if (l + 1 < slots.length) {
      activate(arch.activation, ws.z[l + 1], n * slots[l].outputs, ws.a[l + 1]);
      input = ws.a[l + 1];
    }
  }
  return ws.z[slots.length].subarray(0, n * arch.outputs);
}

/**
 * Mean cross-entropy over n rows and its gradient, written into `grad` (overwritten).
 * Returns the loss and the number of correct predictions.
 */
export function lossAndGradient(
  ws: MlpWorkspace,
  p: Float64Array,
  x: Float64Array,
  labels: ArrayLike<number>,
  n: number,
  grad: Float64Array,
): { loss: number; correct: number } {
  const { arch, slots } = ws;
  const L = slots.length;
  const logits = forward(ws, p, x, n);
  const probs = ws.g[L];
  const result = crossEntropy(logits, labels, n, arch.outputs, probs);
  for (let i = 0; i < n; i++) probs[i * arch.outputs + labels[i]] -= 1;
  for (let i = 0; i < n * arch.outputs; i++) probs[i] /= n;
  grad.fill(0);
  for (let l = L - 1; l >= 0; l--) {
    const input = l === 0 ? x : ws.a[l];
    accumulate(ws.g[l + 1], n, input, slots[l], grad);
    if (l > 0) {
      backProject(ws.g[l + 1], n, p, slots[l], ws.back);
      const width = slots[l].inputs;
      const z = ws.z[l];
      const a = ws.a[l];
      const g = ws.g[l];
      for (let i = 0; i < n * width; i++) g[i] = ws.back[i] * slope(arch.activation, z[i], a[i]);
    }
  }
  return result;
}

/**
 * Exact Hessian-vector product H v of the mean cross-entropy over n rows, by the
 * R-operator (Pearlmutter 1994): the forward pass and backprop differentiated once more
 * in direction v. Writes `out` (overwritten); returns the loss. Cost ~ 3 gradients.
 */
export function hessianVectorProductMlp(
  ws: MlpWorkspace,
  p: Float64Array,
  x: Float64Array,
  labels: ArrayLike<number>,
  n: number,
  v: Float64Array,
  out: Float64Array,
): number {
  const { arch, slots } = ws;
  const L = slots.length;
  const C = arch.outputs;
  const logits = forward(ws, p, x, n);
  // R-forward: R(z_{l+1}) = R(a_l) W_l^T + a_l V_l^T + v_b; R(a_{l+1}) = sigma'(z) R(z).
  for (let l = 0; l < L; l++) {
    const slot = slots[l];
    const input = l === 0 ? x : ws.a[l];
    affine(input, n, slot.inputs, v, slot, ws.rz[l + 1]);
    if (l > 0) {
      // add R(a_l) W_l^T (no bias: it does not depend on the input)
      const extra = ws.rback;
      affine(ws.ra[l], n, slot.inputs, p, slot, extra, false);
      for (let i = 0; i < n * slot.outputs; i++) ws.rz[l + 1][i] += extra[i];
    }
    if (l + 1 < L) {
      const z = ws.z[l + 1];
      const a = ws.a[l + 1];
      const rz = ws.rz[l + 1];
      const ra = ws.ra[l + 1];
      for (let i = 0; i < n * slot.outputs; i++) ra[i] = slope(arch.activation, z[i], a[i]) * rz[i];
    }
  }
  // Output layer: g_L = (softmax - onehot)/n, R(g_L) = (p * (R z - <p, R z>))/n.
  const probs = ws.g[L];
  const { loss } = crossEntropy(logits, labels, n, C, probs);
  const rg = ws.rg[L];
  const rzL = ws.rz[L];
  for (let i = 0; i < n; i++) {
    const row = i * C;
    let dot = 0;
    for (let c = 0; c < C; c++) dot += probs[row + c] * rzL[row + c];
    for (let c = 0; c < C; c++) rg[row + c] = (probs[row + c] * (rzL[row + c] - dot)) / n;
  }
  for (let i = 0; i < n; i++) probs[i * C + labels[i]] -= 1;
  for (let i = 0; i < n * C; i++) probs[i] /= n;
  // R-backward: R(dW_l) = R(g)^T a_l + g^T R(a_l); R(ga_l) = R(g) W_l + g V_l;
  // R(g_l) = R(ga_l) sigma'(z_l) + ga_l sigma''(z_l) R(z_l).
  out.fill(0);
  for (let l = L - 1; l >= 0; l--) {
    const slot = slots[l];
    const input = l === 0 ? x : ws.a[l];
    accumulate(ws.rg[l + 1], n, input, slot, out);
    if (l > 0) {
      // g^T R(a_l) adds to the weight block only (the bias sees no input).
      const din = slot.inputs;
      accumulateWeights(ws.g[l + 1], n, ws.ra[l], slot, out);
      backProject(ws.g[l + 1], n, p, slot, ws.back);
      backProject(ws.rg[l + 1], n, p, slot, ws.rback);
      backProject(ws.g[l + 1], n, v, slot, ws.rback, true);
      const z = ws.z[l];
      const a = ws.a[l];
      const gl = ws.g[l];
      const rgl = ws.rg[l];
      const rz = ws.rz[l];
      for (let i = 0; i < n * din; i++) {
        const s = slope(arch.activation, z[i], a[i]);
        gl[i] = ws.back[i] * s;
        rgl[i] = ws.rback[i] * s + ws.back[i] * curvature(arch.activation, a[i]) * rz[i];
      }
    }
  }
  return loss;
}

/** Loss, accuracy (fraction) and error (%) of the parameters on a whole dataset, in chunks. */
export function evaluateMlp(
  ws: MlpWorkspace,
  p: Float64Array,
  x: Float64Array,
  labels: ArrayLike<number>,
  size: number,
): { loss: number; accuracy: number } {
  const chunk = ws.capacity;
  const f = ws.arch.inputs;
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < size; start += chunk) {
    const n = Math.min(chunk, size - start);
    const logits = forward(ws, p, x.subarray(start * f, (start + n) * f), n);
    const r = crossEntropy(logits, (labels as Int32Array).subarray(start, start + n), n, ws.arch.outputs);
    loss += r.loss * n;
    correct += r.correct;
  }
  return { loss: loss / size, accuracy: correct / size };
}

/** Logits of every row (size x outputs), e.g. the representations CKA compares. */
export function logitsMlp(ws: MlpWorkspace, p: Float64Array, x: Float64Array, size: number): Float64Array {
  const out = new Float64Array(size * ws.arch.outputs);
  const f = ws.arch.inputs;
  for (let start = 0; start < size; start += ws.capacity) {
    const n = Math.min(ws.capacity, size - start);
    out.set(forward(ws, p, x.subarray(start * f, (start + n) * f), n), start * ws.arch.outputs);
  }
  return out;
}

/** Activations of hidden layer `layer` (1-based, after the nonlinearity) for every row. */
export function hiddenMlp(
  ws: MlpWorkspace,
  p: Float64Array,
  x: Float64Array,
  size: number,
  layer: number,
): Float64Array {
  if (layer < 1 || layer > ws.arch.hidden.length)
    throw new ArgumentError('no such hidden layer', { expected: `1..${ws.arch.hidden.length}`, found: String(layer) });
  const width = ws.arch.hidden[layer - 1];
  const out = new Float64Array(size * width);
  const f = ws.arch.inputs;
  for (let start = 0; start < size; start += ws.capacity) {
    const n = Math.min(ws.capacity, size - start);
    forward(ws, p, x.subarray(start * f, (start + n) * f), n);
    out.set(ws.a[layer].subarray(0, n * width), start * width);
  }
  return out;
}
