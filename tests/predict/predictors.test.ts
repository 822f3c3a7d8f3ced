// The predictors against independent routes: ridge's closed form (Cholesky on the normal
// equations, or on the dual when columns outnumber rows) against numpy's SVD least squares on the
// augmented system [Xc; sqrt(alpha) I] w = [yc; 0] (what sklearn's Ridge solves), to 1e-10; the
// penalty chosen on validation rows is the one with the smallest validation error; the MLP
// regressor learns a nonlinear target a linear model cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fitMean,
  fitMlpRegressor,
  fitRidge,
  fitRidgeChosen,
  rng,
  rSquared,
  type FeatureMatrix,
} from 'weightlab/internal';
import { scipy, SCIPY_MISSING } from '../statistics/scipy';

function matrix(rows: number, columns: number, seed: number): FeatureMatrix {
  return { values: rng(seed).normal(rows * columns), rows, columns };
}

function linearTarget(x: FeatureMatrix, seed: number): Float64Array {
  const weights = rng(seed).normal(x.columns);
  const noise = rng(seed + 1).normal(x.rows, 0, 0.3);
  return Float64Array.from({ length: x.rows }, (_, i) => {
    let sum = 2.5 + noise[i];
    for (let j = 0; j < x.columns; j++) sum += x.values[i * x.columns + j] * weights[j];
    return sum;
  });
}

test('ridge matches numpy least squares on the augmented system, primal and dual, to 1e-10', (t) => {
  const cases = [
    { x: matrix(40, 6, 1), alpha: 0.5 },
    { x: matrix(25, 60, 2), alpha: 3 },
    { x: matrix(12, 12, 3), alpha: 1e-3 },
  ].map((c, k) => ({ ...c, y: linearTarget(c.x, 10 + k) }));
  const oracle = scipy<{ w: number[]; b: number }[]>(
    `result = []
for c in data:
    n, p = c['rows'], c['columns']
    X = np.array(c['x']).reshape(n, p)
    y = np.array(c['y'])
    mx, my = X.mean(axis=0), y.mean()
    A = np.vstack([X - mx, np.sqrt(c['alpha']) * np.eye(p)])
    w = np.linalg.lstsq(A, np.concatenate([y - my, np.zeros(p)]), rcond=None)[0]
    result.append({'w': [float(v) for v in w], 'b': float(my - mx @ w)})`,
    cases.map((c) => ({
      x: Array.from(c.x.values),
      rows: c.x.rows,
      columns: c.x.columns,
      y: Array.from(c.y),
      alpha: c.alpha,
    })),
  );
  if (!oracle) return t.skip(SCIPY_MISSING);
  cases.forEach((c, k) => {
    const fit = fitRidge(c.x, c.y, c.alpha);
    const scale = Math.max(...oracle[k].w.map(Math.abs));
    fit.coefficients.forEach((w, j) =>
      assert.ok(Math.abs(w - oracle[k].w[j]) <= 1e-10 * scale, `case ${k} w[${j}]: ${w} vs ${oracle[k].w[j]}`),
    );
    assert.ok(
      Math.abs(fit.intercept - oracle[k].b) <= 1e-10 * Math.max(1, Math.abs(oracle[k].b)),
      `case ${k} intercept`,
    );
    // Predictions are intercept + x w.
    const predicted = fit.predict(c.x);
    const first = oracle[k].b + oracle[k].w.reduce((sum, w, j) => sum + w * c.x.values[j], 0);
    assert.ok(Math.abs(predicted[0] - first) <= 1e-9 * Math.max(1, Math.abs(first)));
  });
});

test('the chosen penalty has the smallest validation error of the grid', () => {
  const x = matrix(60, 30, 4);
  const y = linearTarget(x, 5);
  const train: FeatureMatrix = { values: x.values.subarray(0, 30 * 30), rows: 30, columns: 30 };
  const validation: FeatureMatrix = { values: x.values.subarray(30 * 30), rows: 30, columns: 30 };
  const alphas = [1e-3, 0.1, 10, 1000];
  const chosen = fitRidgeChosen(train, y.subarray(0, 30), validation, y.subarray(30), alphas);
  const error = (alpha: number) => {
    const predicted = fitRidge(train, y.subarray(0, 30), alpha).predict(validation);
    return predicted.reduce((sum, p, i) => sum + (p - y[30 + i]) ** 2, 0);
  };
  for (const alpha of alphas) assert.ok(error(chosen.alpha) <= error(alpha), `alpha ${chosen.alpha} vs ${alpha}`);
  assert.equal(chosen.setting, `alpha = ${chosen.alpha}`);
});

test('the MLP regressor learns a target no linear model fits; the mean predictor predicts the mean', () => {
  const x = matrix(300, 3, 6);
  // y = x0² + x1 x2: orthogonal to every linear function of x under a symmetric input distribution.
  const y = Float64Array.from(
    { length: 300 },
    (_, i) => x.values[3 * i] ** 2 + x.values[3 * i + 1] * x.values[3 * i + 2],
  );
  const part = (from: number, to: number): FeatureMatrix => ({
    values: x.values.subarray(3 * from, 3 * to),
    rows: to - from,
    columns: 3,
  });
  const [train, validation, test] = [part(0, 200), part(200, 250), part(250, 300)];
  const mlp = fitMlpRegressor(train, y.subarray(0, 200), validation, y.subarray(200, 250), {
    hidden: [32],
    epochs: 400,
    learningRate: 0.01,
    weightDecay: 0,
    seed: 0,
  });
  const ridge = fitRidge(train, y.subarray(0, 200), 1);
  const truth = y.subarray(250);
  const mlpR2 = rSquared(truth, mlp.predict(test));
  const ridgeR2 = rSquared(truth, ridge.predict(test));
  assert.ok(mlpR2 > 0.8, `MLP R² ${mlpR2}`);
  assert.ok(ridgeR2 < 0.2, `ridge R² ${ridgeR2}`);
  const mean = fitMean([1, 2, 6]).predict(test);
  assert.ok(mean.every((v) => v === 3));
});
