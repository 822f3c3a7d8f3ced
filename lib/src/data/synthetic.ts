// Seeded synthetic tasks for small zoos: each generator is a pure function of its options
// (same seed, same bytes) and returns a fixed train/test split, so a zoo built from one is
// reproducible without shipping data. Definitions follow the usual ones (scikit-learn's
// make_moons / make_blobs, Yang et al.'s teacher-student, Power et al.'s modular addition).

import { ArgumentError } from '../errors';
import { rng, type Rng } from '../random/rng';
import { dataset, splitDataset, type Dataset, type DatasetSplit } from './dataset';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

export interface SyntheticOptions {
  /** Number of rows before the split (each generator documents its default). */
  size?: number;
  /**
   * Fraction held out as the test set (stratified per class).
   * @default 0.2
   */
  testFraction?: number;
  /**
   * Seed of the data and of the split.
   * @default 0
   */
  seed?: number;
}

function split(data: Dataset, options: { testFraction: number; seed: number }): DatasetSplit {
  return splitDataset(data, { testFraction: options.testFraction, seed: options.seed });
}

export interface TeacherStudentOptions extends SyntheticOptions {
  /**
   * Rows before the split.
   * @default 2000
   */
  size?: number;
  /**
   * Input features.
   * @default 16
   */
  features?: number;
  /**
   * Number of classes.
   * @default 4
   */
  classes?: number;
  /**
   * Hidden width of the tanh teacher.
   * @default 8
   */
  teacherWidth?: number;
}

/** The defaults of teacherStudent (see TeacherStudentOptions). */
export const TEACHER_STUDENT_DEFAULTS = {
  size: 2000,
  features: 16,
  classes: 4,
  teacherWidth: 8,
  testFraction: 0.2,
  seed: 0,
} as const satisfies OptionDefaults<TeacherStudentOptions>;

export interface GaussianBlobsOptions extends SyntheticOptions {
  /**
   * Rows before the split.
   * @default 1000
   */
  size?: number;
  /**
   * Input features.
   * @default 2
   */
  features?: number;
  /**
   * Number of classes.
   * @default 3
   */
  classes?: number;
  /**
   * Standard deviation of the class centres.
   * @default 5
   */
  spread?: number;
  /**
   * Standard deviation of the points around their centre.
   * @default 1
   */
  std?: number;
}

/** The defaults of gaussianBlobs (see GaussianBlobsOptions). */
export const GAUSSIAN_BLOBS_DEFAULTS = {
  size: 1000,
  features: 2,
  classes: 3,
  spread: 5,
  std: 1,
  testFraction: 0.2,
  seed: 0,
} as const satisfies OptionDefaults<GaussianBlobsOptions>;

export interface TwoMoonsOptions extends SyntheticOptions {
  /**
   * Rows before the split.
   * @default 1000
   */
  size?: number;
  /**
   * Standard deviation of the Gaussian noise on each coordinate.
   * @default 0.1
   */
  noise?: number;
}

/** The defaults of twoMoons (see TwoMoonsOptions). */
export const TWO_MOONS_DEFAULTS = {
  size: 1000,
  noise: 0.1,
  testFraction: 0.2,
  seed: 0,
} as const satisfies OptionDefaults<TwoMoonsOptions>;

export interface SpiralsOptions extends SyntheticOptions {
  /**
   * Rows before the split.
   * @default 1000
   */
  size?: number;
  /**
   * Number of spirals (= classes).
   * @default 2
   */
  arms?: number;
  /**
   * Turns each spiral makes.
   * @default 1.5
   */
  turns?: number;
  /**
   * Standard deviation of the Gaussian noise on each coordinate.
   * @default 0.05
   */
  noise?: number;
}

/** The defaults of spirals (see SpiralsOptions). */
export const SPIRALS_DEFAULTS = {
  size: 1000,
  arms: 2,
  turns: 1.5,
  noise: 0.05,
  testFraction: 0.2,
  seed: 0,
} as const satisfies OptionDefaults<SpiralsOptions>;

