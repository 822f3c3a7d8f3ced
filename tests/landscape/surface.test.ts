// Loss surfaces against closed forms and numpy: on a quadratic loss every grid value is
// L0 + gᵀu + uᵀAu/2 with u = α d1 + β d2 (exact to rounding); filter and layer normalisation
// against numpy's per-row norms of each weight tensor (the definition loss-landscapes' bug #3
// gets wrong); PCA directions against numpy's SVD of the centred trajectory matrix (up to sign)
// and the projected trajectory against numpy's dot products; contours of a linear function lie
// on its level set; bad options and shapes are typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  PayloadError,
  ShapeError,
  checkSurfacePayload,
  cnn,
  contourSegments,
  dataset,
  initialParameters,
  lossSurface,
  mlp,
  networkSlots,
  normalizeDirection,
  rng,
  supervisedTask,
  toWeightSet,
  toMimeBundle,
  trainNetwork,
  VEGA_LITE_MIME,
  type NetworkArchitecture,
  type TrainingTask,
} from 'weightlab/internal';
import { scipy, SCIPY_MISSING } from '../statistics/scipy';

/** A symmetric positive-definite P x P matrix M Mᵀ + I from a seed. */
function spd(seed: number, P: number): Float64Array {
  const m = rng(seed).normal(P * P);
  const a = new Float64Array(P * P);
  for (let i = 0; i < P; i++)
    for (let j = 0; j < P; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < P; k++) s += m[i * P + k] * m[j * P + k];
      a[i * P + j] = s / P;
    }
  return a;
}

function quadratic(a: Float64Array, c: Float64Array, x: Float64Array): number {
  const P = c.length;
  let s = 0;
  for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) s += 0.5 * (x[i] - c[i]) * a[i * P + j] * (x[j] - c[j]);
  return s;
}

/** A training task whose train and test losses are quadratics ½(θ - c)ᵀA(θ - c) over an MLP's parameters. */
function quadraticTask(arch: NetworkArchitecture, seed: number) {
  const P = initialParameters(arch, 0).length;
  const [trainA, testA] = [spd(seed, P), spd(seed + 1, P)];
  const c = rng(seed + 2).normal(P);
  const task: TrainingTask = {
    name: 'quadratic',
    architecture: arch,
    dimension: P,
    examples: 1,
    lossAndGradient(params, grad) {
      for (let i = 0; i < P; i++) {
        let s = 0;
        for (let j = 0; j < P; j++) s += trainA[i * P + j] * (params[j] - c[j]);
        grad[i] = s;
      }
      return quadratic(trainA, c, params);
    },
    hessianVectorProduct(params, v, out) {
      for (let i = 0; i < P; i++) {
        let s = 0;
        for (let j = 0; j < P; j++) s += trainA[i * P + j] * v[j];
        out[i] = s;
      }
      return quadratic(trainA, c, params);
    },
    evaluate(params) {
      return { train_loss: quadratic(trainA, c, params), test_loss: quadratic(testA, c, params), relative_l2_error: 0 };
    },
    representation() {
      throw new ArgumentError('a quadratic loss has no representation');
    },
  };
  return { task, trainA, testA, c, P };
}

test('on a quadratic loss every surface value is L0 + gᵀu + uᵀAu/2 (train and test), slices too', () => {
  const arch = mlp(3, [4], 2);
  const { task, trainA, testA, c, P } = quadraticTask(arch, 11);
  const center = rng(5).normal(P);
  for (const dimensions of [2, 1] as const) {
    const surface = lossSurface(center, task, { resolution: 5, range: 0.8, dimensions, seed: 3 });
    assert.equal(surface.rows().length, dimensions === 2 ? 25 : 5);
    for (const [split, a] of [
      ['train', trainA],
      ['test', testA],
    ] as const) {
      const g = new Float64Array(P);
      for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) g[i] += a[i * P + j] * (center[j] - c[j]);
      const l0 = quadratic(a, c, center);
      const values = surface.loss(split);
      surface.rows().forEach((row, k) => {
        const u = Float64Array.from(
          { length: P },
          (_, i) => row.alpha * surface.directions[0][i] + (dimensions === 2 ? row.beta * surface.directions[1][i] : 0),
        );
        let expected = l0;
        for (let i = 0; i < P; i++) {
          expected += g[i] * u[i];
          for (let j = 0; j < P; j++) expected += 0.5 * u[i] * a[i * P + j] * u[j];
        }
        assert.ok(
          Math.abs(values[k] - expected) <= 1e-12 * Math.abs(expected),
          `${split} ${k}: ${values[k]} vs ${expected}`,
        );
      });
    }
    [-0.8, -0.4, 0, 0.4, 0.8].forEach((value, i) => assert.ok(Math.abs(surface.alphas[i] - value) < 1e-15));
    assert.equal(surface.alphas[2], 0);
  }
});

