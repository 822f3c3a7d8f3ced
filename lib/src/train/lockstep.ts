// Training a group of same-shaped MLPs in lockstep (issue #18, training speed): the models of a
// zoo grid share architecture, batch size and epochs, so one pass of the wasm kernels
// (lib/assembly/lockstep.ts) trains two models per f64x2 instruction instead of one model per
// scalar JS loop. Each model keeps its own seed, data order, learning rate, momentum and weight
// decay, and every lane repeats trainNetwork's float64 operations in trainNetwork's order, so a
// model gets the same bits alone, in a pair or in a group of any size (tests/train/lockstep.test.ts).
// The softmax and the epoch evaluations' loss sums stay in JS (lib/src/train/kernels.ts
// crossEntropy): wasm's Math.exp/log are not V8's, and the bits must match.
//
// Jobs the kernels do not cover (CNNs, tanh, Adam) or a runtime without the kernel fall back to
// trainNetwork one by one, with the same results by definition.

import { ArgumentError } from '../errors';
import type { Dataset } from '../data/dataset';
import { resolveEngine, type EngineOption } from '../backend/engine';
import { wasmKernel, wasmKernelUnavailable, type WasmKernel } from '../backend/wasm';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { crossEntropy } from './kernels';
import { initialParameters, layerSlots, parameterCount, type MlpArchitecture } from './mlp';
import { checkTrainingJob, dataOrder, trainNetwork, TRAINING_JOB_DEFAULTS, type EpochRecord, type TrainingJob } from './sgd';

export interface LockstepOptions {
  /**
   * Models trained together in one pass of the kernels. Results do not depend on it (each model
   * is its own lane); larger groups amortise per-call overhead and use more memory.
   * @default 32
   */
  groupSize?: number;
  /** 'wasm' (the lockstep kernels) or 'js' (trainNetwork one model at a time). @default 'auto' */
  engine?: EngineOption<'wasm' | 'js'>;
  /** Called after the evaluation of every epoch of model `index` (position in `jobs`) with a copy of its parameters. */
  onEpoch?: (index: number, record: EpochRecord, params: Float64Array) => void;
}

export const LOCKSTEP_DEFAULTS = { groupSize: 32, engine: 'auto', onEpoch: undefined } as const satisfies OptionDefaults<LockstepOptions>;

export interface LockstepResult {
  params: Float64Array;
  records: EpochRecord[];
}

interface LockstepExports {
  affine(a: number, n: number, din: number, w: number, b: number, dout: number, out: number, withBias: number): void;
  relu(z: number, count: number, out: number): void;
  reluBackward(back: number, z: number, count: number, out: number): void;
  accumulate(g: number, n: number, dout: number, a: number, din: number, gw: number, gb: number): void;
  backProject(g: number, n: number, dout: number, w: number, din: number, out: number): void;
  sgdStep(params: number, grad: number, velocity: number, count: number, lr0: number, lr1: number, mu0: number, mu1: number, wd0: number, wd1: number): void;
}

/** Bytes of one lane-interleaved pair element (two doubles). */
const PAIR = 16;

/** Whether the lockstep kernels reproduce trainNetwork for this job (else it is trained alone). */
function lockstepCovers(job: TrainingJob): boolean {
  const arch = job.architecture;
  return arch.kind === 'mlp' && arch.activation === 'relu' && (job.optimizer ?? TRAINING_JOB_DEFAULTS.optimizer) === 'sgd';
}

/** Jobs that can share a pass: same architecture, batch size and epochs. */
function groupKey(job: TrainingJob): string {
  return JSON.stringify([job.architecture, job.batchSize, job.epochs]);
}

/**
 * Trains every job on `train` (evaluating on `train` and `test` after each epoch, as
 * trainNetwork does) and returns their results in the order of `jobs`. Same-shaped ReLU MLP
 * jobs with SGD are trained in lockstep groups; each result equals trainNetwork(job, train, test).
 */
