// The target networks of the generator experiments are plain MLP classifiers (e.g. 64-16-10 on
// 8×8 digits). This file runs them: a float64 host forward pass for evaluating hundreds of
// generated models, and a host Adam loop for finetuning them (and for training a small zoo
// when lib/train is not available).

import { ArgumentError, ShapeError } from '../../errors';
import { rng } from '../../random/rng';
import { Tensor } from '../../tensor/tensor';
import { WeightSet } from '../../weights/weight-set';
import type { Dataset } from '../../data/dataset';
import type { Activation } from '../nn/jax-ops';
import type { HostParameters } from '../nn/parameters';

/** The classification data the task runs on: lib/data's Dataset (x row-major, y labels). */
export type ClassificationData = Pick<Dataset, 'x' | 'y' | 'features'>;

interface DenseLayer {
  weight: string;
  bias?: string;
  inOut: boolean;
  inputs: number;
  outputs: number;
}

/** The linear layers of an MLP WeightSet in order (throws for anything else). */
export function denseLayers(weights: WeightSet): DenseLayer[] {
  const layers = weights.layers.filter((layer) => layer.kind === 'linear');
  if (layers.length === 0 || layers.length !== weights.layers.length) {
    throw new ArgumentError('an MLP classifier needs a WeightSet of linear layers only', {
      found: weights.layers.map((l) => l.kind).join(', '),
    });
  }
  return layers.map((layer) => {
    const shape = weights.info(layer.weight).shape;
    const inOut = layer.layout === 'in-out';
    return {
      weight: layer.weight,
      bias: layer.bias,
      inOut,
      inputs: inOut ? shape[0] : shape[1],
      outputs: inOut ? shape[1] : shape[0],
    };
  });
}

/** Logits [count, classes] of a ReLU (or tanh) MLP, in float64. */
export function mlpLogits(weights: WeightSet, data: ClassificationData, activation: Activation = 'relu'): Float64Array {
  const layers = denseLayers(weights);
  if (layers[0].inputs !== data.features)
    throw new ShapeError('model input width differs from the data', {
      field: layers[0].weight,
      expected: String(data.features),
      found: String(layers[0].inputs),
    });
  const count = data.y.length;
  let x: Float64Array = data.x;
  let width = data.features;
  layers.forEach((layer, index) => {
    const w = weights.get(layer.weight).toFloat64();
    const b = layer.bias ? weights.get(layer.bias).toFloat64() : new Float64Array(layer.outputs);
    const out = new Float64Array(count * layer.outputs);
    const last = index === layers.length - 1;
    for (let r = 0; r < count; r++) {
      for (let o = 0; o < layer.outputs; o++) {
        let s = b[o];
        if (layer.inOut) for (let i = 0; i < width; i++) s += x[r * width + i] * w[i * layer.outputs + o];
        else {
          const base = o * width;
          for (let i = 0; i < width; i++) s += x[r * width + i] * w[base + i];
        }
        out[r * layer.outputs + o] = last ? s : activate(s, activation);
      }
    }
    x = out;
    width = layer.outputs;
  });
  return x as Float64Array;
}

/** The hidden-layer nonlinearity on one value (gelu: the tanh approximation jax uses by default). */
function activate(s: number, activation: Activation): number {
  switch (activation) {
    case 'relu':
      return s > 0 ? s : 0;
    case 'tanh':
      return Math.tanh(s);
    case 'silu':
      return s / (1 + Math.exp(-s));
    case 'gelu':
      return 0.5 * s * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (s + 0.044715 * s * s * s)));
  }
}

/** Argmax per row of [count, classes] scores. */
export function argmaxRows(scores: ArrayLike<number>, classes: number): Int32Array {
  const count = scores.length / classes;
  const out = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[r * classes + c] > scores[r * classes + best]) best = c;
    out[r] = best;
  }
  return out;
}

function toHostParameters(weights: WeightSet, layers: DenseLayer[]): HostParameters {
  const out: HostParameters = [];
  for (const layer of layers) {
    const w = weights.get(layer.weight).toFloat64();
    const wIn = new Float32Array(layer.inputs * layer.outputs); // jax layout [in, out]
    for (let o = 0; o < layer.outputs; o++)
      for (let i = 0; i < layer.inputs; i++)
        wIn[i * layer.outputs + o] = layer.inOut ? w[i * layer.outputs + o] : w[o * layer.inputs + i];
    out.push({ values: wIn, shape: [layer.inputs, layer.outputs] });
    out.push({
      values: layer.bias ? Float32Array.from(weights.get(layer.bias).toFloat64()) : new Float32Array(layer.outputs),
      shape: [layer.outputs],
    });
  }
  return out;
}

