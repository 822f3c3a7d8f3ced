// The row kernels every hand-written network of lib/src/train shares: an affine map on n rows
// with a PyTorch (out x in) weight, its two adjoints (weight gradient, input gradient) and the
// activations with their first and second derivatives. A conv layer is the same affine map on
// im2col patches, so the CNN reuses these instead of a second copy. Not part of the public API
// (lib/src/index.ts does not re-export this file): the names are too generic for the kernel's preload.

import type { MlpActivation } from './mlp';

export interface LayerSlot {
  name: string;
  inputs: number;
  outputs: number;
  /** Offset of the weight (outputs x inputs) in the flat vector; the bias follows it. */
  weight: number;
  bias: number;
}

/** out[i, j] = b[j] + sum_k a[i, k] W[j, k]. */
export function affine(
  a: Float64Array,
  n: number,
  din: number,
  p: Float64Array,
  slot: LayerSlot,
  out: Float64Array,
  withBias = true,
): void {
  const dout = slot.outputs;
  for (let i = 0; i < n; i++) {
    const ai = i * din;
    for (let j = 0; j < dout; j++) {
      const wj = slot.weight + j * din;
      let s = withBias ? p[slot.bias + j] : 0;
      for (let k = 0; k < din; k++) s += a[ai + k] * p[wj + k];
      out[i * dout + j] = s;
    }
  }
}

/** grad[W] += g^T a, grad[b] += column sums of g. */
export function accumulate(g: Float64Array, n: number, a: Float64Array, slot: LayerSlot, grad: Float64Array): void {
  const dout = slot.outputs;
  for (let i = 0; i < n; i++) for (let j = 0; j < dout; j++) grad[slot.bias + j] += g[i * dout + j];
  accumulateWeights(g, n, a, slot, grad);
}

/** out[i, k] (+)= sum_j g[i, j] W[j, k]. */
export function backProject(
  g: Float64Array,
  n: number,
  p: Float64Array,
  slot: LayerSlot,
  out: Float64Array,
  add = false,
): void {
  const din = slot.inputs;
  const dout = slot.outputs;
  if (!add) out.fill(0, 0, n * din);
  for (let i = 0; i < n; i++) {
    const oi = i * din;
    for (let j = 0; j < dout; j++) {
      const gij = g[i * dout + j];
      if (gij === 0) continue;
      const wj = slot.weight + j * din;
      for (let k = 0; k < din; k++) out[oi + k] += gij * p[wj + k];
    }
  }
}

export function activate(kind: MlpActivation, z: Float64Array, count: number, out: Float64Array): void {
  if (kind === 'relu') for (let i = 0; i < count; i++) out[i] = z[i] > 0 ? z[i] : 0;
  else for (let i = 0; i < count; i++) out[i] = Math.tanh(z[i]);
}

/** sigma'(z) given z and a = sigma(z). */
export function slope(kind: MlpActivation, z: number, a: number): number {
  return kind === 'relu' ? (z > 0 ? 1 : 0) : 1 - a * a;
}

/** sigma''(z) given a = sigma(z) (ReLU: 0 almost everywhere). */
export function curvature(kind: MlpActivation, a: number): number {
  return kind === 'relu' ? 0 : -2 * a * (1 - a * a);
}

/** grad[W] += g^T a only (no bias term): the weight part of a product whose bias sees no input. */
export function accumulateWeights(
  g: Float64Array,
  n: number,
  a: Float64Array,
  slot: LayerSlot,
  grad: Float64Array,
): void {
  const din = slot.inputs;
  const dout = slot.outputs;
  for (let i = 0; i < n; i++) {
    const ai = i * din;
    for (let j = 0; j < dout; j++) {
      const gij = g[i * dout + j];
      if (gij === 0) continue;
      const wj = slot.weight + j * din;
      for (let k = 0; k < din; k++) grad[wj + k] += gij * a[ai + k];
    }
  }
}

/** Mean cross-entropy and number of correct argmax predictions of logits against labels. */
export function crossEntropy(
  logits: Float64Array,
  labels: ArrayLike<number>,
  n: number,
  classes: number,
  probabilities?: Float64Array,
): { loss: number; correct: number } {
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = i * classes;
    let max = -Infinity;
    let best = 0;
    for (let c = 0; c < classes; c++)
      if (logits[row + c] > max) {
        max = logits[row + c];
        best = c;
      }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[row + c] - max);
    loss += Math.log(sum) + max - logits[row + labels[i]];
    if (best === labels[i]) correct++;
    if (probabilities) for (let c = 0; c < classes; c++) probabilities[row + c] = Math.exp(logits[row + c] - max) / sum;
  }
  return { loss: loss / n, correct };
}
