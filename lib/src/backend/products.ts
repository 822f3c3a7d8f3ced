// Dense products on weightlab tensors: matmul, Gram matrices and batched matmul. Each takes an
// `engine` option resolved by the one engine rule (backend/engine.ts): 'auto' runs on
// onnxruntime-node when allowed (WEIGHTLAB_ENGINE=auto and installed), else on the wasm row-dots
// kernel, else in plain JS; an explicit engine runs there or fails with the reason. Results have
// the operands' dtype.
//
// Precision: on ORT a float32 product accumulates in float32 (MLAS SGEMM), a float64 one in
// float64. The wasm/JS paths always accumulate in float64 and round the result once, so their
// float32 results are at least as accurate as ORT's.

import { ArgumentError, ShapeError } from '../errors';
import { Tensor, sizeOf, type Matrix } from '../tensor/tensor';
import {
  batchedMatmulGraph,
  gramBlockName,
  gramBlocks,
  gramGraph,
  gramSliceSize,
  gramUpperGraph,
  matmulGraph,
} from './onnx/model';
import { onnxUnavailable, runGraph, runGraphOutputs, type OnnxInput } from './onnx/runtime';
import {
  asType,
  checkFloatTensor,
  commonType,
  packFloat64,
  rowMajorOperand,
  type FloatArray,
  type FloatType,
} from './operands';
import { rowDotsJs, rowDotsWasm } from './row-dots';
import { wasmKernelUnavailable } from './wasm';
import { resolveEngine, type EngineCandidate, type EngineOption } from './engine';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

/** The engines a dense product runs on, fastest first: onnxruntime-node, the wasm row-dots kernel, plain JS. */
export type ProductEngine = 'onnx' | 'wasm' | 'js';

const PRODUCT_ENGINES: readonly EngineCandidate<ProductEngine>[] = [
  { name: 'onnx', unavailable: onnxUnavailable },
  { name: 'wasm', unavailable: () => wasmKernelUnavailable('gram') },
  { name: 'js', unavailable: () => undefined },
];

/** The engine a dense product of `verb` runs on (the one engine rule, with the product engines as candidates). */
export function productEngine(verb: string, requested: EngineOption<ProductEngine> | undefined): ProductEngine {
  return resolveEngine(verb, requested, PRODUCT_ENGINES);
}

/** C = A Bᵀ on the row-dots kernel of `engine` ('wasm' or 'js'; see row-dots.ts). */
function rowDotsOn(
  engine: ProductEngine,
  a: Float64Array,
  m: number,
  b: Float64Array,
  n: number,
  k: number,
  symmetric = false,
): Float64Array {
  return engine === 'wasm' ? rowDotsWasm(a, m, b, n, k, symmetric) : rowDotsJs(a, m, b, n, k, symmetric);
}

export interface MatmulOptions {
  /**
   * Use Aᵀ instead of A.
   * @default false
   */
  transposeA?: boolean;
  /**
   * Use Bᵀ instead of B.
   * @default false
   */
  transposeB?: boolean;
  /**
   * Where the product runs: 'auto' (the fastest the WEIGHTLAB_ENGINE policy allows), 'onnx'
   * (onnxruntime-node), 'wasm' (weightlab's SIMD kernel) or 'js' (the reference).
   * @default 'auto'
   */
  engine?: EngineOption<ProductEngine>;
}

/** Defaults of matmul and batchedMatmul. */
export const MATMUL_DEFAULTS: OptionDefaults<MatmulOptions> = { transposeA: false, transposeB: false, engine: 'auto' };

function result(dtype: FloatType, data: FloatArray, shape: number[]): Tensor<FloatType> {
  return new Tensor(dtype, data, shape);
}

