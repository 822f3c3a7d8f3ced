// Seeded synthetic tasks for small zoos: each generator is a pure function of its options
// (same seed, same bytes) and returns a fixed train/test split, so a zoo built from one is
// reproducible without shipping data. Definitions follow the usual ones (scikit-learn's
// make_moons / make_blobs, Yang et al.'s teacher-student, Power et al.'s modular addition).

import { ArgumentError } from '../errors';
import { rng, type Rng } from '../random/rng';
import { dataset, splitDataset, type Dataset, type DatasetSplit } from './dataset';

export interface SyntheticOptions {
  /** Number of rows before the split. */
  size?: number;
  /** Fraction held out as the test set (default 0.2). */
  testFraction?: number;
  seed?: number;
}

function split(data: Dataset, options: SyntheticOptions): DatasetSplit {
  return splitDataset(data, { testFraction: options.testFraction, seed: options.seed ?? 0 });
}

function tag(name: string, options: Record<string, unknown>): string {
  const parts = Object.entries(options).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length ? `${name}(${parts.join(',')})` : name;
}

/**
 * Teacher-student classification: Gaussian inputs labelled by the argmax of a random
 * one-hidden-layer tanh teacher. The teacher is exact, so load (rows per parameter) is controlled exactly.
 */
export function teacherStudent(options: SyntheticOptions & { features?: number; classes?: number; teacherWidth?: number } = {}): DatasetSplit {
  const size = options.size ?? 2000;
  const features = options.features ?? 16;
  const classes = options.classes ?? 4;
  const hidden = options.teacherWidth ?? 8;
  const random = rng(options.seed ?? 0).fold('teacher-student');
  const w1 = random.normal(hidden * features, 0, 1 / Math.sqrt(features));
  const w2 = random.normal(classes * hidden, 0, 1 / Math.sqrt(hidden));
  const x = random.normal(size * features);
  const y = new Int32Array(size);
  const h = new Float64Array(hidden);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < hidden; j++) {
      let s = 0;
      for (let k = 0; k < features; k++) s += w1[j * features + k] * x[i * features + k];
      h[j] = Math.tanh(s);
    }
    let best = 0;
    let bestValue = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let j = 0; j < hidden; j++) s += w2[c * hidden + j] * h[j];
      if (s > bestValue) { bestValue = s; best = c; }
    }
    y[i] = best;
  }
  return split(dataset(tag('teacher-student', { size, features, classes, teacherWidth: hidden, seed: options.seed ?? 0 }), x, y, features, classes), options);
}

/** Isotropic Gaussian blobs: class centres ~ N(0, spread^2 I), points = centre + N(0, std^2 I). */
export function gaussianBlobs(options: SyntheticOptions & { features?: number; classes?: number; spread?: number; std?: number } = {}): DatasetSplit {
  const size = options.size ?? 1000;
  const features = options.features ?? 2;
  const classes = options.classes ?? 3;
  const spread = options.spread ?? 5;
  const std = options.std ?? 1;
  const random = rng(options.seed ?? 0).fold('blobs');
  const centres = random.normal(classes * features, 0, spread);
  const labels = random.integers(size, 0, classes);
  const noise = random.normal(size * features, 0, std);
  const x = new Float64Array(size * features);
  const y = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    y[i] = labels[i];
    for (let k = 0; k < features; k++) x[i * features + k] = centres[y[i] * features + k] + noise[i * features + k];
  }
  return split(dataset(tag('blobs', { size, features, classes, spread, std, seed: options.seed ?? 0 }), x, y, features, classes), options);
}

/** Two interleaving half circles (scikit-learn's make_moons), Gaussian noise of sd `noise`. */
export function twoMoons(options: SyntheticOptions & { noise?: number } = {}): DatasetSplit {
  const size = options.size ?? 1000;
  const noise = options.noise ?? 0.1;
  const random = rng(options.seed ?? 0).fold('moons');
  const outer = Math.floor(size / 2);
  const angles = random.uniform(size, 0, Math.PI);
  const jitter = random.normal(2 * size, 0, noise);
  const x = new Float64Array(2 * size);
  const y = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const t = angles[i];
    const upper = i < outer;
    x[2 * i] = (upper ? Math.cos(t) : 1 - Math.cos(t)) + jitter[2 * i];
    x[2 * i + 1] = (upper ? Math.sin(t) : 0.5 - Math.sin(t)) + jitter[2 * i + 1];
    y[i] = upper ? 0 : 1;
  }
  return split(dataset(tag('two-moons', { size, noise, seed: options.seed ?? 0 }), x, y, 2, 2), options);
}

/** `arms` interleaved Archimedean spirals (radius grows linearly with angle over `turns` turns). */
export function spirals(options: SyntheticOptions & { arms?: number; turns?: number; noise?: number } = {}): DatasetSplit {
  const size = options.size ?? 1000;
  const arms = options.arms ?? 2;
  const turns = options.turns ?? 1.5;
  const noise = options.noise ?? 0.05;
  const random = rng(options.seed ?? 0).fold('spirals');
  const position = random.uniform(size, 0, 1);
  const labels = random.integers(size, 0, arms);
  const jitter = random.normal(2 * size, 0, noise);
  const x = new Float64Array(2 * size);
  const y = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const r = position[i];
    const angle = 2 * Math.PI * (turns * r + labels[i] / arms);
    x[2 * i] = r * Math.cos(angle) + jitter[2 * i];
    x[2 * i + 1] = r * Math.sin(angle) + jitter[2 * i + 1];
    y[i] = labels[i];
  }
  return split(dataset(tag('spirals', { size, arms, turns, noise, seed: options.seed ?? 0 }), x, y, 2, arms), options);
}

