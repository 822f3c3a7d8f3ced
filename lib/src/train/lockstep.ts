// Training a group of same-shaped MLPs or small CNNs in lockstep (issue #18, training speed): the models of a
// zoo grid share architecture, batch size and epochs, so one pass of the wasm kernels
// (lib/assembly/lockstep.ts) trains two models per f64x2 instruction (or four per f32x4 with
// precision 'float32') instead of one model per scalar JS loop. Each model keeps its own seed,
// data order, learning rate, momentum and weight decay. In float64 every lane repeats
// trainNetwork's operations in trainNetwork's order, so a model gets the same bits alone, in a
// pair or in a group of any size (tests/train/lockstep.test.ts); in float32 the results are the
// same for any group size, and close to float64 (as PTMZ trains its zoos in float32).
// The softmax and the epoch evaluations' loss sums stay in JS (lib/src/train/kernels.ts
// crossEntropy): wasm's Math.exp/log are not V8's, and the bits must match.
// The CNN (./cnn.ts) is the same affine kernels on im2col patches plus im2col, col2im and
// pooling kernels; a minibatch goes through in passes of as many rows as its scratch allows
// (28x28 patches are large), which changes no bits: rows are independent until the gradient,
// whose sums run over the rows in order across passes, as CnnNetwork's own 128-row chunks do.
//
// Jobs the kernels do not cover (tanh, Adam) or a runtime without the kernel fall back to
// trainNetwork one by one, with the same results by definition.

import { ArgumentError } from '../errors';
import type { Dataset, DatasetSplit } from '../data/dataset';
import { resolveEngine, type EngineOption } from '../backend/engine';
import { wasmKernel, wasmKernelUnavailable, type WasmKernel } from '../backend/wasm';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { initialParameters, layerSlots, parameterCount, type MlpArchitecture } from './mlp';
import { cnnSlots, convGeometry, type CnnArchitecture } from './cnn';
import { crossEntropy, type LayerSlot } from './kernels';
import {
  checkTrainingJob,
  dataOrder,
  trainNetwork,
  TRAINING_JOB_DEFAULTS,
  type EpochRecord,
  type TrainingJob,
} from './sgd';

export interface LockstepOptions {
  /**
   * Models trained together in one pass of the kernels. Results do not depend on it (each model
   * is its own lane); larger groups amortise per-call overhead and use more memory.
   * @default 32
   */
  groupSize?: number;
  /** 'wasm' (the lockstep kernels) or 'js' (trainNetwork one model at a time). @default 'auto' */
  engine?: EngineOption<'wasm' | 'js'>;
  /**
   * 'float64': parameters, activations and gradients in float64, the bits of trainNetwork.
   * 'float32': all of them in float32, four models per vector (about twice as fast; the softmax
   * and the evaluation sums stay float64); needs the wasm engine. Parameters come back widened
   * to float64 either way.
   * @default 'float64'
   */
  precision?: 'float64' | 'float32';
  /** Called after the evaluation of every epoch of model `index` (position in `jobs`) with a copy of its parameters. */
  onEpoch?: (index: number, record: EpochRecord, params: Float64Array) => void;
  /** Checked between epochs of a group and between models trained alone: an error it returns is thrown (e.g. a kernel interrupt). */
  interruption?: () => Error | undefined;
}

export const LOCKSTEP_DEFAULTS = {
  groupSize: 32,
  engine: 'auto',
  precision: 'float64',
  onEpoch: undefined,
  interruption: undefined,
} as const satisfies OptionDefaults<LockstepOptions>;

export interface LockstepResult {
  params: Float64Array;
  records: EpochRecord[];
}

/** The kernels of one lane type (lib/assembly/lockstep.ts exports each with suffix 64 and 32). */
interface LaneKernels {
  affine(a: number, n: number, din: number, w: number, b: number, dout: number, out: number, withBias: number): void;
  relu(z: number, count: number, out: number): void;
  reluBackward(back: number, z: number, count: number, out: number): void;
  accumulate(g: number, n: number, dout: number, a: number, din: number, gw: number, gb: number): void;
  backProject(g: number, n: number, dout: number, w: number, din: number, out: number): void;
  sgdStep(params: number, grad: number, velocity: number, count: number, lr: number, mu: number, wd: number): void;
  im2col(
    a: number,
    n: number,
    inC: number,
    inH: number,
    inW: number,
    outH: number,
    outW: number,
    stride: number,
    pad: number,
    kernel: number,
    chw: number,
    out: number,
  ): void;
  col2im(
    cols: number,
    n: number,
    inC: number,
    inH: number,
    inW: number,
    outH: number,
    outW: number,
    stride: number,
    pad: number,
    kernel: number,
    out: number,
  ): void;
  pool(a: number, n: number, positions: number, channels: number, out: number): void;
  unpool(g: number, n: number, positions: number, channels: number, out: number): void;
}

