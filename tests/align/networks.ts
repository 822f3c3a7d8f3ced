// Reference forward passes for the alignment tests, written independently of lib/align: a
// permuted network must give the same outputs as the original, checked through these.
import { Tensor, WeightSet, rng } from 'weightlab/internal';

export function randomTensor(seed: number, shape: number[], scale = 0.5): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor('float64', rng(seed).normal(size, 0, scale), shape);
}

/** An MLP with PyTorch names fc0..fcL (weight [out, in]). */
export function randomMlp(seed: number, widths: number[]): WeightSet {
  const pairs: [string, Tensor][] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    pairs.push([`fc${l}.weight`, randomTensor(seed * 100 + 2 * l, [widths[l + 1], widths[l]])]);
    pairs.push([`fc${l}.bias`, randomTensor(seed * 100 + 2 * l + 1, [widths[l + 1]])]);
  }
  return new WeightSet(pairs);
}

/** ReLU MLP forward for one input vector. */
export function mlpForward(weights: WeightSet, input: ArrayLike<number>): Float64Array {
  let x = Float64Array.from(input);
  const layers = weights.layers;
  layers.forEach((layer, index) => {
    const w = weights.get(layer.weight);
    const b = weights.get(layer.bias!).toFloat64();
    const [out, inn] = w.shape;
    const values = w.toFloat64();
    const y = new Float64Array(out);
    for (let i = 0; i < out; i++) {
      let s = b[i];
      for (let j = 0; j < inn; j++) s += values[i * inn + j] * x[j];
      y[i] = index < layers.length - 1 ? Math.max(0, s) : s;
    }
    x = y;
  });
  return x;
}

/** Naive 'same'-padded 3x3 conv on [C, H, W]. */
export function conv3x3(
  weights: WeightSet,
  prefix: string,
  x: Float64Array,
  channels: number,
  size: number,
): { y: Float64Array; channels: number } {
  const w = weights.get(`${prefix}.weight`).toFloat64();
  const [out, inn, kh, kw] = weights.get(`${prefix}.weight`).shape;
  if (inn !== channels) throw new Error('channel mismatch');
  const bias = weights.has(`${prefix}.bias`) ? weights.get(`${prefix}.bias`).toFloat64() : new Float64Array(out);
  const y = new Float64Array(out * size * size);
  for (let o = 0; o < out; o++)
    for (let r = 0; r < size; r++)
      for (let c = 0; c < size; c++) {
        let s = bias[o];
        for (let i = 0; i < inn; i++)
          for (let u = 0; u < kh; u++)
            for (let v = 0; v < kw; v++) {
              const rr = r + u - 1,
                cc = c + v - 1;
              if (rr < 0 || cc < 0 || rr >= size || cc >= size) continue;
              s += w[((o * inn + i) * kh + u) * kw + v] * x[(i * size + rr) * size + cc];
            }
        y[(o * size + r) * size + c] = s;
      }
  return { y, channels: out };
}

/** Eval-mode BatchNorm on [C, H*W]. */
export function batchNorm(weights: WeightSet, prefix: string, x: Float64Array, channels: number): Float64Array {
  const g = weights.get(`${prefix}.weight`).toFloat64(),
    b = weights.get(`${prefix}.bias`).toFloat64();
  const m = weights.get(`${prefix}.running_mean`).toFloat64(),
    v = weights.get(`${prefix}.running_var`).toFloat64();
  const area = x.length / channels;
  return x.map((value, k) => {
    const c = Math.floor(k / area);
    return (g[c] * (value - m[c])) / Math.sqrt(v[c] + 1e-5) + b[c];
  });
}

export const relu = (x: Float64Array) => x.map((v) => Math.max(0, v));

export function bnTensors(seed: number, prefix: string, width: number): [string, Tensor][] {
  const positive = new Tensor('float64', rng(seed).uniform(width, 0.5, 2), [width]);
  return [
    [`${prefix}.weight`, randomTensor(seed + 1, [width])],
    [`${prefix}.bias`, randomTensor(seed + 2, [width])],
    [`${prefix}.running_mean`, randomTensor(seed + 3, [width])],
    [`${prefix}.running_var`, positive],
  ];
}
