// compareModels against numpy: per-layer L2, cosine and WeightWatcher's distances columns
// (delta_W, delta_b, the uncentred 'cka' overlap averaged over a conv kernel's slices) written
// from their definitions; linear CKA of activations against numpy forward passes of the two
// MLPs; a model against a permuted copy of itself is 0 apart after re-basin (and not before);
// alpha columns are the HTSR analysis of each model; mismatched models are a ShapeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ShapeError,
  Tensor,
  WeightSet,
  analyze,
  applyPermutations,
  compareCheckpoints,
  compareModels,
  dataset,
  initialParameters,
  mlp,
  mlpPermutationSpec,
  rng,
  supervisedTask,
  toMimeBundle,
  toWeightSet,
  VEGA_LITE_MIME,
} from 'weightlab/internal';
import { scipy, SCIPY_MISSING } from '../statistics/scipy';
import { randomTensor } from './networks';

function jsonOf(weights: WeightSet) {
  return [...weights].map(([name, tensor]) => ({ name, shape: tensor.shape, values: Array.from(tensor.toFloat64()) }));
}

test('L2, cosine, delta_b and WeightWatcher cka match numpy for dense and conv layers', async (t) => {
  const model = (seed: number) =>
    new WeightSet([
      ['conv.weight', randomTensor(seed, [4, 3, 3, 3])],
      ['conv.bias', randomTensor(seed + 1, [4])],
      ['fc.weight', randomTensor(seed + 2, [5, 4])],
      ['fc.bias', randomTensor(seed + 3, [5])],
      ['head.weight', randomTensor(seed + 4, [2, 5])],
    ]);
  const [a, b] = [model(1), model(9)];
  const comparison = await compareModels(a, b, { spectral: false });
  const expected = scipy<Record<string, number[]>>(
    `
A = {t['name']: np.array(t['values']).reshape(t['shape']) for t in data['a']}
B = {t['name']: np.array(t['values']).reshape(t['shape']) for t in data['b']}
def ww_cka(W1, W2):
    norm = np.sqrt(np.linalg.norm(W1.T @ W1) * np.linalg.norm(W2 @ W2.T))
    return np.linalg.norm(W1.T @ W2) / (norm + 1e-6 if norm < 1e-6 else norm)
result = {}
for name in [n for n in A if A[n].ndim >= 2]:
    W1, W2 = A[name], B[name]
    if W1.ndim == 4:
        cka = np.mean([ww_cka(W1[:, :, i, j], W2[:, :, i, j]) for i in range(W1.shape[2]) for j in range(W1.shape[3])])
    else:
        cka = ww_cka(W1, W2)
    bias = name.replace('.weight', '.bias')
    result[name] = [np.linalg.norm(W1 - W2), np.sum(W1 * W2) / np.linalg.norm(W1) / np.linalg.norm(W2),
                    np.linalg.norm(A[bias] - B[bias]) if bias in A else 0.0, cka]
flat = lambda M: np.concatenate([M[n].ravel() for n in M])
result['total'] = [np.linalg.norm(flat(A) - flat(B)), flat(A) @ flat(B) / np.linalg.norm(flat(A)) / np.linalg.norm(flat(B))]
`,
    { a: jsonOf(a), b: jsonOf(b) },
  );
  if (!expected) return t.skip(SCIPY_MISSING);
  const rows = comparison.rows();
  assert.deepEqual(
    rows.map((row) => row.layer),
    ['conv.weight', 'fc.weight', 'head.weight'],
  );
  const near = (x: number, y: number, what: string) =>
    assert.ok(Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(y)), `${what}: ${x} vs ${y}`);
  for (const row of rows) {
    const [l2, cosine, bias, cka] = expected[row.layer];
    near(row.l2, l2, `${row.layer} l2`);
    near(row.cosine, cosine, `${row.layer} cosine`);
    near(row.cosine_distance, 1 - cosine, `${row.layer} cosine distance`);
    near(row.bias_l2, bias, `${row.layer} bias`);
    near(row.ww_cka, cka, `${row.layer} ww cka`);
    assert.equal(row.alpha_a, null);
  }
  near(comparison.summary.l2, expected.total[0], 'total l2');
  near(comparison.summary.cosine, expected.total[1], 'total cosine');
  near(comparison.summary.mean_l2, (rows[0].l2 + rows[1].l2 + rows[2].l2) / 3, 'mean l2');
});

