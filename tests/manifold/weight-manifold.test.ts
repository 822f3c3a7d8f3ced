// weightManifold end to end in plain Node: UMAP keeps known clusters apart, checkpoints land
// on their model, per-layer standardisation equals the textbook formula, and the bundle has
// the payload plus Vega-Lite, SVG and text fallbacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  denseMatrix,
  umapEmbedding,
  weightManifold,
  rng,
  MANIFOLD_DEFAULTS,
  UMAP_DEFAULTS,
  Tensor,
  WeightSet,
  toMimeBundle,
  checkManifoldPayload,
  standardizeSegments,
  MANIFOLD_MIME,
  VEGA_LITE_MIME,
  ArgumentError,
  type ManifoldPayload,
} from 'weightlab/internal';

/** Three well separated Gaussian clusters in `d` dimensions; labels are the oracle. */
function clusters(perCluster: number, d: number, seed: number): { values: Float64Array; labels: number[] } {
  const random = rng(seed);
  const centres = [0, 1, 2].map(() => random.normal(d, 0, 10));
  const labels: number[] = [];
  const values = new Float64Array(3 * perCluster * d);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < perCluster; p++) {
      const row = labels.length;
      const noise = random.normal(d);
      for (let j = 0; j < d; j++) values[row * d + j] = centres[c][j] + noise[j];
      labels.push(c);
    }
  }
  return { values, labels };
}

test('UMAP keeps each point among neighbours of its own cluster, and its seed fixes the layout', async () => {
  const d = 30;
  const { values, labels } = clusters(30, d, 4);
  const n = labels.length;
  const embedding = await umapEmbedding(denseMatrix(n, d, values), { seed: 9, epochs: 200 });
  let agree = 0;
  for (let i = 0; i < n; i++) {
    const distances = labels.map((_, j) => ({
      j,
      dist: Math.hypot(
        embedding.values[2 * i] - embedding.values[2 * j],
        embedding.values[2 * i + 1] - embedding.values[2 * j + 1],
      ),
    }));
    distances.sort((a, b) => a.dist - b.dist);
    for (const { j } of distances.slice(1, 6)) if (labels[j] === labels[i]) agree++;
  }
  assert.ok(agree / (5 * n) > 0.95, `neighbour agreement ${agree / (5 * n)}`);
  const again = await umapEmbedding(denseMatrix(n, d, values), { seed: 9, epochs: 200 });
  assert.deepEqual(again.values, embedding.values);
  const other = await umapEmbedding(denseMatrix(n, d, values), { seed: 10, epochs: 200 });
  assert.notDeepEqual(other.values, embedding.values);
});

function tinyModel(random: ReturnType<typeof rng>, scale: number): WeightSet {
  return new WeightSet([
    ['fc1.weight', new Tensor('float64', random.normal(12, 0, scale), [4, 3])],
    ['fc1.bias', new Tensor('float64', random.normal(4, 0, 0.1), [4])],
    ['fc2.weight', new Tensor('float64', random.normal(8, 0, 100 * scale), [2, 4])],
    ['fc2.bias', new Tensor('float64', random.normal(2, 0, 0.1), [2])],
  ]);
}

test('a zoo with checkpoints: each trajectory ends on its model; the bundle has all four representations', async () => {
  const random = rng(21);
  const models: WeightSet[] = [];
  const checkpoints: WeightSet[][] = [];
  const metadata: Record<string, unknown>[] = [];
  for (let m = 0; m < 12; m++) {
    const final = tinyModel(random, 1 + m / 4);
    const start = tinyModel(random, 0.1);
    // Checkpoints move linearly from start to the final weights (the last one is the model itself).
    const path = [0, 0.5, 1].map((t) =>
      start.unflatten(start.flatten().map((x, i) => (1 - t) * x + t * final.flatten()[i])),
    );
    models.push(final);
    checkpoints.push(path);
    metadata.push({
      id: `mlp-${m}`,
      hyperparameters: { lr: 0.01 * (m + 1), width: m % 2 ? 64 : 32 },
      test_accuracy: 0.5 + m / 30,
      optimizer: m % 3 ? 'adam' : 'sgd',
    });
  }
  const manifold = await weightManifold(models, {
    metadata,
    checkpoints,
    checkpointEpochs: checkpoints.map(() => [0, 5, 10]),
    colorBy: 'test_accuracy',
    sizeBy: 'hyperparameters.width',
    standardize: 'per-layer',
    seed: 2,
  });
  const payload = manifold.payload;
  assert.equal(payload.points.length, 12);
  assert.equal(payload.trajectories.length, 12);
  for (const trajectory of payload.trajectories) {
    assert.deepEqual(trajectory.epochs, [0, 5, 10]);
    assert.deepEqual(trajectory.points[2], payload.points[trajectory.model]);
  }
  const columns = Object.fromEntries(payload.table.columns.map((c) => [c.name, c]));
  assert.deepEqual(columns['hyperparameters.lr'], {
    name: 'hyperparameters.lr',
    type: 'quantitative',
    role: 'hyperparameter',
  });
  assert.deepEqual(columns.test_accuracy, { name: 'test_accuracy', type: 'quantitative', role: 'metric' });
  assert.equal(columns.optimizer.type, 'nominal');
  assert.equal(payload.table.values.model[3], 'mlp-3');
  assert.equal(payload.preprocessing.inputDimension, 26);

  const bundle = await toMimeBundle(manifold);
  assert.deepEqual(
    Object.keys(bundle.data).sort(),
    [MANIFOLD_MIME, VEGA_LITE_MIME, 'image/svg+xml', 'text/plain'].sort(),
  );
  const roundTrip = checkManifoldPayload(JSON.parse(JSON.stringify(bundle.data[MANIFOLD_MIME]))) as ManifoldPayload;
  assert.deepEqual(roundTrip.points, payload.points);
  const svg = String(bundle.data['image/svg+xml']);
  assert.equal((svg.match(/aria-roledescription="circle"/g) ?? []).length, 12);
  assert.match(
    String(bundle.data['text/plain']),
    /^Weight manifold '12 models': 12 models; PCA 2-D \(PC1 [\d.]+%, PC2 [\d.]+%\); input 26 weights, per-layer standardised; colour = test_accuracy \[0\.500, 0\.867\]; size = hyperparameters\.width; 12 trajectories$/,
  );
});

