// What "how good is a generated model" means for the evaluation protocol: a task gives logits on
// a fixed test set, the test labels, and (optionally) k-step finetuning. The MLP classification
// task covers the weightlab presets (MLPs on 8×8 digits or synthetic data); other architectures
// implement EvaluationTask themselves.

import { ArgumentError } from '../../errors';
import { resolveOptions, type OptionDefaults } from '../../options/resolve';
import type { PermutationSpec } from '../../align/permutation-spec';
import type { WeightSet } from '../../weights/weight-set';
import type { Activation } from '../nn/jax-ops';
import { MlpClassifierTrainer, mlpLogits, type ClassificationData } from './mlp-classifier';

export interface EvaluationTask {
  name: string;
  classes: number;
  /** Test labels, one per test example. */
  labels: Int32Array;
  /** Logits [test examples, classes] of a model. */
  logits(weights: WeightSet): Float64Array;
  /** Finetunes models for `steps` steps (omit when the task cannot train). */
  finetune?(models: readonly WeightSet[], steps: number, seed: number): Promise<WeightSet[]>;
  /** Permutation spec for symmetry-aware distances (default: the automatic MLP spec). */
  spec?: PermutationSpec;
  /** The train split and the hidden nonlinearity, for generators trained on the task (never the test split). */
  train?: ClassificationData;
  activation?: Activation;
}

export interface ClassificationTaskOptions {
  /** The task's display name (required). */
  name: string;
  /** The split finetuning and task-trained generators learn from (required). */
  train: ClassificationData;
  /** The split every accuracy is measured on (required). */
  test: ClassificationData;
  /**
   * Hidden nonlinearity of the MLPs.
   * @default 'relu'
   */
  activation?: Activation;
  /**
   * Adam learning rate of finetuning.
   * @default 1e-2
   */
  learningRate?: number;
  /**
   * Batch size of finetuning.
   * @default 64
   */
  batchSize?: number;
}

/** classificationTask's defaults (documented with @default in ClassificationTaskOptions). */
export const CLASSIFICATION_TASK_DEFAULTS = {
  name: undefined,
  train: undefined,
  test: undefined,
  activation: 'relu',
  learningRate: 1e-2,
  batchSize: 64,
} as const satisfies OptionDefaults<ClassificationTaskOptions>;

/** An MLP classification task: float64 logits on the test set, Adam finetuning on the train set. */
export function classificationTask(taskOptions: ClassificationTaskOptions): EvaluationTask {
  const options = resolveOptions('classificationTask', CLASSIFICATION_TASK_DEFAULTS, taskOptions);
  for (const key of ['name', 'train', 'test'] as const) {
    if (options[key] === undefined || options[key] === null)
      throw new ArgumentError(`classificationTask needs ${key}`, {
        field: key,
        expected: key === 'name' ? 'a string' : 'a dataset split { x, y }',
        found: String(options[key]),
      });
  }
  const activation = options.activation;
  const classes = Math.max(...options.test.y, ...options.train.y) + 1;
  let trainer: MlpClassifierTrainer | undefined;
  return {
    name: options.name,
    classes,
    labels: options.test.y,
    train: options.train,
    activation,
    logits: (weights) => mlpLogits(weights, options.test, activation),
    async finetune(models, steps, seed) {
      trainer ??= new MlpClassifierTrainer(options.train, {
        learningRate: options.learningRate,
        batchSize: options.batchSize,
        activation,
      });
      const out: WeightSet[] = [];
      for (let i = 0; i < models.length; i++) out.push(await trainer.train(models[i], steps, seed + i));
      return out;
    },
  };
}
