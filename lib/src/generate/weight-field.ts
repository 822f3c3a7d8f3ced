// A NeuMeta-style weight field (Yang & Wang, ECCV 2024), scaled down for MLPs: an implicit neural
// representation maps a weight's coordinates (relative row and column in its tensor) to its value,
// so nets of widths never trained can be read off the same field. As in NeuMeta: hidden units are
// first reordered along a short path (smoothing permutation, TSP-like) so neighbouring units are
// similar; one small INR per tensor; outputs are scaled by 1/fan-in so that a wider layer's sum
// over units stays comparable; training adds uniform coordinate noise of ±half a unit spacing so
// the field is smooth between units; sampling draws coordinate noise (sample 0 without noise).
// Unlike NeuMeta, training uses the reconstruction loss only (no task loss at random widths).

import { ArgumentError } from '../errors';
import { rng } from '../random/rng';
import { Tensor } from '../tensor/tensor';
import { WeightSet } from '../weights/weight-set';
import { applyPermutations } from '../align/permute';
import { mlpPermutationSpec, type Permutations } from '../align/permutation-spec';
import { AdamTrainer, fitProgress, trainLoop } from './nn/adam';
import {
  deviceArray,
  fourierFeatures,
  fourierFrequencies,
  jaxModule,
  mlpForward,
  toDevice,
  type JaxArray,
  type JaxModule,
} from './nn/jax-ops';
import { linearStack, parameterCount, type HostParameters } from './nn/parameters';
import { denseLayers } from './evaluate/mlp-classifier';
import {
  ConfiguredGenerator,
  positiveInteger,
  type FitOptions,
  type GeneratorFamily,
  type WeightGenerator,
  type ZooInput,
} from './types';
import type { OptionDefaults } from '../options/resolve';
import { checkZoo, zooModels } from './zoo-input';

export interface WeightFieldOptions {
  /**
   * Which zoo model the field represents (NeuMeta starts from one pretrained net).
   * @default 0
   */
  reference?: number;
  /**
   * Hidden width of each tensor's field MLP.
   * @default 64
   */
  hidden?: number;
  /**
   * Sinusoidal frequencies per coordinate.
   * @default 6
   */
  frequencies?: number;
  /**
   * Training steps.
   * @default 400
   */
  steps?: number;
  /**
   * Adam learning rate.
   * @default 3e-3
   */
  learningRate?: number;
  /**
   * Coordinates per tensor per step (a random subset, like NeuMeta's batches).
   * @default 1024
   */
  batchSize?: number;
  /**
   * Coordinate noise in unit spacings (NeuMeta's coordinate_noise; 1: ±0.5 spacing).
   * @default 1
   */
  coordinateNoise?: number;
  /**
   * Seed of the initialisation, batches and coordinate noise.
   * @default 0
   */
  seed?: number;
}

/** weightField's defaults (documented with @default in WeightFieldOptions). */
export const WEIGHT_FIELD_DEFAULTS = {
  reference: 0,
  hidden: 64,
  frequencies: 6,
  steps: 400,
  learningRate: 3e-3,
  batchSize: 1024,
  coordinateNoise: 1,
  seed: 0,
} as const satisfies OptionDefaults<WeightFieldOptions>;

