// The small CNN against independent oracles: its gradient against central differences of its
// loss, its R-operator Hessian-vector product against differences of the gradient and its top
// eigenvalue / trace against the dense Hessian (Jacobi); the function it computes against a
// direct convolution written here with plain loops; and the checkpoint names HTSR and Git
// Re-Basin rely on (conv2d layers; permuting channels by cnnPermutationSpec keeps the logits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyPermutations,
  buildNetwork,
  cnn,
  cnnPermutationSpec,
  digits,
  fromWeightSet,
  hutchinsonTrace,
  initialParameters,
  inferLayers,
  networkHessian,
  rng,
  toWeightSet,
  topEigenvalues,
} from 'weightlab/internal';
import { finiteDifferenceHessianOf, jacobiEigenvalues, relativeError } from './oracle';

const rows = (n: number) => {
  const { train } = digits();
  return { x: train.x.slice(0, n * 64), y: train.y.slice(0, n), n };
};

test('CNN gradient matches central differences of the loss (tanh and relu, across the 128-row chunks)', () => {
  const { x, y, n } = rows(130);
  for (const activation of ['tanh', 'relu'] as const) {
    const arch = cnn([1, 8, 8], [2, 3], 10, { activation });
    const net = buildNetwork(arch, n);
    // Non-zero biases: with zero biases every all-zero patch (the digits' blank border) sits
    // exactly on the ReLU kink, where differences see half a slope and backprop takes 0.
    const noise = rng(5).normal(net.parameterCount, 0, 0.05);
    const p = initialParameters(arch, 1).map((w, i) => w + noise[i]);
    const grad = new Float64Array(net.parameterCount);
    const scratch = new Float64Array(net.parameterCount);
    net.lossAndGradient(p, x, y, n, grad);
    const loss = (w: Float64Array) => net.lossAndGradient(w, x, y, n, scratch).loss;
    const numeric = new Float64Array(net.parameterCount);
    for (let k = 0; k < net.parameterCount; k++) {
      const h = 1e-6;
      const plus = Float64Array.from(p);
      plus[k] += h;
      const minus = Float64Array.from(p);
      minus[k] -= h;
      numeric[k] = (loss(plus) - loss(minus)) / (2 * h);
    }
    // Central differences with h = 1e-6 on a loss ~2.3: rounding eps L / h ~ 5e-10 and truncation
    // h^2 |L'''| ~ 1e-12 per entry, against gradient entries ~1e-3..1e-2: 1e-5 relative is ample.
    // ReLU kinks are crossed with probability ~h per unit, negligible at 130 rows.
    assert.ok(relativeError(grad, numeric) < 1e-5, `${activation}: ${relativeError(grad, numeric)}`);
  }
});

test('CNN R-operator HVP matches differences of the gradient; eigenvalue and trace match the dense Hessian', () => {
  const { x, y, n } = rows(40);
  const arch = cnn([1, 8, 8], [2, 3], 10, { activation: 'tanh' });
  const net = buildNetwork(arch, n);
  const p = initialParameters(arch, 4);
  const P = net.parameterCount;
  const gradient = (w: Float64Array, out: Float64Array) => net.lossAndGradient(w, x, y, n, out);
  const H = finiteDifferenceHessianOf(gradient, p);
  const v = rng(8).normal(P);
  const hv = new Float64Array(P);
  net.hessianVectorProduct(p, x, y, n, v, hv);
  const dense = new Float64Array(P);
  for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) dense[i] += H[i * P + j] * v[j];
  // Same budget as the MLP test: h = 1e-5 differences of an exact gradient, ~1e-9 per entry.
  assert.ok(relativeError(hv, dense) < 1e-6, `relative error ${relativeError(hv, dense)}`);
  const eigen = jacobiEigenvalues(H, P);
  const largest = Math.abs(eigen[0]) > Math.abs(eigen[P - 1]) ? eigen[0] : eigen[P - 1];
  const op = networkHessian(arch, p, { name: 'rows', x, y, size: n, features: 64, classes: 10 });
  const top = topEigenvalues(op, { seed: 0, maxIter: 3000, tol: 1e-12 });
  assert.ok(Math.abs(top.values[0] - largest) / Math.abs(largest) < 1e-6, `${top.values[0]} vs ${largest}`);
  const trace = hutchinsonTrace(op, { tol: 0, seed: 1 });
  const exact = eigen.reduce((s, e) => s + e, 0);
  // 100 Rademacher probes: the estimate is within a few standard errors of the exact trace.
  assert.ok(
    Math.abs(trace.trace - exact) < 4 * trace.standardError,
    `${trace.trace} ± ${trace.standardError} vs ${exact}`,
  );
});

