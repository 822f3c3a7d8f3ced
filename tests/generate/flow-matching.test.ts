// Flow matching against closed forms on Gaussians. With source N(0, 1) and target N(0, 1) (the
// standardised zoo), independent coupling gives the marginal velocity
//   v(x, t) = E[x1 − x0 | x_t = x] = (2t − 1) / ((1 − t)² + t²) · x,
// and integrating it maps the source onto the target: generated "models" must have the zoo's mean
// and sd. Both parameterisations are checked: the network outputs v directly ('velocity') or the
// endpoint x̂₁ with v = (x̂₁ − x) / (1 − t) ('endpoint', the default in full weight space).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WeightSet, Tensor, rng, flowMatching } from 'weightlab/internal';

function gaussianZoo(count: number, mean: number[], sd: number[], seed: number): WeightSet[] {
  const source = rng(seed);
  return Array.from(
    { length: count },
    () =>
      new WeightSet([
        [
          'x',
          new Tensor(
            'float64',
            Float64Array.from(mean, (m, k) => m + sd[k] * source.normal(1)[0]),
            [mean.length],
          ),
        ],
      ]),
  );
}

for (const prediction of ['velocity', 'endpoint'] as const)
  test(`learned ${prediction} gives the closed-form velocity and samples match the target Gaussian`, async () => {
    const mean = [3, -2],
      sd = [0.5, 2];
    const zoo = gaussianZoo(400, mean, sd, 1);
    const generator = await flowMatching({
      space: 'full',
      prediction,
      align: false,
      hidden: 48,
      layers: 2,
      steps: 1200,
      batchSize: 64,
      learningRate: 3e-3,
      seed: 2,
    }).fit(zoo, { progress: false });
    const grid: number[] = [];
    for (const x of [-1.5, -0.5, 0.5, 1.5]) grid.push(x, -x);
    // The endpoint form's velocity divides the endpoint's error by 1 − t, so it is read where 1 − t ≥ 0.5.
    for (const t of prediction === 'velocity' ? [0.25, 0.5, 0.75] : [0.25, 0.5]) {
      const v = await generator.velocity(grid, t);
      const slope = (2 * t - 1) / ((1 - t) ** 2 + t ** 2);
      // 0.3: the field is learned from 400 draws by a small net in 1200 steps; |v| reaches 1.8 here;
      // for the endpoint form 0.3 / (1 − t) (the same error in x̂₁, divided by 1 − t).
      const tolerance = prediction === 'velocity' ? 0.3 : 0.3 / (1 - t);
      grid.forEach((x, i) =>
        assert.ok(Math.abs(v[i] - slope * x) < tolerance, `t=${t} x=${x}: ${v[i]} vs ${slope * x}`),
      );
    }
    const samples = (await generator.sample(500, 3)).map((m) => m.get('x').toFloat64());
    for (let k = 0; k < 2; k++) {
      const values = samples.map((s) => s[k]);
      const m = values.reduce((a, b) => a + b, 0) / values.length;
      const s = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
      // Mean within 0.15 sd (se of 500 draws is 0.045 sd, plus fit error); sd within 15 %.
      assert.ok(Math.abs(m - mean[k]) < 0.15 * sd[k], `mean ${k}: ${m}`);
      assert.ok(Math.abs(s / sd[k] - 1) < 0.15, `sd ${k}: ${s}`);
    }
    // Same seed, same bytes.
    const first = (await generator.sample(5, 4)).map((m) => [...m.get('x').toFloat64()]);
    const second = (await generator.sample(5, 4)).map((m) => [...m.get('x').toFloat64()]);
    assert.deepEqual(first, second);
  });
