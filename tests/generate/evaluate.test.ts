// The evaluation protocol against generators whose answers are known without the metric code:
// a memoriser that emits permuted copies of train models must be at aligned distance 0 with
// wrong-set IoU 1 (so the distance is symmetry-aware); a "generator" that emits the held-out
// models must reproduce the held-out reference exactly; the display carries every format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  rng,
  applyPermutations,
  mlpPermutationSpec,
  evaluateGenerator,
  compareGenerators,
  intersectionOverUnion,
  disagreement,
  GENERATOR_EVALUATION_KIND,
  mimeBundle,
  ArgumentError,
  type WeightGenerator,
  type WeightSet,
  type ZooInput,
  type Permutations,
} from 'weightlab/internal';
import { syntheticSetup } from './synthetic';

class FixedGenerator implements WeightGenerator {
  readonly family = 'baseline' as const;
  readonly mini = false;
  readonly fitSeconds = 0;
  readonly parameterCount = 0;
  constructor(
    readonly name: string,
    private readonly make: (i: number, seed: number) => WeightSet,
  ) {}
  async fit(_zoo: ZooInput): Promise<this> {
    return this;
  }
  async sample(n: number, seed: number): Promise<WeightSet[]> {
    return Array.from({ length: n }, (_, i) => this.make(i, seed));
  }
}

test('IoU and disagreement on hand-checked cases', () => {
  assert.equal(intersectionOverUnion(Int32Array.of(1, 3, 5), Int32Array.of(3, 5, 7, 9)), 2 / 5);
  assert.equal(intersectionOverUnion(Int32Array.of(), Int32Array.of()), 1);
  assert.equal(disagreement(Int32Array.of(0, 1, 2, 3), Int32Array.of(0, 2, 2, 1)), 0.5);
});

