// evaluateGenerator: the honest protocol of shared/specs/generators-and-inductive-bias.md §12
// (after Zeng et al. 2025). A generator is fitted on the train zoo, ≥ 100 models are sampled and
// scored without finetuning, after k finetuning steps, for novelty (symmetry-aware nearest-
// neighbour distance and wrong-set IoU against the train zoo, read against the held-out zoo's
// values) and for diversity (pairwise disagreement, ensemble gain), with generation time.

import { ArgumentError } from '../../errors';
import { resolveOptions, type OptionDefaults } from '../../options/resolve';
import { mlpPermutationSpec, type PermutationSpec } from '../../align/permutation-spec';
import type { WeightSet } from '../../weights/weight-set';
import { mean, quantile } from '../linear-algebra';
import type { FitOptions, WeightGenerator, ZooInput } from '../types';
import { checkZoo, zooModels } from '../zoo-input';
import { behaviourOf, ensembleAccuracy, meanPairwiseDisagreement, type Behaviour } from './behaviour';
import { maxWrongSetIou, nearestAlignedDistances } from './novelty';
import { GeneratorEvaluation, type AccuracySummary, type ReferenceSummary } from './report';
import type { EvaluationTask } from './task';

export interface EvaluateGeneratorOptions extends FitOptions {
  /** The zoo the generator is fitted on and novelty is measured against (required). */
  trainZoo: ZooInput;
  /** Fresh, independently trained models: the reference for accuracy and novelty (required). */
  heldOutZoo: ZooInput;
  /** What the generated models are scored on (required). */
  task: EvaluationTask;
  /**
   * Generated models scored (the protocol asks for at least 100).
   * @default 100
   */
  samples?: number;
  /**
   * Seed of the sampling.
   * @default 0
   */
  seed?: number;
  /**
   * Fit the generator on trainZoo first (false if it is already fitted on it).
   * @default true
   */
  fit?: boolean;
  /**
   * Finetuning steps to report when the task can finetune; 0 is always reported.
   * @default [50]
   */
  finetuneSteps?: readonly number[];
  /**
   * How many of the samples are finetuned (finetuning dominates the cost).
   * @default 10
   */
  finetuneModels?: number;
  /**
   * Members of the ensemble for the ensemble gain.
   * @default 10
   */
  ensembleSize?: number;
  /**
   * Models used for pairwise disagreement (50: 1225 pairs).
   * @default 50
   */
  diversityModels?: number;
}

/** evaluateGenerator's defaults (documented with @default in EvaluateGeneratorOptions). */
export const EVALUATE_GENERATOR_DEFAULTS = {
  trainZoo: undefined,
  heldOutZoo: undefined,
  task: undefined,
  samples: 100,
  seed: 0,
  fit: true,
  finetuneSteps: [50],
  finetuneModels: 10,
  ensembleSize: 10,
  diversityModels: 50,
  signal: undefined,
  progress: true,
} as const satisfies OptionDefaults<EvaluateGeneratorOptions>;

function summarise(values: ArrayLike<number>): AccuracySummary {
  return {
    mean: mean(values),
    median: quantile(values, 0.5),
    p5: quantile(values, 0.05),
    min: Math.min(...Array.from(values)),
    max: Math.max(...Array.from(values)),
  };
}

interface Reference {
  train: WeightSet[];
  heldOut: WeightSet[];
  trainBehaviour: Behaviour[];
  heldOutBehaviour: Behaviour[];
  summary: ReferenceSummary;
  spec: PermutationSpec;
}

// Reference statistics depend only on (task, train zoo, held-out zoo); computed once per triple.
const references = new WeakMap<EvaluationTask, { train: WeightSet[]; heldOut: WeightSet[]; reference: Reference }>();

function sameModels(a: readonly WeightSet[], b: readonly WeightSet[]): boolean {
  return a.length === b.length && a.every((m, i) => m === b[i]);
}

function referenceFor(
  task: EvaluationTask,
  train: WeightSet[],
  heldOut: WeightSet[],
  ensembleSize: number,
  diversityModels: number,
): Reference {
  const cached = references.get(task);
  if (cached && sameModels(cached.train, train) && sameModels(cached.heldOut, heldOut)) return cached.reference;
  checkZoo(train, { minimum: 2, purpose: 'the train zoo of an evaluation' });
  checkZoo(heldOut, { minimum: 2, purpose: 'the held-out zoo of an evaluation' });
  checkZoo([train[0], heldOut[0]], { purpose: 'train and held-out zoos of one architecture' });
  const spec = task.spec ?? mlpPermutationSpec(train[0]);
  const trainBehaviour = train.map((m) => behaviourOf(task, task.logits(m)));
  const heldOutBehaviour = heldOut.map((m) => behaviourOf(task, task.logits(m)));
  const accuracies = heldOutBehaviour.map((b) => b.accuracy);
  const distances = nearestAlignedDistances(heldOut, train, spec);
  const iou = maxWrongSetIou(heldOutBehaviour, trainBehaviour);
  const m = Math.min(ensembleSize, heldOut.length);
  const summary: ReferenceSummary = {
    trainModels: train.length,
    heldOutModels: heldOut.length,
    heldOutAccuracy: summarise(accuracies),
    trainAccuracy: summarise(trainBehaviour.map((b) => b.accuracy)),
    heldOutNearestDistance: {
      median: quantile(distances, 0.5),
      p5: quantile(distances, 0.05),
      values: Array.from(distances),
    },
    heldOutMaxIou: { median: quantile(iou, 0.5), values: Array.from(iou) },
    heldOutDisagreement: meanPairwiseDisagreement(heldOutBehaviour, diversityModels),
    heldOutEnsembleGain: ensembleAccuracy(task, heldOutBehaviour.slice(0, m)) - mean(accuracies.slice(0, m)),
    heldOutEnsembleSize: m,
    heldOutAccuracies: accuracies,
  };
  const reference = { train, heldOut, trainBehaviour, heldOutBehaviour, summary, spec };
  references.set(task, { train, heldOut, reference });
  return reference;
}

