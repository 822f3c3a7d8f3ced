// Behavioural measures on a fixed test set, per model and per pair: accuracy, the set of wrongly
// classified examples (Zeng et al.'s wrong-set IoU), pairwise disagreement and ensemble accuracy.

import { argmaxRows } from './mlp-classifier';
import type { EvaluationTask } from './task';

export interface Behaviour {
  predictions: Int32Array;
  /** Softmax probabilities [examples, classes] (for ensembles). */
  probabilities: Float64Array;
  accuracy: number;
  /** Indices of wrongly classified test examples, sorted. */
  wrong: Int32Array;
}

export function behaviourOf(task: EvaluationTask, logits: Float64Array): Behaviour {
  const c = task.classes;
  const count = task.labels.length;
  const probabilities = new Float64Array(logits.length);
  for (let r = 0; r < count; r++) {
    let max = -Infinity;
    for (let k = 0; k < c; k++) max = Math.max(max, logits[r * c + k]);
    let sum = 0;
    for (let k = 0; k < c; k++) {
      const e = Math.exp(logits[r * c + k] - max);
      probabilities[r * c + k] = e;
      sum += e;
    }
    for (let k = 0; k < c; k++) probabilities[r * c + k] /= sum;
  }
  const predictions = argmaxRows(logits, c);
  const wrong: number[] = [];
  predictions.forEach((p, i) => {
    if (p !== task.labels[i]) wrong.push(i);
  });
  return { predictions, probabilities, accuracy: 1 - wrong.length / count, wrong: Int32Array.from(wrong) };
}

/** |A ∩ B| / |A ∪ B| of two sorted index sets (1 when both are empty: identical behaviour). */
export function intersectionOverUnion(a: Int32Array, b: Int32Array): number {
  let i = 0,
    j = 0,
    common = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      common++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  const union = a.length + b.length - common;
  return union === 0 ? 1 : common / union;
}

/** Fraction of test examples on which two models predict different classes. */
export function disagreement(a: Int32Array, b: Int32Array): number {
  let differ = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ++;
  return differ / a.length;
}

/** Accuracy of the mean-probability ensemble of the given models. */
export function ensembleAccuracy(task: EvaluationTask, members: readonly Behaviour[]): number {
  const c = task.classes;
  const mean = new Float64Array(members[0].probabilities.length);
  for (const m of members) for (let k = 0; k < mean.length; k++) mean[k] += m.probabilities[k];
  const predictions = argmaxRows(mean, c);
  let right = 0;
  predictions.forEach((p, i) => {
    if (p === task.labels[i]) right++;
  });
  return right / predictions.length;
}

/** Mean pairwise disagreement over the first `limit` models (all pairs among them). */
export function meanPairwiseDisagreement(behaviours: readonly Behaviour[], limit = 50): number {
  const used = behaviours.slice(0, limit);
  let total = 0,
    pairs = 0;
  for (let i = 0; i < used.length; i++)
    for (let j = i + 1; j < used.length; j++) {
      total += disagreement(used[i].predictions, used[j].predictions);
      pairs++;
    }
  return pairs === 0 ? 0 : total / pairs;
}
