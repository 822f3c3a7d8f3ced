// The small CNN of weightlab's image zoos (the 8x8 digits): 3x3 conv layers with ReLU (stride 1
// first, then 2), global average pooling and one linear classifier, in float64 with hand-written
// backprop and the exact Hessian-vector product (R-operator), like ./mlp.ts. A conv layer is
// the MLP's affine map applied to im2col patches (one row per sample and output position,
// columns in (channel, ky, kx) order, which is PyTorch's OIHW weight flattened per output
// channel), so it reuses ./kernels.ts; im2col and its adjoint col2im are the only new pieces.
// Global average pooling (not flatten) keeps one permutation group per conv layer, which is
// what Git Re-Basin needs (cnnPermutationSpec) and what HTSR reads as ordinary conv2d layers.
//
// Parameters: one flat vector, per layer the weight then the bias, named layers.<l>.weight /
// layers.<l>.bias as the MLP's (conv weights [out, in, k, k], the classifier [outputs, channels]).

import { ArgumentError } from '../errors';
import { rng } from '../random/rng';
import { permutationSpec, type PermutationSpec } from '../align/permutation-spec';
import type { WeightSet } from '../weights/weight-set';
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
import type { MlpActivation } from './mlp';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

export interface CnnArchitecture {
  kind: 'cnn';
  /** Input image (channels, height, width); dataset rows are channel-major (PyTorch's CHW). */
  image: [number, number, number];
  /** Output channels of each conv layer (the zoo's width axis sets them all). */
  channels: number[];
  /** Stride of each conv layer. */
  strides: number[];
  /** Square kernel size (odd; padding kernel >> 1 keeps stride-1 layers the same size). */
  kernel: number;
  outputs: number;
  activation: MlpActivation;
}

export interface CnnOptions {
  /**
   * One stride per conv layer.
   * @default undefined (1 for the first layer, 2 for every later one)
   */
  strides?: number[];
  /**
   * Odd side of the square conv kernels.
   * @default 3
   */
  kernel?: number;
  /**
   * Activation after every conv layer.
   * @default 'relu'
   */
  activation?: MlpActivation;
}

/** The defaults of cnn (see CnnOptions). */
export const CNN_DEFAULTS = {
  strides: undefined,
  kernel: 3,
  activation: 'relu',
} as const satisfies OptionDefaults<CnnOptions>;

/** A CNN architecture: conv layers of the given channels (strides 1, 2, 2, ... unless given), pooling, a linear classifier. */
export function cnn(
  image: [number, number, number],
  channels: number[],
  outputs: number,
  options: CnnOptions = {},
): CnnArchitecture {
  const o = resolveOptions('cnn', CNN_DEFAULTS, options);
  const kernel = o.kernel;
  const strides = o.strides ?? channels.map((_, l) => (l === 0 ? 1 : 2));
  if (o.activation !== 'relu' && o.activation !== 'tanh')
    throw new ArgumentError('unknown activation', {
      field: 'activation',
      expected: "'relu' or 'tanh'",
      found: String(o.activation),
    });
  const sizes = [...image, ...channels, outputs, ...strides, kernel];
  if (!sizes.every((s) => Number.isInteger(s) && s >= 1))
    throw new ArgumentError('CNN sizes, strides and kernel must be positive integers', {
      found: `image [${image}], channels [${channels}], strides [${strides}], kernel ${kernel}`,
    });
  if (channels.length === 0) throw new ArgumentError('a CNN needs at least one conv layer', { field: 'channels' });
  if (strides.length !== channels.length)
    throw new ArgumentError('one stride per conv layer', {
      field: 'strides',
      expected: String(channels.length),
      found: String(strides.length),
    });
  if (kernel % 2 === 0)
    throw new ArgumentError('the kernel size must be odd', { field: 'kernel', found: String(kernel) });
  return {
    kind: 'cnn',
    image: [...image],
    channels: [...channels],
    strides: [...strides],
    kernel,
    outputs,
    activation: o.activation,
  };
}

