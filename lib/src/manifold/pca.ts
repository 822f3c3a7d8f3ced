// PCA of a zoo by randomised SVD (Halko, Martinsson & Tropp 2011, algorithms 4.4 + 5.1):
// a zoo matrix is short and very wide (thousands of models x up to millions of weights),
// and only the top few components are ever plotted, so sketching the range with a seeded
// Gaussian test matrix and a few power iterations costs O(n·d·l) instead of the O(n²·d)
// of a full SVD. The result matches a dense SVD to rounding when the spectrum decays (see
// tests/manifold/pca.test.ts, which checks it against a dense Jacobi eigensolver).

import { ArgumentError } from '../errors';
import { rng as makeRng, type Rng } from '../random/rng';
import { Tensor } from '../tensor/tensor';
import { matmul, productEngine, type ProductEngine } from '../backend/products';
import type { EngineOption } from '../backend/engine';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { denseMatrix, gram, multiply, multiplyTransposed, orthonormalColumns, type DenseMatrix } from '../linalg/dense';
import { symmetricEigen } from '../linalg/symmetric-eigen';

export interface PcaOptions {
  /**
   * Number of principal components kept.
   * @default 2
   */
  components?: number;
  /**
   * Extra sketch columns beyond `components` (more is more accurate).
   * @default 10
   */
  oversampling?: number;
  /**
   * Power iterations: each sharpens the spectrum when it decays slowly.
   * @default 4
   */
  powerIterations?: number;
  /**
   * Seed or generator of the Gaussian test matrix.
   * @default 0
   */
  seed?: number | Rng;
  /**
   * Where the big products run: 'auto' (onnxruntime-node when installed and allowed, else the
   * wasm kernel, else JS), or 'onnx', 'wasm', 'js' explicitly. Every engine gives the same result
   * to rounding from the same seed; onnx is about 10x faster than js at 2,000 x 10,000.
   * @default 'auto'
   */
  engine?: EngineOption<ProductEngine>;
}

/** Defaults of randomizedPca. */
export const PCA_DEFAULTS = {
  components: 2,
  oversampling: 10,
  powerIterations: 4,
  seed: 0,
  engine: 'auto',
} as const satisfies OptionDefaults<PcaOptions>;

/** A fitted PCA: the mean, the component directions and the projected data. */
export interface PcaResult {
  /** Column means that were subtracted (length d). */
  mean: Float64Array;
  /** Principal directions as rows: k x d, unit length, orthogonal. */
  components: DenseMatrix;
  /** Singular values of the centred data, descending (length k). */
  singularValues: Float64Array;
  /** Variance along each component: σ² / (n - 1). */
  explainedVariance: Float64Array;
  /** Fraction of the total variance along each component. */
  explainedVarianceRatio: Float64Array;
  /** Coordinates of the fitted rows: n x k. */
  scores: DenseMatrix;
}

/** A product the PCA needs: A·B (`'multiply'`) or Aᵀ·B (`'multiplyTransposed'`), A being the centred zoo. */
interface ProductRequest {
  kind: 'multiply' | 'multiplyTransposed';
  right: DenseMatrix;
}

interface Prepared {
  centred: DenseMatrix;
  mean: Float64Array;
  totalSquares: number;
  k: number;
  l: number;
  powerIterations: number;
  omega: DenseMatrix;
}

function prepare(data: DenseMatrix, options: Required<Omit<PcaOptions, 'engine'>>): Prepared {
  const { rows: n, cols: d } = data;
  const k = options.components;
  if (!Number.isInteger(k) || k < 1)
    throw new ArgumentError('components must be a positive integer', { field: 'components', found: String(k) });
  if (n < 2) throw new ArgumentError('PCA needs at least two rows', { field: 'data', found: `${n} row(s)` });
  if (k > Math.min(n, d))
    throw new ArgumentError('more components than rows or columns', {
      field: 'components',
      expected: `<= ${Math.min(n, d)}`,
      found: String(k),
    });
  const { oversampling, powerIterations } = options;
  const random = typeof options.seed === 'object' ? options.seed : makeRng(options.seed);
  const l = Math.min(k + oversampling, n, d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data.values[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const centred = denseMatrix(n, d, new Float64Array(n * d));
  let totalSquares = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const x = data.values[i * d + j] - mean[j];
      centred.values[i * d + j] = x;
      totalSquares += x * x;
    }
  }
  return { centred, mean, totalSquares, k, l, powerIterations, omega: denseMatrix(d, l, random.normal(d * l)) };
}

/**
 * The algorithm, written once as a generator that yields each product it needs, so the same
 * steps run synchronously in JS or asynchronously on matmul's engines.
 */
