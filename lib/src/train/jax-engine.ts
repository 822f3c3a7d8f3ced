// The jax-js training engine of the zoo builder: a group of same-shaped MLP classifiers
// (same architecture, batch size and training-set size; different seeds, learning rates,
// weight decays, data) trained together, one jit-compiled SGD-with-momentum step for the whole
// group. Every layer is stacked along a leading model axis, so a layer is one batched matmul
// (models x rows x width) and the models never interact: model m's numbers do not depend on
// which other models share its group.
//
// It reproduces the JS trainer (./sgd.ts) step for step: initial parameters from
// initialParameters(seed), minibatches from dataOrder(seed, epoch) (the last, smaller batch
// kept), g = dL/dw + wd w, b = mu b + g, w -= lr b, and the per-epoch records come from the same
// float64 evaluation (supervisedTask(...).evaluate). Only the step runs in jax-js.
//
// Why the backward pass is written out instead of taken with jax.grad: jax-js 0.1.25 compiles
// some cross-entropy formulations wrongly under jit(grad): a per-row log-sum-exp minus the label
// logit, then a scaled reduction (`lse.sub(dot).mean()` or `.sum().mul(1 / B)`), came out with
// relative errors of 4-10 while eager grad and the logSoftmax form were right. And the
// written-out step measured about 2x faster at width 16 (1.9 vs 4.1 ms per step). Numerics: the
// wasm device computes float64 arithmetic, matmuls and sums exactly, but exp and tanh only to
// float32 grade (relative error up to ~4e-7), so a step agrees with the JS engine's to ~1e-7
// relative, not to the last bit; scalars (1/n, lr, mu, wd) enter as float64 input arrays because
// JS constants inside a jitted float64 program are rounded to float32.
//
// Speed (bench/zoo.js --engines): on 2 shared cores it did not beat the JS loops at the zoo's
// sizes (jax-js's batched float64 matmul runs at ~0.5-1 GFLOP/s, the JS loops at ~1), which is
// why 'js' stays the default and chooseEngine() decides what 'auto' means.

import { ArgumentError } from '../errors';
import { resolveEngine, type EngineOption } from '../backend/engine';
import { jax, type JaxArray, type JaxModule } from '../backend/jax';
import type { DatasetSplit } from '../data/dataset';
import { initialParameters, layerSlots, parameterCount, type MlpArchitecture } from './mlp';
import { checkTrainingJob, dataOrder, type EpochRecord, type TrainingJob } from './sgd';
import { supervisedTask } from './task';
import type { NetworkArchitecture } from './network';

/** Which code trains a zoo's models: the hand-written JS loops, the jitted jax-js group step, or 'auto' (backend/engine.ts's rule). */
export type TrainingEngine = EngineOption<'js' | 'jax'>;

/** The device the jitted steps run on: jax-js's 'cpu' interpreter crashed on jitted programs in 0.1.25 and webgpu has no float64. */
const DEVICE = 'wasm';

/** Why a job cannot be trained by the jax engine, or undefined when it can. */
export function jaxEngineLimitation(job: TrainingJob): string | undefined {
  if (job.architecture.kind !== 'mlp')
    return `the jax engine trains MLP classifiers only (this model is a ${job.architecture.kind.toUpperCase()}; use engine 'js')`;
  if ((job.optimizer ?? 'sgd') !== 'sgd')
    return `the jax engine implements SGD with momentum only (this job uses ${job.optimizer}; use engine 'js')`;
  return undefined;
}

/**
 * The engine that trains a job, by the one engine rule (backend/engine.ts resolveEngine): an
 * explicit 'js' or 'jax' is used or fails with the reason ('jax' trains SGD MLPs only); 'auto'
 * takes the first candidate that can run, fastest first. The order is measured: on 2 shared cores
 * (load 5) bench/zoo.js --engines never found jax faster for the zoo's MLPs (widths 16, 64, 256 at
 * batch 32 in groups of 1, 3, 8, 24: 0.09-0.91x the JS models/minute, best at width 256), so 'js'
 * is listed first. Reorder the candidates, not the builder, when a measurement (a bigger machine,
 * a newer jax-js) shows a win.
 */
export function chooseEngine(job: TrainingJob, requested: TrainingEngine = 'auto'): 'js' | 'jax' {
  return resolveEngine<'js' | 'jax'>('buildZoo', requested, [
    { name: 'js', unavailable: () => undefined },
    { name: 'jax', unavailable: () => jaxEngineLimitation(job) },
  ]);
}