/** One conv layer's geometry: input (inC, inH, inW) to output (outC, outH, outW). */
export interface ConvGeometry {
  inC: number;
  inH: number;
  inW: number;
  outC: number;
  outH: number;
  outW: number;
  stride: number;
  pad: number;
  kernel: number;
  /** outH * outW: rows per sample of the layer's im2col matrix. */
  positions: number;
  /** inC * kernel^2: columns of the im2col matrix (inputs of the affine map). */
  patch: number;
}

/** The conv layers' geometry, in order. */
export function convGeometry(arch: CnnArchitecture): ConvGeometry[] {
  let [c, h, w] = arch.image;
  const pad = arch.kernel >> 1;
  return arch.channels.map((outC, l) => {
    const stride = arch.strides[l];
    const outH = Math.floor((h + 2 * pad - arch.kernel) / stride) + 1;
    const outW = Math.floor((w + 2 * pad - arch.kernel) / stride) + 1;
    const geometry = {
      inC: c,
      inH: h,
      inW: w,
      outC,
      outH,
      outW,
      stride,
      pad,
      kernel: arch.kernel,
      positions: outH * outW,
      patch: c * arch.kernel * arch.kernel,
    };
    [c, h, w] = [outC, outH, outW];
    return geometry;
  });
}

/** Where every layer lives in the flat vector: the conv layers (inputs = patch size) then the classifier. */
export function cnnSlots(arch: CnnArchitecture): LayerSlot[] {
  const sizes = [
    ...convGeometry(arch).map((g) => [g.patch, g.outC]),
    [arch.channels[arch.channels.length - 1], arch.outputs],
  ];
  let at = 0;
  return sizes.map(([inputs, outputs], l) => {
    const slot = { name: `layers.${l}`, inputs, outputs, weight: at, bias: at + inputs * outputs };
    at = slot.bias + outputs;
    return slot;
  });
}

/** Tensor shapes of the checkpoint: conv weights [out, in, k, k], the classifier [outputs, channels], biases [out]. */
export function cnnTensorShapes(arch: CnnArchitecture): { name: string; shape: number[]; offset: number }[] {
  const geometry = convGeometry(arch);
  return cnnSlots(arch).flatMap((slot, l) => [
    {
      name: `${slot.name}.weight`,
      shape:
        l < geometry.length ? [slot.outputs, geometry[l].inC, arch.kernel, arch.kernel] : [slot.outputs, slot.inputs],
      offset: slot.weight,
    },
    { name: `${slot.name}.bias`, shape: [slot.outputs], offset: slot.bias },
  ]);
}

/** Seeded initialisation: kaiming-uniform weights (fan_in = in x k x k for convs), zero biases, as the MLP's. */
export function cnnInitialParameters(arch: CnnArchitecture, seed: number): Float64Array {
  const slots = cnnSlots(arch);
  const last = slots[slots.length - 1];
  const params = new Float64Array(last.bias + last.outputs);
  const random = rng(seed).fold('init');
  for (const slot of slots) {
    const bound = Math.sqrt(6 / slot.inputs);
    params.set(random.fold(slot.name).uniform(slot.inputs * slot.outputs, -bound, bound), slot.weight);
  }
  return params;
}

/**
 * The Git Re-Basin permutation spec of the CNN: a group P<l> on the output channels of conv l,
 * read by conv l+1's input axis and, for the last conv, by the classifier's columns (pooling
 * keeps channels apart). Use it with weightMatching / alignZoo({ spec }).
 */
export function cnnPermutationSpec(arch: CnnArchitecture, weights: WeightSet): PermutationSpec {
  const builder = permutationSpec();
  arch.channels.forEach((_, l) => builder.conv(`layers.${l}`, { out: `P${l}`, in: l === 0 ? null : `P${l - 1}` }));
  builder.dense(`layers.${arch.channels.length}`, { out: null, in: `P${arch.channels.length - 1}` });
  return builder.build(weights);
}

/**
 * im2col: out[(i * positions + oy * outW + ox), (c * k + ky) * k + kx] = a[i](c, oy s + ky - pad, ox s + kx - pad),
 * zero outside the image. `chw` says how a sample's values are laid out: channel-major (the
 * dataset's rows) or position-major (the network's own activations, one row per position).
 */
