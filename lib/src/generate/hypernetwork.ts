// Hypernetworks that generate a zoo's weights from a low-dimensional code, trained as
// auto-decoders on the aligned zoo (each train model gets a learned code; a Gaussian fitted to the
// codes is sampled to make new models). Four output structures from the hypernetwork literature:
//   plain   — one MLP emits every (standardised) weight at once (hypnettorch HMLP);
//   chunked — one MLP emits a chunk from (code, learned chunk embedding) (ChunkedHMLP);
//   mip     — magnitude-invariant: code → sigmoid → [cos(πγ/2), sin(πγ/2)] (constant norm), and
//             θ = θ₀ + Δθ with θ₀ the output bias initialised like the primary net (Ortiz et al. 2024);
//   rnn     — a recurrent cell emits the target layer by layer, later layers conditioned on earlier
//             ones through the hidden state (Chandra et al. 2023, dependency-preserving).
// Two objectives. 'zoo' (default): an auto-decoder regressed on the aligned zoo, like the other
// generators. 'task': the classic hypernetwork (Ha et al. 2017; MIP, Ortiz et al. 2024), trained end
// to end on the task's train split: Gaussian codes → hypernet → weights → cross-entropy of the
// generated MLP, differentiated through the generated network (lib/generate/task-objective). The
// zoo then gives only the architecture; coordinates are init-scaled, not zoo-standardised. The task
// loss alone collapses to one network whatever the code; `diversity` subtracts the log spread of
// the batch's predictions between the train examples (function-space repulsion), so different
// codes give different networks.

import { ArgumentError } from '../errors';
import type { OptionDefaults } from '../options/resolve';
import { rng } from '../random/rng';
import type { WeightSet } from '../weights/weight-set';
import type { PermutationSpec } from '../align/permutation-spec';
import { AdamTrainer, fitProgress, trainLoop } from './nn/adam';
import { deviceArray, jaxModule, mlpForward, toDevice, type JaxArray, type JaxModule } from './nn/jax-ops';
import { constantParameter, linearStack, normalParameter, parameterCount, type HostParameters } from './nn/parameters';
import { Representation } from './representation';
import type { ClassificationData } from './evaluate/mlp-classifier';
import {
  betweenExamples,
  generatedMlpLoss,
  initScale,
  mlpLayout,
  taskMinibatch,
  taskTrainingData,
} from './task-objective';
import { RandomInitBaseline } from './baselines';
import {
  ConfiguredGenerator,
  oneOf,
  positiveInteger,
  type FitOptions,
  type GeneratorFamily,
  type WeightGenerator,
  type ZooInput,
} from './types';
import { fullWeightRepresentation } from './weight-space';

export type HypernetworkKind = 'plain' | 'chunked' | 'mip' | 'rnn';

export interface HypernetworkOptions {
  /**
   * Output structure: 'plain', 'chunked', 'mip' (magnitude-invariant) or 'rnn' (layer by layer).
   * @default 'plain'
   */
  kind?: HypernetworkKind;
  /**
   * 'zoo': regress the aligned train zoo (auto-decoder). 'task': minimise the task loss of the
   * generated networks on the train split (kinds plain, chunked and mip); the data come from
   * `data` or from fit(zoo, { task }) (evaluateGenerator passes its task).
   * @default 'zoo'
   */
  objective?: 'zoo' | 'task';
  /**
   * Train split for objective 'task'.
   * @default undefined (the fit options' task)
   */
  data?: ClassificationData;
  /**
   * Objective 'task' only: weight of the function-space repulsion subtracted from the task loss,
   * the mean log squared distance between the predicted probabilities of each pair of the step's
   * generated networks, measured on `examplesPerStep` mixup points between train examples
   * (task-objective predictionSpread). 0 is the plain task loss, whose samples collapse to one
   * network. `losses` then record the task loss minus this term. On the digits MLP
   * (notebooks/generators.ipynb) 0.1 lifts the MIP hypernet's pairwise disagreement from 0 to a
   * few percent of test digits for about 1.5 points of accuracy; 1 trades far too much accuracy.
   * @default 0
   */
  diversity?: number;
  /**
   * Generated networks per task-loss step.
   * @default 8
   */
  networksPerStep?: number;
  /**
   * Train examples per task-loss step.
   * @default 128
   */
  examplesPerStep?: number;
  /**
   * Code (embedding) size per model.
   * @default 8
   */
  codeSize?: number;
  /**
   * Hidden width of the hypernetwork.
   * @default 128
   */
  hidden?: number;
  /**
   * Chunk size of the chunked hypernet.
   * @default 128
   */
  chunkSize?: number;
  /**
   * Chunk-embedding size of the chunked hypernet.
   * @default 8
   */
  chunkEmbedding?: number;
  /**
   * Training steps.
   * @default 1500
   */
  steps?: number;
  /**
   * Adam learning rate.
   * @default 2e-3
   */
  learningRate?: number;
  /**
   * Weight of the code regulariser mean(code²) (keeps codes Gaussian-like).
   * @default 1e-2
   */
  codeDecay?: number;
  /**
   * Git Re-Basin alignment to model 0 before fitting (objective 'zoo').
   * @default true
   */
  align?: boolean;
  /**
   * Permutation spec of the alignment.
   * @default undefined (the automatic MLP spec)
   */
  spec?: PermutationSpec;
  /**
   * Seed of the initialisation and of the training batches.
   * @default 0
   */
  seed?: number;
}