type Step = (
  params: JaxArray[],
  velocity: JaxArray[],
  x: JaxArray,
  y: JaxArray,
  count: JaxArray,
  lr: JaxArray,
  mu: JaxArray,
  wd: JaxArray,
) => [JaxArray[], JaxArray[]];

/** The jitted SGD step of a stack of MLPs: forward, written-out backprop of the mean cross-entropy, weight decay, momentum. */
function makeStep(module: JaxModule, arch: MlpArchitecture): Step {
  const np = module.numpy;
  const layers = arch.hidden.length + 1;
  const swap = (a: JaxArray) => np.matrixTranspose(a);
  return module.jit(
    (
      params: JaxArray[],
      velocity: JaxArray[],
      x: JaxArray,
      y: JaxArray,
      count: JaxArray,
      lr: JaxArray,
      mu: JaxArray,
      wd: JaxArray,
    ) => {
      // Forward: inputs[l] is layer l's input (models, rows, in); pre[l] its pre-activation.
      const inputs: JaxArray[] = [x];
      const pre: JaxArray[] = [];
      for (let l = 0; l < layers; l++) {
        const z = np.matmul(inputs[l].ref, params[l * 2].ref).add(params[l * 2 + 1].ref);
        if (l + 1 < layers) {
          pre.push(z.ref);
          inputs.push(arch.activation === 'relu' ? np.maximum(z, 0) : np.tanh(z));
        } else {
          pre.push(z);
        }
      }
      // d(mean cross-entropy)/d(logits) = (softmax - onehot) / n, as the JS engine divides by n.
      let g = module.nn
        .softmax(pre[layers - 1], -1)
        .sub(y)
        .div(count);
      const nextParams: JaxArray[] = new Array(layers * 2);
      const nextVelocity: JaxArray[] = new Array(layers * 2);
      // The JS update, in its order: g += wd p; b = mu b + g; p -= lr b.
      const update = (slot: number, param: JaxArray, gradient: JaxArray) => {
        const v = velocity[slot].mul(mu.ref).add(gradient.add(param.ref.mul(wd.ref)));
        nextVelocity[slot] = v.ref;
        nextParams[slot] = param.sub(v.mul(lr.ref));
      };
      for (let l = layers - 1; l >= 0; l--) {
        const weight = params[l * 2];
        const bias = params[l * 2 + 1];
        const dW = np.matmul(swap(inputs[l].ref), g.ref);
        const db = g.ref.sum(1, { keepdims: true });
        if (l > 0) {
          const back = np.matmul(g, swap(weight.ref));
          // sigma'(z): 1[z > 0] for ReLU, 1 - a^2 for tanh (a = tanh z), as ./kernels.ts slope().
          const slope =
            arch.activation === 'relu'
              ? np.greater(pre[l - 1], 0).astype(np.float64)
              : np.subtract(1, inputs[l].ref.mul(inputs[l].ref));
          if (arch.activation === 'tanh') pre[l - 1].dispose();
          g = back.mul(slope);
        } else {
          g.dispose();
        }
        inputs[l].dispose();
        update(l * 2, weight, dW);
        update(l * 2 + 1, bias, db);
      }
      lr.dispose();
      mu.dispose();
      wd.dispose();
      return [nextParams, nextVelocity];
    },
  ) as unknown as Step;
}

export interface JaxGroupHyperparameters {
  learningRate: number;
  momentum: number;
  weightDecay: number;
}

/**
 * A group of MLPs of one architecture living in jax-js memory, stepped together by one jitted
 * SGD step. Parameters go in and come out in the flat PyTorch layout of ./mlp.ts.
 */
export class JaxMlpGroup {
  readonly architecture: MlpArchitecture;
  readonly models: number;
  private readonly module: JaxModule;
  private readonly program: Step;
  private params: JaxArray[];
  private velocity: JaxArray[];
  private readonly hyper: { lr: JaxArray; mu: JaxArray; wd: JaxArray };
  private readonly counts = new Map<number, JaxArray>();

  private constructor(
    module: JaxModule,
    arch: MlpArchitecture,
    initial: Float64Array[],
    hyper: JaxGroupHyperparameters[],
  ) {
    this.module = module;
    this.architecture = arch;
    this.models = initial.length;
    this.program = makeStep(module, arch);
    this.params = this.upload(initial);
    this.velocity = this.params.map((p) => module.numpy.zerosLike(p.ref) as JaxArray);
    const column = (pick: (h: JaxGroupHyperparameters) => number) =>
      this.array(Float64Array.from(hyper, pick), [this.models, 1, 1]);
    this.hyper = { lr: column((h) => h.learningRate), mu: column((h) => h.momentum), wd: column((h) => h.weightDecay) };
  }