test("every engine gives the same PCA manifold to rounding; UMAP's layout on another engine keeps the clusters", async () => {
  const random = rng(12);
  const d = 80;
  const centres = [0, 1, 2].map(() => random.normal(d, 0, 8));
  const vectors = Array.from({ length: 60 }, (_, i) => random.normal(d).map((x, j) => x + centres[i % 3][j]));
  const plain = (await weightManifold(vectors, { seed: 4, engine: 'js' })).payload.points.flat();
  const engine = (await weightManifold(vectors, { seed: 4 })).payload.points.flat();
  const scale = Math.max(...plain.map(Math.abs));
  plain.forEach((x, i) => assert.ok(Math.abs(x - engine[i]) <= 1e-9 * scale, `coordinate ${i}: ${x} vs ${engine[i]}`));
  // UMAP amplifies rounding differences of its input (neighbour ties, SGD), so the 'auto'
  // engine's layout is not the JS one to the bit; it must still put every point next to its own cluster.
  const umap = (await weightManifold(vectors, { method: 'umap', seed: 4, umap: { epochs: 100, pcaComponents: 20 } }))
    .payload.points;
  let agree = 0;
  umap.forEach((p, i) => {
    const nearest = umap
      .map((q, j) => ({ j, dist: Math.hypot(p[0] - q[0], p[1] - q[1]) }))
      .sort((a, b) => a.dist - b.dist)
      .slice(1, 6);
    agree += nearest.filter(({ j }) => j % 3 === i % 3).length;
  });
  assert.ok(agree / (5 * umap.length) > 0.95, `neighbour agreement ${agree / (5 * umap.length)}`);
});

test('options: unknown keys (also inside umap) are ArgumentErrors listing the valid ones; undefined keeps a default', async () => {
  const random = rng(5);
  const vectors = Array.from({ length: 8 }, () => random.normal(6));
  await assert.rejects(
    weightManifold(vectors, { colourBy: 'x' } as never),
    (error: unknown) =>
      error instanceof ArgumentError &&
      /did you mean 'colorBy'/.test(error.message) &&
      error.details.expected === `one of ${Object.keys(MANIFOLD_DEFAULTS).join(', ')}`,
  );
  await assert.rejects(
    weightManifold(vectors, { method: 'umap', umap: { neighbours: 4 } as never }),
    (error: unknown) =>
      error instanceof ArgumentError &&
      /did you mean 'neighbors'/.test(error.message) &&
      !String(error.details.expected).includes('engine'),
  );
  await assert.rejects(
    umapEmbedding(denseMatrix(8, 6, Float64Array.from(vectors.flatMap((v) => [...v]))), { epoch: 10 } as never),
    (error: unknown) =>
      error instanceof ArgumentError && error.details.expected === `one of ${Object.keys(UMAP_DEFAULTS).join(', ')}`,
  );
  const defaults = await weightManifold(vectors, { engine: 'js' });
  const explicit = await weightManifold(vectors, {
    engine: 'js',
    method: undefined,
    dimensions: undefined,
    seed: undefined,
    standardize: undefined,
  });
  assert.equal(defaults.payload.method, MANIFOLD_DEFAULTS.method);
  assert.equal(defaults.payload.dimensions, MANIFOLD_DEFAULTS.dimensions);
  assert.deepEqual(explicit.payload, defaults.payload);
});

test('per-layer standardisation: every segment has mean 0 and variance 1 over the zoo', () => {
  const random = rng(3);
  const n = 6,
    d = 10;
  const values = random.normal(n * d, 5, 3);
  for (let i = 0; i < n; i++) for (let j = 6; j < d; j++) values[i * d + j] *= 1000;
  const matrix = denseMatrix(n, d, Float64Array.from(values));
  standardizeSegments(matrix, [
    { name: 'a', offset: 0, length: 6 },
    { name: 'b', offset: 6, length: 4 },
  ]);
  for (const [offset, length] of [
    [0, 6],
    [6, 4],
  ]) {
    const block: number[] = [];
    const original: number[] = [];
    for (let i = 0; i < n; i++)
      for (let j = offset; j < offset + length; j++) {
        block.push(matrix.values[i * d + j]);
        original.push(values[i * d + j]);
      }
    const mean = original.reduce((a, b) => a + b, 0) / original.length;
    const std = Math.sqrt(original.reduce((a, b) => a + (b - mean) ** 2, 0) / original.length);
    block.forEach((x, k) => assert.ok(Math.abs(x - (original[k] - mean) / std) < 1e-12));
  }
});

test('clear errors: unknown colour column, ragged zoo, plain vectors without segments', async () => {
  const vectors = [new Float64Array([1, 2, 3]), new Float64Array([2, 3, 1]), new Float64Array([0, 1, 1])];
  await assert.rejects(
    weightManifold(vectors, { colorBy: 'accuracy' }),
    (error: unknown) => error instanceof ArgumentError && /no such metadata column/.test(error.message),
  );
  await assert.rejects(weightManifold([...vectors, new Float64Array(2)]), /different numbers of weights/);
  await assert.rejects(weightManifold(vectors, { standardize: 'per-layer' }), /needs 'segments'/);
});