/** hypernetwork's defaults (documented with @default in HypernetworkOptions). */
export const HYPERNETWORK_DEFAULTS = {
  kind: 'plain',
  objective: 'zoo',
  data: undefined,
  diversity: 0,
  networksPerStep: 8,
  examplesPerStep: 128,
  codeSize: 8,
  hidden: 128,
  chunkSize: 128,
  chunkEmbedding: 8,
  steps: 1500,
  learningRate: 2e-3,
  codeDecay: 1e-2,
  align: true,
  spec: undefined,
  seed: 0,
} as const satisfies OptionDefaults<HypernetworkOptions>;

interface Layout {
  /** Output slots (per chunk or per layer) of width `slot`; target positions per slot. */
  slots: number;
  slot: number;
  /** For each output position slot*s + j: index into the weight vector, or −1 for padding. */
  positions: Int32Array;
}

function chunkLayout(d: number, chunk: number): Layout {
  const slots = Math.ceil(d / chunk);
  return { slots, slot: chunk, positions: Int32Array.from({ length: slots * chunk }, (_, i) => (i < d ? i : -1)) };
}

function layerLayout(weights: WeightSet): Layout {
  // Tensors grouped by layer in WeightSet order; one slot per layer, padded to the largest.
  const sizes = weights.layers.map((layer) =>
    [layer.weight, layer.bias, ...Object.values(layer.extras ?? {})]
      .filter(Boolean)
      .reduce((s, name) => s + weights.info(name!).shape.reduce((a, b) => a * b, 1), 0),
  );
  const starts = weights.flatOffsets();
  const slot = Math.max(...sizes);
  const positions = new Int32Array(sizes.length * slot).fill(-1);
  weights.layers.forEach((layer, l) => {
    let j = 0;
    for (const name of [layer.weight, layer.bias, ...Object.values(layer.extras ?? {})]) {
      if (!name) continue;
      const size = weights.info(name).shape.reduce((a, b) => a * b, 1);
      for (let k = 0; k < size; k++) positions[l * slot + j++] = starts.get(name)! + k;
    }
  });
  return { slots: sizes.length, slot, positions };
}