  /** A group starting from `initial` (one flat parameter vector per model) with per-model SGD hyperparameters. */
  static async create(
    arch: MlpArchitecture,
    initial: Float64Array[],
    hyper: JaxGroupHyperparameters[],
  ): Promise<JaxMlpGroup> {
    if (arch.kind !== 'mlp')
      throw new ArgumentError('the jax engine trains MLPs only', {
        field: 'architecture',
        expected: 'mlp',
        found: String((arch as { kind?: unknown }).kind),
      });
    if (initial.length === 0 || initial.length !== hyper.length)
      throw new ArgumentError('one hyperparameter set per model', {
        field: 'hyper',
        expected: `${initial.length} (> 0)`,
        found: String(hyper.length),
      });
    const size = parameterCount(arch);
    initial.forEach((p, m) => {
      if (p.length !== size)
        throw new ArgumentError('parameter vector does not fit the architecture', {
          field: `initial[${m}]`,
          expected: String(size),
          found: String(p.length),
        });
    });
    return new JaxMlpGroup(await jax(), arch, initial, hyper);
  }

  private array(values: Float64Array, shape: number[]): JaxArray {
    return this.module.numpy.array(values, { shape, dtype: 'float64', device: DEVICE } as never) as JaxArray;
  }

  /** Flat PyTorch-layout vectors -> per layer a (models, in, out) weight and a (models, 1, out) bias. */
  private upload(flat: Float64Array[]): JaxArray[] {
    const M = this.models;
    return layerSlots(this.architecture).flatMap((slot) => {
      const { inputs: din, outputs: dout } = slot;
      const weight = new Float64Array(M * din * dout);
      const bias = new Float64Array(M * dout);
      for (let m = 0; m < M; m++) {
        const p = flat[m];
        for (let j = 0; j < dout; j++)
          for (let k = 0; k < din; k++) weight[m * din * dout + k * dout + j] = p[slot.weight + j * din + k];
        bias.set(p.subarray(slot.bias, slot.bias + dout), m * dout);
      }
      return [this.array(weight, [M, din, dout]), this.array(bias, [M, 1, dout])];
    });
  }

  /**
   * One SGD step of every model on its own minibatch: `x` holds models x n rows of inputs
   * (model-major), `labels` models x n class indices.
   */
  step(x: Float64Array, labels: Int32Array, n: number): void {
    const { inputs: F, outputs: C } = this.architecture;
    const M = this.models;
    if (x.length !== M * n * F || labels.length !== M * n)
      throw new ArgumentError('minibatch does not fit the group', {
        field: 'x',
        expected: `${M} x ${n} x ${F} inputs and ${M * n} labels`,
        found: `${x.length} and ${labels.length}`,
      });
    const onehot = new Float64Array(M * n * C);
    for (let r = 0; r < M * n; r++) onehot[r * C + labels[r]] = 1;
    if (!this.counts.has(n)) this.counts.set(n, this.array(Float64Array.of(n), []));
    const { lr, mu, wd } = this.hyper;
    [this.params, this.velocity] = this.program(
      this.params,
      this.velocity,
      this.array(x, [M, n, F]),
      this.array(onehot, [M, n, C]),
      this.counts.get(n)!.ref,
      lr.ref,
      mu.ref,
      wd.ref,
    );
  }

  /** The current parameters of every model, flat, in ./mlp.ts's layout (float64, copied out). */
  async parameters(): Promise<Float64Array[]> {
    const M = this.models;
    const out = Array.from({ length: M }, () => new Float64Array(parameterCount(this.architecture)));
    const data = await Promise.all(this.params.map((p) => p.ref.data() as Promise<Float64Array>));
    layerSlots(this.architecture).forEach((slot, l) => {
      const { inputs: din, outputs: dout } = slot;
      const weight = data[l * 2];
      const bias = data[l * 2 + 1];
      for (let m = 0; m < M; m++) {
        const p = out[m];
        for (let j = 0; j < dout; j++)
          for (let k = 0; k < din; k++) p[slot.weight + j * din + k] = weight[m * din * dout + k * dout + j];
        p.set(bias.subarray(m * dout, (m + 1) * dout), slot.bias);
      }
    });
    return out;
  }

  /** Frees the group's jax-js memory. */
  dispose(): void {
    for (const a of [
      ...this.params,
      ...this.velocity,
      this.hyper.lr,
      this.hyper.mu,
      this.hyper.wd,
      ...this.counts.values(),
    ])
      a.dispose();
    this.params = [];
    this.velocity = [];
    this.counts.clear();
  }
}

