// A small synthetic classification task and zoo for the generator tests (spec §11 style: class
// prototypes plus Gaussian noise), seeded, so tests need no bundled data and run in seconds.
import {
  rng,
  dataset,
  MlpClassifierTrainer,
  initialMlp,
  classificationTask,
  type Dataset,
  type WeightSet,
  type EvaluationTask,
} from 'weightlab/internal';

export function prototypeData(seed: number, count: number, features: number, classes: number, noise: number): Dataset {
  const prototypes = rng(1234).normal(classes * features);
  const source = rng(seed);
  const labels = source.integers(count, 0, classes) as Int32Array;
  const jitter = source.normal(count * features, 0, noise);
  const inputs = new Float64Array(count * features);
  for (let r = 0; r < count; r++)
    for (let k = 0; k < features; k++)
      inputs[r * features + k] = prototypes[labels[r] * features + k] + jitter[r * features + k];
  return dataset(`prototypes(seed=${seed})`, inputs, Int32Array.from(labels), features, classes);
}

export interface SyntheticSetup {
  task: EvaluationTask;
  train: WeightSet[];
  heldOut: WeightSet[];
  widths: number[];
}

let cached: SyntheticSetup | undefined;

/** 16 models of a 12-8-4 MLP (12 train, 4 held out) on a 4-class prototype task. */
export async function syntheticSetup(): Promise<SyntheticSetup> {
  if (cached) return cached;
  const widths = [12, 8, 4];
  const trainData = prototypeData(1, 400, 12, 4, 1.2);
  const testData = prototypeData(2, 300, 12, 4, 1.2);
  const trainer = new MlpClassifierTrainer(trainData, { learningRate: 1e-2, batchSize: 32 });
  const zoo: WeightSet[] = [];
  for (let seed = 0; seed < 16; seed++) zoo.push(await trainer.train(initialMlp(widths, seed), 150, seed));
  const task = classificationTask({ name: 'synthetic prototypes', train: trainData, test: testData });
  cached = { task, train: zoo.slice(0, 12), heldOut: zoo.slice(12), widths };
  return cached;
}