function im2col(a: Float64Array, n: number, g: ConvGeometry, chw: boolean, out: Float64Array): void {
  const { inC, inH, inW, outH, outW, stride, pad, kernel, patch } = g;
  const sampleSize = inC * inH * inW;
  const sc = chw ? inH * inW : 1;
  const sp = chw ? 1 : inC; // stride between neighbouring pixels
  let row = 0;
  for (let i = 0; i < n; i++) {
    const base = i * sampleSize;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, row++) {
        const o = row * patch;
        for (let c = 0; c < inC; c++) {
          for (let ky = 0; ky < kernel; ky++) {
            const y = oy * stride + ky - pad;
            const col = o + (c * kernel + ky) * kernel;
            if (y < 0 || y >= inH) {
              for (let kx = 0; kx < kernel; kx++) out[col + kx] = 0;
              continue;
            }
            for (let kx = 0; kx < kernel; kx++) {
              const x = ox * stride + kx - pad;
              out[col + kx] = x < 0 || x >= inW ? 0 : a[base + c * sc + (y * inW + x) * sp];
            }
          }
        }
      }
    }
  }
}

/** col2im, the adjoint of im2col on position-major activations: out (n x inH inW inC) = sum of the patches' entries where they came from. */
function col2im(cols: Float64Array, n: number, g: ConvGeometry, out: Float64Array): void {
  const { inC, inH, inW, outH, outW, stride, pad, kernel, patch } = g;
  out.fill(0, 0, n * inC * inH * inW);
  let row = 0;
  for (let i = 0; i < n; i++) {
    const base = i * inC * inH * inW;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, row++) {
        const o = row * patch;
        for (let c = 0; c < inC; c++) {
          for (let ky = 0; ky < kernel; ky++) {
            const y = oy * stride + ky - pad;
            if (y < 0 || y >= inH) continue;
            const col = o + (c * kernel + ky) * kernel;
            for (let kx = 0; kx < kernel; kx++) {
              const x = ox * stride + kx - pad;
              if (x >= 0 && x < inW) out[base + (y * inW + x) * inC + c] += cols[col + kx];
            }
          }
        }
      }
    }
  }
}

/** Global average pooling of position-major activations: out[i, c] = mean over positions. */
function pool(a: Float64Array, n: number, positions: number, channels: number, out: Float64Array): void {
  out.fill(0, 0, n * channels);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < positions; p++) {
      const row = (i * positions + p) * channels;
      for (let c = 0; c < channels; c++) out[i * channels + c] += a[row + c];
    }
    for (let c = 0; c < channels; c++) out[i * channels + c] /= positions;
  }
}

/** The adjoint of pool: every position gets g[i, c] / positions. */
function unpool(g: Float64Array, n: number, positions: number, channels: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < positions; p++) {
      const row = (i * positions + p) * channels;
      for (let c = 0; c < channels; c++) out[row + c] = g[i * channels + c] / positions;
    }
  }
}

/** Rows the CNN pushes through at once; longer batches are summed chunk by chunk (bounded memory at any batch size). */
const CHUNK = 128;

/**
 * A CNN with its scratch buffers: loss, gradient, Hessian-vector products and representations
 * on up to `capacity` rows per call (internally in chunks of 128 rows).
 */
export class CnnNetwork {
  readonly architecture: CnnArchitecture;
  readonly slots: LayerSlot[];
  readonly geometry: ConvGeometry[];
  readonly parameterCount: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly capacity: number;
  /** Width of each hidden representation: every conv layer's output (positions x channels), then the pooled features. */
  readonly hiddenWidths: number[];
  private readonly chunk: number;
  private readonly patches: Float64Array[];
  private readonly rpatches: Float64Array[];
  private readonly z: Float64Array[];
  private readonly a: Float64Array[];
  private readonly g: Float64Array[];
  private readonly rz: Float64Array[];
  private readonly ra: Float64Array[];
  private readonly rg: Float64Array[];
  private readonly columns: Float64Array;
  private readonly rcolumns: Float64Array;
  private readonly pooled: Float64Array;
  private readonly rpooled: Float64Array;
  private readonly gpooled: Float64Array;
  private readonly rgpooled: Float64Array;
  private readonly logits: Float64Array;
  private readonly rlogits: Float64Array;
  private readonly glogits: Float64Array;
  private readonly rglogits: Float64Array;
  private readonly scratch: Float64Array;

