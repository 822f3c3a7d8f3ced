// The zoo builder beyond MLPs, end to end: the small CNN preset (checkpoints HTSR and Git
// Re-Basin read as conv2d layers, phase metrics), the convection PINN preset (relative L2 error
// per model and epoch; beta = 1 trains, beta = 30 fails as in Krishnapriyan et al.), and
// phaseMetrics' hidden-layer CKA against a dense oracle written here: hidden activations from
// the checkpoint's weights with plain loops, CKA as tr(K H L H) / sqrt(tr(K H K H) tr(L H L H))
// with an explicit centring matrix H (a different formula from the library's feature-space one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildNetwork,
  buildZoo,
  classifyPhases,
  digits,
  fromWeightSet,
  linearCKA,
  mlp,
  networkRepresentation,
  openZoo,
  phaseDiagram,
  phaseMetrics,
  representation,
  rng,
  zooPreset,
  type ZooSpec,
} from 'weightlab/internal';
import { temporaryFolder } from '../../support/paths';

test('digits-cnn-grid --small: conv checkpoints, deterministic, phase metrics on a CNN zoo', async () => {
  const root = temporaryFolder('zoo-cnn');
  const built = await buildZoo(zooPreset('digits-cnn-grid', { small: true }), {
    out: root,
    workers: 2,
    progress: false,
  });
  assert.equal(built.trained.length, 8);
  assert.deepEqual(built.failed, []);
  const model = openZoo(root).model('width=8_batch_size=32_seed=0');
  const weights = model.checkpoints[model.checkpoints.length - 1].load();
  assert.deepEqual(
    weights.layers.map((l) => [l.name, l.kind]),
    [
      ['layers.0', 'conv2d'],
      ['layers.1', 'conv2d'],
      ['layers.2', 'linear'],
    ],
  );
  assert.deepEqual(weights.info('layers.1.weight').shape, [8, 8, 3, 3]);
  assert.equal(model.params['model::type'], 'CNN');
  const table = classifyPhases(
    await phaseMetrics(root, { progress: false, hessianSamples: 64, bezier: { epochs: 1 } }),
  );
  assert.equal(table.rows().length, 4);
  assert.deepEqual(table.problems, []);
  for (const row of table.rows()) {
    assert.equal(row.models.length, 2);
    assert.ok(row.train_acc! > 0 && row.hessian_top_ev !== null && Number.isFinite(row.curve_mc_train_error!));
    assert.ok(row.representation_similarity! > 0 && row.representation_similarity! <= 1 + 1e-12);
  }
  // Wider CNNs fit better at the same batch size (2 vs 8 channels, 3 epochs).
  const acc = (w: number) => table.rows().find((r) => r.width === w && r.batch_size === 32)!.train_acc!;
  assert.ok(acc(8) > acc(2), `${acc(8)} vs ${acc(2)}`);
});

test('convection-pinn-grid --small: relative L2 error per epoch, large beta fails, PINN phase table', async () => {
  const root = temporaryFolder('zoo-pinn');
  const built = await buildZoo(zooPreset('convection-pinn-grid', { small: true }), {
    out: root,
    workers: 0,
    progress: false,
  });
  assert.equal(built.trained.length, 8);
  const zoo = openZoo(root);
  const model = zoo.model('learning_rate=0.03_beta=1_seed=0');
  assert.equal(model.params['dataset::beta'], 1);
  assert.equal(model.results.length, 41);
  assert.ok(model.results.every((r) => typeof r.relative_l2_error === 'number' && r.train_acc === undefined));
  const table = classifyPhases(
    await phaseMetrics(root, { progress: false, hessianSamples: 64, bezier: { epochs: 1 } }),
  );
  assert.deepEqual(table.axes, { load: 'beta', temperature: 'learning_rate' });
  const error = (beta: number) =>
    table.rows().find((r) => r.beta === beta && r.learning_rate === 0.03)!.relative_l2_error!;
  // beta = 30 is the failure mode: u stays near a trivial solution, relative error ~ 1.
  assert.ok(error(30) > 0.9 && error(1) < 0.5 * error(30), `beta 1: ${error(1)}, beta 30: ${error(30)}`);
  assert.ok(table.rows().every((r) => r.train_acc === null && r.phase !== null && r.hessian_trace !== null));
  assert.match(String(phaseDiagram(table)), /rows: beta, columns: learning rate/);
});