test('a memoriser (permuted train copies) is at aligned distance 0 and IoU 1; held-out copies match the reference', async () => {
  const { task, train, heldOut } = await syntheticSetup();
  const spec = mlpPermutationSpec(train[0]);
  const memoriser = new FixedGenerator('memoriser', (i, seed) => {
    const perms: Permutations = Object.fromEntries(
      Object.entries(spec.groups).map(([g, n]) => [g, rng(seed * 1000 + i).permutation(n)]),
    );
    return applyPermutations(train[i % train.length], spec, perms);
  });
  const copies = await evaluateGenerator(memoriser, {
    trainZoo: train,
    heldOutZoo: heldOut,
    task,
    samples: 24,
    finetuneSteps: [],
  });
  // Weight matching undoes the permutation exactly, so the distance is exactly 0 (float64 copies).
  assert.ok(copies.novelty.nearestDistance.values.every((d) => d === 0));
  assert.ok(copies.novelty.maxIou.values.every((v) => v === 1));
  assert.equal(copies.novelty.fractionCloserThanHeldOutP5, 1);
  // Train accuracies, repeated twice: the mean is the train zoo's mean.
  assert.ok(Math.abs(copies.accuracy.mean - copies.reference.trainAccuracy.mean) < 1e-12);

  const fresh = new FixedGenerator('held-out models', (i) => heldOut[i % heldOut.length]);
  const result = await evaluateGenerator(fresh, {
    trainZoo: train,
    heldOutZoo: heldOut,
    task,
    samples: 8,
    finetuneSteps: [20],
    finetuneModels: 2,
  });
  const reference = result.reference;
  assert.deepEqual(result.novelty.nearestDistance.values, [
    ...reference.heldOutNearestDistance.values,
    ...reference.heldOutNearestDistance.values,
  ]);
  assert.ok(Math.abs(result.accuracy.mean - reference.heldOutAccuracy.mean) < 1e-12);
  assert.ok(result.novelty.nearestDistance.median > 0);
  assert.equal(result.data.finetuned[0].steps, 20);
  assert.ok(result.data.finetuned[0].mean >= 0 && result.data.finetuned[0].mean <= 1);

  const comparison = compareGenerators([copies, result]);
  const bundle = await comparison[mimeBundle]();
  const data = bundle.data as Record<string, unknown>;
  assert.ok(String(data['image/svg+xml']).startsWith('<svg'));
  assert.ok(data['application/vnd.vegalite.v5+json']);
  assert.ok(data[`application/vnd.weightlab.${GENERATOR_EVALUATION_KIND}.v1+json`]);
  assert.match(String(data['text/plain']), /held-out zoo \(reference\)/);
  assert.equal(
    data['text/html'],
    undefined,
    'a chart bundle must not carry text/html (JupyterLab would show it instead of the chart)',
  );

  // The table: the reference row first, then one row per evaluation, every number read from the evaluations.
  const table = comparison.table();
  assert.deepEqual(table.columnNames(), [
    'generator',
    'kind',
    'samples',
    'accuracy_mean',
    'accuracy_median',
    'accuracy_p5',
    'above_held_out_p5',
    'finetune_steps',
    'finetuned_accuracy_mean',
    'nearest_distance_median',
    'nearest_distance_p5',
    'closer_than_held_out_p5',
    'max_iou_median',
    'pairwise_disagreement',
    'ensemble_gain',
    'fit_seconds',
    'ms_per_model',
    'parameter_count',
  ]);
  assert.deepEqual(table.column('generator'), ['held-out zoo (reference)', 'memoriser', 'held-out models']);
  assert.deepEqual(table.column('kind'), ['reference', 'baseline', 'baseline']);
  assert.equal(table.get('accuracy_mean', 1), copies.accuracy.mean);
  assert.equal(table.get('nearest_distance_median', 1), 0);
  assert.equal(table.get('closer_than_held_out_p5', 1), 1);
  assert.equal(table.get('finetune_steps', 2), 20);
  assert.equal(table.get('finetuned_accuracy_mean', 2), result.data.finetuned[0].mean);
  // The reference row's shares are measured on the held-out models, by counting here.
  const heldOutAccuracies = reference.heldOutAccuracies;
  assert.equal(
    table.get('above_held_out_p5', 0),
    heldOutAccuracies.filter((a) => a >= reference.heldOutAccuracy.p5).length / heldOutAccuracies.length,
  );
  assert.equal(table.get('samples', 0), heldOut.length);
  // Held-out copies score exactly what the reference row says.
  assert.equal(table.get('nearest_distance_median', 2), table.get('nearest_distance_median', 0));
  assert.equal(compareGenerators([copies], { reference: false }).table().numRows(), 1);

  // CSV round trip: every numeric cell comes back (parsed by hand, not by the writer's library).
  const [header, ...lines] = table.toCSV().trim().split('\n');
  assert.deepEqual(header.split(','), table.columnNames());
  lines.forEach((line, i) => {
    const cells = line.split(',');
    table.columnNames().forEach((name, c) => {
      const value = table.get(name, i);
      if (typeof value === 'number') assert.equal(Number(cells[c]), value, `${name} of row ${i}`);
      else if (value === null) assert.equal(cells[c], '', `${name} of row ${i}`);
      else assert.equal(cells[c], String(value), `${name} of row ${i}`);
    });
  });

  const novelty = comparison.noveltyTable();
  assert.deepEqual(novelty.columnNames(), [
    'generator',
    'nearest_distance_median',
    'nearest_distance_p5',
    'closer_than_held_out_p5',
    'max_iou_median',
    'accuracy_mean',
  ]);
  assert.match(novelty.toString(), /memoriser\s+0\s/);
  assert.throws(() => compareGenerators([]), ArgumentError);
  assert.throws(
    () => compareGenerators([copies], { refernce: false } as never),
    (error: unknown) => error instanceof ArgumentError && /did you mean 'reference'/.test(error.message),
  );
});