test('filter and layer normalisation match numpy per filter and per tensor (MLP and CNN), biases by the bias rule', (t) => {
  const cases: NetworkArchitecture[] = [mlp(5, [4, 3], 2), cnn([2, 6, 6], [3, 4], 3)];
  const inputs = cases.flatMap((arch, n) => {
    const params = initialParameters(arch, n + 1).map((v, i) => v + 0.01 * i);
    const direction = rng(20 + n).normal(params.length);
    const tensors = [...toWeightSet(arch, params, 'float64')].map(([name, tensor]) => ({
      name,
      shape: tensor.shape,
    }));
    return (['filter', 'layer'] as const).flatMap((normalization) =>
      (['ignore', 'include'] as const).map((bias) => ({
        arch,
        normalization,
        bias,
        params: Array.from(params),
        direction: Array.from(direction),
        tensors,
        ours: Array.from(normalizeDirection(direction, params, arch, normalization, bias)),
      })),
    );
  });
  const expected = scipy<number[][]>(
    `
result = []
for case in data:
    theta, d = np.array(case['params']), np.array(case['direction'])
    out, at = [], 0
    for t in case['tensors']:
        size = int(np.prod(t['shape']))
        w, v = theta[at:at + size], d[at:at + size]
        at += size
        if len(t['shape']) == 1:
            out.append(np.zeros(size) if case['bias'] == 'ignore' else w)
        elif case['normalization'] == 'filter':
            W, V = w.reshape(t['shape'][0], -1), v.reshape(t['shape'][0], -1)
            out.append((V * (np.linalg.norm(W, axis=1) / np.linalg.norm(V, axis=1))[:, None]).ravel())
        else:
            out.append(v * np.linalg.norm(w) / np.linalg.norm(v))
    result.append(np.concatenate(out).tolist())
`,
    inputs.map(({ arch: _arch, ours: _ours, ...rest }) => rest),
  );
  if (!expected) return t.skip(SCIPY_MISSING);
  inputs.forEach((input, n) => {
    for (let i = 0; i < input.ours.length; i++)
      assert.ok(
        Math.abs(input.ours[i] - expected[n][i]) <= 1e-12 * Math.max(1, Math.abs(expected[n][i])),
        `${input.arch.kind} ${input.normalization} ${input.bias} [${i}]: ${input.ours[i]} vs ${expected[n][i]}`,
      );
    // The definition itself: every filter of the direction has its filter's norm.
    if (input.normalization === 'filter')
      for (const slot of networkSlots(input.arch))
        for (let row = 0; row < slot.outputs; row++) {
          const range = [slot.weight + row * slot.inputs, slot.weight + (row + 1) * slot.inputs];
          const norm = (v: number[]) => Math.hypot(...v.slice(range[0], range[1]));
          assert.ok(Math.abs(norm(input.ours) - norm(input.params)) <= 1e-12 * norm(input.params));
        }
  });
});

test('PCA directions are numpy SVD components of the centred trajectory; the projection is their dot products', (t) => {
  const arch = mlp(4, [3], 2);
  const { task, P } = quadraticTask(arch, 31);
  const center = rng(40).normal(P);
  // A trajectory that ends at the model (left out of the PCA, as Li et al. leave out the final model).
  const trajectory = Array.from({ length: 7 }, (_, k) =>
    k === 6 ? Float64Array.from(center) : Float64Array.from(rng(50 + k).normal(P), (v, i) => center[i] + v / (k + 1)),
  );
  const surface = lossSurface(center, task, { directions: 'pca', trajectory, resolution: 3 });
  const expected = scipy<{ components: number[][]; ratio: number[]; projection: number[][] }>(
    `
theta = np.array(data['center'])
rows = np.array(data['trajectory']) - theta
for at, size in data['biases']:
    rows[:, at:at + size] = 0
kept = rows[np.any(rows != 0, axis=1)]
centred = kept - kept.mean(axis=0)
_, s, vt = np.linalg.svd(centred, full_matrices=False)
offsets = np.array(data['trajectory']) - theta
result = {'components': vt[:2].tolist(), 'ratio': (s[:2] ** 2 / np.sum(s ** 2)).tolist(),
          'projection': (offsets @ vt[:2].T).tolist()}
`,
    {
      center: Array.from(center),
      trajectory: trajectory.map((p) => Array.from(p)),
      biases: networkSlots(arch).map((slot) => [slot.bias, slot.outputs]),
    },
  );
  if (!expected) return t.skip(SCIPY_MISSING);
  const path = surface.trajectory()!;
  for (let k = 0; k < 2; k++) {
    const ours = surface.directions[k];
    const sign = Math.sign(ours.reduce((s, v, i) => s + v * expected.components[k][i], 0));
    ours.forEach((v, i) => assert.ok(Math.abs(v - sign * expected.components[k][i]) < 1e-10, `PC${k + 1}[${i}]`));
    assert.ok(Math.abs(surface.explainedVariance![k] - expected.ratio[k]) < 1e-12);
    path.forEach((p, step) => {
      const coordinate = k === 0 ? p.alpha : p.beta;
      // Projections with the bias entries of the offsets included (directions have zero bias entries).
      assert.ok(Math.abs(coordinate - sign * expected.projection[step][k]) < 1e-10, `step ${step} PC${k + 1}`);
    });
  }
  assert.equal(path[6].alpha, 0);
  assert.equal(path[6].residual, 0);
  assert.equal(surface.normalization, 'none');
});