test('CKA of each layer’s activations matches numpy linear CKA of the two forward passes', async (t) => {
  const arch = mlp(5, [7, 6], 3);
  const x = rng(3).normal(40 * 5);
  const data = dataset(
    'probe',
    x,
    Int32Array.from({ length: 40 }, (_, i) => i % 3),
    5,
    3,
  );
  const task = supervisedTask(arch, { train: data, test: data });
  const [a, b] = [1, 2].map((seed) =>
    toWeightSet(
      arch,
      initialParameters(arch, seed).map((v, i) => v + 0.05 * Math.sin(i + seed)),
      'float64',
    ),
  );
  const comparison = await compareModels(a, b, { task, spectral: false });
  const expected = scipy<number[]>(
    `
X = np.array(data['x']).reshape(40, 5)
def forward(model):
    M = {t['name']: np.array(t['values']).reshape(t['shape']) for t in model}
    h, outs = X, []
    for l in range(3):
        h = h @ M[f'layers.{l}.weight'].T + M[f'layers.{l}.bias']
        if l < 2:
            h = np.maximum(h, 0)
        outs.append(h)
    return outs
def linear_cka(P, Q):
    P, Q = P - P.mean(axis=0), Q - Q.mean(axis=0)
    return np.linalg.norm(P.T @ Q) ** 2 / (np.linalg.norm(P.T @ P) * np.linalg.norm(Q.T @ Q))
result = [linear_cka(p, q) for p, q in zip(forward(data['a']), forward(data['b']))]
`,
    { x: Array.from(x), a: jsonOf(a), b: jsonOf(b) },
  );
  if (!expected) return t.skip(SCIPY_MISSING);
  comparison
    .rows()
    .forEach((row, l) =>
      assert.ok(Math.abs(row.cka! - expected[l]) < 1e-12, `${row.layer}: ${row.cka} vs ${expected[l]}`),
    );
});

test('a model against a permuted copy of itself: 0 apart after re-basin, not before', async () => {
  const arch = mlp(6, [8, 7], 3);
  const a = toWeightSet(arch, initialParameters(arch, 4), 'float64');
  const spec = mlpPermutationSpec(a);
  const permutations = Object.fromEntries(
    Object.entries(spec.groups).map(([group, size], k) => [group, rng(10 + k).permutation(size)]),
  );
  const b = applyPermutations(a, spec, permutations);
  const before = await compareModels(a, b, { spectral: false });
  assert.ok(before.summary.l2 > 0.1);
  const after = await compareModels(a, b, { align: true, spectral: false });
  assert.ok(after.summary.aligned);
  assert.ok(after.summary.l2 < 1e-12, String(after.summary.l2));
  for (const row of after.rows()) {
    assert.ok(row.l2 < 1e-12 && row.bias_l2 < 1e-12);
    assert.ok(Math.abs(row.cosine - 1) < 1e-12);
  }
});

test('alpha and spectral-norm columns are each model’s HTSR analysis; a checkpoint trajectory gives one table', async () => {
  const weights = (seed: number) =>
    new WeightSet([
      ['big.weight', new Tensor('float64', rng(seed).normal(60 * 40), [60, 40])],
      ['big.bias', new Tensor('float64', rng(seed + 1).normal(60), [60])],
      ['out.weight', new Tensor('float64', rng(seed + 2).normal(3 * 60), [3, 60])],
    ]);
  const [a, b, c] = [weights(1), weights(5), weights(9)];
  const comparison = await compareModels(a, b);
  const [ra, rb] = [(await analyze(a)).rows(), (await analyze(b)).rows()];
  const big = comparison.rows()[0];
  assert.equal(big.alpha_a, ra[0].alpha);
  assert.equal(big.alpha_b, rb[0].alpha);
  assert.equal(big.alpha_delta, rb[0].alpha - ra[0].alpha);
  assert.equal(big.spectral_norm_delta, rb[0].spectral_norm - ra[0].spectral_norm);
  // The 3 x 60 head has 3 eigenvalues, under analyze's minEvals: skipped, so no alpha.
  assert.equal(comparison.rows()[1].alpha_a, null);
  const trajectory = await compareCheckpoints([a, b, c], { spectral: false });
  assert.deepEqual(trajectory.column('step'), [1, 1, 2, 2]);
  assert.equal(trajectory.rows()[2].l2, (await compareModels(b, c, { spectral: false })).rows()[0].l2);
  const bundle = await toMimeBundle(comparison);
  assert.ok(VEGA_LITE_MIME in bundle.data && 'image/svg+xml' in bundle.data && !('text/html' in bundle.data));
  assert.match(String(bundle.data['text/plain']), /big\.weight: L2 [0-9.]+, cosine -?[0-9.]+, alpha/);
});

test('models that differ in a tensor are a ShapeError naming it', async () => {
  const a = new WeightSet([['fc.weight', randomTensor(1, [3, 4])]]);
  await assert.rejects(
    compareModels(a, new WeightSet([['fc.weight', randomTensor(1, [4, 3])]])),
    (e) => e instanceof ShapeError && e.details.field === 'fc.weight' && e.details.found === '[4, 3]',
  );
  await assert.rejects(
    compareModels(a, new WeightSet([['other.weight', randomTensor(1, [3, 4])]])),
    (e) => e instanceof ShapeError && e.details.field === 'fc.weight',
  );
});