/**
 * (Sparse) k-bit parity: inputs in {-1, +1}^features, label = parity of the first `bits`
 * coordinates. With `size` absent and features <= 16, all 2^features inputs are used once.
 */
export function parity(options: SyntheticOptions & { bits?: number; features?: number } = {}): DatasetSplit {
  const bits = options.bits ?? 4;
  const features = options.features ?? bits;
  if (bits < 1 || bits > features) throw new ArgumentError('parity needs 1 <= bits <= features', { found: `bits=${bits}, features=${features}` });
  const exhaustive = options.size === undefined && features <= 16;
  const size = exhaustive ? 2 ** features : options.size ?? 1000;
  const random = rng(options.seed ?? 0).fold('parity');
  const words = exhaustive ? undefined : random.bits(size * features);
  const x = new Float64Array(size * features);
  const y = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    let odd = 0;
    for (let k = 0; k < features; k++) {
      const bit = exhaustive ? (i >>> k) & 1 : words![i * features + k] & 1;
      x[i * features + k] = bit ? 1 : -1;
      if (k < bits) odd ^= bit;
    }
    y[i] = odd;
  }
  return split(dataset(tag('parity', { bits, features, size: exhaustive ? undefined : size, seed: options.seed ?? 0 }), x, y, features, 2), options);
}

/** Modular addition a + b mod p over all p^2 pairs, inputs one-hot(a) ++ one-hot(b) (the grokking task). */
export function modularAddition(options: { modulus?: number; testFraction?: number; seed?: number } = {}): DatasetSplit {
  const p = options.modulus ?? 23;
  const size = p * p;
  const x = new Float64Array(size * 2 * p);
  const y = new Int32Array(size);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const i = a * p + b;
      x[i * 2 * p + a] = 1;
      x[i * 2 * p + p + b] = 1;
      y[i] = (a + b) % p;
    }
  }
  // Grokking splits are unstratified random pair subsets; half the pairs is the usual training fraction.
  const data = dataset(tag('modular-addition', { modulus: p }), x, y, 2 * p, p);
  const order = rng(options.seed ?? 0).fold('modular-split').permutation(size);
  const cut = Math.round(size * (options.testFraction ?? 0.5));
  const test = Array.from(order.subarray(0, cut)).sort((u, v) => u - v);
  const train = Array.from(order.subarray(cut)).sort((u, v) => u - v);
  const pick = (rows: number[], name: string) => {
    const xs = new Float64Array(rows.length * 2 * p);
    const ys = new Int32Array(rows.length);
    rows.forEach((r, k) => { xs.set(data.x.subarray(r * 2 * p, (r + 1) * 2 * p), k * 2 * p); ys[k] = data.y[r]; });
    return dataset(`${data.name}/${name}`, xs, ys, 2 * p, p);
  };
  return { train: pick(train, 'train'), test: pick(test, 'test') };
}

/**
 * The 1-D convection problem of PTMZ's PINN zoo: u_t + beta u_x = 0 on x in [0, 2 pi],
 * t in [0, 1], u(x, 0) = sin x, periodic in x. The exact solution is u = sin(x - beta t).
 */
export interface ConvectionProblem {
  beta: number;
  /** Interior collocation points (x, t) where the residual u_t + beta u_x is penalised, row-major n x 2. */
  collocation: Float64Array;
  /** Initial-condition points (x, 0) and their targets sin x. */
  initial: { points: Float64Array; values: Float64Array };
  /** Boundary times t: the loss ties u(0, t) to u(2 pi, t). */
  boundaryTimes: Float64Array;
  /** A test grid (x, t) with the exact solution, for the relative L2 error. */
  test: { points: Float64Array; values: Float64Array };
  /** The exact solution. */
  exact(x: number, t: number): number;
}

export function convectionProblem(options: { beta?: number; collocation?: number; initial?: number; boundary?: number; grid?: number; seed?: number } = {}): ConvectionProblem {
  const beta = options.beta ?? 1;
  const random: Rng = rng(options.seed ?? 0).fold('convection');
  const n = options.collocation ?? 1000;
  const xs = random.uniform(n, 0, 2 * Math.PI);
  const ts = random.uniform(n, 0, 1);
  const collocation = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) { collocation[2 * i] = xs[i]; collocation[2 * i + 1] = ts[i]; }
  const m = options.initial ?? 256;
  const initialPoints = new Float64Array(2 * m);
  const initialValues = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const x = (2 * Math.PI * i) / m;
    initialPoints[2 * i] = x;
    initialValues[i] = Math.sin(x);
  }
  const boundaryTimes = random.uniform(options.boundary ?? 100, 0, 1);
  const g = options.grid ?? 64;
  const testPoints = new Float64Array(2 * g * g);
  const testValues = new Float64Array(g * g);
  const exact = (x: number, t: number) => Math.sin(x - beta * t);
  for (let a = 0; a < g; a++) {
    for (let b = 0; b < g; b++) {
      const i = a * g + b;
      const x = (2 * Math.PI * a) / (g - 1);
      const t = b / (g - 1);
      testPoints[2 * i] = x;
      testPoints[2 * i + 1] = t;
      testValues[i] = exact(x, t);
    }
  }
  return { beta, collocation, initial: { points: initialPoints, values: initialValues }, boundaryTimes, test: { points: testPoints, values: testValues }, exact };
}