function* pcaSteps(prepared: Prepared): Generator<ProductRequest, PcaResult, DenseMatrix> {
  const { centred, mean, totalSquares, k, l, powerIterations, omega } = prepared;
  const { rows: n, cols: d } = centred;
  // Range finder: Q spans (X Xᵀ)^q X Ω; orthonormalising between products keeps the small
  // singular directions from drowning in rounding error.
  let q = orthonormalColumns(yield { kind: 'multiply', right: omega });
  for (let iteration = 0; iteration < powerIterations; iteration++) {
    const z = orthonormalColumns(yield { kind: 'multiplyTransposed', right: q });
    q = orthonormalColumns(yield { kind: 'multiply', right: z });
  }
  // B = Qᵀ X (l x d). Its SVD comes from the eigenproblem of B Bᵀ = Zᵀ Z with Z = Xᵀ Q = Bᵀ:
  // B = U_b Σ Vᵀ, so the scores X V = Q U_b Σ and the directions V = Z U_b Σ⁻¹.
  const z = yield { kind: 'multiplyTransposed', right: q };
  const { values, vectors } = symmetricEigen(gram(z), l);

  const singularValues = new Float64Array(k);
  for (let c = 0; c < k; c++) singularValues[c] = Math.sqrt(Math.max(values[c], 0));
  const components = denseMatrix(k, d);
  for (let c = 0; c < k; c++) {
    const sigma = singularValues[c];
    const row = components.values.subarray(c * d, (c + 1) * d);
    if (sigma === 0) continue; // rank below k: the direction is undefined, leave it zero
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let m = 0; m < l; m++) sum += z.values[j * l + m] * vectors[c * l + m];
      row[j] = sum / sigma;
    }
    // Sign convention: the largest-magnitude loading is positive (sketch signs are random).
    let largest = 0;
    for (let j = 0; j < d; j++) if (Math.abs(row[j]) > Math.abs(largest)) largest = row[j];
    if (largest < 0) for (let j = 0; j < d; j++) row[j] = -row[j];
  }
  // Scores = X V: one more product, with the components as a d x k matrix.
  const directions = denseMatrix(d, k);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) directions.values[j * k + c] = components.values[c * d + j];
  const scores = yield { kind: 'multiply', right: directions };
  const explainedVariance = singularValues.map((s) => (s * s) / (n - 1));
  const explainedVarianceRatio = singularValues.map((s) => (totalSquares > 0 ? (s * s) / totalSquares : 0));
  return { mean, components, singularValues, explainedVariance, explainedVarianceRatio, scores };
}

/** A product the PCA needs, in plain JS (the 'js' engine: synchronous, no Tensor copies). */
const jsProducts = (centred: DenseMatrix, { kind, right }: ProductRequest): DenseMatrix =>
  kind === 'multiply' ? multiply(centred, right) : multiplyTransposed(centred, right);

/**
 * Fits PCA to the rows of `data` (n x d, row-major; not modified; a 2-D Tensor is read as
 * float64), with the big products on `options.engine`. Component signs are fixed so that each
 * component's largest-magnitude loading is positive, which makes the result independent of the
 * sketch's random signs.
 */
export async function randomizedPca(data: DenseMatrix | Tensor, options: PcaOptions = {}): Promise<PcaResult> {
  const { engine: requested, ...settings } = resolveOptions('randomizedPca', PCA_DEFAULTS, options);
  const engine = productEngine('randomizedPca', requested);
  const prepared = prepare(asDenseMatrix(data), settings);
  const steps = pcaSteps(prepared);
  let step = steps.next();
  if (engine === 'js') {
    while (!step.done) step = steps.next(jsProducts(prepared.centred, step.value));
    return step.value;
  }
  const { centred } = prepared;
  const zoo = new Tensor('float64', centred.values, [centred.rows, centred.cols]);
  while (!step.done) {
    const { kind, right } = step.value;
    const product = await matmul(zoo, new Tensor('float64', right.values, [right.rows, right.cols]), {
      transposeA: kind === 'multiplyTransposed',
      engine,
    });
    step = steps.next(denseMatrix(product.shape[0], product.shape[1], product.toFloat64()));
  }
  return step.value;
}

/** `data` as a row-major float64 matrix: a DenseMatrix as it is, a 2-D Tensor copied to float64. */
export function asDenseMatrix(data: DenseMatrix | Tensor): DenseMatrix {
  if (!(data instanceof Tensor)) return data;
  if (data.rank !== 2)
    throw new ArgumentError('expected a matrix (a 2-D tensor)', {
      field: 'data',
      expected: 'rank 2',
      found: `shape [${data.shape.join(', ')}]`,
    });
  return denseMatrix(data.shape[0], data.shape[1], data.toFloat64());
}

/** Coordinates of the rows of `data` (n x d) on `components` (k x d) after subtracting `mean`. */
export function projectOntoComponents(data: DenseMatrix, components: DenseMatrix, mean: Float64Array): DenseMatrix {
  const { rows: n, cols: d } = data;
  const k = components.rows;
  if (components.cols !== d || mean.length !== d) {
    throw new ArgumentError('data and components have different widths', {
      expected: String(components.cols),
      found: String(d),
    });
  }
  const out = denseMatrix(n, k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let sum = 0;
      const row = i * d;
      const component = c * d;
      for (let j = 0; j < d; j++) sum += (data.values[row + j] - mean[j]) * components.values[component + j];
      out.values[i * k + c] = sum;
    }
  }
  return out;
}
