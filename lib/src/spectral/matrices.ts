// From a layer's weight tensor to the matrices whose singular values form its ESD, exactly as
// WeightWatcher 0.7.5.5 does it (WWLayer.set_weight_matrices, conv2D_Wmats, apply_normalize_Wmats):
// Dense / Conv1D / Embedding give one matrix with N = max(shape), M = min(shape); a Conv2d kernel
// gives kh*kw slices scaled by sqrt(1/2) (so its eigenvalues are halved), with WeightWatcher's
// N/M swap quirk. Also the size filters (min_evals, max_evals, max_N) that decide what is skipped,
// and the two matrix transforms analyze() offers before the ESD: glorot_fix's rescaling and fft's
// real part of each matrix's 2-D discrete Fourier transform.

import type { Tensor } from '../tensor/tensor';
import type { LayerKind } from '../weights/layers';
import type { SolverMatrix } from '../eigen/solve';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

/** WeightWatcher's layer_type strings. */
export type LayerType = 'dense' | 'conv1d' | 'conv2d' | 'embedding' | 'norm' | 'unknown';

/** One matrix of a layer, row-major float64, already scaled (Conv2d slices by sqrt(1/2)). */
/** One matrix of a layer, as the eigensolvers take it. */
export type LayerMatrix = SolverMatrix;

export interface LayerMatrices {
  layerType: LayerType;
  /** WeightWatcher's N (usually the larger dimension; see the Conv2d quirk). */
  N: number;
  /** WeightWatcher's M. */
  M: number;
  /** Receptive field: kh*kw for Conv2d, 1 otherwise. */
  rf: number;
  /** Eigenvalues kept per matrix at most (n_comp = M*rf); every slice keeps all of its own. */
  numComponents: number;
  matrices: LayerMatrix[];
}

/** How a layer kind of weightlab maps to WeightWatcher's type (rank decides for 'linear': 2-D only). */
export function layerTypeOf(kind: LayerKind, rank: number, hfConv1d: boolean): LayerType {
  switch (kind) {
    case 'linear':
      return rank === 2 ? (hfConv1d ? 'conv1d' : 'dense') : 'unknown';
    case 'embedding':
      return rank === 2 ? 'embedding' : 'unknown';
    case 'conv1d':
      return 'conv1d';
    case 'conv2d':
      return rank === 4 ? 'conv2d' : 'unknown';
    case 'norm':
      return 'norm';
    default:
      return 'unknown';
  }
}

/** N, M, rf of a layer from its shape alone (what the filters need, before any weight is read). */
export function layerDimensions(
  layerType: LayerType,
  shape: readonly number[],
  channelsFirst = false,
): { N: number; M: number; rf: number } {
  if (isKerasConv1d(layerType, shape, channelsFirst)) return layerDimensions('conv2d', [1, ...shape], true);
  if (layerType === 'conv2d') {
    // conv2D_Wmats: N, M start as the channel extents and swap once per slice that is wider than tall.
    const [out, input, kh, kw] = channelsFirst
      ? [shape[3], shape[2], shape[0], shape[1]]
      : [shape[0], shape[1], shape[2], shape[3]];
    let N = out,
      M = input;
    const rf = kh * kw;
    if (out < input && rf % 2 === 1) [N, M] = [M, N];
    return { N, M, rf };
  }
  if (shape.length === 0) return { N: 0, M: 0, rf: 1 };
  return { N: Math.max(...shape), M: Math.min(...shape), rf: 1 };
}

/**
 * A Keras / tfjs Conv1D kernel (k, in, out). WeightWatcher has no usable path for 3-D kernels (its
 * CONV1D case hands them to a 2-D SVD); here it is read as a (1, k, in, out) Conv2D kernel: k slices
 * of in x out, pooled, without the Conv2D-only sqrt(1/2) scaling.
 */
function isKerasConv1d(layerType: LayerType, shape: readonly number[], channelsFirst: boolean | undefined): boolean {
  return layerType === 'conv1d' && shape.length === 3 && channelsFirst === true;
}

/**
 * glorot_fix's factor, WeightWatcher's glorot_norm_fix 1/kappa = sqrt((N + M) rf_size / 2) with its
 * rf_size = conv2d_count, which is 1 for every pooled layer (only the unpooled slice iterator sets it).
 */
export function glorotFactor(N: number, M: number): number {
  return Math.sqrt((N + M) / 2);
}