/** Reorders units along a short open path by L1 distance: nearest neighbour, then 2-opt. */
export function smoothingOrder(units: Float64Array[]): Int32Array {
  const n = units.length;
  const dist = (a: number, b: number) => {
    let s = 0;
    const x = units[a],
      y = units[b];
    for (let k = 0; k < x.length; k++) s += Math.abs(x[k] - y[k]);
    return s;
  };
  const path = [0];
  const used = new Uint8Array(n);
  used[0] = 1;
  while (path.length < n) {
    const last = path[path.length - 1];
    let best = -1,
      bestD = Infinity;
    for (let j = 0; j < n; j++)
      if (!used[j]) {
        const d = dist(last, j);
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
    path.push(best);
    used[best] = 1;
  }
  // 2-opt on the open path: reverse path[i..j] when it shortens the two affected edges.
  for (let improved = true, rounds = 0; improved && rounds < 50; rounds++) {
    improved = false;
    for (let i = 1; i < n - 1; i++)
      for (let j = i + 1; j < n; j++) {
        const before = dist(path[i - 1], path[i]) + (j + 1 < n ? dist(path[j], path[j + 1]) : 0);
        const after = dist(path[i - 1], path[j]) + (j + 1 < n ? dist(path[i], path[j + 1]) : 0);
        if (after < before - 1e-12) {
          path.splice(i, j - i + 1, ...path.slice(i, j + 1).reverse());
          improved = true;
        }
      }
  }
  return Int32Array.from(path);
}

interface TensorField {
  name: string;
  isBias: boolean;
  rowsHidden: boolean;
  colsHidden: boolean;
  fanInHidden: boolean;
  rows: number;
  cols: number;
  fanIn: number;
}

export class WeightFieldGenerator
  extends ConfiguredGenerator<WeightFieldOptions, typeof WEIGHT_FIELD_DEFAULTS>
  implements WeightGenerator
{
  readonly family: GeneratorFamily = 'generator';
  readonly mini = true;
  readonly name = 'NeuMeta-style weight field (mini)';
  fitSeconds = 0;
  losses: number[] = [];
  private fitted?: {
    template: WeightSet;
    fields: TensorField[];
    params: HostParameters[];
    scales: number[];
    width: number;
  };

  constructor(options: WeightFieldOptions = {}) {
    super('weightField', WEIGHT_FIELD_DEFAULTS, options);
  }

  protected validate(): void {
    if (!(Number.isInteger(this.o.reference) && this.o.reference >= 0))
      throw new ArgumentError('reference must be a model index', {
        field: 'reference',
        expected: 'an integer >= 0',
        found: String(this.o.reference),
      });
    for (const key of ['hidden', 'frequencies', 'steps', 'batchSize'] as const) positiveInteger(key, this.o[key]);
  }

  protected forgetFit(): void {
    this.fitted = undefined;
    this.losses = [];
  }

  get parameterCount(): number {
    return this.fitted ? this.fitted.params.reduce((s, p) => s + parameterCount(p), 0) : 0;
  }

  /** Input features of coordinates [count, 2] → [count, 4F] (sin/cos per coordinate). */
  private features(jx: JaxModule, coordinates: JaxArray, frequencies: JaxArray): JaxArray {
    const np = jx.numpy;
    const [a, b] = np.split(coordinates, 2, 1);
    return np.concatenate([fourierFeatures(jx, a, frequencies.ref), fourierFeatures(jx, b, frequencies)], 1);
  }

  /** Relative coordinates of every entry of a tensor at the given shape, with optional noise on hidden axes. */
  private coordinates(field: TensorField, rows: number, cols: number, noise: Float64Array | undefined): Float32Array {
    const out = new Float32Array(rows * cols * 2);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const k = r * cols + c;
        const nr = noise && field.rowsHidden ? noise[2 * k] * this.o.coordinateNoise : 0;
        const nc = noise && field.colsHidden ? noise[2 * k + 1] * this.o.coordinateNoise : 0;
        out[2 * k] = (r + 0.5 + nr) / rows;
        out[2 * k + 1] = field.isBias ? 0 : (c + 0.5 + nc) / cols;
      }
    return out;
  }

  async fit(zoo: ZooInput, fitOptions: FitOptions = {}): Promise<this> {
    fitOptions = this.fitOptions(fitOptions);
    const started = performance.now();
    const models = await zooModels(zoo);
    checkZoo(models, { minimum: this.o.reference + 1, purpose: this.name });
    let model = models[this.o.reference];
    const layers = denseLayers(model);
    if (layers.some((l) => l.inOut))
      throw new ArgumentError('the weight field supports [out, in] linear layers only', { field: 'layout' });
    // Smoothing permutation of every hidden layer (units = incoming row, bias, outgoing column).
    const spec = mlpPermutationSpec(model);
    const perms: Permutations = {};
    layers.slice(0, -1).forEach((layer, l) => {
      const w = model.get(layer.weight).toFloat64(),
        next = layers[l + 1],
        w2 = model.get(next.weight).toFloat64();
      const b = layer.bias ? model.get(layer.bias).toFloat64() : new Float64Array(layer.outputs);
      const units = Array.from({ length: layer.outputs }, (_, u) =>
        Float64Array.from([
          ...w.subarray(u * layer.inputs, (u + 1) * layer.inputs),
          b[u],
          ...Array.from({ length: next.outputs }, (_, o) => w2[o * next.inputs + u]),
        ]),
      );
      perms[`P${l}`] = smoothingOrder(units);
    });
    model = applyPermutations(model, spec, perms);
    const fields: TensorField[] = [];
    layers.forEach((layer, l) => {
      const rowsHidden = l < layers.length - 1,
        colsHidden = l > 0;
      fields.push({
        name: layer.weight,
        isBias: false,
        rowsHidden,
        colsHidden,
        fanInHidden: colsHidden,
        rows: layer.outputs,
        cols: layer.inputs,
        fanIn: layer.inputs,
      });
      if (layer.bias)
        fields.push({
          name: layer.bias,
          isBias: true,
          rowsHidden,
          colsHidden: false,
          fanInHidden: colsHidden,
          rows: layer.outputs,
          cols: 1,
          fanIn: layer.inputs,
        });
    });
    const jx = await jaxModule();
    const F = this.o.frequencies;
    const frequencies = fourierFrequencies(F);
    const source = rng(this.o.seed).fold('weight-field-noise');
    // One trainer for all tensors' INRs (one loss = Σ per-tensor MSE): a jax-js step costs mostly
    // dispatch, so training the small INRs together is ~4x cheaper than one after another.
    // NeuMeta: weight = INR output / fan-in. The INR learns that output divided by its per-tensor
    // sd (unit-scale targets train much faster with Adam); the sd multiplies back when sampling.
    const scaled = fields.map((field) => Float64Array.from(model.get(field.name).toFloat64(), (v) => v * field.fanIn));
    const scales = scaled.map((t) => {
      const m = t.reduce((a, b) => a + b, 0) / t.length;
      return Math.sqrt(t.reduce((a, b) => a + (b - m) ** 2, 0) / t.length) || 1;
    });
    const targets = scaled.map((t, index) => Float32Array.from(t, (v) => v / scales[index]));
    const initial = fields.flatMap((_, index) =>
      linearStack([4 * F, this.o.hidden, this.o.hidden, 1], this.o.seed + index),
    );
    const perField = initial.length / fields.length;
    const trainer = await AdamTrainer.create(
      initial,
      (j, p, batch) => {
        const np = j.numpy;
        const f = batch[batch.length - 1];
        let total: JaxArray | undefined;
        fields.forEach((_, index) => {
          const error = np.mean(
            np.square(
              np.subtract(
                mlpForward(
                  j,
                  p.slice(index * perField, (index + 1) * perField),
                  this.features(j, batch[2 * index], f.ref),
                  'gelu',
                ),
                batch[2 * index + 1],
              ),
            ),
          );
          total = total ? np.add(total, error) : error;
        });
        f.dispose();
        return total!;
      },
      {
        learningRate: this.o.learningRate,
        schedule: 'cosine',
        finalLearningRate: this.o.learningRate / 30,
        totalSteps: this.o.steps,
      },
    );
    let params: HostParameters[];
    try {
      this.losses = await trainLoop(trainer, {
        steps: this.o.steps,
        signal: fitOptions.signal,
        progress: fitProgress(fitOptions, this.name),
        batch: () => [
          ...fields.flatMap((field, index) => {
            const count = field.rows * field.cols;
            const coords = this.coordinates(field, field.rows, field.cols, source.uniform(2 * count, -0.5, 0.5));
            if (count <= this.o.batchSize)
              return [deviceArray(jx, coords, [count, 2]), deviceArray(jx, targets[index], [count, 1])];
            const pick = source.integers(this.o.batchSize, 0, count);
            const x = new Float32Array(2 * pick.length),
              y = new Float32Array(pick.length);
            pick.forEach((k, r) => {
              x[2 * r] = coords[2 * k];
              x[2 * r + 1] = coords[2 * k + 1];
              y[r] = targets[index][k];
            });
            return [deviceArray(jx, x, [pick.length, 2]), deviceArray(jx, y, [pick.length, 1])];
          }),
          deviceArray(jx, frequencies, [1, F]),
        ],
      });
      const all = await trainer.parameters();
      params = fields.map((_, index) => all.slice(index * perField, (index + 1) * perField));
    } finally {
      trainer.dispose();
    }
    this.fitted = { template: model, fields, params, scales, width: layers[0].outputs };
    this.fitSeconds = (performance.now() - started) / 1000;
    return this;
  }

  /** n nets whose hidden layers all have `width` units (widths never trained included). */
  async sampleWidth(width: number, n: number, seed: number): Promise<WeightSet[]> {
    if (!Number.isInteger(width) || width < 1)
      throw new ArgumentError('width must be a positive integer', { field: 'width', found: String(width) });
    if (!Number.isInteger(n) || n < 1)
      throw new ArgumentError('n must be a positive integer', { field: 'n', found: String(n) });
    if (!this.fitted) throw new ArgumentError(`${this.name}: call fit(zoo) before sampling`);
    const { template, fields, params, scales } = this.fitted;
    const jx = await jaxModule();
    const F = this.o.frequencies;
    const source = rng(seed).fold('weight-field-sample');
    const values = new Map<string, Float64Array[]>();
    for (const [index, field] of fields.entries()) {
      const rows = field.rowsHidden ? width : field.rows;
      const cols = field.isBias ? 1 : field.colsHidden ? width : field.cols;
      const fanIn = field.fanInHidden ? width : field.fanIn;
      const count = rows * cols;
      const coords = new Float32Array(n * count * 2);
      for (let i = 0; i < n; i++)
        coords.set(
          this.coordinates(field, rows, cols, i === 0 ? undefined : source.uniform(2 * count, -0.5, 0.5)),
          i * count * 2,
        );
      const out = mlpForward(
        jx,
        toDevice(jx, params[index]),
        this.features(jx, deviceArray(jx, coords, [n * count, 2]), deviceArray(jx, fourierFrequencies(F), [1, F])),
        'gelu',
      );
      const flat = (await out.data()) as Float32Array;
      values.set(
        field.name,
        Array.from({ length: n }, (_, i) =>
          Float64Array.from(flat.subarray(i * count, (i + 1) * count), (v) => (v * scales[index]) / fanIn),
        ),
      );
    }
    return Array.from(
      { length: n },
      (_, i) =>
        new WeightSet(
          template.names.map((name): [string, Tensor] => {
            const field = fields.find((f) => f.name === name)!;
            const rows = field.rowsHidden ? width : field.rows;
            const shape = field.isBias ? [rows] : [rows, field.colsHidden ? width : field.cols];
            return [name, new Tensor('float64', values.get(name)![i], shape)];
          }),
          { metadata: { generator: this.name, seed, index: i, width } },
        ),
    );
  }

  async sample(n: number, seed: number): Promise<WeightSet[]> {
    if (!this.fitted) throw new ArgumentError(`${this.name}: call fit(zoo) before sample()`);
    return this.sampleWidth(this.fitted.width, n, seed);
  }
}

/** A NeuMeta-style weight field over an MLP zoo's reference model. */
export function weightField(options: WeightFieldOptions = {}): WeightFieldGenerator {
  return new WeightFieldGenerator(options);
}