export interface GroupTrainingHooks {
  /** Called after the evaluation of every epoch of model `model` (0 = initialisation). */
  onEpoch?(model: number, record: EpochRecord, params: Float64Array): void;
  /** Checked between epochs: an error it returns stops training (e.g. an interrupt). */
  interruption?(): Error | undefined;
}

function sameArchitecture(a: NetworkArchitecture, b: NetworkArchitecture): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Trains a group of MLP classifiers with the jax engine: jobs[m] on splits[m]. The jobs must
 * share architecture, batch size and epochs, and the splits their training-set size; seeds,
 * learning rates, momenta, weight decays and the data itself may differ. Returns, per model,
 * what trainNetwork would (final parameters and the result.json records); a model whose loss
 * becomes NaN stops being recorded at that epoch, as in the JS engine.
 */
export async function trainNetworksJax(
  jobs: TrainingJob[],
  splits: DatasetSplit[],
  hooks: GroupTrainingHooks = {},
): Promise<{ params: Float64Array; records: EpochRecord[] }[]> {
  if (jobs.length === 0 || splits.length !== jobs.length)
    throw new ArgumentError('one dataset split per job', {
      field: 'splits',
      expected: `${jobs.length} (> 0)`,
      found: String(splits.length),
    });
  const first = jobs[0];
  jobs.forEach((job, m) => {
    checkTrainingJob(job);
    const limitation = jaxEngineLimitation(job);
    if (limitation) throw new ArgumentError(limitation, { field: `jobs[${m}]` });
    if (
      !sameArchitecture(job.architecture, first.architecture) ||
      job.batchSize !== first.batchSize ||
      job.epochs !== first.epochs
    ) {
      throw new ArgumentError('a jax training group shares architecture, batch size and epochs', {
        field: `jobs[${m}]`,
        expected: `${JSON.stringify(first.architecture)}, batch ${first.batchSize}, ${first.epochs} epochs`,
        found: `${JSON.stringify(job.architecture)}, batch ${job.batchSize}, ${job.epochs} epochs`,
      });
    }
    if (splits[m].train.size !== splits[0].train.size)
      throw new ArgumentError('a jax training group shares the training-set size', {
        field: `splits[${m}]`,
        expected: String(splits[0].train.size),
        found: String(splits[m].train.size),
      });
  });
  const arch = first.architecture as MlpArchitecture;
  const M = jobs.length;
  const N = splits[0].train.size;
  const F = arch.inputs;
  const batch = Math.min(first.batchSize, N);
  // The evaluation chunk of trainNetwork, so records are computed exactly as the JS engine's.
  const tasks = jobs.map((job, m) =>
    supervisedTask(arch, splits[m], { chunk: Math.max(Math.min(job.batchSize, splits[m].train.size), 256) }),
  );
  const initial = jobs.map((job) => initialParameters(arch, job.seed));
  const results = initial.map((params) => ({ params, records: [] as EpochRecord[] }));
  const stopped = new Array<boolean>(M).fill(false);
  const evaluate = (epoch: number, current: Float64Array[]) => {
    for (let m = 0; m < M; m++) {
      if (stopped[m]) continue;
      results[m].params = current[m];
      const record: EpochRecord = { epoch, ...tasks[m].evaluate(current[m]) };
      if (!Number.isFinite(record.train_loss) || !Number.isFinite(record.test_loss)) {
        record.nan = true;
        stopped[m] = true;
      }
      results[m].records.push(record);
      hooks.onEpoch?.(m, record, current[m]);
    }
  };
  evaluate(0, initial);
  const group = await JaxMlpGroup.create(arch, initial, jobs);
  try {
    const x = new Float64Array(M * batch * F);
    const labels = new Int32Array(M * batch);
    for (let epoch = 1; epoch <= first.epochs && stopped.some((s) => !s); epoch++) {
      const error = hooks.interruption?.();
      if (error) throw error;
      const orders = jobs.map((job) => dataOrder(job.seed, epoch, N));
      for (let start = 0; start < N; start += batch) {
        const n = Math.min(batch, N - start); // PyTorch keeps the last, smaller batch
        for (let m = 0; m < M; m++) {
          const { train } = splits[m];
          for (let r = 0; r < n; r++) {
            const i = orders[m][start + r];
            x.set(train.x.subarray(i * F, (i + 1) * F), (m * n + r) * F);
            labels[m * n + r] = train.y[i];
          }
        }
        group.step(x.subarray(0, M * n * F), labels.subarray(0, M * n), n);
      }
      evaluate(epoch, await group.parameters());
    }
  } finally {
    group.dispose();
  }
  return results;
}