/** How layerMatrices reads a weight tensor. */
export interface LayerMatricesOptions {
  /**
   * Keras's (kh, kw, in, out) Conv2d layout (and its (k, in, out) Conv1D, see isKerasConv1d)
   * instead of PyTorch's (out, in, kh, kw).
   * @default false
   */
  channelsFirst?: boolean;
  /**
   * Scale Conv2d slices by sqrt(1/2), in float32 arithmetic unless the weights are float64 (bit
   * parity with WeightWatcher's conv2d_norm).
   * @default true
   */
  conv2dNorm?: boolean;
  /**
   * Multiply every matrix by glorotFactor(N, M) = sqrt((N + M) / 2) instead of any conv2dNorm scaling
   * (WeightWatcher's glorot_fix, as its apply_normalize_Wmats defines it), in float32 arithmetic for
   * float32 weights like conv2dNorm.
   * @default false
   */
  glorotFix?: boolean;
  /**
   * Replace each (scaled) matrix by the real part of its 2-D discrete Fourier transform
   * (WeightWatcher's experimental fft, np.real(np.fft.fft2(W)) per matrix).
   * @default false
   */
  fft?: boolean;
  /**
   * The conv2d_norm factor of pooled slices, sqrt(1/2); false: WeightWatcher's pool=False (ww2x)
   * factor sqrt(kh·kw/2), its conv2d_count of slices over 2 (see analyze's `pool`).
   * @default true
   */
  pool?: boolean;
}

/** layerMatrices()'s defaults. */
export const LAYER_MATRICES_DEFAULTS = {
  channelsFirst: false,
  conv2dNorm: true,
  glorotFix: false,
  fft: false,
  pool: true,
} as const satisfies OptionDefaults<LayerMatricesOptions>;

/** The matrices whose squared singular values form a layer's ESD, as WeightWatcher forms them. */
export function layerMatrices(
  layerType: LayerType,
  weight: Tensor,
  settings: LayerMatricesOptions = {},
): LayerMatrices {
  const options = resolveOptions('layerMatrices', LAYER_MATRICES_DEFAULTS, settings);
  const shape = weight.shape;
  const { N, M, rf } = layerDimensions(layerType, shape, options.channelsFirst);
  const conv1d = isKerasConv1d(layerType, shape, options.channelsFirst);
  // WeightWatcher's `W * norm`: numpy casts the float64 scalar to float32 for a float32 array.
  const scale = options.glorotFix
    ? glorotFactor(N, M)
    : options.conv2dNorm && layerType === 'conv2d' && !conv1d
      ? options.pool
        ? Math.SQRT1_2
        : // pool=False's slice iterator scales by its conv2d_count (kh·kw) over 2.
          Math.sqrt(rf / 2)
      : 1;
  const float32 = weight.dtype !== 'float64';
  const scaleFloat32 = Math.fround(scale);
  const multiply = (x: number) => (scale === 1 ? x : float32 ? Math.fround(x * scaleFloat32) : x * scale);
  const finish = (matrices: LayerMatrix[], numComponents: number): LayerMatrices => ({
    layerType,
    N,
    M,
    rf,
    numComponents,
    matrices: options.fft ? matrices.map(realFourierTransform) : matrices,
  });
  if (layerType !== 'conv2d' && !conv1d) {
    // Orientation does not change singular values: keep the stored (rows, cols).
    const [rows, cols] = shape;
    const matrix = scale === 1 ? wholeMatrix(weight) : { rows, cols, values: weight.toFloat64().map(multiply) };
    return finish([matrix], M);
  }
  const values = weight.toFloat64();
  const [d0, d1, d2, d3] = conv1d ? [1, ...shape] : shape;
  const slices: LayerMatrix[] = [];
  if (!options.channelsFirst) {
    // PyTorch (out, in, kh, kw): slice [:, :, i, j] is out x in.
    for (let i = 0; i < d2; i++) {
      for (let j = 0; j < d3; j++) {
        const slice = new Float64Array(d0 * d1);
        for (let o = 0; o < d0; o++)
          for (let c = 0; c < d1; c++) slice[o * d1 + c] = multiply(values[((o * d1 + c) * d2 + i) * d3 + j]);
        slices.push({ rows: d0, cols: d1, values: slice });
      }
    }
  } else {
    // Keras (kh, kw, in, out): slice [i, j, :, :] is in x out.
    for (let i = 0; i < d0; i++) {
      for (let j = 0; j < d1; j++) {
        const start = (i * d1 + j) * d2 * d3;
        slices.push({ rows: d2, cols: d3, values: values.slice(start, start + d2 * d3).map(multiply) });
      }
    }
  }
  return finish(slices, M * rf);
}