export function trainLockstep(jobs: readonly TrainingJob[], train: Dataset, test: Dataset, options?: LockstepOptions): LockstepResult[] {
  const resolved = resolveOptions('trainLockstep', LOCKSTEP_DEFAULTS, options);
  if (!Array.isArray(jobs)) throw new ArgumentError('trainLockstep takes an array of training jobs', { field: 'jobs', found: typeof jobs });
  const groupSize = resolved.groupSize;
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new ArgumentError('groupSize must be a positive integer', { field: 'groupSize', found: String(groupSize) });
  jobs.forEach((job) => checkTrainingJob(job));
  const engine = resolveEngine('trainLockstep', resolved.engine, [
    { name: 'wasm', unavailable: () => wasmKernelUnavailable('lockstep') },
    { name: 'js', unavailable: () => undefined },
  ]);
  const results: LockstepResult[] = new Array(jobs.length);
  const alone = (index: number) => {
    const hooks = resolved.onEpoch ? { onEpoch: (record: EpochRecord, params: Float64Array) => resolved.onEpoch!(index, record, Float64Array.from(params)) } : {};
    results[index] = trainNetwork(jobs[index], train, test, hooks);
  };
  const groups = new Map<string, number[]>();
  jobs.forEach((job, index) => {
    if (engine === 'wasm' && lockstepCovers(job)) {
      const key = groupKey(job);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(index);
    } else {
      alone(index);
    }
  });
  const kernel = engine === 'wasm' ? wasmKernel<LockstepExports>('lockstep') : undefined;
  for (const members of groups.values()) {
    for (let start = 0; start < members.length; start += groupSize) {
      const indices = members.slice(start, start + groupSize);
      const trained = trainGroup(kernel!, indices.map((i) => jobs[i]), train, test, resolved.onEpoch && ((lane, record, params) => resolved.onEpoch!(indices[lane], record, params)));
      indices.forEach((index, lane) => { results[index] = trained[lane]; });
    }
  }
  return results;
}