export interface ParityOptions extends SyntheticOptions {
  /**
   * Rows drawn at random; unset with features <= 16, all 2^features inputs once (otherwise 1000).
   * @default undefined (exhaustive, or 1000 above 16 features)
   */
  size?: number;
  /**
   * Coordinates whose parity is the label.
   * @default 4
   */
  bits?: number;
  /**
   * Input coordinates (the ones after `bits` are noise).
   * @default undefined (= bits)
   */
  features?: number;
}

/** The defaults of parity (see ParityOptions). */
export const PARITY_DEFAULTS = {
  size: undefined,
  bits: 4,
  features: undefined,
  testFraction: 0.2,
  seed: 0,
} as const satisfies OptionDefaults<ParityOptions>;

export interface ModularAdditionOptions {
  /**
   * The modulus p: p^2 pairs (a, b).
   * @default 23
   */
  modulus?: number;
  /**
   * Fraction of the pairs held out (unstratified, as grokking splits are).
   * @default 0.5
   */
  testFraction?: number;
  /**
   * Seed of the split.
   * @default 0
   */
  seed?: number;
}

/** The defaults of modularAddition (see ModularAdditionOptions). */
export const MODULAR_ADDITION_DEFAULTS = {
  modulus: 23,
  testFraction: 0.5,
  seed: 0,
} as const satisfies OptionDefaults<ModularAdditionOptions>;

export interface ConvectionOptions {
  /**
   * Convection speed beta.
   * @default 1
   */
  beta?: number;
  /**
   * Interior collocation points.
   * @default 1000
   */
  collocation?: number;
  /**
   * Points on the initial condition.
   * @default 256
   */
  initial?: number;
  /**
   * Boundary times.
   * @default 100
   */
  boundary?: number;
  /**
   * Test grid points per axis (grid^2 in all).
   * @default 64
   */
  grid?: number;
  /**
   * Seed of the collocation points and boundary times.
   * @default 0
   */
  seed?: number;
}

/** The defaults of convectionProblem (see ConvectionOptions). */
export const CONVECTION_DEFAULTS = {
  beta: 1,
  collocation: 1000,
  initial: 256,
  boundary: 100,
  grid: 64,
  seed: 0,
} as const satisfies OptionDefaults<ConvectionOptions>;

