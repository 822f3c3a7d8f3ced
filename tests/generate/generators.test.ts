// The other generators against oracles that do not use their code: MixtureGrowth with zero new
// coefficients is exactly the logit average of its seeds; the smoothing order sorts points on a
// line; k-means recovers well-separated clusters; the dataset embedding is the per-class mean;
// every generator samples finite models of the zoo's architecture, the same bytes for the same seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  rng,
  initialMlp,
  mixtureGrowth,
  smoothingOrder,
  kMeans,
  datasetEmbedding,
  dataset,
  hypernetwork,
  weightField,
  latentDiffusion,
  autoregressive,
  jax,
  mlpLogits,
  generatedMlpLoss,
  mlpLayout,
  initScale,
  ArgumentError,
  type WeightSet,
  type WeightGenerator,
} from 'weightlab/internal';
import { mlpForward } from '../align/networks';
import { prototypeData, syntheticSetup } from './synthetic';

test('MixtureGrowth with zero new coefficients gives the logit average of its two seeds', async () => {
  // Seeds 5-4-4-3 (two hidden layers, so there is a hidden→hidden block) grown to 5-8-8-3.
  const seeds = [0, 1, 2, 3, 4, 5].map((s) => initialMlp([5, 4, 4, 3], s));
  const grower = await mixtureGrowth({ coefficientScale: 0, align: false }).fit(seeds);
  const grown = grower.grow(seeds[1], seeds[4], rng(0));
  assert.deepEqual(grown.info('fc1.weight').shape, [8, 8]);
  for (let k = 0; k < 5; k++) {
    const x = rng(10 + k).normal(5);
    const a = mlpForward(seeds[1], x),
      b = mlpForward(seeds[4], x),
      g = mlpForward(grown, x);
    // Same sums split differently: 1e-12.
    g.forEach((v, i) => assert.ok(Math.abs(v - (a[i] + b[i]) / 2) < 1e-12));
  }
  // With new coefficients the off-diagonal blocks are non-zero mixtures of the templates.
  const [sample] = await (await mixtureGrowth({ align: false }).fit(seeds)).sample(1, 3);
  const w = sample.get('fc1.weight').toFloat64();
  assert.ok(w.slice(4, 8).some((v) => v !== 0) && w.every(Number.isFinite));
});

test('the smoothing order sorts points on a line (the shortest open path)', () => {
  const values = [0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.0];
  const order = smoothingOrder(values.map((v) => Float64Array.of(v, 2 * v)));
  const path = Array.from(order, (i) => values[i]);
  const ascending = path.every((v, i) => i === 0 || v >= path[i - 1]);
  const descending = path.every((v, i) => i === 0 || v <= path[i - 1]);
  assert.ok(ascending || descending, path.join(' '));
});

test('k-means recovers well-separated clusters', () => {
  const centres = [
    [0, 0],
    [10, 0],
    [0, 10],
  ];
  const noise = rng(3).normal(60, 0, 0.1);
  const points = Float64Array.from({ length: 60 }, (_, i) => centres[Math.floor(i / 2) % 3][i % 2] + noise[i]);
  const { assignment } = kMeans(points, 30, 2, 3, 10, rng(4));
  for (let i = 0; i < 30; i++)
    for (let j = 0; j < 30; j++) assert.equal(assignment[i] === assignment[j], i % 3 === j % 3);
});

test('the dataset embedding is the per-class mean feature vector', () => {
  const data = dataset('toy', Float64Array.of(1, 2, 3, 4, 5, 6), Int32Array.of(0, 1, 0), 2, 2);
  assert.deepEqual([...datasetEmbedding(data)], [3, 4, 3, 4]);
});

async function checkSamples(generator: WeightGenerator, zoo: WeightSet[]): Promise<void> {
  await generator.fit(zoo);
  const first = await generator.sample(3, 5);
  const again = await generator.sample(3, 5);
  first.forEach((model, i) => {
    assert.deepEqual(model.names, zoo[0].names, generator.name);
    model.names.forEach((name) => assert.deepEqual(model.info(name).shape, zoo[0].info(name).shape));
    const values = model.flatten();
    assert.ok(values.every(Number.isFinite), generator.name);
    assert.deepEqual([...values], [...again[i].flatten()], `${generator.name}: same seed, same bytes`);
  });
}

test('hypernetworks, weight field, mini D2NWG and mini IGPG sample the zoo architecture reproducibly', async () => {
  const { train } = await syntheticSetup();
  for (const kind of ['plain', 'chunked', 'mip', 'rnn'] as const) {
    const generator = hypernetwork({ kind, steps: 40, chunkSize: 32, hidden: 32 });
    await checkSamples(generator, train);
    assert.ok(generator.losses[generator.losses.length - 1] < generator.losses[0], `${kind} loss decreases`);
  }
  const field = weightField({ steps: 60 });
  await checkSamples(field, train);
  // Widths never trained: the field is read at 4 and 12 hidden units (trained at 8).
  for (const width of [4, 12]) {
    const [net] = await field.sampleWidth(width, 1, 0);
    assert.deepEqual(net.info('fc0.weight').shape, [width, 12]);
    assert.deepEqual(net.info('fc1.weight').shape, [4, width]);
    assert.ok(net.flatten().every(Number.isFinite));
  }
  await checkSamples(
    latentDiffusion({ vaeSteps: 20, diffusionSteps: 20, chunkSize: 32, timesteps: 10, hidden: 32 }),
    train,
  );
  await checkSamples(autoregressive({ steps: 20, chunkSize: 32, codes: 16, width: 16 }), train);
});