type LockstepExports = Record<string, (...args: number[]) => void>;

/** The kernels for float64 (suffix 64) or float32 (suffix 32) lanes. */
function laneKernels(kernel: WasmKernel<LockstepExports>, precision: 'float64' | 'float32'): LaneKernels {
  const suffix = precision === 'float64' ? '64' : '32';
  const pick = (name: keyof LaneKernels) => kernel.exports[`${name}${suffix}`];
  return {
    affine: pick('affine'),
    relu: pick('relu'),
    reluBackward: pick('reluBackward'),
    accumulate: pick('accumulate'),
    backProject: pick('backProject'),
    sgdStep: pick('sgdStep'),
    // im2col only copies: one kernel for both lane types
    im2col: kernel.exports.im2colLanes,
    col2im: pick('col2im'),
    pool: pick('pool'),
    unpool: pick('unpool'),
  };
}

/** Bytes of one element vector of a pack (two doubles or four floats). */
const VECTOR = 16;

/** Whether the lockstep kernels reproduce trainNetwork for this job (else it is trained alone). */
export function lockstepCovers(job: TrainingJob): boolean {
  const arch = job.architecture;
  return (
    (arch.kind === 'mlp' || arch.kind === 'cnn') &&
    arch.activation === 'relu' &&
    (job.optimizer ?? TRAINING_JOB_DEFAULTS.optimizer) === 'sgd'
  );
}

/** Jobs that can share a pass: same architecture, batch size, epochs and split sizes (inputs are compared next). */
function groupKey(job: TrainingJob, split: DatasetSplit): string {
  return JSON.stringify([job.architecture, job.batchSize, job.epochs, split.train.size, split.test.size]);
}

/** Whether two splits have the same inputs (labels may differ: a zoo's label-noise axis changes only labels). */
function sameInputs(a: DatasetSplit, b: DatasetSplit): boolean {
  const equal = (x: Float64Array, y: Float64Array) =>
    x === y || (x.length === y.length && x.every((v, i) => Object.is(v, y[i])));
  return equal(a.train.x, b.train.x) && equal(a.test.x, b.test.x);
}

/**
 * Trains every job on its split (one split for all, or one per job, as a zoo's data-fraction and
 * label-noise axes give), evaluating on train and test after each epoch as trainNetwork does, and
 * returns the results in the order of `jobs`. Same-shaped ReLU MLP jobs with SGD on the same
 * inputs are trained in lockstep groups; in float64 each result equals
 * trainNetwork(job, split.train, split.test).
 */