/** op(A) op(B) for matrices A and B (float64 or float32, same dtype), op = transpose when asked. */
export async function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Promise<Matrix> {
  const { transposeA, transposeB, engine: requested } = resolveOptions('matmul', MATMUL_DEFAULTS, options);
  const engine = productEngine('matmul', requested);
  const left = checkFloatTensor(a, 'a', 2);
  const right = checkFloatTensor(b, 'b', 2);
  const dtype = commonType(left, right, ['a', 'b']);
  const [m, k] = transposeA ? [left.shape[1], left.shape[0]] : [left.shape[0], left.shape[1]];
  const [kB, n] = transposeB ? [right.shape[1], right.shape[0]] : [right.shape[0], right.shape[1]];
  if (k !== kB) {
    throw new ShapeError('inner dimensions differ', {
      field: 'b',
      expected: `${k} rows${transposeB ? ' (columns of b, transposeB)' : ''}`,
      found: `[${right.shape.join(', ')}]`,
    });
  }
  if (m === 0 || n === 0 || k === 0) return Tensor.zeros([m, n], dtype) as Matrix;
  if (engine === 'onnx') {
    const x = rowMajorOperand(left, transposeA);
    const y = rowMajorOperand(right, transposeB);
    const out = await runGraph(
      `matmul:${+x.transpose}${+y.transpose}`,
      dtype,
      () => matmulGraph(x.transpose, y.transpose),
      {
        A: { data: x.data, dims: [x.rows, x.cols] },
        B: { data: y.data, dims: [y.rows, y.cols] },
      },
    );
    return result(dtype, out.data, [m, n]) as Matrix;
  }
  // Row-dots form: C = A' B'ᵀ with A' = op(A) (m x k) and B' = op(B)ᵀ (n x k), both row-major.
  const rowsA = packFloat64(left, transposeA);
  const rowsB = packFloat64(right, !transposeB);
  return result(dtype, asType(rowDotsOn(engine, rowsA, m, rowsB, n, k), dtype), [m, n]) as Matrix;
}

/**
 * Which Gram matrix of W (m x n): 'rows' = W Wᵀ (m x m), 'columns' = Wᵀ W (n x n), 'smaller' =
 * the smaller of the two (what singular values need: their squares are its eigenvalues).
 */
export type GramSide = 'rows' | 'columns' | 'smaller';

export interface GramOptions {
  /**
   * Which Gram matrix (see GramSide).
   * @default 'smaller'
   */
  side?: GramSide;
  /**
   * Where the product runs (as matmul's `engine`).
   * @default 'auto'
   */
  engine?: EngineOption<ProductEngine>;
}

/** Defaults of gram. */
export const GRAM_DEFAULTS: OptionDefaults<GramOptions> = { side: 'smaller', engine: 'auto' };

/** The symmetric Gram matrix of W on `options.side` (default the smaller one), in W's dtype. */
export async function gram(w: Tensor, options: GramOptions = {}): Promise<Matrix> {
  const { side, engine: requested } = resolveOptions('gram', GRAM_DEFAULTS, options);
  const engine = productEngine('gram', requested);
  const matrix = checkFloatTensor(w, 'w', 2);
  if (side !== 'rows' && side !== 'columns' && side !== 'smaller') {
    throw new ArgumentError('unknown Gram side', {
      field: 'side',
      expected: 'rows|columns|smaller',
      found: String(side),
    });
  }
  const [m, n] = matrix.shape as [number, number];
  const resolved = side === 'smaller' ? (m <= n ? 'rows' : 'columns') : side;
  const size = resolved === 'rows' ? m : n;
  const dtype = matrix.dtype;
  if (size === 0 || m * n === 0) return Tensor.zeros([size, size], dtype) as Matrix;
  if (engine === 'onnx') {
    const x = rowMajorOperand(matrix, false);
    // A transposed view arrives as its contiguous storage: its rows Gram is our columns Gram.
    const graphSide = x.transpose ? (resolved === 'rows' ? 'columns' : 'rows') : resolved;
    return result(dtype, await gramOnnxGraph(graphSide, dtype, x.data, x.rows, x.cols), [size, size]) as Matrix;
  }
  const rows = packFloat64(matrix, resolved === 'columns');
  const inner = resolved === 'rows' ? n : m;
  return result(dtype, asType(rowDotsOn(engine, rows, size, rows, size, inner, true), dtype), [size, size]) as Matrix;
}