function tag(name: string, options: Record<string, unknown>): string {
  const parts = Object.entries(options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`);
  return parts.length ? `${name}(${parts.join(',')})` : name;
}

/**
 * Teacher-student classification: Gaussian inputs labelled by the argmax of a random
 * one-hidden-layer tanh teacher. The teacher is exact, so load (rows per parameter) is controlled exactly.
 */
export function teacherStudent(options: TeacherStudentOptions = {}): DatasetSplit {
  const o = resolveOptions('teacherStudent', TEACHER_STUDENT_DEFAULTS, options);
  const { size, features, classes, teacherWidth: hidden } = o;
  const random = rng(o.seed).fold('teacher-student');
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
      if (s > bestValue) {
        bestValue = s;
        best = c;
      }
    }
    y[i] = best;
  }
  return split(
    dataset(
      tag('teacher-student', { size, features, classes, teacherWidth: hidden, seed: o.seed }),
      x,
      y,
      features,
      classes,
    ),
    o,
  );
}

/** Isotropic Gaussian blobs: class centres ~ N(0, spread^2 I), points = centre + N(0, std^2 I). */
export function gaussianBlobs(options: GaussianBlobsOptions = {}): DatasetSplit {
  const o = resolveOptions('gaussianBlobs', GAUSSIAN_BLOBS_DEFAULTS, options);
  const { size, features, classes, spread, std } = o;
  const random = rng(o.seed).fold('blobs');
  const centres = random.normal(classes * features, 0, spread);
  const labels = random.integers(size, 0, classes);
  const noise = random.normal(size * features, 0, std);
  const x = new Float64Array(size * features);
  const y = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    y[i] = labels[i];
    for (let k = 0; k < features; k++) x[i * features + k] = centres[y[i] * features + k] + noise[i * features + k];
  }
  return split(
    dataset(tag('blobs', { size, features, classes, spread, std, seed: o.seed }), x, y, features, classes),
    o,
  );
}

/** Two interleaving half circles (scikit-learn's make_moons), Gaussian noise of sd `noise`. */
export function twoMoons(options: TwoMoonsOptions = {}): DatasetSplit {
  const o = resolveOptions('twoMoons', TWO_MOONS_DEFAULTS, options);
  const { size, noise } = o;
  const random = rng(o.seed).fold('moons');
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
  return split(dataset(tag('two-moons', { size, noise, seed: o.seed }), x, y, 2, 2), o);
}

/** `arms` interleaved Archimedean spirals (radius grows linearly with angle over `turns` turns). */
export function spirals(options: SpiralsOptions = {}): DatasetSplit {
  const o = resolveOptions('spirals', SPIRALS_DEFAULTS, options);
  const { size, arms, turns, noise } = o;
  const random = rng(o.seed).fold('spirals');
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
  return split(dataset(tag('spirals', { size, arms, turns, noise, seed: o.seed }), x, y, 2, arms), o);
}

/**
 * (Sparse) k-bit parity: inputs in {-1, +1}^features, label = parity of the first `bits`
 * coordinates. With `size` absent and features <= 16, all 2^features inputs are used once.
 */
export function parity(options: ParityOptions = {}): DatasetSplit {
  const o = resolveOptions('parity', PARITY_DEFAULTS, options);
  const bits = o.bits;
  const features = o.features ?? bits;
  if (bits < 1 || bits > features)
    throw new ArgumentError('parity needs 1 <= bits <= features', {
      field: 'bits',
      expected: `1 <= bits <= features`,
      found: `bits=${bits}, features=${features}`,
    });
  const exhaustive = o.size === undefined && features <= 16;
  const size = exhaustive ? 2 ** features : (o.size ?? 1000);
  const random = rng(o.seed).fold('parity');
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
  return split(
    dataset(tag('parity', { bits, features, size: exhaustive ? undefined : size, seed: o.seed }), x, y, features, 2),
    o,
  );
}

/** Modular addition a + b mod p over all p^2 pairs, inputs one-hot(a) ++ one-hot(b) (the grokking task). */
export function modularAddition(options: ModularAdditionOptions = {}): DatasetSplit {
  const o = resolveOptions('modularAddition', MODULAR_ADDITION_DEFAULTS, options);
  const p = o.modulus;
  if (!Number.isInteger(p) || p < 2)
    throw new ArgumentError('the modulus must be an integer >= 2', { field: 'modulus', found: String(p) });
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
  const order = rng(o.seed).fold('modular-split').permutation(size);
  const cut = Math.round(size * o.testFraction);
  const test = Array.from(order.subarray(0, cut)).sort((u, v) => u - v);
  const train = Array.from(order.subarray(cut)).sort((u, v) => u - v);
  const pick = (rows: number[], name: string) => {
    const xs = new Float64Array(rows.length * 2 * p);
    const ys = new Int32Array(rows.length);
    rows.forEach((r, k) => {
      xs.set(data.x.subarray(r * 2 * p, (r + 1) * 2 * p), k * 2 * p);
      ys[k] = data.y[r];
    });
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

export function convectionProblem(options: ConvectionOptions = {}): ConvectionProblem {
  const o = resolveOptions('convectionProblem', CONVECTION_DEFAULTS, options);
  const beta = o.beta;
  const random: Rng = rng(o.seed).fold('convection');
  const n = o.collocation;
  const xs = random.uniform(n, 0, 2 * Math.PI);
  const ts = random.uniform(n, 0, 1);
  const collocation = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    collocation[2 * i] = xs[i];
    collocation[2 * i + 1] = ts[i];
  }
  const m = o.initial;
  const initialPoints = new Float64Array(2 * m);
  const initialValues = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const x = (2 * Math.PI * i) / m;
    initialPoints[2 * i] = x;
    initialValues[i] = Math.sin(x);
  }
  const boundaryTimes = random.uniform(o.boundary, 0, 1);
  const g = o.grid;
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
  return {
    beta,
    collocation,
    initial: { points: initialPoints, values: initialValues },
    boundaryTimes,
    test: { points: testPoints, values: testValues },
    exact,
  };
}