export function trainLockstep(
  jobs: readonly TrainingJob[],
  data: DatasetSplit | readonly DatasetSplit[],
  options?: LockstepOptions,
): LockstepResult[] {
  const resolved = resolveOptions('trainLockstep', LOCKSTEP_DEFAULTS, options);
  if (!Array.isArray(jobs))
    throw new ArgumentError('trainLockstep takes an array of training jobs', { field: 'jobs', found: typeof jobs });
  if (Array.isArray(data) && data.length !== jobs.length)
    throw new ArgumentError('one split per job (or one split for all)', {
      field: 'data',
      expected: `${jobs.length} splits`,
      found: `${data.length}`,
    });
  const splits: readonly DatasetSplit[] = Array.isArray(data) ? data : jobs.map(() => data as DatasetSplit);
  const groupSize = resolved.groupSize;
  if (resolved.precision !== 'float64' && resolved.precision !== 'float32')
    throw new ArgumentError('unknown precision', {
      field: 'precision',
      expected: "'float64' | 'float32'",
      found: String(resolved.precision),
    });
  if (!Number.isInteger(groupSize) || groupSize < 1)
    throw new ArgumentError('groupSize must be a positive integer', { field: 'groupSize', found: String(groupSize) });
  jobs.forEach((job) => checkTrainingJob(job));
  const engine = resolveEngine('trainLockstep', resolved.engine, [
    { name: 'wasm', unavailable: () => wasmKernelUnavailable('lockstep') },
    { name: 'js', unavailable: () => undefined },
  ]);
  // float32 exists only in the kernels: refuse before training anything
  jobs.forEach((job, index) => {
    if (resolved.precision === 'float32' && !(engine === 'wasm' && lockstepCovers(job))) {
      throw new ArgumentError(
        `precision 'float32' needs the wasm lockstep engine and a ReLU MLP or CNN trained with SGD`,
        {
          field: `jobs[${index}]`,
          expected:
            "engine 'wasm' (or 'auto' with the kernel built), kind 'mlp' or 'cnn', activation 'relu', optimizer 'sgd'",
          found: `engine '${engine}', ${job.architecture.kind} ${job.architecture.activation}, optimizer '${job.optimizer ?? TRAINING_JOB_DEFAULTS.optimizer}'`,
        },
      );
    }
  });
  const results: LockstepResult[] = new Array(jobs.length);
  const alone = (index: number) => {
    const error = resolved.interruption?.();
    if (error) throw error;
    const hooks = resolved.onEpoch
      ? {
          onEpoch: (record: EpochRecord, params: Float64Array) =>
            resolved.onEpoch!(index, record, Float64Array.from(params)),
        }
      : {};
    results[index] = trainNetwork(jobs[index], splits[index].train, splits[index].test, hooks);
  };
  const groups = new Map<string, number[][]>();
  jobs.forEach((job, index) => {
    if (engine === 'wasm' && lockstepCovers(job)) {
      const key = groupKey(job, splits[index]);
      if (!groups.has(key)) groups.set(key, []);
      const same = groups.get(key)!;
      const group = same.find((members) => sameInputs(splits[members[0]], splits[index]));
      if (group) group.push(index);
      else same.push([index]);
    } else {
      alone(index);
    }
  });
  const kernel = engine === 'wasm' ? wasmKernel<LockstepExports>('lockstep') : undefined;
  for (const members of [...groups.values()].flat()) {
    for (let start = 0; start < members.length; start += groupSize) {
      const indices = members.slice(start, start + groupSize);
      const trained = trainGroup(
        laneKernels(kernel!, resolved.precision),
        kernel!,
        resolved.precision,
        indices.map((i) => jobs[i]),
        indices.map((i) => splits[i]),
        resolved.onEpoch && ((lane, record, params) => resolved.onEpoch!(indices[lane], record, params)),
        resolved.interruption,
      );
      indices.forEach((index, lane) => {
        results[index] = trained[lane];
      });
    }
  }
  return results;
}

/**
 * One network's passes over lane-interleaved rows in the kernel's memory (offsets in bytes), with
 * scratch for up to `rows` rows shared by every pack of the group (packs take turns).
 */
interface LanePasses {
  /** Most rows one pass takes. */
  readonly rows: number;
  /** Where the caller writes the logits' gradient (rows x outputs) before `backward`. */
  readonly logitsGradient: number;
  /** Logits of n <= rows rows of `input`; returns their offset (n x outputs). */
  forward(params: number, input: number, n: number): number;
  /** After `forward` on the same rows: backprop of the logits' gradient, added into grad. */
  backward(params: number, input: number, n: number, grad: number): void;
}

/** Where layer `l`'s weight and bias live in a pack's parameter (or gradient) array. */
const weightAt = (base: number, slot: LayerSlot) => base + slot.weight * VECTOR;
const biasAt = (base: number, slot: LayerSlot) => base + slot.bias * VECTOR;

/** The MLP: affine layers with ReLU between them, as lossAndGradient in ./mlp.ts. */
function mlpPasses(
  ex: LaneKernels,
  alloc: (elements: number) => number,
  arch: MlpArchitecture,
  rows: number,
): LanePasses {
  const slots = layerSlots(arch);
  const L = slots.length;
  const sizes = [arch.inputs, ...arch.hidden, arch.outputs];
  const z = sizes.map((s) => alloc(rows * s));
  const a = sizes.map((s) => alloc(rows * s));
  const g = sizes.map((s) => alloc(rows * s));
  const back = alloc(rows * Math.max(...sizes));
  return {
    rows,
    logitsGradient: g[L],
    forward(params, input, n) {
      let from = input;
      for (let l = 0; l < L; l++) {
        const slot = slots[l];
        ex.affine(from, n, slot.inputs, weightAt(params, slot), biasAt(params, slot), slot.outputs, z[l + 1], 1);
        if (l + 1 < L) {
          ex.relu(z[l + 1], n * slot.outputs, a[l + 1]);
          from = a[l + 1];
        }
      }
      return z[L];
    },
    backward(params, input, n, grad) {
      for (let l = L - 1; l >= 0; l--) {
        const slot = slots[l];
        ex.accumulate(
          g[l + 1],
          n,
          slot.outputs,
          l === 0 ? input : a[l],
          slot.inputs,
          weightAt(grad, slot),
          biasAt(grad, slot),
        );
        if (l > 0) {
          ex.backProject(g[l + 1], n, slot.outputs, weightAt(params, slot), slot.inputs, back);
          ex.reluBackward(back, z[l], n * slot.inputs, g[l]);
        }
      }
    },
  };
}