export class HypernetworkGenerator
  extends ConfiguredGenerator<HypernetworkOptions, typeof HYPERNETWORK_DEFAULTS>
  implements WeightGenerator
{
  readonly family: GeneratorFamily = 'generator';
  readonly mini = false;
  fitSeconds = 0;
  losses: number[] = [];
  private fitted?: {
    representation: Representation;
    params: HostParameters;
    layout: Layout;
    codeMean: Float64Array;
    codeStd: Float64Array;
  };

  constructor(options: HypernetworkOptions = {}) {
    super('hypernetwork', HYPERNETWORK_DEFAULTS, options);
  }

  protected validate(): void {
    oneOf('kind', this.o.kind, ['plain', 'chunked', 'mip', 'rnn']);
    oneOf('objective', this.o.objective, ['zoo', 'task']);
    if (!(Number.isFinite(this.o.diversity) && this.o.diversity >= 0))
      throw new ArgumentError('diversity must be a finite number >= 0', {
        field: 'diversity',
        found: String(this.o.diversity),
      });
    if (this.o.diversity > 0 && this.o.objective !== 'task')
      throw new ArgumentError("diversity applies to objective 'task' only", {
        field: 'diversity',
        expected: "objective: 'task'",
        found: `objective: '${this.o.objective}'`,
      });
    if (this.o.objective === 'task' && this.o.kind === 'rnn')
      throw new ArgumentError("objective 'task' supports kinds 'plain', 'chunked' and 'mip'", {
        field: 'kind',
        found: 'rnn',
      });
    for (const key of [
      'networksPerStep',
      'examplesPerStep',
      'codeSize',
      'hidden',
      'chunkSize',
      'chunkEmbedding',
      'steps',
    ] as const)
      positiveInteger(key, this.o[key]);
  }

  protected forgetFit(): void {
    this.fitted = undefined;
    this.losses = [];
  }

  get name(): string {
    const label = {
      plain: 'hypernetwork (plain MLP)',
      chunked: 'hypernetwork (chunked)',
      mip: 'hypernetwork (MIP, magnitude-invariant)',
      rnn: 'hypernetwork (RNN, layer by layer)',
    }[this.o.kind];
    if (this.o.objective !== 'task') return label;
    return this.o.diversity > 0 ? `${label}, task loss + diversity ${this.o.diversity}` : `${label}, task loss`;
  }

  get parameterCount(): number {
    return this.fitted ? parameterCount(this.fitted.params) : 0;
  }

  /**
   * Parameter list: [codes, ...structure-specific]. The forward maps codes [N, e] to the slot
   * outputs [N, slots·slot] (consumes params and the constant inputs).
   */
  private forward(
    jx: JaxModule,
    p: JaxArray[],
    codes: JaxArray,
    constants: JaxArray[],
    count: number,
    layout: Layout,
  ): JaxArray {
    const np = jx.numpy;
    const { kind } = this.o;
    if (kind === 'plain') return mlpForward(jx, p, codes, 'gelu');
    if (kind === 'mip') {
      // γ = sigmoid(code) ∈ (0,1); E(γ) = [cos(πγ/2), sin(πγ/2)] has norm √e whatever the code.
      const angle = np.multiply(jx.nn.sigmoid(codes), Math.PI / 2);
      const encoded = np.concatenate([np.cos(angle.ref), np.sin(angle)], 1);
      const [theta0, ...rest] = p;
      return np.add(mlpForward(jx, rest, encoded, 'gelu'), theta0);
    }
    if (kind === 'chunked') {
      // Rows = (model, chunk): [repeat(codes), chunk embedding] → chunk values.
      const [embeddings, ...mlp] = p;
      const [repeatModels, selectChunks] = constants;
      const input = np.concatenate([np.matmul(repeatModels, codes), np.matmul(selectChunks, embeddings)], 1);
      return np.reshape(mlpForward(jx, mlp, input, 'gelu'), [count, layout.slots * layout.slot]);
    }
    // rnn: h_l = tanh(code·Wz + h_{l−1}·Wh + onehot(l)·Wp + b); slot_l = h_l·Wo + bo.
    const [wz, wh, wp, b, wo, bo] = p;
    const [positions] = constants; // [slots, slots] identity rows
    const zProjection = np.add(np.matmul(codes, wz), b);
    const positionTerms = np.matmul(positions, wp); // [slots, hidden]
    const rows = np.split(positionTerms, layout.slots, 0);
    let h: JaxArray | undefined;
    const outputs: JaxArray[] = [];
    for (let l = 0; l < layout.slots; l++) {
      let pre = np.add(zProjection.ref, rows[l]);
      if (h) pre = np.add(pre, np.matmul(h, wh.ref));
      h = np.tanh(pre);
      outputs.push(np.add(np.matmul(h.ref, wo.ref), bo.ref));
    }
    zProjection.dispose();
    wh.dispose();
    wo.dispose();
    bo.dispose();
    h!.dispose();
    return np.concatenate(outputs, 1);
  }

  private constants(jx: JaxModule, count: number, layout: Layout): JaxArray[] {
    if (this.o.kind === 'chunked') {
      const repeat = new Float32Array(count * layout.slots * count);
      const select = new Float32Array(count * layout.slots * layout.slots);
      for (let i = 0; i < count; i++)
        for (let c = 0; c < layout.slots; c++) {
          const row = i * layout.slots + c;
          repeat[row * count + i] = 1;
          select[row * layout.slots + c] = 1;
        }
      return [
        deviceArray(jx, repeat, [count * layout.slots, count]),
        deviceArray(jx, select, [count * layout.slots, layout.slots]),
      ];
    }
    if (this.o.kind === 'rnn') {
      const eye = new Float32Array(layout.slots * layout.slots);
      for (let l = 0; l < layout.slots; l++) eye[l * layout.slots + l] = 1;
      return [deviceArray(jx, eye, [layout.slots, layout.slots])];
    }
    return [];
  }

  async fit(zoo: ZooInput, fitOptions: FitOptions = {}): Promise<this> {
    fitOptions = this.fitOptions(fitOptions);
    const started = performance.now();
    const o = this.o;
    const { models, space, representation: zooRepresentation } = await fullWeightRepresentation(zoo, o, this.name);
    const task = o.objective === 'task';
    // The task objective sees no zoo statistics: init-scaled coordinates (shift 0, scale 1/√fan_in).
    const layoutOfMlp = task ? mlpLayout(space.template) : undefined;
    const representation = layoutOfMlp
      ? Representation.scaled(space, new Float64Array(layoutOfMlp.dimension), initScale(layoutOfMlp))
      : zooRepresentation;
    const d = representation.dimension;
    const layout =
      o.kind === 'rnn'
        ? layerLayout(space.template)
        : o.kind === 'chunked'
          ? chunkLayout(d, o.chunkSize)
          : { slots: 1, slot: d, positions: Int32Array.from({ length: d }, (_, i) => i) };
    const width = layout.slots * layout.slot;
    const n = representation.count;
    // Targets scattered into slot positions; the mask zeroes the padding in the loss.
    const target = new Float32Array(n * width);
    const mask = new Float32Array(width);
    layout.positions.forEach((position, j) => {
      if (position >= 0) {
        mask[j] = 1;
        for (let i = 0; i < n; i++) target[i * width + j] = representation.data[i * d + position];
      }
    });
    const e = o.codeSize,
      h = o.hidden;
    const seed = o.seed;
    const codes = normalParameter([n, e], seed, 0.1);
    let structure: HostParameters;
    if (o.kind === 'plain') structure = linearStack([e, h, h, width], seed + 1);
    else if (o.kind === 'chunked')
      structure = [
        normalParameter([layout.slots, o.chunkEmbedding], seed + 2, 1),
        ...linearStack([e + o.chunkEmbedding, h, h, layout.slot], seed + 1),
      ];
    else if (o.kind === 'mip') {
      // θ₀ = a random initialisation of the primary net (PyTorch default init), in this fit's units.
      const init = (await (await new RandomInitBaseline().fit(models)).sample(1, seed))[0].flatten();
      const theta0 = representation.encode(init);
      structure = [
        { values: Float32Array.from(theta0), shape: [width] },
        ...linearStack([2 * e, h, h, width], seed + 1, { scale: 0.5 }),
      ];
    } else {
      structure = [
        ...linearStack([e, h], seed + 1),
        ...linearStack([h, h], seed + 3, { scale: 0.5 }).slice(0, 1),
        normalParameter([layout.slots, h], seed + 4, 0.1),
        constantParameter([h], 0),
        ...linearStack([h, layout.slot], seed + 5),
      ];
      // Order as forward expects: wz, wh, wp, b, wo, bo.
      const [wz, , wh, wp, b, wo, bo] = structure;
      structure = [wz, wh, wp, b, wo, bo];
    }
    const jx = await jaxModule();
    const decay = o.codeDecay;
    const initial = task ? structure : [codes, ...structure];
    const { data, activation } = task
      ? taskTrainingData(o.data, fitOptions, this.name)
      : { data: undefined, activation: 'relu' as const };
    const B = o.networksPerStep;
    const repel = task && o.diversity > 0;
    const scale = Float32Array.from(representation.scale);
    const trainer = task
      ? await AdamTrainer.create(
          initial,
          (j, p, [z, x, onehot, scaleRow, ...rest]) => {
            const context = repel ? rest[0] : undefined;
            const constants = repel ? rest.slice(1) : rest;
            const out = this.forward(j, p, z, constants, B, layout);
            const raw = j.numpy.multiply(out.slice([], [0, d]), scaleRow);
            return generatedMlpLoss(
              j,
              layoutOfMlp!,
              raw,
              x,
              onehot,
              activation,
              B,
              context ? { weight: o.diversity, context } : undefined,
            );
          },
          {
            learningRate: o.learningRate,
            schedule: 'cosine',
            finalLearningRate: o.learningRate / 20,
            totalSteps: o.steps,
            warmupSteps: Math.min(50, o.steps / 10),
          },
        )
      : await AdamTrainer.create(
          initial,
          (j, p, [y, m, ...constants]) => {
            const np = j.numpy;
            const [z, ...rest] = p;
            const out = this.forward(j, rest, z.ref, constants, n, layout);
            const error = np.multiply(np.square(np.subtract(out, y)), m);
            return np.add(np.divide(np.sum(error), n * d), np.multiply(np.mean(np.square(z)), decay));
          },
          {
            learningRate: o.learningRate,
            schedule: 'cosine',
            finalLearningRate: o.learningRate / 20,
            totalSteps: o.steps,
          },
        );
    const source = rng(seed).fold('hypernetwork-task');
    try {
      this.losses = await trainLoop(trainer, {
        steps: o.steps,
        signal: fitOptions.signal,
        progress: fitProgress(fitOptions, this.name),
        batch: () =>
          task
            ? [
                deviceArray(jx, source.normal(B * e), [B, e]),
                ...taskMinibatch(jx, data!, layoutOfMlp!.classes, o.examplesPerStep, source),
                deviceArray(jx, scale, [1, d]),
                ...(repel ? [betweenExamples(jx, data!, o.examplesPerStep, source)] : []),
                ...this.constants(jx, B, layout),
              ]
            : [
                deviceArray(jx, target, [n, width]),
                deviceArray(jx, mask, [1, width]),
                ...this.constants(jx, n, layout),
              ],
      });
      const params = await trainer.parameters();
      const codeMean = new Float64Array(e),
        codeStd = new Float64Array(e).fill(1);
      if (!task) {
        // Auto-decoder: new codes from a Gaussian fitted to the learned train codes.
        const learned = params[0].values;
        codeStd.fill(0);
        for (let i = 0; i < n; i++) for (let k = 0; k < e; k++) codeMean[k] += learned[i * e + k] / n;
        for (let i = 0; i < n; i++)
          for (let k = 0; k < e; k++) codeStd[k] += (learned[i * e + k] - codeMean[k]) ** 2 / n;
        for (let k = 0; k < e; k++) codeStd[k] = Math.sqrt(codeStd[k]);
      }
      this.fitted = { representation, params: task ? params : params.slice(1), layout, codeMean, codeStd };
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
    const { representation, params, layout, codeMean, codeStd } = this.fitted;
    const e = this.o.codeSize;
    const jx = await jaxModule();
    const draws = rng(seed)
      .fold('hypernetwork-codes')
      .normal(n * e);
    const codes = Float32Array.from(draws, (v, i) => codeMean[i % e] + codeStd[i % e] * v);
    const out = this.forward(
      jx,
      toDevice(jx, params),
      deviceArray(jx, codes, [n, e]),
      this.constants(jx, n, layout),
      n,
      layout,
    );
    const values = (await out.data()) as Float32Array;
    const width = layout.slots * layout.slot;
    const d = representation.dimension;
    const rows = new Float32Array(n * d);
    for (let i = 0; i < n; i++)
      layout.positions.forEach((position, j) => {
        if (position >= 0) rows[i * d + position] = values[i * width + j];
      });
    return representation.weights(rows, n, (i) => ({ generator: this.name, seed, index: i }));
  }
}

/** A hypernetwork generator: kind 'plain', 'chunked', 'mip' or 'rnn' (defaults: HYPERNETWORK_DEFAULTS). */
export function hypernetwork(options: HypernetworkOptions = {}): HypernetworkGenerator {
  return new HypernetworkGenerator(options);
}