/**
 * The full symmetric Gram matrix of the row-major rows x cols `data` on `side`, from onnxruntime's
 * blocked Gram graph with the block count for its order (gramBlocks); one session per side, dtype
 * and block count. float32 `data` with a float64 `dtype` is cast inside the graph (exactly: the
 * same products as on a float64 copy).
 */
export async function gramOnnxGraph(
  side: 'rows' | 'columns',
  dtype: FloatType,
  data: FloatArray,
  rows: number,
  cols: number,
): Promise<FloatArray> {
  const blocks = gramBlocks(side === 'rows' ? rows : cols);
  const cast = castFor(dtype, data);
  const out = await runGraph(
    `gram:${side}:${blocks}${cast ? ':cast32' : ''}`,
    dtype,
    () => gramGraph(side, blocks, cast),
    gramInputs(side, blocks, data, rows, cols),
  );
  return out.data;
}

/**
 * The Gram matrix as gramOnnxGraph computes it, bit for bit, but only its blocks on and above the
 * block diagonal (gramUpperGraph), returned as a writer that copies them into an m x m row-major
 * target: the upper triangle complete (the diagonal blocks whole), the rest of the target left as
 * it was. For the eigensolvers, which read the upper triangle and hand the writer their own memory.
 * Skipping the full graph's transposed copies and two concatenations, and Split's copy of the rows
 * (passed as views), took the four GPT-2 block Gram matrices from 97-99 to 89-92 ms, written into
 * a fresh array (median of 15, same process, interleaved).
 */
export async function gramUpperOnnxGraph(
  side: 'rows' | 'columns',
  dtype: FloatType,
  data: FloatArray,
  rows: number,
  cols: number,
): Promise<(target: FloatArray) => void> {
  const m = side === 'rows' ? rows : cols;
  const blocks = gramBlocks(m);
  const cast = castFor(dtype, data);
  const outputs = await runGraphOutputs(
    `gram-upper:${side}:${blocks}${cast ? ':cast32' : ''}`,
    dtype,
    () => gramUpperGraph(side, blocks, cast),
    gramInputs(side, blocks, data, rows, cols),
  );
  const size = gramSliceSize(m, blocks);
  return (target) => {
    for (let i = 0; i < blocks; i++) {
      for (let j = i; j < blocks; j++) {
        const {
          data: block,
          dims: [height, width],
        } = outputs[gramBlockName(i, j)];
        for (let r = 0; r < height; r++)
          target.set(block.subarray(r * width, (r + 1) * width), (i * size + r) * m + j * size);
      }
    }
  };
}

/** The cast a Gram graph needs: float32 data into a float64 product. */
function castFor(dtype: FloatType, data: FloatArray): 'float32' | undefined {
  return dtype === 'float64' && data instanceof Float32Array ? 'float32' : undefined;
}

/** A Gram graph's inputs (gramUpperGraph): 'rows', the row slices as views of `data`; 'columns', `data` whole. */
function gramInputs(
  side: 'rows' | 'columns',
  blocks: number,
  data: FloatArray,
  rows: number,
  cols: number,
): Record<string, OnnxInput> {
  if (side === 'columns') return { X: { data: data.subarray(0, rows * cols), dims: [rows, cols] } };
  const size = gramSliceSize(rows, blocks);
  const inputs: Record<string, OnnxInput> = {};
  for (let i = 0; i < blocks; i++) {
    const begin = Math.min(rows, i * size),
      end = Math.min(rows, begin + size);
    inputs[`X${i}`] = { data: data.subarray(begin * cols, end * cols), dims: [end - begin, cols] };
  }
  return inputs;
}