test('the differentiable task loss of generated MLPs equals the float64 cross-entropy of their logits', async () => {
  // Oracle: mlpLogits (host float64 forward) and a hand-written softmax cross-entropy.
  const data = prototypeData(3, 40, 12, 4, 1.2);
  const models = [0, 1, 2].map((s) => initialMlp([12, 8, 4], 20 + s));
  const layout = mlpLayout(models[0]);
  const expected =
    models
      .map((m) => {
        const logits = mlpLogits(m, data);
        let total = 0;
        for (let r = 0; r < data.size; r++) {
          const row = Array.from(logits.subarray(r * 4, r * 4 + 4));
          const max = Math.max(...row);
          total += Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max - row[data.y[r]];
        }
        return total / data.size;
      })
      .reduce((a, b) => a + b) / models.length;
  const jx = await jax();
  const weights = jx.numpy.array(Float32Array.from(models.flatMap((m) => Array.from(m.flatten()))), {
    shape: [3, layout.dimension],
  });
  const onehot = Float32Array.from({ length: data.size * 4 }, (_, i) => (data.y[Math.floor(i / 4)] === i % 4 ? 1 : 0));
  const loss = generatedMlpLoss(
    jx,
    layout,
    weights,
    jx.numpy.array(Float32Array.from(data.x), { shape: [data.size, 12] }),
    jx.numpy.array(onehot, { shape: [data.size, 4] }),
    'relu',
    3,
  );
  const value = (await loss.data())[0] as number;
  // float32 arithmetic on values of order 1 summed over 40 rows: 1e-5 relative.
  assert.ok(Math.abs(value - expected) < 1e-5 * Math.max(1, expected), `${value} vs ${expected}`);
  // The init scale is PyTorch's bound 1/sqrt(fan_in): 1/sqrt(12) for layer 0, 1/sqrt(8) for layer 1.
  const scale = initScale(layout);
  assert.equal(scale[0], 1 / Math.sqrt(12));
  assert.equal(scale[layout.dimension - 1], 1 / Math.sqrt(8));
});

test('hypernetworks trained on the task loss learn the task from its train split alone', async () => {
  const { task, train } = await syntheticSetup();
  const accuracy = (m: WeightSet) => {
    const logits = task.logits(m);
    let right = 0;
    task.labels.forEach((y, r) => {
      let best = 0;
      for (let c = 1; c < 4; c++) if (logits[r * 4 + c] > logits[r * 4 + best]) best = c;
      if (best === y) right++;
    });
    return right / task.labels.length;
  };
  const zooMean = train.map(accuracy).reduce((a, b) => a + b) / train.length;
  for (const kind of ['plain', 'mip'] as const) {
    const generator = hypernetwork({ kind, objective: 'task', steps: 150, hidden: 32 });
    await generator.fit(train, { task, progress: false });
    assert.ok(
      generator.losses[generator.losses.length - 1] < generator.losses[0] / 2,
      `${kind}: task loss at least halves`,
    );
    const samples = await generator.sample(8, 1);
    const mean = samples.map(accuracy).reduce((a, b) => a + b) / samples.length;
    // Random init scores ~25 % on 4 classes; the trained zoo's mean is the reference (10 points of slack).
    assert.ok(mean > zooMean - 0.1, `${kind}: ${mean} vs zoo ${zooMean}`);
  }
  await assert.rejects(
    hypernetwork({ kind: 'plain', objective: 'task', steps: 5 }).fit(train, { progress: false }),
    ArgumentError,
  );
  assert.throws(() => hypernetwork({ kind: 'rnn', objective: 'task' }), ArgumentError);
});

test('mini D2NWG samples for a given dataset condition and rejects a condition of the wrong length', async () => {
  const { train } = await syntheticSetup();
  const condition = Float64Array.of(1, 2, 3);
  const generator = await latentDiffusion({
    condition,
    vaeSteps: 20,
    diffusionSteps: 20,
    chunkSize: 32,
    timesteps: 10,
    hidden: 32,
  }).fit(train, { progress: false });
  const [a] = await generator.sampleFor(condition, 1, 4);
  const [b] = await generator.sample(1, 4);
  assert.deepEqual([...a.flatten()], [...b.flatten()], 'sample() uses the training condition');
  await assert.rejects(generator.sampleFor(Float64Array.of(1, 2), 1, 4), ArgumentError);
  const reconstructed = await generator.reconstruct();
  assert.equal(reconstructed.length, train.length);
});