  constructor(arch: CnnArchitecture, capacity = CHUNK) {
    this.architecture = arch;
    this.slots = cnnSlots(arch);
    this.geometry = convGeometry(arch);
    const last = this.slots[this.slots.length - 1];
    this.parameterCount = last.bias + last.outputs;
    this.inputs = arch.image[0] * arch.image[1] * arch.image[2];
    this.outputs = arch.outputs;
    this.capacity = capacity;
    this.chunk = Math.min(capacity, CHUNK);
    const m = this.chunk;
    const channels = arch.channels[arch.channels.length - 1];
    this.hiddenWidths = [...this.geometry.map((g) => g.positions * g.outC), channels];
    const perLayer = (size: (g: ConvGeometry) => number) => this.geometry.map((g) => new Float64Array(m * size(g)));
    this.patches = perLayer((g) => g.positions * g.patch);
    this.rpatches = perLayer((g) => g.positions * g.patch);
    const activations = (g: ConvGeometry) => g.positions * g.outC;
    this.z = perLayer(activations);
    this.a = perLayer(activations);
    this.g = perLayer(activations);
    this.rz = perLayer(activations);
    this.ra = perLayer(activations);
    this.rg = perLayer(activations);
    const widest = Math.max(...this.geometry.map((g) => g.positions * g.patch));
    this.columns = new Float64Array(m * widest);
    this.rcolumns = new Float64Array(m * widest);
    this.pooled = new Float64Array(m * channels);
    this.rpooled = new Float64Array(m * channels);
    this.gpooled = new Float64Array(m * channels);
    this.rgpooled = new Float64Array(m * channels);
    this.logits = new Float64Array(capacity * arch.outputs);
    this.rlogits = new Float64Array(m * arch.outputs);
    this.glogits = new Float64Array(m * arch.outputs);
    this.rglogits = new Float64Array(m * arch.outputs);
    this.scratch = new Float64Array(m * arch.outputs);
  }

  private check(n: number): void {
    if (n > this.capacity)
      throw new ArgumentError('batch larger than the network workspace', {
        expected: `<= ${this.capacity}`,
        found: String(n),
      });
  }

  /** Forward pass of m <= chunk rows; logits into `out` (m x outputs). */
  private forwardChunk(p: Float64Array, x: Float64Array, m: number, out: Float64Array): void {
    const { geometry, slots, architecture: arch } = this;
    geometry.forEach((g, l) => {
      im2col(l === 0 ? x : this.a[l - 1], m, g, l === 0, this.patches[l]);
      affine(this.patches[l], m * g.positions, g.patch, p, slots[l], this.z[l]);
      activate(arch.activation, this.z[l], m * g.positions * g.outC, this.a[l]);
    });
    const top = geometry[geometry.length - 1];
    pool(this.a[geometry.length - 1], m, top.positions, top.outC, this.pooled);
    affine(this.pooled, m, top.outC, p, slots[geometry.length], out);
  }

  /** Backprop of the logits' gradient `gl` (m rows) into grad (added). */
  private backwardChunk(p: Float64Array, x: Float64Array, m: number, gl: Float64Array, grad: Float64Array): void {
    const { geometry, slots, architecture: arch } = this;
    const L = geometry.length;
    const top = geometry[L - 1];
    accumulate(gl, m, this.pooled, slots[L], grad);
    backProject(gl, m, p, slots[L], this.gpooled);
    unpool(this.gpooled, m, top.positions, top.outC, this.g[L - 1]);
    for (let l = L - 1; l >= 0; l--) {
      const g = geometry[l];
      const size = m * g.positions * g.outC;
      const z = this.z[l];
      const a = this.a[l];
      const gz = this.g[l];
      for (let i = 0; i < size; i++) gz[i] *= slope(arch.activation, z[i], a[i]);
      accumulate(gz, m * g.positions, this.patches[l], slots[l], grad);
      if (l > 0) {
        backProject(gz, m * g.positions, p, slots[l], this.columns);
        col2im(this.columns, m, g, this.g[l - 1]);
      }
    }
  }