test('CNN logits equal a direct convolution with zero padding, strides 1 then 2, mean pooling', () => {
  const { x, n } = rows(5);
  const arch = cnn([1, 8, 8], [3, 2], 10, { activation: 'relu' });
  const p = initialParameters(arch, 2);
  const w = toWeightSet(arch, p, 'float64');
  const get = (name: string) => w.get(name).toFloat64();
  const conv = (input: number[][][], weight: Float64Array, bias: Float64Array, stride: number): number[][][] => {
    const [cin, size] = [input.length, input[0].length];
    const out = Math.floor((size + 2 - 3) / stride) + 1;
    return Array.from(bias, (b, o) =>
      Array.from({ length: out }, (_, oy) =>
        Array.from({ length: out }, (_, ox) => {
          let s = b;
          for (let c = 0; c < cin; c++)
            for (let ky = 0; ky < 3; ky++)
              for (let kx = 0; kx < 3; kx++) {
                const yy = oy * stride + ky - 1;
                const xx = ox * stride + kx - 1;
                if (yy >= 0 && yy < size && xx >= 0 && xx < size)
                  s += weight[((o * cin + c) * 3 + ky) * 3 + kx] * input[c][yy][xx];
              }
          return Math.max(0, s);
        }),
      ),
    );
  };
  const logits = buildNetwork(arch, n).forward(p, x, n);
  for (let i = 0; i < n; i++) {
    const image = [Array.from({ length: 8 }, (_, r) => Array.from(x.subarray(i * 64 + r * 8, i * 64 + r * 8 + 8)))];
    const a2 = conv(
      conv(image, get('layers.0.weight'), get('layers.0.bias'), 1),
      get('layers.1.weight'),
      get('layers.1.bias'),
      2,
    );
    const pooled = a2.map((plane) => plane.flat().reduce((s, v) => s + v, 0) / plane.flat().length);
    const W = get('layers.2.weight');
    const b = get('layers.2.bias');
    for (let k = 0; k < 10; k++) {
      const expected = b[k] + pooled.reduce((s, v, c) => s + W[k * 2 + c] * v, 0);
      // Same products, different summation order: agreement to a few ulps of the logits (~1).
      assert.ok(Math.abs(logits[i * 10 + k] - expected) < 1e-12, `row ${i} class ${k}`);
    }
  }
});

test('CNN checkpoints: OIHW conv2d layers for HTSR, and a channel permutation (cnnPermutationSpec) keeps the function', () => {
  const { x, n } = rows(20);
  const arch = cnn([1, 8, 8], [4, 5], 10);
  const p = initialParameters(arch, 3);
  const weights = toWeightSet(arch, p, 'float64');
  assert.deepEqual(weights.names, [
    'layers.0.weight',
    'layers.0.bias',
    'layers.1.weight',
    'layers.1.bias',
    'layers.2.weight',
    'layers.2.bias',
  ]);
  assert.deepEqual(weights.info('layers.1.weight').shape, [5, 4, 3, 3]);
  assert.deepEqual(
    inferLayers([...weights.names].map((name) => [name, weights.info(name)])).map((l) => l.kind),
    ['conv2d', 'conv2d', 'linear'],
  );
  assert.deepEqual(Array.from(fromWeightSet(arch, weights)), Array.from(p));
  const spec = cnnPermutationSpec(arch, weights);
  assert.deepEqual(spec.groups, { P0: 4, P1: 5 });
  const perms = { P0: Int32Array.from([2, 0, 3, 1]), P1: Int32Array.from([4, 1, 0, 3, 2]) };
  const permuted = fromWeightSet(arch, applyPermutations(weights, spec, perms));
  assert.notDeepEqual(Array.from(permuted), Array.from(p));
  const net = buildNetwork(arch, n);
  const before = Float64Array.from(net.forward(p, x, n));
  const after = net.forward(permuted, x, n);
  // Permuting channels reorders the sums over channels: equal up to rounding.
  assert.ok(relativeError(after, before) < 1e-14);
});
