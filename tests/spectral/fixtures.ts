// Deterministic float32 test layers (seeded weightlab Rng) shared by the parity test and the
// script that produced the WeightWatcher oracle: the matrices are regenerated here, never stored;
// the oracle JSON keeps a checksum of each so a change in generation is caught, not mistaken for
// a numerical regression.

import { Tensor, rng, type Rng } from 'weightlab/internal';

function float32(values: ArrayLike<number>, shape: number[]): Tensor<'float32'> {
  return new Tensor('float32', Float32Array.from(values), shape);
}

/** Entries with a Pareto tail of exponent `tail` (P(|x| > t) ~ t^-tail), random sign. */
function paretoEntries(random: Rng, count: number, tail: number, scale: number): Float64Array {
  const u = random.uniform(count);
  const s = random.uniform(count);
  return u.map((v, i) => scale * (s[i] < 0.5 ? -1 : 1) * (1 - v) ** (-1 / tail));
}

function product(a: Float64Array, b: Float64Array, rows: number, inner: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let t = 0; t < inner; t++) {
      const x = a[i * inner + t];
      for (let j = 0; j < cols; j++) out[i * cols + j] += x * b[t * cols + j];
    }
  return out;
}

/** Gram-Schmidt on a Gaussian matrix: an orthogonal matrix (all singular values 1 up to float32 rounding). */
function orthogonal(random: Rng, n: number): Float64Array {
  const q = random.normal(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += q[i * n + j] * q[k * n + j];
      for (let j = 0; j < n; j++) q[i * n + j] -= dot * q[k * n + j];
    }
    let norm = 0;
    for (let j = 0; j < n; j++) norm += q[i * n + j] ** 2;
    norm = Math.sqrt(norm);
    for (let j = 0; j < n; j++) q[i * n + j] /= norm;
  }
  return q;
}

/** The named layers of the WeightWatcher oracle, in state-dict order (layer ids 1, 2, ...). */
export function oracleLayers(): [string, Tensor<'float32'>][] {
  const root = rng(20240605);
  const r = (name: string) => root.fold(name);
  const layers: [string, Tensor<'float32'>][] = [];
  const add = (name: string, values: ArrayLike<number>, shape: number[]) =>
    layers.push([`${name}.weight`, float32(values, shape)]);
  add('gauss_tall', r('gauss_tall').normal(100 * 50), [100, 50]);
  add('gauss_wide', r('gauss_wide').normal(50 * 120, 0, 0.1), [50, 120]);
  add('heavy', paretoEntries(r('heavy'), 128 * 64, 2.5, 0.05), [128, 64]);
  {
    const random = r('lowrank');
    add('lowrank', product(random.normal(80 * 6), random.normal(6 * 40), 80, 6, 40), [80, 40]);
  }
  {
    // MP bulk (Gaussian / sqrt(N)) plus 4 planted rank-one spikes well above the bulk edge.
    const random = r('planted');
    const g = random.normal(96 * 64, 0, 1 / Math.sqrt(96));
    const u = random.normal(96 * 4, 0, 1 / Math.sqrt(96)),
      v = random.normal(4 * 64, 0, 1 / Math.sqrt(64));
    const strengths = [6, 5, 4, 3.5];
    for (let i = 0; i < 96; i++)
      for (let j = 0; j < 64; j++) {
        let spike = 0;
        for (let k = 0; k < 4; k++) spike += strengths[k] * u[i * 4 + k] * v[k * 64 + j];
        g[i * 64 + j] += spike;
      }
    add('planted', g, [96, 64]);
  }
  {
    // Columns scaled by (j+1)^-0.8: a smoothly decaying, heavy-tailed spectrum.
    const g = r('powerspec').normal(120 * 60);
    for (let i = 0; i < 120; i++) for (let j = 0; j < 60; j++) g[i * 60 + j] *= (j + 1) ** -0.8;
    add('powerspec', g, [120, 60]);
  }
  add('orth', orthogonal(r('orth'), 32), [32, 32]);
  add('small', r('small').normal(40 * 10), [40, 10]);
  add('tiny', r('tiny').normal(20 * 8), [20, 8]);
  add('conv', r('conv').normal(16 * 8 * 3 * 3, 0, 0.2), [16, 8, 3, 3]);
  add('conv_even', r('conv_even').normal(32 * 64 * 2 * 2, 0, 0.1), [32, 64, 2, 2]);
  add('conv_wide_odd', r('conv_wide_odd').normal(8 * 24 * 3 * 1, 0, 0.3), [8, 24, 3, 1]);
  add('norm', r('norm').normal(64, 1, 0.1), [64]);
  return layers;
}

/** Sum and first value of a tensor, in float64: the oracle's fingerprint of its inputs. */
export function checksum(tensor: Tensor): { sum: number; first: number } {
  const values = tensor.toFloat64();
  let sum = 0;
  for (const v of values) sum += v;
  return { sum, first: values[0] };
}