/** Fits (unless told not to), samples and scores one generator under the protocol. */
export async function evaluateGenerator(
  generator: WeightGenerator,
  options: EvaluateGeneratorOptions,
): Promise<GeneratorEvaluation> {
  const o = resolveOptions('evaluateGenerator', EVALUATE_GENERATOR_DEFAULTS, options);
  for (const key of ['trainZoo', 'heldOutZoo', 'task'] as const) {
    if (o[key] === undefined || o[key] === null)
      throw new ArgumentError(`evaluateGenerator needs ${key}`, {
        field: key,
        expected: key === 'task' ? 'an EvaluationTask (generate.classificationTask)' : 'a zoo (an array of WeightSets)',
        found: String(o[key]),
      });
  }
  const samples = o.samples;
  if (!Number.isInteger(samples) || samples < 2)
    throw new ArgumentError('samples must be an integer >= 2 (the protocol asks for >= 100)', {
      field: 'samples',
      found: String(samples),
    });
  const { seed, ensembleSize, diversityModels } = o;
  const train = await zooModels(o.trainZoo);
  const heldOut = await zooModels(o.heldOutZoo);
  const task = o.task;
  const reference = referenceFor(task, train, heldOut, ensembleSize, diversityModels);
  if (o.fit) await generator.fit(train, { signal: o.signal, progress: o.progress, task });

  // Cold call first (jit compilation for this batch shape included), then the timed warm call:
  // generation cost is reported in steady state, the cold cost separately.
  const cold = performance.now();
  await generator.sample(samples, seed + 1_000_003);
  const firstCallMs = performance.now() - cold;
  const started = performance.now();
  const models = await generator.sample(samples, seed);
  const msPerModel = (performance.now() - started) / samples;
  checkZoo([reference.train[0], ...models], { purpose: `the samples of ${generator.name}` });

  const behaviours = models.map((m) => behaviourOf(task, task.logits(m)));
  const accuracies = behaviours.map((b) => b.accuracy);
  const heldOutP5 = reference.summary.heldOutAccuracy.p5;
  const accuracy = {
    ...summarise(accuracies),
    fractionAboveHeldOutP5: accuracies.filter((a) => a >= heldOutP5).length / samples,
  };

  const finetuned: { steps: number; models: number; mean: number; median: number }[] = [];
  const finetuneModels = Math.min(o.finetuneModels, samples);
  const stepsList = task.finetune ? o.finetuneSteps.filter((s) => s > 0) : [];
  for (const steps of stepsList) {
    const tuned = await task.finetune!(models.slice(0, finetuneModels), steps, seed);
    const tunedAccuracy = tuned.map((m) => behaviourOf(task, task.logits(m)).accuracy);
    finetuned.push({ steps, models: finetuneModels, mean: mean(tunedAccuracy), median: quantile(tunedAccuracy, 0.5) });
  }

  const distances = nearestAlignedDistances(models, reference.train, reference.spec);
  const iou = maxWrongSetIou(behaviours, reference.trainBehaviour);
  const heldOutDistanceP5 = reference.summary.heldOutNearestDistance.p5;
  const m = Math.min(ensembleSize, samples);
  return new GeneratorEvaluation({
    generator: generator.name,
    family: generator.family,
    mini: generator.mini,
    task: task.name,
    samples,
    seed,
    accuracy,
    accuracies,
    finetuned,
    novelty: {
      nearestDistance: {
        median: quantile(distances, 0.5),
        p5: quantile(distances, 0.05),
        values: Array.from(distances),
      },
      // Share of samples closer to the train zoo than 95 % of fresh (held-out) models are: copies.
      fractionCloserThanHeldOutP5: Array.from(distances).filter((d) => d < heldOutDistanceP5).length / samples,
      maxIou: { median: quantile(iou, 0.5), values: Array.from(iou) },
    },
    diversity: {
      pairwiseDisagreement: meanPairwiseDisagreement(behaviours, diversityModels),
      ensembleSize: m,
      ensembleAccuracy: ensembleAccuracy(task, behaviours.slice(0, m)),
      ensembleGain: ensembleAccuracy(task, behaviours.slice(0, m)) - mean(accuracies.slice(0, m)),
    },
    cost: { fitSeconds: generator.fitSeconds, msPerModel, firstCallMs, parameterCount: generator.parameterCount },
    reference: reference.summary,
  });
}
