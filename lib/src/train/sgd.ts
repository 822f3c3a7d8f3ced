// Training one MLP with minibatch SGD (PyTorch semantics: momentum buffer b = mu b + g + wd w,
// w -= lr b), data order from the model's seed, an evaluation pass before training (epoch 0,
// as PTMZ's result.json line 0) and after every epoch. Deterministic: the same job gives the
// same bytes on every run and machine (float64 loops, fixed summation order, seeded order).

import { ArgumentError } from '../errors';
import { rng } from '../random/rng';
import type { Dataset } from '../data/dataset';
import { MlpWorkspace, evaluateMlp, initialParameters, lossAndGradient, parameterCount, type MlpArchitecture } from './mlp';

export interface TrainingJob {
  architecture: MlpArchitecture;
  seed: number;
  batchSize: number;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  epochs: number;
}

/** One result.json line: the PTMZ keys (loss is mean cross-entropy, acc a fraction in [0, 1]). */
export interface EpochRecord {
  epoch: number;
  train_loss: number;
  train_acc: number;
  test_loss: number;
  test_acc: number;
  /** True when a loss became NaN or infinite (training stops, the model is flagged). */
  nan?: boolean;
}

export interface TrainingHooks {
  /** Called after the evaluation of every epoch (0 = initialisation) with the current parameters. */
  onEpoch?(record: EpochRecord, params: Float64Array): void;
}

function check(job: TrainingJob): void {
  const positive: [string, number][] = [['batchSize', job.batchSize], ['learningRate', job.learningRate], ['epochs', job.epochs]];
  for (const [field, value] of positive) if (!(value > 0) || !Number.isFinite(value)) throw new ArgumentError('must be a positive number', { field, found: String(value) });
  if (!Number.isInteger(job.batchSize) || !Number.isInteger(job.epochs)) throw new ArgumentError('batchSize and epochs must be integers', { found: `${job.batchSize}, ${job.epochs}` });
}

/** Trains the job on `train`, evaluating on `train` and `test` each epoch; returns the final parameters and every record. */
export function trainMlp(job: TrainingJob, train: Dataset, test: Dataset, hooks: TrainingHooks = {}): { params: Float64Array; records: EpochRecord[] } {
  check(job);
  const arch = job.architecture;
  if (arch.inputs !== train.features || arch.outputs !== train.classes) {
    throw new ArgumentError('architecture does not fit the dataset', { expected: `${train.features} inputs, ${train.classes} outputs`, found: `${arch.inputs}, ${arch.outputs}` });
  }
  const params = initialParameters(arch, job.seed);
  const P = parameterCount(arch);
  const grad = new Float64Array(P);
  const velocity = new Float64Array(P);
  const batch = Math.min(job.batchSize, train.size);
  const ws = new MlpWorkspace(arch, Math.max(batch, 256));
  const records: EpochRecord[] = [];
  const order = rng(job.seed).fold('data-order');
  const f = arch.inputs;

  const evaluate = (epoch: number): EpochRecord => {
    const tr = evaluateMlp(ws, params, train.x, train.y, train.size);
    const te = evaluateMlp(ws, params, test.x, test.y, test.size);
    const record: EpochRecord = { epoch, train_loss: tr.loss, train_acc: tr.accuracy, test_loss: te.loss, test_acc: te.accuracy };
    if (!Number.isFinite(tr.loss) || !Number.isFinite(te.loss)) record.nan = true;
    records.push(record);
    hooks.onEpoch?.(record, params);
    return record;
  };

  evaluate(0);
  for (let epoch = 1; epoch <= job.epochs; epoch++) {
    const permutation = order.fold(epoch).permutation(train.size);
    for (let start = 0; start < train.size; start += batch) {
      const n = Math.min(batch, train.size - start); // PyTorch keeps the last, smaller batch
      for (let r = 0; r < n; r++) {
        const i = permutation[start + r];
        ws.batch.set(train.x.subarray(i * f, (i + 1) * f), r * f);
        ws.labels[r] = train.y[i];
      }
      lossAndGradient(ws, params, ws.batch, ws.labels, n, grad);
      const { learningRate: lr, momentum: mu, weightDecay: wd } = job;
      for (let k = 0; k < P; k++) {
        const g = grad[k] + wd * params[k];
        velocity[k] = mu * velocity[k] + g;
        params[k] -= lr * velocity[k];
      }
    }
    const record = evaluate(epoch);
    if (record.nan) break; // diverged: keep the NaN record, stop spending time on it
  }
  return { params, records };
}