function fromHostParameters(
  template: WeightSet,
  layers: DenseLayer[],
  params: HostParameters,
  metadata: Record<string, unknown>,
): WeightSet {
  const tensors: [string, Tensor][] = [];
  layers.forEach((layer, l) => {
    const w = params[2 * l].values;
    const out = new Float32Array(layer.inputs * layer.outputs);
    for (let o = 0; o < layer.outputs; o++)
      for (let i = 0; i < layer.inputs; i++) {
        if (layer.inOut) out[i * layer.outputs + o] = w[i * layer.outputs + o];
        else out[o * layer.inputs + i] = w[i * layer.outputs + o];
      }
    tensors.push([layer.weight, new Tensor('float32', out, template.info(layer.weight).shape)]);
    if (layer.bias)
      tensors.push([layer.bias, new Tensor('float32', Float32Array.from(params[2 * l + 1].values), [layer.outputs])]);
  });
  const order = new Map(tensors);
  return new WeightSet(
    template.names.map((name) => [name, order.get(name)!] as [string, Tensor]),
    { layers: template.layers, metadata },
  );
}

export interface MlpTrainingOptions {
  learningRate?: number;
  batchSize?: number;
  activation?: Activation;
}

function activationGrad(pre: number, post: number, activation: Activation): number {
  switch (activation) {
    case 'relu':
      return pre > 0 ? 1 : 0;
    case 'tanh':
      return 1 - post * post;
    case 'silu': {
      const sg = 1 / (1 + Math.exp(-pre));
      return sg * (1 + pre * (1 - sg));
    }
    case 'gelu': {
      const c = Math.sqrt(2 / Math.PI);
      const u = c * (pre + 0.044715 * pre * pre * pre);
      const t = Math.tanh(u);
      return 0.5 * (1 + t) + 0.5 * pre * (1 - t * t) * c * (1 + 3 * 0.044715 * pre * pre);
    }
  }
}

/**
 * Trains MLP classifiers with Adam on softmax cross-entropy, forward and backward written out in
 * float64 on the host. For the 10^3–10^4-parameter targets of the generator experiments this is
 * ~50x faster than a jax-js step (whose fixed dispatch cost, ~5 ms, dominates such tiny nets) and
 * bit-reproducible. lib/train replaces it for zoo building when it lands.
 */
export class MlpClassifierTrainer {
  private readonly classes: number;
  constructor(
    private readonly data: ClassificationData,
    private readonly options: MlpTrainingOptions = {},
  ) {
    this.classes = Math.max(...data.y) + 1;
  }