  /** Logits of n <= capacity rows (a view, valid until the next call). */
  forward(p: Float64Array, x: Float64Array, n: number): Float64Array {
    this.check(n);
    const f = this.inputs;
    for (let start = 0; start < n; start += this.chunk) {
      const m = Math.min(this.chunk, n - start);
      this.forwardChunk(p, x.subarray(start * f, (start + m) * f), m, this.logits.subarray(start * this.outputs));
    }
    return this.logits.subarray(0, n * this.outputs);
  }

  /** Mean cross-entropy over n rows and its gradient (grad overwritten); the loss and the number of correct predictions. */
  lossAndGradient(
    p: Float64Array,
    x: Float64Array,
    labels: ArrayLike<number>,
    n: number,
    grad: Float64Array,
  ): { loss: number; correct: number } {
    this.check(n);
    grad.fill(0);
    const f = this.inputs;
    const C = this.outputs;
    let loss = 0;
    let correct = 0;
    for (let start = 0; start < n; start += this.chunk) {
      const m = Math.min(this.chunk, n - start);
      const xs = x.subarray(start * f, (start + m) * f);
      const ys = Array.prototype.slice.call(labels, start, start + m) as number[];
      this.forwardChunk(p, xs, m, this.scratch);
      const r = crossEntropy(this.scratch, ys, m, C, this.glogits);
      loss += r.loss * m;
      correct += r.correct;
      for (let i = 0; i < m; i++) this.glogits[i * C + ys[i]] -= 1;
      for (let i = 0; i < m * C; i++) this.glogits[i] /= n;
      this.backwardChunk(p, xs, m, this.glogits, grad);
    }
    return { loss: loss / n, correct };
  }

  /** Exact H v of the mean cross-entropy over n rows by the R-operator (out overwritten); returns the loss. */
  hessianVectorProduct(
    p: Float64Array,
    x: Float64Array,
    labels: ArrayLike<number>,
    n: number,
    v: Float64Array,
    out: Float64Array,
  ): number {
    this.check(n);
    out.fill(0);
    const f = this.inputs;
    let loss = 0;
    for (let start = 0; start < n; start += this.chunk) {
      const m = Math.min(this.chunk, n - start);
      const ys = Array.prototype.slice.call(labels, start, start + m) as number[];
      loss += this.hessianChunk(p, x.subarray(start * f, (start + m) * f), ys, m, n, v, out) * m;
    }
    return loss / n;
  }