/**
 * The real part of a matrix's 2-D DFT, Re Σ_m Σ_n W[m, n] e^(-2πi (km/rows + ln/cols)), in float64:
 * a complex DFT along each row, then the real part of one along each column. Direct sums with exact
 * twiddle indices (k·m mod n), O(rows·cols·(rows + cols)): the layers WeightWatcher analyses are small
 * enough, and the error stays at rounding level like numpy's FFT.
 */
export function realFourierTransform(matrix: LayerMatrix): LayerMatrix {
  const { rows, cols, values } = matrix;
  const twiddles = (n: number) => {
    const cos = new Float64Array(n);
    const sin = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / n);
      sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    return { cos, sin };
  };
  const across = twiddles(cols);
  const down = twiddles(rows);
  // Row transforms: G[m, l] = Σ_n W[m, n] e^(-2πi ln/cols).
  const real = new Float64Array(rows * cols);
  const imaginary = new Float64Array(rows * cols);
  for (let m = 0; m < rows; m++) {
    for (let l = 0; l < cols; l++) {
      let re = 0,
        im = 0;
      for (let n = 0; n < cols; n++) {
        const w = values[m * cols + n];
        const t = (l * n) % cols;
        re += w * across.cos[t];
        im -= w * across.sin[t];
      }
      real[m * cols + l] = re;
      imaginary[m * cols + l] = im;
    }
  }
  // Column transforms, real part only: Re Σ_m G[m, l] e^(-2πi km/rows).
  const out = new Float64Array(rows * cols);
  for (let k = 0; k < rows; k++) {
    for (let l = 0; l < cols; l++) {
      let sum = 0;
      for (let m = 0; m < rows; m++) {
        const t = (k * m) % rows;
        sum += real[m * cols + l] * down.cos[t] + imaginary[m * cols + l] * down.sin[t];
      }
      out[k * cols + l] = sum;
    }
  }
  return { rows, cols, values: out };
}

/** A 2-D weight as one matrix; for float32 weights, `float32` is their storage and `values` a float64 copy made on first use. */
function wholeMatrix(weight: Tensor): LayerMatrix {
  const [rows, cols] = weight.shape;
  if (weight.dtype !== 'float32') return { rows, cols, values: weight.toFloat64() };
  const float32 = weight.toFloat32();
  let values: Float64Array | undefined;
  return {
    rows,
    cols,
    float32,
    get values(): Float64Array {
      return (values ??= Float64Array.from(float32));
    },
  };
}

export interface SizeFilter {
  minEvals: number;
  maxEvals: number;
  maxN: number;
  /** WeightWatcher's fft: its size filter then counts M eigenvalues per layer (rf taken as 1). */
  fft?: boolean;
  /** false: WeightWatcher's pool=False, which compares minEvals / maxEvals with M rather than M·rf. */
  pool?: boolean;
}

/**
 * Why WeightWatcher would skip a layer of this type and size, or undefined to keep it
 * (WWLayerIterator.layer_supported with pool=True). A falsy minEvals/maxEvals disables its check.
 */
export function sizeSkipReason(
  layerType: LayerType,
  N: number,
  M: number,
  rf: number,
  filter: SizeFilter,
): string | undefined {
  if (layerType === 'norm') return 'norm layers are not analysed';
  if (layerType === 'unknown') return 'unsupported layer type';
  const perLayer = filter.fft || filter.pool === false;
  const evals = perLayer ? M : M * rf;
  const counted = filter.fft ? 'M (fft)' : filter.pool === false ? 'M (pool false)' : 'M*rf';
  if (filter.minEvals && evals < filter.minEvals) return `${counted} = ${evals} < minEvals = ${filter.minEvals}`;
  if (filter.maxEvals && evals > filter.maxEvals) return `${counted} = ${evals} > maxEvals = ${filter.maxEvals}`;
  if (N > filter.maxN) return `N = ${N} > maxN = ${filter.maxN}`;
  return undefined;
}
