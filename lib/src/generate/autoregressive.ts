// Mini IGPG (after Soro et al. 2025), scaled down to run on 2 CPU cores: the aligned, standardised
// weight vector is cut into chunks, each chunk is replaced by its nearest code in a k-means
// codebook (a plain VQ instead of IGPG's Gumbel VQ-VAE), and a one-layer causal transformer
// (instead of GPT-2) models the token sequence p(s_i | s_<i). Sampling draws tokens one by one and
// decodes them through the codebook. No architecture/dataset conditioning. Labelled "mini".

import { ArgumentError } from '../errors';
import { rng, type Rng } from '../random/rng';
import type { WeightSet } from '../weights/weight-set';
import type { PermutationSpec } from '../align/permutation-spec';
import { AdamTrainer, fitProgress, trainLoop } from './nn/adam';
import { deviceArray, jaxModule, toDevice, type JaxArray, type JaxModule } from './nn/jax-ops';
import { linearStack, normalParameter, parameterCount, type HostParameters } from './nn/parameters';
import type { Representation } from './representation';
import {
  ConfiguredGenerator,
  positiveInteger,
  type FitOptions,
  type GeneratorFamily,
  type WeightGenerator,
  type ZooInput,
} from './types';
import type { OptionDefaults } from '../options/resolve';
import { fullWeightRepresentation } from './weight-space';

export interface AutoregressiveOptions {
  /**
   * Weight values per token (chunk).
   * @default 64
   */
  chunkSize?: number;
  /**
   * Codebook size (128 over 64-value chunks: short sequences keep the prior cheap on CPU).
   * @default 128
   */
  codes?: number;
  /**
   * Lloyd iterations of the k-means codebook.
   * @default 20
   */
  kMeansIterations?: number;
  /**
   * Sequences (models) per training step (attention cost grows with its square).
   * @default 16
   */
  batchSize?: number;
  /**
   * Transformer width.
   * @default 64
   */
  width?: number;
  /**
   * Training steps of the prior.
   * @default 600
   */
  steps?: number;
  /**
   * Adam learning rate.
   * @default 3e-3
   */
  learningRate?: number;
  /**
   * Sampling temperature on the logits. A sampling option: changing it keeps the fit.
   * @default 1
   */
  temperature?: number;
  /**
   * Git Re-Basin alignment to model 0 before fitting.
   * @default true
   */
  align?: boolean;
  /**
   * Permutation spec of the alignment.
   * @default undefined (the automatic MLP spec)
   */
  spec?: PermutationSpec;
  /**
   * Seed of k-means, the initialisation and the batches.
   * @default 0
   */
  seed?: number;
}

/** autoregressive's defaults (documented with @default in AutoregressiveOptions). */
export const AUTOREGRESSIVE_DEFAULTS = {
  chunkSize: 64,
  codes: 128,
  kMeansIterations: 20,
  batchSize: 16,
  width: 64,
  steps: 600,
  learningRate: 3e-3,
  temperature: 1,
  align: true,
  spec: undefined,
  seed: 0,
} as const satisfies OptionDefaults<AutoregressiveOptions>;

/** Seeded k-means (k-means++ init, Lloyd iterations) over rows of `points` [count, dim]. */
export function kMeans(
  points: Float64Array,
  count: number,
  dim: number,
  k: number,
  iterations: number,
  source: Rng,
): { centroids: Float64Array; assignment: Int32Array } {
  if (k > count)
    throw new ArgumentError('more codes than chunks to cluster', {
      field: 'codes',
      expected: `<= ${count}`,
      found: String(k),
    });
  const centroids = new Float64Array(k * dim);
  const nearest = new Float64Array(count).fill(Infinity);
  const sq = (i: number, c: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const d = points[i * dim + j] - centroids[c * dim + j];
      s += d * d;
    }
    return s;
  };
  let first = source.integers(1, 0, count)[0];
  for (let c = 0; c < k; c++) {
    centroids.set(points.subarray(first * dim, (first + 1) * dim), c * dim);
    let total = 0;
    for (let i = 0; i < count; i++) {
      nearest[i] = Math.min(nearest[i], sq(i, c));
      total += nearest[i];
    }
    // Next centre drawn with probability ∝ squared distance to the nearest chosen one.
    let target = source.uniform(1)[0] * total;
    first = count - 1;
    for (let i = 0; i < count; i++) {
      target -= nearest[i];
      if (target <= 0) {
        first = i;
        break;
      }
    }
  }
  const assignment = new Int32Array(count);
  for (let iteration = 0; iteration < iterations; iteration++) {
    for (let i = 0; i < count; i++) {
      let best = 0,
        bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const d = sq(i, c);
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      assignment[i] = best;
    }
    const sums = new Float64Array(k * dim),
      sizes = new Float64Array(k);
    for (let i = 0; i < count; i++) {
      sizes[assignment[i]]++;
      for (let j = 0; j < dim; j++) sums[assignment[i] * dim + j] += points[i * dim + j];
    }
    for (let c = 0; c < k; c++)
      if (sizes[c] > 0) for (let j = 0; j < dim; j++) centroids[c * dim + j] = sums[c * dim + j] / sizes[c];
  }
  return { centroids, assignment };
}

