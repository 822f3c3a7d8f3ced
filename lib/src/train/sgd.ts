// Training one model of any task with minibatch SGD (PyTorch semantics: momentum buffer
// b = mu b + g + wd w, w -= lr b) or Adam, data order from the model's seed, an evaluation pass before training (epoch 0,
// as PTMZ's result.json line 0) and after every epoch. Deterministic: the same job gives the
// same bytes on every run and machine (float64 loops, fixed summation order, seeded order).

import { ArgumentError } from '../errors';
import { rng } from '../random/rng';
import type { Dataset } from '../data/dataset';
import type { NetworkArchitecture } from './network';
import { initialParameters } from './mlp';
import { supervisedTask, type TaskMetrics, type TrainingTask } from './task';
import { createOptimizer, type OptimizerKind } from './optimizer';
import { checkOptionKeys, type OptionDefaults } from '../options/resolve';

/** One model's training: every field but `optimizer` is required (a zoo sweeps them, so none is silently assumed). */
export interface TrainingJob {
  /** The network to train (mlp(...) or cnn(...)). */
  architecture: NetworkArchitecture;
  /** Seed of the initial parameters and of the data order. */
  seed: number;
  /** Examples per minibatch (the last, smaller batch of an epoch is kept, as PyTorch does). */
  batchSize: number;
  learningRate: number;
  /** SGD momentum mu (Adam's first beta with optimizer 'adam'). */
  momentum: number;
  /** L2 weight decay wd, added to the gradient as wd w. */
  weightDecay: number;
  /** Epochs over the training set. */
  epochs: number;
  /**
   * 'sgd': PyTorch SGD, b = mu b + g + wd w, w -= lr b. 'adam': PyTorch Adam with
   * L2 weight decay (g += wd w; betas (momentum, 0.999), eps 1e-8), the usual PINN optimiser.
   * @default 'sgd'
   */
  optimizer?: OptimizerKind;
}

/** The fields of a TrainingJob and their defaults: only `optimizer` has one (see TrainingJob). */
export const TRAINING_JOB_DEFAULTS = {
  architecture: undefined,
  seed: undefined,
  batchSize: undefined,
  learningRate: undefined,
  momentum: undefined,
  weightDecay: undefined,
  epochs: undefined,
  optimizer: 'sgd',
} as const satisfies OptionDefaults<TrainingJob>;

/** One result.json line: the PTMZ keys (loss is the task's loss, acc a fraction in [0, 1]; a PINN reports relative_l2_error instead of accuracies). */
export interface EpochRecord extends TaskMetrics {
  epoch: number;
  /** True when a loss became NaN or infinite (training stops, the model is flagged). */
  nan?: boolean;
}

export interface TrainingHooks {
  /** Called after the evaluation of every epoch (0 = initialisation) with the current parameters. */
  onEpoch?(record: EpochRecord, params: Float64Array): void;
}

/** Checks a job's numbers (shared by every training engine). */
export function checkTrainingJob(job: TrainingJob): void {
  if (job === null || typeof job !== 'object')
    throw new ArgumentError(
      'a training job is an object { architecture, seed, batchSize, learningRate, momentum, weightDecay, epochs }',
      { field: 'job', found: String(job) },
    );
  checkOptionKeys('trainNetwork', TRAINING_JOB_DEFAULTS, Object.keys(job));
  for (const [field, value] of Object.entries(TRAINING_JOB_DEFAULTS)) {
    if (value === undefined && (job as unknown as Record<string, unknown>)[field] === undefined)
      throw new ArgumentError(`the training job has no '${field}' (it has no default)`, {
        field,
        expected: `one of every field: ${Object.keys(TRAINING_JOB_DEFAULTS).join(', ')}`,
        found: 'undefined',
      });
  }
  for (const field of ['seed', 'momentum', 'weightDecay'] as const)
    if (!Number.isFinite(job[field]))
      throw new ArgumentError('must be a finite number', { field, found: String(job[field]) });
  const positive: [string, number][] = [
    ['batchSize', job.batchSize],
    ['learningRate', job.learningRate],
    ['epochs', job.epochs],
  ];
  for (const [field, value] of positive)
    if (!(value > 0) || !Number.isFinite(value))
      throw new ArgumentError('must be a positive number', { field, found: String(value) });
  if (!Number.isInteger(job.batchSize) || !Number.isInteger(job.epochs))
    throw new ArgumentError('batchSize and epochs must be integers', { found: `${job.batchSize}, ${job.epochs}` });
  if (job.optimizer !== undefined && job.optimizer !== 'sgd' && job.optimizer !== 'adam')
    throw new ArgumentError('unknown optimizer', {
      field: 'optimizer',
      expected: 'sgd | adam',
      found: String(job.optimizer),
    });
}

/** The order in which epoch `epoch` visits `examples` examples: a function of the model's seed only, so every engine sees the same minibatches. */
export function dataOrder(seed: number, epoch: number, examples: number): Int32Array {
  return rng(seed).fold('data-order').fold(epoch).permutation(examples);
}

/**
 * Trains `job` on any task (classification, PINN): minibatches of the task's examples in a
 * seeded order per epoch, an evaluation before training and after every epoch. Returns the
 * final parameters and every record.
 */
export function trainTask(
  task: TrainingTask,
  job: TrainingJob,
  hooks: TrainingHooks = {},
): { params: Float64Array; records: EpochRecord[] } {
  checkTrainingJob(job);
  const params = initialParameters(job.architecture, job.seed);
  const P = params.length;
  if (P !== task.dimension)
    throw new ArgumentError('the job architecture does not fit the task', {
      expected: `${task.dimension} parameters`,
      found: String(P),
    });
  const grad = new Float64Array(P);
  const update = createOptimizer(job.optimizer ?? TRAINING_JOB_DEFAULTS.optimizer, P, job.momentum);
  const batch = Math.min(job.batchSize, task.examples);
  const records: EpochRecord[] = [];

  const evaluate = (epoch: number): EpochRecord => {
    const record: EpochRecord = { epoch, ...task.evaluate(params) };
    if (!Number.isFinite(record.train_loss) || !Number.isFinite(record.test_loss)) record.nan = true;
    records.push(record);
    hooks.onEpoch?.(record, params);
    return record;
  };

  evaluate(0);
  for (let epoch = 1; epoch <= job.epochs; epoch++) {
    const permutation = dataOrder(job.seed, epoch, task.examples);
    for (let start = 0; start < task.examples; start += batch) {
      // PyTorch keeps the last, smaller batch
      task.lossAndGradient(params, grad, permutation.subarray(start, Math.min(start + batch, task.examples)));
      const wd = job.weightDecay;
      for (let k = 0; k < P; k++) grad[k] += wd * params[k];
      update.step(params, grad, job.learningRate);
    }
    const record = evaluate(epoch);
    if (record.nan) break; // diverged: keep the NaN record, stop spending time on it
  }
  return { params, records };
}

/** Trains a classifier (MLP or CNN) on `train`, evaluating on `train` and `test` each epoch. */
export function trainNetwork(
  job: TrainingJob,
  train: Dataset,
  test: Dataset,
  hooks: TrainingHooks = {},
): { params: Float64Array; records: EpochRecord[] } {
  checkTrainingJob(job);
  const task = supervisedTask(
    job.architecture,
    { train, test },
    { chunk: Math.max(Math.min(job.batchSize, train.size), 256) },
  );
  return trainTask(task, job, hooks);
}

/** The MLP trainer's original name: the same as trainNetwork (which also trains CNNs). */
export const trainMlp = trainNetwork;