/** tr(K H L H) / sqrt(tr(K H K H) tr(L H L H)) for linear kernels, with H = I - 11^T / n spelled out. */
function denseCKA(a: Float64Array, b: Float64Array, n: number, da: number, db: number): number {
  const gram = (x: Float64Array, d: number) =>
    Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => {
        let s = 0;
        for (let c = 0; c < d; c++) s += x[i * d + c] * x[j * d + c];
        return s;
      }),
    );
  const H = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0) - 1 / n));
  const mul = (A: number[][], B: number[][]) =>
    A.map((row) => B[0].map((_, j) => row.reduce((s, v, k) => s + v * B[k][j], 0)));
  const trace = (A: number[][]) => A.reduce((s, row, i) => s + row[i], 0);
  const KH = mul(gram(a, da), H);
  const LH = mul(gram(b, db), H);
  return trace(mul(KH, LH)) / Math.sqrt(trace(mul(KH, KH)) * trace(mul(LH, LH)));
}

test('hidden-layer CKA: matches the dense oracle, CKA(X, X) = 1, invariant to rotations and isotropic scaling', async () => {
  const spec: ZooSpec = {
    name: 'cka',
    dataset: 'digits',
    axes: { width: [6] },
    seeds: [0, 1],
    defaults: { batch_size: 64 },
    epochs: 2,
  };
  const root = temporaryFolder('zoo-cka');
  await buildZoo(spec, { out: root, workers: 0, progress: false });
  const zoo = openZoo(root);
  const { test: held } = digits();
  const arch = mlp(64, [6], 10);
  const params = ['width=6_seed=0', 'width=6_seed=1'].map((id) =>
    fromWeightSet(arch, zoo.model(id).checkpoints.at(-1)!.load()),
  );
  // Hidden activations from the weights by plain loops: relu(W1 x + b1).
  const hiddenOf = (p: Float64Array) => {
    const out = new Float64Array(held.size * 6);
    for (let i = 0; i < held.size; i++)
      for (let j = 0; j < 6; j++) {
        let s = p[6 * 64 + j];
        for (let k = 0; k < 64; k++) s += p[j * 64 + k] * held.x[i * 64 + k];
        out[i * 6 + j] = Math.max(0, s);
      }
    return out;
  };
  const [ha, hb] = params.map(hiddenOf);
  const net = buildNetwork(arch, 512);
  const library = networkRepresentation(net, params[0], held.x, held.size, 'hidden');
  assert.equal(library.columns, 6);
  assert.ok(library.values.every((v, i) => Math.abs(v - ha[i]) < 1e-12));
  assert.deepEqual(
    Array.from(networkRepresentation(net, params[0], held.x, held.size, 1).values),
    Array.from(library.values),
  );

  const n = held.size;
  const oracle = denseCKA(ha, hb, n, 6, 6);
  for (const layer of ['hidden', 1] as const) {
    const table = await phaseMetrics(root, {
      progress: false,
      hessianSamples: 32,
      bezier: { epochs: 1 },
      ckaLayer: layer,
      cache: false,
    });
    // Two float64 evaluations of the same quantity in different orders (n = 359): ~1e-13.
    assert.ok(
      Math.abs(table.rows()[0].representation_similarity! - oracle) < 1e-10,
      `${layer}: ${table.rows()[0].representation_similarity} vs ${oracle}`,
    );
    assert.equal(table.settings.ckaLayer, layer);
  }
  const logits = await phaseMetrics(root, { progress: false, hessianSamples: 32, bezier: { epochs: 1 }, cache: false });
  assert.equal(logits.settings.ckaLayer, 'logits'); // the documented default (PTMZ: CKA of the logits)
  // Worker threads (the default) and this thread give the same bytes: every draw is seeded per model or pair.
  assert.deepEqual(
    (
      await phaseMetrics(root, { progress: false, hessianSamples: 32, bezier: { epochs: 1 }, cache: false, workers: 0 })
    ).rows(),
    logits.rows(),
  );
  assert.notEqual(logits.rows()[0].representation_similarity, oracle); // the option changes what is compared
  await assert.rejects(phaseMetrics(root, { progress: false, ckaLayer: 0 }), /ckaLayer/);

  const X = representation(ha, n, 6);
  assert.ok(Math.abs(linearCKA(X, X) - 1) < 1e-12);
  // An orthogonal Q (Gram-Schmidt of a seeded Gaussian 6 x 6) and a scale of 2.5.
  const basis: Float64Array[] = [];
  const random = rng(3);
  for (let k = 0; k < 6; k++) {
    const v = random.normal(6);
    for (const q of basis) {
      const c = v.reduce((s, x, i) => s + x * q[i], 0);
      for (let i = 0; i < 6; i++) v[i] -= c * q[i];
    }
    const norm = Math.hypot(...v);
    basis.push(v.map((x) => x / norm));
  }
  const rotated = new Float64Array(n * 6);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < 6; j++) for (let k = 0; k < 6; k++) rotated[i * 6 + j] += 2.5 * hb[i * 6 + k] * basis[j][k];
  const Y = representation(hb, n, 6);
  assert.ok(Math.abs(linearCKA(X, representation(rotated, n, 6)) - linearCKA(X, Y)) < 1e-12);
  assert.ok(Math.abs(linearCKA(X, Y) - oracle) < 1e-10);
});