/**
 * Scratch bytes the CNN's passes may take (rows are cut to fit): MNIST's 28x28 patches are large
 * per row, and the result does not depend on the row count of a pass (per-row maps; gradient sums
 * run over rows in order across passes, as CnnNetwork's 128-row chunks do).
 */
const CNN_SCRATCH_BYTES = 16 << 20;

/** The small CNN: im2col, affine and ReLU per conv layer, pooling, the classifier, as CnnNetwork's chunks in ./cnn.ts. */
function cnnPasses(
  ex: LaneKernels,
  alloc: (elements: number) => number,
  arch: CnnArchitecture,
  most: number,
): LanePasses {
  const geometry = convGeometry(arch);
  const slots = cnnSlots(arch);
  const L = geometry.length;
  const C = arch.outputs;
  const top = geometry[L - 1];
  const perRow =
    geometry.reduce((sum, g) => sum + g.positions * g.patch + 3 * g.positions * g.outC, 0) +
    Math.max(...geometry.map((g) => g.positions * g.patch)) +
    2 * top.outC +
    2 * C;
  const rows = Math.max(1, Math.min(most, Math.floor(CNN_SCRATCH_BYTES / (perRow * VECTOR))));
  const patches = geometry.map((g) => alloc(rows * g.positions * g.patch));
  const z = geometry.map((g) => alloc(rows * g.positions * g.outC));
  const a = geometry.map((g) => alloc(rows * g.positions * g.outC));
  const g = geometry.map((g) => alloc(rows * g.positions * g.outC));
  const columns = alloc(rows * Math.max(...geometry.map((g) => g.positions * g.patch)));
  const pooled = alloc(rows * top.outC);
  const pooledGradient = alloc(rows * top.outC);
  const logits = alloc(rows * C);
  const logitsGradient = alloc(rows * C);
  const classifier = slots[L];
  return {
    rows,
    logitsGradient,
    forward(params, input, n) {
      geometry.forEach((c, l) => {
        const from = l === 0 ? input : a[l - 1];
        ex.im2col(from, n, c.inC, c.inH, c.inW, c.outH, c.outW, c.stride, c.pad, c.kernel, l === 0 ? 1 : 0, patches[l]);
        const slot = slots[l];
        const count = n * c.positions;
        ex.affine(patches[l], count, c.patch, weightAt(params, slot), biasAt(params, slot), c.outC, z[l], 1);
        ex.relu(z[l], count * c.outC, a[l]);
      });
      ex.pool(a[L - 1], n, top.positions, top.outC, pooled);
      ex.affine(pooled, n, top.outC, weightAt(params, classifier), biasAt(params, classifier), C, logits, 1);
      return logits;
    },
    backward(params, _input, n, grad) {
      ex.accumulate(logitsGradient, n, C, pooled, top.outC, weightAt(grad, classifier), biasAt(grad, classifier));
      ex.backProject(logitsGradient, n, C, weightAt(params, classifier), top.outC, pooledGradient);
      ex.unpool(pooledGradient, n, top.positions, top.outC, g[L - 1]);
      for (let l = L - 1; l >= 0; l--) {
        const c = geometry[l];
        const slot = slots[l];
        const count = n * c.positions;
        ex.reluBackward(g[l], z[l], count * c.outC, g[l]);
        ex.accumulate(g[l], count, c.outC, patches[l], c.patch, weightAt(grad, slot), biasAt(grad, slot));
        if (l > 0) {
          ex.backProject(g[l], count, c.outC, weightAt(params, slot), c.patch, columns);
          ex.col2im(columns, n, c.inC, c.inH, c.inW, c.outH, c.outW, c.stride, c.pad, c.kernel, g[l - 1]);
        }
      }
    },
  };
}