/**
 * op(A) op(B) over leading batch axes: A [..., m, k], B [..., k, n] with numpy broadcasting of
 * the batch axes (a rank-2 operand is shared by every batch entry). Same dtype rules as matmul.
 */
export async function batchedMatmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Promise<Tensor<FloatType>> {
  const { transposeA, transposeB, engine: requested } = resolveOptions('batchedMatmul', MATMUL_DEFAULTS, options);
  const engine = productEngine('batchedMatmul', requested);
  const left = checkFloatTensor(a, 'a', 'batched');
  const right = checkFloatTensor(b, 'b', 'batched');
  const dtype = commonType(left, right, ['a', 'b']);
  const [rowsA, colsA] = left.shape.slice(-2);
  const [rowsB, colsB] = right.shape.slice(-2);
  const [m, k] = transposeA ? [colsA, rowsA] : [rowsA, colsA];
  const [kB, n] = transposeB ? [colsB, rowsB] : [rowsB, colsB];
  if (k !== kB) {
    throw new ShapeError('inner dimensions differ', {
      field: 'b',
      expected: `${k} along the contracted axis`,
      found: `[${right.shape.join(', ')}]`,
    });
  }
  const batchA = left.shape.slice(0, -2);
  const batchB = right.shape.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB);
  const outShape = [...batch, m, n];
  if (sizeOf(outShape) === 0 || k === 0) return Tensor.zeros(outShape, dtype);
  if (engine === 'onnx') {
    const x = left.contiguous();
    const y = right.contiguous();
    const out = await runGraph(
      `batched:${left.rank}:${right.rank}:${+transposeA}${+transposeB}`,
      dtype,
      () => batchedMatmulGraph(left.rank, right.rank, transposeA, transposeB),
      {
        A: { data: x.data as FloatArray, dims: x.shape },
        B: { data: y.data as FloatArray, dims: y.shape },
      },
    );
    return result(dtype, out.data, outShape);
  }
  const out = new Float64Array(sizeOf(outShape));
  const count = sizeOf(batch);
  for (let index = 0; index < count; index++) {
    const sliceA = batchSlice(left, batchA, batch, index);
    const sliceB = batchSlice(right, batchB, batch, index);
    const product = rowDotsOn(engine, packFloat64(sliceA, transposeA), m, packFloat64(sliceB, !transposeB), n, k);
    out.set(product, index * m * n);
  }
  return result(dtype, asType(out, dtype), outShape);
}

/** numpy broadcasting of two batch shapes (right-aligned; extents equal or 1). */
function broadcastShapes(left: readonly number[], right: readonly number[]): number[] {
  const rank = Math.max(left.length, right.length);
  const out: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const l = left[left.length - rank + axis] ?? 1;
    const r = right[right.length - rank + axis] ?? 1;
    if (l !== r && l !== 1 && r !== 1) {
      throw new ShapeError('batch axes do not broadcast', {
        field: 'b',
        expected: `batch shape compatible with [${left.join(', ')}]`,
        found: `[${right.join(', ')}]`,
      });
    }
    out.push(l === 1 ? r : l);
  }
  return out;
}

/** The matrix of `tensor` for flat output batch index `index` (a strided view, broadcast axes fixed at 0). */
function batchSlice(
  tensor: Tensor<FloatType>,
  ownBatch: readonly number[],
  batch: readonly number[],
  index: number,
): Tensor<FloatType> {
  let offset = tensor.offset;
  let rest = index;
  for (let axis = batch.length - 1; axis >= 0; axis--) {
    const coordinate = rest % batch[axis];
    rest = Math.floor(rest / batch[axis]);
    const ownAxis = axis - (batch.length - ownBatch.length);
    if (ownAxis >= 0 && ownBatch[ownAxis] !== 1) offset += coordinate * tensor.strides[ownAxis];
  }
  const rank = tensor.rank;
  return new Tensor(tensor.dtype, tensor.data, tensor.shape.slice(-2), {
    strides: tensor.strides.slice(rank - 2),
    offset,
  });
}
