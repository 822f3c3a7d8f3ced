// Random-matrix oracles: Gaussian (Marchenko-Pastur) layers have a large alpha, no spikes, and the
// MP fit recovers the bulk (rescaled sigma ≈ 1, edge at (1 + 1/√Q)² times the mean eigenvalue);
// planted rank-k spikes above the BBP threshold give num_spikes = k. Tolerances are finite-size:
// the edge of an N x M Gaussian ESD fluctuates by O(M^(-2/3)) ≈ 1-3 % here, we allow 5 %.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, matrix, rng, jensenShannonDistance } from 'weightlab/internal';

for (const [N, M, seed] of [
  [600, 300, 1],
  [800, 200, 2],
] as const) {
  test(`Gaussian ${N} x ${M}: alpha > 6, no spikes, MP fit recovers sigma and the bulk edge`, async () => {
    const w = matrix(N, M, rng(seed).normal(N * M, 0, 1 / Math.sqrt(N)));
    const row = (await analyze(w, { mpFit: true, progress: false })).rows()[0];
    assert.ok((row.alpha as number) > 6, `alpha ${row.alpha}`);
    assert.equal(row.warning, 'under-trained');
    assert.equal(row.num_spikes, 0);
    assert.ok(Math.abs((row.sigma_mp as number) - 1) < 0.05, `sigma_mp ${row.sigma_mp}`);
    const q = N / M;
    const meanEigenvalue = (row.norm as number) / M;
    const edge = (1 + 1 / Math.sqrt(q)) ** 2 * meanEigenvalue;
    assert.ok(Math.abs((row.bulk_max as number) / edge - 1) < 0.05, `bulk_max ${row.bulk_max} vs ${edge}`);
    assert.equal(row.Q, q);
  });
}

for (const k of [1, 3, 5]) {
  test(`${k} planted spikes are counted exactly`, async () => {
    const N = 400,
      M = 200;
    const random = rng(100 + k);
    const g = random.normal(N * M, 0, 1 / Math.sqrt(N));
    const u = random.normal(N * k, 0, 1 / Math.sqrt(N)),
      v = random.normal(k * M, 0, 1 / Math.sqrt(M));
    // Strengths 4..: far above the BBP threshold (Q^-1/4 ≈ 0.84 in these units).
    for (let i = 0; i < N; i++)
      for (let j = 0; j < M; j++) for (let s = 0; s < k; s++) g[i * M + j] += (4 + s) * u[i * k + s] * v[s * M + j];
    const row = (await analyze(matrix(N, M, g), { mpFit: true, progress: false })).rows()[0];
    assert.equal(row.num_spikes, k);
  });
}

test('randomize: seeded, reproducible, and a Gaussian layer is indistinguishable from its shuffle', async () => {
  const w = matrix(300, 150, rng(9).normal(300 * 150, 0, 0.1));
  const first = (await analyze(w, { randomize: true, seed: 3, progress: false })).toJSON()[0];
  const again = (await analyze(w, { randomize: true, seed: 3, progress: false })).toJSON()[0];
  const other = (await analyze(w, { randomize: true, seed: 4, progress: false })).toJSON()[0];
  assert.equal(first.rand_distance, again.rand_distance);
  assert.notEqual(first.rand_distance, other.rand_distance);
  // WeightWatcher reports ~0.01 for Gaussian layers; spec tolerance for non-bit-equal shuffles is 0.05.
  assert.ok((first.rand_distance as number) < 0.05, `rand_distance ${first.rand_distance}`);
  assert.ok(Math.abs((first.max_rand_eval as number) / (first.lambda_max as number) - 1) < 0.1);
  assert.ok(Math.abs((first.ww_softrank as number) - 1) < 0.1);
  for (const column of [
    'rand_num_spikes',
    'rand_sigma_mp',
    'rand_mp_softrank',
    'rand_W_scale',
    'rand_bulk_max',
    'rand_bulk_min',
  ])
    assert.ok(column in first, column);
});

test('Jensen-Shannon distance: 0 for equal vectors, ln 2 (squared) for disjoint supports', () => {
  assert.equal(jensenShannonDistance(Float64Array.of(1, 2, 3), Float64Array.of(2, 4, 6)), 0);
  assert.ok(
    Math.abs(jensenShannonDistance(Float64Array.of(1, 0), Float64Array.of(0, 1)) - Math.sqrt(Math.LN2)) < 1e-15,
  );
});