/** The lockstep loop for jobs sharing architecture, batch size and epochs (lanes in job order). */
function trainGroup(
  ex: LaneKernels,
  kernel: WasmKernel<LockstepExports>,
  precision: 'float64' | 'float32',
  jobs: TrainingJob[],
  splits: DatasetSplit[],
  onEpoch?: (lane: number, record: EpochRecord, params: Float64Array) => void,
  interruption?: () => Error | undefined,
): LockstepResult[] {
  const arch = jobs[0].architecture;
  // Inputs are shared by the group (checked by the caller); labels are per model.
  const { train, test } = splits[0];
  const f = arch.kind === 'cnn' ? arch.image[0] * arch.image[1] * arch.image[2] : arch.inputs;
  if (f !== train.features || arch.outputs !== train.classes) {
    throw new ArgumentError('architecture does not fit the dataset', {
      field: train.name,
      expected: `${train.features} inputs, ${train.classes} outputs`,
      found: `${f}, ${arch.outputs}`,
    });
  }
  const { batchSize, epochs } = jobs[0];
  const P = parameterCount(arch);
  const C = arch.outputs;
  const examples = train.size;
  const batch = Math.min(batchSize, examples);
  // trainNetwork's evaluation chunk: it fixes the summation order of the whole-data losses.
  const chunk = Math.max(batch, 256);
  const models = jobs.length;
  // Models per vector; a pack is one vector's worth of models.
  const lanes = precision === 'float64' ? 2 : 4;
  const packs = Math.ceil(models / lanes);
  // A short last pack is filled with copies of the last model (their results are dropped).
  const laneModel = (q: number, lane: number) => Math.min(lanes * q + lane, models - 1);

  return kernel.withArena(() => {
    const alloc = (elements: number) => kernel.allocate(elements * VECTOR);
    const trainX = alloc(examples * f);
    const testX = alloc(test.size * f);
    const state = Array.from({ length: packs }, () => ({
      params: alloc(P),
      velocity: alloc(P),
      grad: alloc(P),
      hyper: alloc(3),
    }));
    const net = arch.kind === 'cnn' ? cnnPasses(ex, alloc, arch, chunk) : mlpPasses(ex, alloc, arch, chunk);
    const input = alloc(net.rows * f);
    // Every allocation is done: views stay valid from here on.
    const heap =
      precision === 'float64' ? new Float64Array(kernel.memory.buffer) : new Float32Array(kernel.memory.buffer);
    const element = (offset: number) => offset / heap.BYTES_PER_ELEMENT;
    const interleaveShared = (offset: number, x: Float64Array) => {
      const base = element(offset);
      for (let e = 0; e < x.length; e++) for (let lane = 0; lane < lanes; lane++) heap[base + lanes * e + lane] = x[e];
    };
    interleaveShared(trainX, train.x);
    interleaveShared(testX, test.x);
    for (let q = 0; q < packs; q++) {
      const hyper = element(state[q].hyper);
      for (let lane = 0; lane < lanes; lane++) {
        const job = jobs[laneModel(q, lane)];
        const init = initialParameters(arch, job.seed);
        const base = element(state[q].params) + lane;
        for (let k = 0; k < P; k++) heap[base + lanes * k] = init[k];
        heap[hyper + lane] = job.learningRate;
        heap[hyper + lanes + lane] = job.momentum;
        heap[hyper + 2 * lanes + lane] = job.weightDecay;
      }
      heap.fill(0, element(state[q].velocity), element(state[q].velocity) + lanes * P);
    }
    const logits = new Float64Array(chunk * C);
    const probabilities = new Float64Array(net.rows * C);
    /** Lane `lane` of n logits at `offset` into logits[at * C ...]. */
    const laneLogits = (offset: number, lane: number, n: number, at: number) => {
      const base = element(offset) + lane;
      for (let e = 0; e < n * C; e++) logits[at * C + e] = heap[base + lanes * e];
    };
    // one chunk's logits per lane, filled a pass at a time
    const laneChunks = Array.from({ length: lanes }, () => new Float64Array(chunk * C));
    const evaluateSplit = (
      q: number,
      lanesLoss: number[],
      lanesCorrect: number[],
      side: 'train' | 'test',
      x: number,
    ) => {
      const data: Dataset = splits[0][side];
      for (let start = 0; start < data.size; start += chunk) {
        const n = Math.min(chunk, data.size - start);
        // the logits of the chunk, a pass at a time (rows are independent)
        const passes: [number, number][] = [];
        for (let from = 0; from < n; from += net.rows) passes.push([from, Math.min(net.rows, n - from)]);
        for (const [from, m] of passes) {
          const out = net.forward(state[q].params, x + (start + from) * f * VECTOR, m);
          for (let lane = 0; lane < lanes; lane++) {
            laneLogits(out, lane, m, 0);
            laneChunks[lane].set(logits.subarray(0, m * C), from * C);
          }
        }
        for (let lane = 0; lane < lanes; lane++) {
          const labels = splits[laneModel(q, lane)][side].y.subarray(start, start + n);
          const r = crossEntropy(laneChunks[lane].subarray(0, n * C), labels, n, C);
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
      for (let k = 0; k < P; k++) out[k] = heap[base + lanes * k];
      return out;
    };
    const evaluate = (epoch: number) => {
      for (let q = 0; q < packs; q++) {
        const [trainLoss, trainCorrect, testLoss, testCorrect] = [0, 1, 2, 3].map(() =>
          new Array<number>(lanes).fill(0),
        );
        evaluateSplit(q, trainLoss, trainCorrect, 'train', trainX);
        evaluateSplit(q, testLoss, testCorrect, 'test', testX);
        for (let lane = 0; lane < lanes; lane++) {
          const model = lanes * q + lane;
          if (model >= models || finished[model]) continue;
          const record: EpochRecord = {
            epoch,
            train_loss: trainLoss[lane] / train.size,
            train_acc: trainCorrect[lane] / train.size,
            test_loss: testLoss[lane] / test.size,
            test_acc: testCorrect[lane] / test.size,
          };
          if (!Number.isFinite(record.train_loss) || !Number.isFinite(record.test_loss)) record.nan = true;
          records[model].push(record);
          const params = onEpoch || record.nan || epoch === epochs ? laneParams(q, lane) : undefined;
          onEpoch?.(model, record, params!);
          // Diverged: trainNetwork stops here; the lane keeps computing (lanes never mix) but its result is frozen.
          if (record.nan || epoch === epochs) finished[model] = params;
        }
      }
    };

    const labels = Array.from({ length: lanes }, () => new Int32Array(net.rows));
    const trainRows = train.x;

    evaluate(0);
    for (let epoch = 1; epoch <= epochs && finished.some((done) => done === undefined); epoch++) {
      const error = interruption?.();
      if (error) throw error;
      const orders = jobs.map((job) => dataOrder(job.seed, epoch, examples));
      for (let start = 0; start < examples; start += batch) {
        const n = Math.min(batch, examples - start);
        for (let q = 0; q < packs; q++) {
          const s = state[q];
          heap.fill(0, element(s.grad), element(s.grad) + lanes * P);
          // the minibatch a pass at a time; the gradient sums run over its rows in order
          for (let from = 0; from < n; from += net.rows) {
            const m = Math.min(net.rows, n - from);
            // gather this pass's rows, each lane in its own model's order
            for (let lane = 0; lane < lanes; lane++) {
              const order = orders[laneModel(q, lane)];
              const trainLabels = splits[laneModel(q, lane)].train.y;
              const base = element(input) + lane;
              for (let r = 0; r < m; r++) {
                const row = order[start + from + r];
                labels[lane][r] = trainLabels[row];
                const at = row * f;
                const to = base + lanes * r * f;
                for (let e = 0; e < f; e++) heap[to + lanes * e] = trainRows[at + e];
              }
            }
            const out = net.forward(s.params, input, m);
            // output gradient (softmax - onehot) / n, per lane in JS as lossAndGradient computes it
            for (let lane = 0; lane < lanes; lane++) {
              laneLogits(out, lane, m, 0);
              crossEntropy(logits, labels[lane], m, C, probabilities);
              for (let i = 0; i < m; i++) probabilities[i * C + labels[lane][i]] -= 1;
              const base = element(net.logitsGradient) + lane;
              for (let e = 0; e < m * C; e++) heap[base + lanes * e] = probabilities[e] / n;
            }
            net.backward(s.params, input, m, s.grad);
          }
          ex.sgdStep(s.params, s.grad, s.velocity, P, s.hyper, s.hyper + VECTOR, s.hyper + 2 * VECTOR);
        }
      }
      evaluate(epoch);
    }
    return jobs.map((_, model) => ({
      params: finished[model] ?? laneParams(Math.floor(model / lanes), model % lanes),
      records: records[model],
    }));
  });
}