export class AutoregressiveGenerator
  extends ConfiguredGenerator<AutoregressiveOptions, typeof AUTOREGRESSIVE_DEFAULTS>
  implements WeightGenerator
{
  readonly family: GeneratorFamily = 'generator';
  readonly mini = true;
  readonly name = 'mini IGPG (VQ tokens + causal transformer)';
  fitSeconds = 0;
  losses: number[] = [];
  private fitted?: { representation: Representation; centroids: Float64Array; tokens: number; params: HostParameters };
  private step?: (...args: unknown[]) => JaxArray;

  constructor(options: AutoregressiveOptions = {}) {
    super('autoregressive', AUTOREGRESSIVE_DEFAULTS, options);
  }

  protected validate(): void {
    for (const key of ['chunkSize', 'codes', 'kMeansIterations', 'batchSize', 'width', 'steps'] as const)
      positiveInteger(key, this.o[key]);
    if (!(this.o.temperature > 0))
      throw new ArgumentError('temperature must be positive', {
        field: 'temperature',
        expected: 'a number > 0',
        found: String(this.o.temperature),
      });
  }

  protected samplingOptions(): (keyof AutoregressiveOptions & string)[] {
    return ['temperature'];
  }
  protected forgetFit(): void {
    this.fitted = undefined;
    this.step = undefined;
    this.losses = [];
  }

  get parameterCount(): number {
    return this.fitted ? parameterCount(this.fitted.params) : 0;
  }

  /**
   * Logits [n·T, K] for n sequences of T tokens flattened into rows: previous-token one-hots
   * [n·T, K+1], position one-hots [n·T, T], and an additive mask [n·T, n·T] that lets row (i, t)
   * attend only to rows (i, s ≤ t). Everything is 2-D: jax-js 0.1.25 leaked memory per step with
   * batched 3-D matmuls here, and einsum needs iterator helpers Node 20 lacks.
   */
  private logits(jx: JaxModule, p: JaxArray[], previous: JaxArray, positions: JaxArray, mask: JaxArray): JaxArray {
    const np = jx.numpy;
    const [embed, position, wq, wk, wv, wo, w1, b1, w2, b2, wout, bout] = p;
    const x = np.add(np.matmul(previous, embed), np.matmul(positions, position));
    const q = np.matmul(x.ref, wq),
      k = np.matmul(x.ref, wk),
      v = np.matmul(x.ref, wv);
    const scores = np.add(np.multiply(np.matmul(q, np.transpose(k)), 1 / Math.sqrt(this.o.width)), mask);
    const h = np.add(x, np.matmul(np.matmul(jx.nn.softmax(scores, -1), v), wo));
    const mlp = np.add(np.matmul(jx.nn.relu(np.add(np.matmul(h.ref, w1), b1)), w2), b2);
    return np.add(np.matmul(np.add(h, mlp), wout), bout);
  }

  /** Block-diagonal causal mask for n sequences of length T, and the position one-hots. */
  private structure(n: number, T: number): { mask: Float32Array; positions: Float32Array } {
    const M = n * T;
    const mask = new Float32Array(M * M).fill(-1e9);
    const positions = new Float32Array(M * T);
    for (let i = 0; i < n; i++)
      for (let t = 0; t < T; t++) {
        positions[(i * T + t) * T + t] = 1;
        for (let s = 0; s <= t; s++) mask[(i * T + t) * M + i * T + s] = 0;
      }
    return { mask, positions };
  }

  async fit(zoo: ZooInput, fitOptions: FitOptions = {}): Promise<this> {
    fitOptions = this.fitOptions(fitOptions);
    const started = performance.now();
    const o = this.o;
    const { representation } = await fullWeightRepresentation(zoo, o, this.name);
    const n = representation.count,
      d = representation.dimension,
      c = o.chunkSize,
      K = o.codes,
      D = o.width;
    const T = Math.ceil(d / c);
    const chunks = new Float64Array(n * T * c);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < T * c; j++) if (j < d) chunks[i * T * c + j] = representation.data[i * d + j];
    const source = rng(o.seed).fold('mini-igpg');
    const { centroids, assignment } = kMeans(chunks, n * T, c, Math.min(K, n * T), o.kMeansIterations, source);
    const previous = new Float32Array(n * T * (K + 1));
    const targets = new Float32Array(n * T * K);
    for (let i = 0; i < n; i++)
      for (let t = 0; t < T; t++) {
        previous[(i * T + t) * (K + 1) + (t === 0 ? K : assignment[i * T + t - 1])] = 1; // K = start token
        targets[(i * T + t) * K + assignment[i * T + t]] = 1;
      }
    const seed = o.seed;
    const initial: HostParameters = [
      normalParameter([K + 1, D], seed, 0.1),
      normalParameter([T, D], seed + 1, 0.1),
      ...[2, 3, 4, 5].map((s) => linearStack([D, D], seed + s)[0]),
      ...linearStack([D, 2 * D, D], seed + 6),
      ...linearStack([D, K], seed + 7),
    ];
    const jx = await jaxModule();
    const B = Math.min(o.batchSize, n);
    const { mask, positions } = this.structure(B, T);
    const trainer = await AdamTrainer.create(
      initial,
      (j, p, [prev, pos, target, m]) => {
        const np = j.numpy;
        return np.negative(
          np.divide(np.sum(np.multiply(target, j.nn.logSoftmax(this.logits(j, p, prev, pos, m), -1))), B * T),
        );
      },
      { learningRate: o.learningRate, schedule: 'cosine', finalLearningRate: o.learningRate / 20, totalSteps: o.steps },
    );
    try {
      this.losses = await trainLoop(trainer, {
        steps: o.steps,
        signal: fitOptions.signal,
        progress: fitProgress(fitOptions, this.name),
        batch: () => {
          const pick = B === n ? Int32Array.from({ length: n }, (_, i) => i) : source.permutation(n).subarray(0, B);
          const prev = new Float32Array(B * T * (K + 1)),
            target = new Float32Array(B * T * K);
          pick.forEach((i, r) => {
            prev.set(previous.subarray(i * T * (K + 1), (i + 1) * T * (K + 1)), r * T * (K + 1));
            target.set(targets.subarray(i * T * K, (i + 1) * T * K), r * T * K);
          });
          return [
            deviceArray(jx, prev, [B * T, K + 1]),
            deviceArray(jx, positions, [B * T, T]),
            deviceArray(jx, target, [B * T, K]),
            deviceArray(jx, mask, [B * T, B * T]),
          ];
        },
      });
      this.fitted = { representation, centroids, tokens: T, params: await trainer.parameters() };
    } finally {
      trainer.dispose();
    }
    this.fitSeconds = (performance.now() - started) / 1000;
    return this;
  }

  async sample(n: number, seed: number): Promise<WeightSet[]> {
    if (!Number.isInteger(n) || n < 1)
      throw new ArgumentError('n must be a positive integer', { field: 'n', found: String(n) });
    if (!this.fitted) throw new ArgumentError(`${this.name}: call fit(zoo) before sample()`);
    const { representation, centroids, tokens: T, params } = this.fitted;
    const o = this.o,
      K = Math.min(o.codes, centroids.length / o.chunkSize),
      c = o.chunkSize,
      d = representation.dimension;
    const jx = await jaxModule();
    this.step ??= jx.jit((p: JaxArray[], prev: JaxArray, pos: JaxArray, m: JaxArray) =>
      this.logits(jx, p, prev, pos, m),
    ) as unknown as (...args: unknown[]) => JaxArray;
    const device = toDevice(jx, params);
    const source = rng(seed).fold('mini-igpg-sample');
    const { mask, positions } = this.structure(n, T);
    const previous = new Float32Array(n * T * (o.codes + 1));
    const tokens = new Int32Array(n * T);
    for (let i = 0; i < n; i++) previous[i * T * (o.codes + 1) + o.codes] = 1;
    try {
      // Token t depends only on tokens < t (causal mask), so one pass per position suffices.
      for (let t = 0; t < T; t++) {
        const logits = (await this.step(
          device.map((a) => a.ref),
          deviceArray(jx, previous, [n * T, o.codes + 1]),
          deviceArray(jx, positions, [n * T, T]),
          deviceArray(jx, mask, [n * T, n * T]),
        ).data()) as Float32Array;
        const u = source.uniform(n);
        for (let i = 0; i < n; i++) {
          const base = (i * T + t) * o.codes;
          let max = -Infinity;
          for (let k = 0; k < K; k++) max = Math.max(max, logits[base + k] / o.temperature);
          let total = 0;
          const weights = new Float64Array(K);
          for (let k = 0; k < K; k++) {
            weights[k] = Math.exp(logits[base + k] / o.temperature - max);
            total += weights[k];
          }
          let target = u[i] * total,
            token = K - 1;
          for (let k = 0; k < K; k++) {
            target -= weights[k];
            if (target <= 0) {
              token = k;
              break;
            }
          }
          tokens[i * T + t] = token;
          if (t + 1 < T) previous[(i * T + t + 1) * (o.codes + 1) + token] = 1;
        }
      }
    } finally {
      for (const a of device) a.dispose();
    }
    const rows = new Float32Array(n * d);
    for (let i = 0; i < n; i++)
      for (let t = 0; t < T; t++)
        for (let j = 0; j < c; j++) {
          const position = t * c + j;
          if (position < d) rows[i * d + position] = centroids[tokens[i * T + t] * c + j];
        }
    return representation.weights(rows, n, (i) => ({ generator: this.name, seed, index: i }));
  }
}

/** The mini IGPG generator (k-means VQ tokens + a one-layer causal transformer prior). */
export function autoregressive(options: AutoregressiveOptions = {}): AutoregressiveGenerator {
  return new AutoregressiveGenerator(options);
}
