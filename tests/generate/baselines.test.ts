// The mandatory baselines against oracles that do not use their code: permuted copies of one model
// average back to it, noise has the requested per-coordinate sd, convex samples lie on a segment
// between two members, random init respects PyTorch's bounds, and seeds fix the bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  WeightSet,
  Tensor,
  rng,
  initialMlp,
  mlpPermutationSpec,
  applyPermutations,
  AlignedAverageBaseline,
  ZooNoiseBaseline,
  ConvexCombinationBaseline,
  GaussianPcaBaseline,
  RandomInitBaseline,
  type Permutations,
} from 'weightlab/internal';

function permutedCopies(base: WeightSet, count: number, offsetScale: number): WeightSet[] {
  const spec = mlpPermutationSpec(base);
  const offsets = Array.from({ length: count }, (_, i) => rng(50 + i).normal(base.numParameters, 0, offsetScale));
  // Zero-mean offsets: the average of the aligned copies is exactly the base model.
  const mean = offsets[0].map((_, k) => offsets.reduce((s, o) => s + o[k], 0) / count);
  return offsets.map((offset, i) => {
    const shifted = base.unflatten(base.flatten().map((v, k) => v + offset[k] - mean[k]));
    // Copy 0 keeps the base frame: alignment maps everything into model 0's frame.
    const perms: Permutations = Object.fromEntries(
      Object.entries(spec.groups).map(([g, n]) => [
        g,
        i === 0 ? Int32Array.from({ length: n }, (_, k) => k) : rng(70 + i).permutation(n),
      ]),
    );
    return applyPermutations(shifted, spec, perms);
  });
}

test('average of the aligned zoo: permuted, offset copies of one model average back to it', async () => {
  const base = initialMlp([6, 10, 8, 3], 1);
  const zoo = permutedCopies(base, 6, 1e-3); // offsets 100x smaller than the weights: alignment is unambiguous
  const [average] = await (await new AlignedAverageBaseline().fit(zoo)).sample(1, 0);
  const expected = base.flatten();
  const got = average.flatten();
  // Mean of 6 values: rounding error ~1e-16 relative to the largest weight (~0.4).
  for (let k = 0; k < expected.length; k++) assert.ok(Math.abs(got[k] - expected[k]) < 1e-14);
  // Without alignment, the average is a different (worse) model.
  const [plain] = await (await new AlignedAverageBaseline({ align: false }).fit(zoo)).sample(1, 0);
  assert.ok(plain.flatten().some((v, k) => Math.abs(v - expected[k]) > 1e-2));
});

test('zoo + noise: residuals have the requested per-coordinate sd', async () => {
  // A zoo whose models differ only in the first bias by a known spread, so per-coordinate sd is known.
  const base = initialMlp([3, 4, 2], 2);
  const zoo = [-1, 1].map((sign) =>
    base.map((t, name) =>
      name === 'fc0.bias'
        ? new Tensor(
            'float64',
            t.toFloat64().map((v, k) => (k === 0 ? v + sign * 0.5 : v)),
            t.shape,
          )
        : t,
    ),
  );
  const generator = await new ZooNoiseBaseline({ scale: 0.2 }).fit(zoo);
  const samples = await generator.sample(2000, 3);
  const residual = samples.map((s) => s.get('fc0.bias').toFloat64()[0] - base.get('fc0.bias').toFloat64()[0]);
  // Each sample is a member (±0.5) plus N(0, (0.2·0.5)²): |residual| − 0.5 has sd 0.1 around 0 when the member is identified.
  const noise = residual.map((r) => Math.abs(r) - 0.5);
  const sd = Math.sqrt(noise.reduce((s, v) => s + v * v, 0) / noise.length);
  assert.ok(Math.abs(sd - 0.1) < 0.1 * 0.1, `sd ${sd}`); // 2000 draws: relative se of sd ~1.6 %, 6 se allowed
  // Coordinates with zero zoo spread get no noise.
  samples
    .slice(0, 5)
    .forEach((s) => assert.deepEqual([...s.get('fc1.weight').toFloat64()], [...base.get('fc1.weight').toFloat64()]));
});

test('random convex combinations lie on the segment between two aligned members', async () => {
  const zoo = [0, 1, 2, 3].map((s) => initialMlp([4, 5, 2], s));
  const generator = await new ConvexCombinationBaseline({ align: false }).fit(zoo);
  const members = zoo.map((m) => m.flatten());
  for (const sample of await generator.sample(10, 4)) {
    const x = sample.flatten();
    const onSomeSegment = members.some((a, i) =>
      members.some((b, j) => {
        if (i === j) return false;
        // λ from the first coordinate where a and b differ, then every coordinate must agree.
        const k = a.findIndex((v, q) => Math.abs(v - b[q]) > 1e-6);
        const lambda = (x[k] - b[k]) / (a[k] - b[k]);
        return (
          lambda >= 0 && lambda <= 1 && x.every((v, q) => Math.abs(v - (lambda * a[q] + (1 - lambda) * b[q])) < 1e-9)
        );
      }),
    );
    assert.ok(onSomeSegment);
  }
});

test('Gaussian in PCA space: sample mean converges to the zoo mean', async () => {
  const zoo = [0, 1, 2, 3, 4, 5].map((s) => initialMlp([4, 5, 2], s));
  const generator = await new GaussianPcaBaseline({ rank: 5, align: false }).fit(zoo);
  const samples = (await generator.sample(4000, 5)).map((s) => s.flatten());
  const zooMean = zoo[0].flatten().map((_, k) => zoo.reduce((s, m) => s + m.flatten()[k], 0) / zoo.length);
  const sampleMean = zooMean.map((_, k) => samples.reduce((s, v) => s + v[k], 0) / samples.length);
  // Per-coordinate sd of the zoo is <= 0.5; 4000 draws give se <= 0.008; allow 5 se.
  zooMean.forEach((m, k) => assert.ok(Math.abs(sampleMean[k] - m) < 0.04, `coordinate ${k}`));
});

test('random init: within ±1/sqrt(fan_in), architecture of the zoo, reproducible from the seed', async () => {
  const zoo = [initialMlp([9, 4, 2], 0), initialMlp([9, 4, 2], 1)];
  const generator = await new RandomInitBaseline().fit(zoo);
  const [a] = await generator.sample(1, 11);
  assert.deepEqual(a.names, zoo[0].names);
  assert.ok(
    a
      .get('fc0.weight')
      .toFloat64()
      .every((v) => Math.abs(v) <= 1 / 3),
  );
  assert.ok(
    a
      .get('fc1.weight')
      .toFloat64()
      .every((v) => Math.abs(v) <= 1 / 2),
  );
  const [b] = await generator.sample(1, 11);
  assert.deepEqual([...a.flatten()], [...b.flatten()]);
  const [c] = await generator.sample(1, 12);
  assert.notDeepEqual([...a.flatten()], [...c.flatten()]);
});

test('every baseline gives the same bytes for the same seed', async () => {
  const zoo = [0, 1, 2, 3, 4].map((s) => initialMlp([4, 6, 3], s));
  for (const generator of [
    new ZooNoiseBaseline({ scale: 0.3 }),
    new ConvexCombinationBaseline(),
    new GaussianPcaBaseline({ rank: 3 }),
  ]) {
    await generator.fit(zoo);
    const first = (await generator.sample(3, 7)).map((m) => [...m.flatten()]);
    const second = (await generator.sample(3, 7)).map((m) => [...m.flatten()]);
    assert.deepEqual(first, second, generator.name);
  }
});