  private hessianChunk(
    p: Float64Array,
    x: Float64Array,
    labels: number[],
    m: number,
    n: number,
    v: Float64Array,
    out: Float64Array,
  ): number {
    const { geometry, slots, architecture: arch } = this;
    const L = geometry.length;
    const C = this.outputs;
    const top = geometry[L - 1];
    this.forwardChunk(p, x, m, this.scratch);
    // R-forward: R(z_l) = patches_l V_l^T + v_b + R(patches_l) W_l^T, R(patches_l) = im2col(R(a_{l-1})), R(patches_0) = 0.
    geometry.forEach((g, l) => {
      const rows = m * g.positions;
      affine(this.patches[l], rows, g.patch, v, slots[l], this.rz[l]);
      if (l > 0) {
        im2col(this.ra[l - 1], m, g, false, this.rpatches[l]);
        affine(this.rpatches[l], rows, g.patch, p, slots[l], this.rcolumns, false);
        for (let i = 0; i < rows * g.outC; i++) this.rz[l][i] += this.rcolumns[i];
      }
      const z = this.z[l];
      const a = this.a[l];
      const rz = this.rz[l];
      const ra = this.ra[l];
      for (let i = 0; i < rows * g.outC; i++) ra[i] = slope(arch.activation, z[i], a[i]) * rz[i];
    });
    pool(this.ra[L - 1], m, top.positions, top.outC, this.rpooled);
    affine(this.pooled, m, top.outC, v, slots[L], this.rlogits);
    affine(this.rpooled, m, top.outC, p, slots[L], this.rcolumns, false);
    for (let i = 0; i < m * C; i++) this.rlogits[i] += this.rcolumns[i];
    // Output layer: g = (softmax - onehot) / n, R(g) = softmax * (R z - <softmax, R z>) / n.
    const probs = this.glogits;
    const { loss } = crossEntropy(this.scratch, labels, m, C, probs);
    for (let i = 0; i < m; i++) {
      let dot = 0;
      for (let c = 0; c < C; c++) dot += probs[i * C + c] * this.rlogits[i * C + c];
      for (let c = 0; c < C; c++) this.rglogits[i * C + c] = (probs[i * C + c] * (this.rlogits[i * C + c] - dot)) / n;
    }
    for (let i = 0; i < m; i++) probs[i * C + labels[i]] -= 1;
    for (let i = 0; i < m * C; i++) probs[i] /= n;
    // R-backward through the classifier: R(dW) = R(g)^T pooled + g^T R(pooled); R(g_pooled) = R(g) W + g V.
    accumulate(this.rglogits, m, this.pooled, slots[L], out);
    accumulateWeights(probs, m, this.rpooled, slots[L], out);
    backProject(probs, m, p, slots[L], this.gpooled);
    backProject(this.rglogits, m, p, slots[L], this.rgpooled);
    backProject(probs, m, v, slots[L], this.rgpooled, true);
    unpool(this.gpooled, m, top.positions, top.outC, this.g[L - 1]);
    unpool(this.rgpooled, m, top.positions, top.outC, this.rg[L - 1]);
    for (let l = L - 1; l >= 0; l--) {
      const g = geometry[l];
      const rows = m * g.positions;
      const z = this.z[l];
      const a = this.a[l];
      const gz = this.g[l];
      const rgz = this.rg[l];
      const rz = this.rz[l];
      // R(g_z) = R(g_a) s'(z) + g_a s''(z) R(z), then g_z = g_a s'(z).
      for (let i = 0; i < rows * g.outC; i++) {
        const s = slope(arch.activation, z[i], a[i]);
        rgz[i] = rgz[i] * s + gz[i] * curvature(arch.activation, a[i]) * rz[i];
        gz[i] *= s;
      }
      accumulate(rgz, rows, this.patches[l], slots[l], out);
      if (l > 0) {
        accumulateWeights(gz, rows, this.rpatches[l], slots[l], out);
        backProject(gz, rows, p, slots[l], this.columns);
        backProject(rgz, rows, p, slots[l], this.rcolumns);
        backProject(gz, rows, v, slots[l], this.rcolumns, true);
        col2im(this.columns, m, g, this.g[l - 1]);
        col2im(this.rcolumns, m, g, this.rg[l - 1]);
      }
    }
    return loss;
  }

  /** Hidden representation `layer` (1-based: conv outputs after the nonlinearity, position-major; the last is the pooled features) of n rows, as a new array. */
  hidden(p: Float64Array, x: Float64Array, n: number, layer: number): Float64Array {
    if (!(Number.isInteger(layer) && layer >= 1 && layer <= this.hiddenWidths.length))
      throw new ArgumentError('no such hidden layer', {
        expected: `1..${this.hiddenWidths.length}`,
        found: String(layer),
      });
    const width = this.hiddenWidths[layer - 1];
    const out = new Float64Array(n * width);
    const f = this.inputs;
    for (let start = 0; start < n; start += this.chunk) {
      const m = Math.min(this.chunk, n - start);
      this.forwardChunk(p, x.subarray(start * f, (start + m) * f), m, this.scratch);
      const source = layer <= this.geometry.length ? this.a[layer - 1] : this.pooled;
      out.set(source.subarray(0, m * width), start * width);
    }
    return out;
  }
}