test('a trained MLP: the surface at the origin is the task evaluated at the model; the PCA path ends at the origin', async () => {
  const random = rng(7);
  const x = random.normal(120 * 4);
  const y = Int32Array.from({ length: 120 }, (_, i) => (x[i * 4] + x[i * 4 + 1] > 0 ? 1 : 0));
  const data = dataset('two-blobs', x, y, 4, 2);
  const arch = mlp(4, [6], 2);
  const checkpoints: Float64Array[] = [];
  const job = {
    architecture: arch,
    seed: 1,
    batchSize: 16,
    learningRate: 0.1,
    momentum: 0.9,
    weightDecay: 0,
    epochs: 6,
  };
  const { params } = trainNetwork(job, data, data, { onEpoch: (_, p) => checkpoints.push(Float64Array.from(p)) });
  const task = supervisedTask(arch, { train: data, test: data });
  const atModel = task.evaluate(params);
  const random2d = lossSurface(toWeightSet(arch, params, 'float64'), task, { resolution: 5 });
  const origin = random2d.rows().find((row) => row.alpha === 0 && row.beta === 0)!;
  assert.equal(origin.train_loss, atModel.train_loss);
  assert.equal(origin.test_error, 100 * (1 - atModel.test_acc!));
  const pca = lossSurface(params, task, { directions: 'pca', trajectory: checkpoints, resolution: 5 });
  const path = pca.trajectory()!;
  assert.equal(path.length, 7);
  assert.deepEqual([path[6].alpha, path[6].beta, path[6].residual], [0, 0, 0]);
  // The default range covers the projected path.
  for (const p of path) assert.ok(p.alpha >= pca.alphas[0] && p.alpha <= pca.alphas[4]);
  const bundle = await toMimeBundle(pca);
  assert.ok(VEGA_LITE_MIME in bundle.data && 'image/svg+xml' in bundle.data);
  assert.ok(!('text/html' in bundle.data));
  assert.ok(String(bundle.data['text/plain']).includes('PCA directions explain'));
  const payload = checkSurfacePayload(bundle.data['application/vnd.weightlab.surface.v1+json']);
  assert.equal(payload.loss.train[2][2], pca.rows()[12].train_loss);
  assert.equal(payload.trajectory!.length, 7);
  assert.throws(
    () => checkSurfacePayload({ ...payload, loss: { ...payload.loss, test: payload.loss.test.slice(1) } }),
    (e) => e instanceof PayloadError && e.path === '$.loss.test',
  );
  assert.throws(
    () => checkSurfacePayload({ ...payload, alphas: [...payload.alphas].reverse() }),
    (e) => e instanceof PayloadError && e.path === '$.alphas[1]',
  );
  const layers = (bundle.data[VEGA_LITE_MIME] as { layer: { mark: { type: string } }[] }).layer;
  assert.deepEqual(
    layers.map((l) => l.mark.type),
    ['rect', 'rule', 'line'],
  );
});

test('contour segments of a linear function lie on its level set', () => {
  const xs = Float64Array.from({ length: 6 }, (_, i) => i * 0.3 - 0.7);
  const ys = Float64Array.from({ length: 5 }, (_, j) => j * 0.4 - 1);
  const values = Float64Array.from({ length: 30 }, (_, k) => xs[k % 6] + 2 * ys[Math.floor(k / 6)]);
  const segments = contourSegments(values, xs, ys, 0.1);
  assert.ok(segments.length > 3);
  for (const [x, y, x2, y2] of segments) {
    assert.ok(Math.abs(x + 2 * y - 0.1) < 1e-12);
    assert.ok(Math.abs(x2 + 2 * y2 - 0.1) < 1e-12);
  }
});

test('bad input is a typed error naming the field', () => {
  const arch = mlp(3, [4], 2);
  const { task, P } = quadraticTask(arch, 1);
  const center = new Float64Array(P);
  assert.throws(
    () => lossSurface(new Float64Array(P - 1), task),
    (e) => e instanceof ShapeError && e.details.field === 'model',
  );
  assert.throws(
    () => lossSurface(center, task, { directions: 'pca' }),
    (e) => e instanceof ArgumentError && e.details.field === 'trajectory',
  );
  assert.throws(
    () => lossSurface(center, task, { directions: 'pca', normalization: 'filter', trajectory: [center] }),
    (e) => e instanceof ArgumentError && e.details.field === 'normalization',
  );
  assert.throws(
    () => lossSurface(center, task, { directions: [new Float64Array(P)] }),
    (e) => e instanceof ArgumentError && e.details.field === 'directions',
  );
  assert.throws(
    () => lossSurface(center, task, { range: [1, -1] }),
    (e) => e instanceof ArgumentError && e.details.field === 'range',
  );
  assert.throws(
    () => lossSurface(center, task, { resolutions: 3 } as never),
    (e) => e instanceof ArgumentError,
  );
});