  /** Trains `weights` for `steps` minibatch steps (batches drawn from `seed`); returns a float32 WeightSet. */
  async train(weights: WeightSet, steps: number, seed: number): Promise<WeightSet> {
    const layers = denseLayers(weights);
    const params = toHostParameters(weights, layers);
    if (steps <= 0) return fromHostParameters(weights, layers, params, { ...weights.metadata });
    const activation = this.options.activation ?? 'relu';
    const lr = this.options.learningRate ?? 1e-2;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const theta = params.map((p) => Float64Array.from(p.values));
    const m = theta.map((p) => new Float64Array(p.length));
    const v = theta.map((p) => new Float64Array(p.length));
    const grads = theta.map((p) => new Float64Array(p.length));
    const widths = [layers[0].inputs, ...layers.map((l) => l.outputs)];
    const count = this.data.y.length;
    const batch = Math.min(this.options.batchSize ?? 64, count);
    const f = this.data.features;
    const pre = widths.map((w) => new Float64Array(batch * w)); // pre[l]: input of layer l (post-activation), pre[0] = x
    const z = widths.map((w) => new Float64Array(batch * w)); // z[l+1]: pre-activation output of layer l
    const delta = widths.map((w) => new Float64Array(batch * w));
    const source = rng(seed).fold('mlp-batches');
    let order = source.permutation(count);
    let at = 0;
    const L = layers.length;
    for (let step = 1; step <= steps; step++) {
      if (at + batch > count) {
        order = source.permutation(count);
        at = 0;
      }
      const x0 = pre[0];
      for (let r = 0; r < batch; r++) {
        const row = order[at + r];
        for (let k = 0; k < f; k++) x0[r * f + k] = this.data.x[row * f + k];
      }
      // Forward: z = x W + b (W stored [in, out]).
      for (let l = 0; l < L; l++) {
        const [nin, nout] = [widths[l], widths[l + 1]];
        const w = theta[2 * l],
          b = theta[2 * l + 1],
          x = pre[l],
          out = z[l + 1];
        for (let r = 0; r < batch; r++) {
          for (let o = 0; o < nout; o++) out[r * nout + o] = b[o];
          for (let i = 0; i < nin; i++) {
            const xi = x[r * nin + i];
            if (xi === 0) continue;
            const base = i * nout;
            for (let o = 0; o < nout; o++) out[r * nout + o] += xi * w[base + o];
          }
        }
        if (l < L - 1) {
          const post = pre[l + 1];
          for (let k = 0; k < out.length; k++) post[k] = activate(out[k], activation);
        }
      }
      // Softmax cross-entropy gradient wrt logits: (softmax − onehot) / batch.
      const c = widths[L];
      const top = delta[L];
      const logits = z[L];
      for (let r = 0; r < batch; r++) {
        let max = -Infinity;
        for (let k = 0; k < c; k++) max = Math.max(max, logits[r * c + k]);
        let sum = 0;
        for (let k = 0; k < c; k++) {
          const e = Math.exp(logits[r * c + k] - max);
          top[r * c + k] = e;
          sum += e;
        }
        const label = this.data.y[order[at + r]];
        for (let k = 0; k < c; k++) top[r * c + k] = (top[r * c + k] / sum - (k === label ? 1 : 0)) / batch;
      }
      at += batch;
      // Backward.
      for (let l = L - 1; l >= 0; l--) {
        const [nin, nout] = [widths[l], widths[l + 1]];
        const w = theta[2 * l],
          gw = grads[2 * l],
          gb = grads[2 * l + 1],
          x = pre[l],
          d = delta[l + 1];
        gw.fill(0);
        gb.fill(0);
        for (let r = 0; r < batch; r++) {
          for (let o = 0; o < nout; o++) gb[o] += d[r * nout + o];
          for (let i = 0; i < nin; i++) {
            const xi = x[r * nin + i];
            if (xi === 0) continue;
            const base = i * nout;
            for (let o = 0; o < nout; o++) gw[base + o] += xi * d[r * nout + o];
          }
        }
        if (l > 0) {
          const below = delta[l],
            zl = z[l],
            post = pre[l];
          for (let r = 0; r < batch; r++) {
            for (let i = 0; i < nin; i++) {
              let s = 0;
              const base = i * nout;
              for (let o = 0; o < nout; o++) s += w[base + o] * d[r * nout + o];
              below[r * nin + i] = s * activationGrad(zl[r * nin + i], post[r * nin + i], activation);
            }
          }
        }
      }
      // Adam.
      const stepSize = (lr * Math.sqrt(1 - b2 ** step)) / (1 - b1 ** step);
      for (let p = 0; p < theta.length; p++) {
        const t = theta[p],
          g = grads[p],
          mp = m[p],
          vp = v[p];
        for (let k = 0; k < t.length; k++) {
          mp[k] = b1 * mp[k] + (1 - b1) * g[k];
          vp[k] = b2 * vp[k] + (1 - b2) * g[k] * g[k];
          t[k] -= (stepSize * mp[k]) / (Math.sqrt(vp[k]) + eps);
        }
      }
    }
    const trained = params.map((p, i) => ({ values: Float32Array.from(theta[i]), shape: p.shape }));
    return fromHostParameters(weights, layers, trained, { ...weights.metadata, finetuneSteps: steps });
  }

  /** Kept for symmetry with device-backed trainers (nothing to free). */
  dispose(): void {}
}

/** A freshly initialised MLP with PyTorch names `fc<i>.weight` [out, in] / `fc<i>.bias` (PyTorch's default init). */
export function initialMlp(widths: number[], seed: number): WeightSet {
  if (widths.length < 2) throw new ArgumentError('an MLP needs at least input and output widths', { field: 'widths' });
  const source = rng(seed);
  const tensors: [string, Tensor][] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const bound = 1 / Math.sqrt(widths[l]);
    tensors.push([
      `fc${l}.weight`,
      new Tensor('float32', Float32Array.from(source.uniform(widths[l] * widths[l + 1], -bound, bound)), [
        widths[l + 1],
        widths[l],
      ]),
    ]);
    tensors.push([
      `fc${l}.bias`,
      new Tensor('float32', Float32Array.from(source.uniform(widths[l + 1], -bound, bound)), [widths[l + 1]]),
    ]);
  }
  return new WeightSet(tensors, { metadata: { seed, widths } });
}