/** The lockstep loop for jobs sharing architecture, batch size and epochs (lanes in job order). */
function trainGroup(kernel: WasmKernel<LockstepExports>, jobs: TrainingJob[], train: Dataset, test: Dataset, onEpoch?: (lane: number, record: EpochRecord, params: Float64Array) => void): LockstepResult[] {
  const arch = jobs[0].architecture as MlpArchitecture;
  if (arch.inputs !== train.features || arch.outputs !== train.classes) {
    throw new ArgumentError('architecture does not fit the dataset', { field: train.name, expected: `${train.features} inputs, ${train.classes} outputs`, found: `${arch.inputs}, ${arch.outputs}` });
  }
  const { batchSize, epochs } = jobs[0];
  const slots = layerSlots(arch);
  const L = slots.length;
  const P = parameterCount(arch);
  const f = arch.inputs;
  const C = arch.outputs;
  const sizes = [arch.inputs, ...arch.hidden, arch.outputs];
  const examples = train.size;
  const batch = Math.min(batchSize, examples);
  // trainNetwork's evaluation chunk: it fixes the summation order of the whole-data losses.
  const chunk = Math.max(batch, 256);
  const models = jobs.length;
  const pairs = Math.ceil(models / 2);
  // A lone last model shares its pair with a copy of itself (its lane's results are dropped).
  const laneJob = (q: number, lane: number) => jobs[Math.min(2 * q + lane, models - 1)];

  return kernel.withArena(() => {
    const alloc = (elements: number) => kernel.allocate(elements * PAIR);
    const trainX = alloc(examples * f);
    const testX = alloc(test.size * f);
    const state = Array.from({ length: pairs }, () => ({
      params: alloc(P), velocity: alloc(P), grad: alloc(P), input: alloc(chunk * f),
      z: sizes.map((s) => alloc(chunk * s)), a: sizes.map((s) => alloc(chunk * s)), g: sizes.map((s) => alloc(chunk * s)),
      back: alloc(chunk * Math.max(...sizes)),
    }));
    // Every allocation is done: views stay valid from here on.
    const heap = new Float64Array(kernel.memory.buffer);
    const element = (offset: number) => offset / 8;
    const interleaveShared = (offset: number, x: Float64Array) => {
      const base = element(offset);
      for (let e = 0; e < x.length; e++) { heap[base + 2 * e] = x[e]; heap[base + 2 * e + 1] = x[e]; }
    };
    interleaveShared(trainX, train.x);
    interleaveShared(testX, test.x);
    for (let q = 0; q < pairs; q++) {
      for (let lane = 0; lane < 2; lane++) {
        const init = initialParameters(arch, laneJob(q, lane).seed);
        const base = element(state[q].params) + lane;
        for (let k = 0; k < P; k++) heap[base + 2 * k] = init[k];
      }
      heap.fill(0, element(state[q].velocity), element(state[q].velocity) + 2 * P);
    }
    const ex = kernel.exports;
    const weight = (base: number, l: number) => base + slots[l].weight * PAIR;
    const bias = (base: number, l: number) => base + slots[l].bias * PAIR;
    const forward = (q: number, input: number, n: number) => {
      const s = state[q];
      let from = input;
      for (let l = 0; l < L; l++) {
        ex.affine(from, n, slots[l].inputs, weight(s.params, l), bias(s.params, l), slots[l].outputs, s.z[l + 1], 1);
        if (l + 1 < L) { ex.relu(s.z[l + 1], n * slots[l].outputs, s.a[l + 1]); from = s.a[l + 1]; }
      }
    };
    const logits = new Float64Array(chunk * C);
    const probabilities = new Float64Array(chunk * C);
    const laneLogits = (q: number, lane: number, n: number) => {
      const base = element(state[q].z[L]) + lane;
      for (let e = 0; e < n * C; e++) logits[e] = heap[base + 2 * e];
      return logits;
    };
    const evaluateSplit = (q: number, lanesLoss: number[], lanesCorrect: number[], data: Dataset, x: number) => {
      for (let start = 0; start < data.size; start += chunk) {
        const n = Math.min(chunk, data.size - start);
        forward(q, x + start * f * PAIR, n);
        const labels = data.y.subarray(start, start + n);
        for (let lane = 0; lane < 2; lane++) {
          const r = crossEntropy(laneLogits(q, lane, n), labels, n, C);
          lanesLoss[lane] += r.loss * n;
          lanesCorrect[lane] += r.correct;
        }
      }
    };

    const records: EpochRecord[][] = jobs.map(() => []);
    const finished: (Float64Array | undefined)[] = jobs.map(() => undefined);
    const laneParams = (q: number, lane: number) => {
      const out = new Float64Array(P);
      const base = element(state[q].params) + lane;
      for (let k = 0; k < P; k++) out[k] = heap[base + 2 * k];
      return out;
    };
    const evaluate = (epoch: number) => {
      for (let q = 0; q < pairs; q++) {
        const trainLoss = [0, 0], trainCorrect = [0, 0], testLoss = [0, 0], testCorrect = [0, 0];
        evaluateSplit(q, trainLoss, trainCorrect, train, trainX);
        evaluateSplit(q, testLoss, testCorrect, test, testX);
        for (let lane = 0; lane < 2; lane++) {
          const model = 2 * q + lane;
          if (model >= models || finished[model]) continue;
          const record: EpochRecord = { epoch, train_loss: trainLoss[lane] / train.size, train_acc: trainCorrect[lane] / train.size, test_loss: testLoss[lane] / test.size, test_acc: testCorrect[lane] / test.size };
          if (!Number.isFinite(record.train_loss) || !Number.isFinite(record.test_loss)) record.nan = true;
          records[model].push(record);
          const params = onEpoch || record.nan || epoch === epochs ? laneParams(q, lane) : undefined;
          onEpoch?.(model, record, params!);
          // Diverged: trainNetwork stops here; the lane keeps computing (lanes never mix) but its result is frozen.
          if (record.nan || epoch === epochs) finished[model] = params;
        }
      }
    };

    const labels = [new Int32Array(batch), new Int32Array(batch)];
    const trainRows = train.x;
    const trainLabels = train.y;
    evaluate(0);
    for (let epoch = 1; epoch <= epochs && finished.some((done) => done === undefined); epoch++) {
      const orders = jobs.map((job) => dataOrder(job.seed, epoch, examples));
      for (let start = 0; start < examples; start += batch) {
        const n = Math.min(batch, examples - start);
        for (let q = 0; q < pairs; q++) {
          const s = state[q];
          // gather this pair's rows, each lane in its own model's order
          for (let lane = 0; lane < 2; lane++) {
            const order = orders[Math.min(2 * q + lane, models - 1)];
            const base = element(s.input) + lane;
            for (let r = 0; r < n; r++) {
              const row = order[start + r];
              labels[lane][r] = trainLabels[row];
              const from = row * f;
              const to = base + 2 * r * f;
              for (let e = 0; e < f; e++) heap[to + 2 * e] = trainRows[from + e];
            }
          }
          forward(q, s.input, n);
          // output gradient (softmax - onehot) / n, per lane in JS as lossAndGradient computes it
          for (let lane = 0; lane < 2; lane++) {
            crossEntropy(laneLogits(q, lane, n), labels[lane], n, C, probabilities);
            for (let i = 0; i < n; i++) probabilities[i * C + labels[lane][i]] -= 1;
            const base = element(s.g[L]) + lane;
            for (let e = 0; e < n * C; e++) heap[base + 2 * e] = probabilities[e] / n;
          }
          heap.fill(0, element(s.grad), element(s.grad) + 2 * P);
          for (let l = L - 1; l >= 0; l--) {
            const input = l === 0 ? s.input : s.a[l];
            ex.accumulate(s.g[l + 1], n, slots[l].outputs, input, slots[l].inputs, weight(s.grad, l), bias(s.grad, l));
            if (l > 0) {
              ex.backProject(s.g[l + 1], n, slots[l].outputs, weight(s.params, l), slots[l].inputs, s.back);
              ex.reluBackward(s.back, s.z[l], n * slots[l].inputs, s.g[l]);
            }
          }
          const j0 = laneJob(q, 0), j1 = laneJob(q, 1);
          ex.sgdStep(s.params, s.grad, s.velocity, P, j0.learningRate, j1.learningRate, j0.momentum, j1.momentum, j0.weightDecay, j1.weightDecay);
        }
      }
      evaluate(epoch);
    }
    return jobs.map((_, model) => ({ params: finished[model] ?? laneParams(Math.floor(model / 2), model % 2), records: records[model] }));
  });
}
