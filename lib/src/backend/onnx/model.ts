// Tiny ONNX models built in memory: a few nodes (Gemm, MatMul, Transpose; Cast, Split and Concat for the
// blocked Gram matrix) with dynamic dimensions, so a single session per (operation, dtype, flags)
// serves every shape. Field numbers follow onnx/onnx.proto (proto2; repeated scalars written unpacked, which every parser accepts).

import { ProtoWriter } from './protobuf';

/** TensorProto.DataType values for the element types we use. */
export const ONNX_ELEMENT_TYPE = { float32: 1, float64: 11 } as const;

/** IR version 8 and opset 17 are supported by every onnxruntime release since 1.13. */
const IR_VERSION = 8;
const OPSET = 17;

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integer and integer-list attributes (all the ops used here need). */
  attributes?: Record<string, number | number[]>;
}

export interface GraphSpec {
  name: string;
  /** Operator set version (default 17); 18 for Split's num_outputs. */
  opset?: number;
  /**
   * Graph inputs with their rank; every dimension is symbolic (dim_param). An input's `dtype`
   * overrides the graph's element type (a float32 input cast inside the graph, say).
   */
  inputs: { name: string; rank: number; dtype?: keyof typeof ONNX_ELEMENT_TYPE }[];
  outputs: { name: string; rank: number }[];
  nodes: NodeSpec[];
}

const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

function writeValueInfo(writer: ProtoWriter, name: string, rank: number, elementType: number): void {
  writer.string(1, name); // ValueInfoProto.name
  writer.message(2, (type) => {
    // ValueInfoProto.type: TypeProto
    type.message(1, (tensor) => {
      // TypeProto.tensor_type
      tensor.int(1, elementType); // elem_type
      tensor.message(2, (shape) => {
        // shape: TensorShapeProto
        for (let axis = 0; axis < rank; axis++) {
          shape.message(1, (dim) => dim.string(2, `${name}_${axis}`)); // dim { dim_param }
        }
      });
    });
  });
}

function writeNode(writer: ProtoWriter, node: NodeSpec, index: number): void {
  for (const input of node.inputs) writer.string(1, input);
  for (const output of node.outputs) writer.string(2, output);
  writer.string(3, `${node.op.toLowerCase()}_${index}`);
  writer.string(4, node.op);
  for (const [name, value] of Object.entries(node.attributes ?? {})) {
    writer.message(5, (attribute) => {
      attribute.string(1, name);
      if (Array.isArray(value)) {
        for (const item of value) attribute.int(8, item);
        attribute.int(20, ATTRIBUTE_INTS);
      } else {
        attribute.int(3, value);
        attribute.int(20, ATTRIBUTE_INT);
      }
    });
  }
}

/** Serialised ModelProto for `graph` with all tensors of `elementType`. */
export function encodeModel(graph: GraphSpec, elementType: number): Uint8Array {
  const model = new ProtoWriter();
  model.int(1, IR_VERSION);
  model.string(2, 'weightlab');
  model.message(7, (g) => {
    graph.nodes.forEach((node, index) => g.message(1, (n) => writeNode(n, node, index)));
    g.string(2, graph.name);
    for (const input of graph.inputs)
      g.message(11, (v) =>
        writeValueInfo(
          v,
          input.name,
          input.rank,
          input.dtype === undefined ? elementType : ONNX_ELEMENT_TYPE[input.dtype],
        ),
      );
    for (const output of graph.outputs) g.message(12, (v) => writeValueInfo(v, output.name, output.rank, elementType));
  });
  model.message(8, (opset) => {
    opset.string(1, '');
    opset.int(2, graph.opset ?? OPSET);
  });
  return model.finish();
}

/** Y = op(A) op(B) for matrices, as one Gemm node (ONNX Gemm has transA/transB flags). */
export function matmulGraph(transposeA: boolean, transposeB: boolean): GraphSpec {
  return {
    name: 'weightlab_matmul',
    inputs: [
      { name: 'A', rank: 2 },
      { name: 'B', rank: 2 },
    ],
    outputs: [{ name: 'Y', rank: 2 }],
    nodes: [
      {
        op: 'Gemm',
        inputs: ['A', 'B'],
        outputs: ['Y'],
        attributes: { transA: transposeA ? 1 : 0, transB: transposeB ? 1 : 0 },
      },
    ],
  };
}

/**
 * Row (or column) blocks the Gram graph splits the short side into: more blocks skip more of the
 * product's redundant lower half (5/8 of a general product's flops at 4 blocks, 7/12 at 6) but
 * make smaller products. Measured (float64, 2 threads; ms for 1 / 2 / 3 / 4 blocks): 512x2048:
 * 15.0 / 12.6 / 13.6 / 12.3; the four GPT-2 block shapes (m = 768) together: 131 / 101 / 95 / 98;
 * 1024x4096: 101 / 97 / 90 / 70; 2048x2048: 209 / 174 / 151 / 158; 256x1024: 2.2-2.4 for all.
 * Later, 3 / 4 / 6 blocks, median of 15 interleaved: 768x3072: 30.0 / 29.1 / 27.8; its transpose
 * ('columns'): 36.0 / 35.0 / 33.7; 768x2304: 20.8 / 19.9 / 20.0; 768x768: 9.0 / 8.4 / 8.8;
 * 1024x4096: 72.1 / 72.5 / 78.4 (6 blocks of 171 rows are too small there).
 */
export function gramBlocks(m: number): number {
  return m >= 1024 ? 4 : m >= 640 ? 6 : m >= 384 ? 2 : 1;
}

/**
 * Order of the slices the Gram graphs cut the Gram side (order m) into: ONNX Split-18's rule for
 * `num_outputs` (ceil(m / blocks), the last slice shorter), which the 'columns' graphs use and the
 * 'rows' inputs (products.ts, gramInputs) follow, so both sides tile alike.
 */
export function gramSliceSize(m: number, blocks: number): number {
  return Math.ceil(m / blocks);
}

/** Name of the graph output holding block (i, j) of a blocked Gram matrix. */
export function gramBlockName(i: number, j: number): string {
  return `G${i}_${j}`;
}

/**
 * The p (p + 1) / 2 blocks on and above the block diagonal of X Xᵀ ('rows') or Xᵀ X ('columns'),
 * for X split into p = `blocks` slices along the Gram side: outputs gramBlockName(i, j), i <= j,
 * = X_i X_jᵀ or X_iᵀ X_j. A Gemm has no symmetric "syrk" mode; this is how the Gram matrix costs
 * less than a general product (3/4 of its flops for p = 2, 7/12 for p = 6). 'rows' slices are
 * contiguous row ranges of W, so they are the graph's inputs X0..X{p-1}, views of the caller's
 * array, and nothing copies them; 'columns' slices are strided, so input X is split inside
 * (Split-18). With `castFrom` 'float32' the inputs come in float32 and each is cast (exactly) to
 * float64 first: onnxruntime's arena reuses the cast's buffer from run to run, where a float64
 * copy made in JS touches fresh pages each time (7-30 ms for the four GPT-2 block matrices, measured).
 */
export function gramUpperGraph(side: 'rows' | 'columns', blocks: number, castFrom?: 'float32'): GraphSpec {
  const inputNames = side === 'rows' ? Array.from({ length: blocks }, (_, i) => `X${i}`) : ['X'];
  const nodes: NodeSpec[] = [];
  const cast = (name: string) => {
    if (castFrom === undefined) return name;
    nodes.push({ op: 'Cast', inputs: [name], outputs: [`${name}c`], attributes: { to: ONNX_ELEMENT_TYPE.float64 } });
    return `${name}c`;
  };
  let slices = inputNames.map(cast);
  if (side === 'columns' && blocks > 1) {
    const whole = slices[0];
    slices = Array.from({ length: blocks }, (_, i) => `S${i}`);
    nodes.push({ op: 'Split', inputs: [whole], outputs: slices, attributes: { axis: 1, num_outputs: blocks } });
  }
  const transposed: Record<string, number> = side === 'rows' ? { transB: 1 } : { transA: 1 };
  const outputs: GraphSpec['outputs'] = [];
  for (let i = 0; i < blocks; i++) {
    for (let j = i; j < blocks; j++) {
      nodes.push({
        op: 'Gemm',
        inputs: [slices[i], slices[j]],
        outputs: [gramBlockName(i, j)],
        attributes: transposed,
      });
      outputs.push({ name: gramBlockName(i, j), rank: 2 });
    }
  }
  return {
    name: `weightlab_gram_upper_${side}_${blocks}`,
    opset: 18,
    inputs: inputNames.map((name) => ({ name, rank: 2, dtype: castFrom })),
    outputs,
    nodes,
  };
}

/**
 * Y = X Xᵀ ('rows') or Xᵀ X ('columns'), the full symmetric matrix: gramUpperGraph's blocks, the
 * ones below the block diagonal as transposed copies, concatenated. Same inputs as gramUpperGraph.
 */
export function gramGraph(side: 'rows' | 'columns', blocks = 1, castFrom?: 'float32'): GraphSpec {
  const upper = gramUpperGraph(side, blocks, castFrom);
  const nodes = [...upper.nodes];
  const block = (i: number, j: number) => (i <= j ? gramBlockName(i, j) : `L${i}_${j}`);
  for (let i = 1; i < blocks; i++) {
    for (let j = 0; j < i; j++)
      nodes.push({
        op: 'Transpose',
        inputs: [gramBlockName(j, i)],
        outputs: [block(i, j)],
        attributes: { perm: [1, 0] },
      });
  }
  if (blocks === 1) {
    // The single product is the output.
    const product = nodes[nodes.length - 1];
    nodes[nodes.length - 1] = { ...product, outputs: ['Y'] };
  } else {
    for (let i = 0; i < blocks; i++)
      nodes.push({
        op: 'Concat',
        inputs: Array.from({ length: blocks }, (_, j) => block(i, j)),
        outputs: [`R${i}`],
        attributes: { axis: 1 },
      });
    nodes.push({
      op: 'Concat',
      inputs: Array.from({ length: blocks }, (_, i) => `R${i}`),
      outputs: ['Y'],
      attributes: { axis: 0 },
    });
  }
  return { ...upper, name: `weightlab_gram_${side}_${blocks}`, outputs: [{ name: 'Y', rank: 2 }], nodes };
}

/** Y = op(A) op(B) over leading batch axes with numpy broadcasting (MatMul, Transpose of the last two axes). */
export function batchedMatmulGraph(rankA: number, rankB: number, transposeA: boolean, transposeB: boolean): GraphSpec {
  const nodes: NodeSpec[] = [];
  const swapLast = (rank: number) => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  let left = 'A';
  let right = 'B';
  if (transposeA) {
    nodes.push({ op: 'Transpose', inputs: ['A'], outputs: ['At'], attributes: { perm: swapLast(rankA) } });
    left = 'At';
  }
  if (transposeB) {
    nodes.push({ op: 'Transpose', inputs: ['B'], outputs: ['Bt'], attributes: { perm: swapLast(rankB) } });
    right = 'Bt';
  }
  nodes.push({ op: 'MatMul', inputs: [left, right], outputs: ['Y'] });
  return {
    name: 'weightlab_batched_matmul',
    inputs: [
      { name: 'A', rank: rankA },
      { name: 'B', rank: rankB },
    ],
    outputs: [{ name: 'Y', rank: Math.max(rankA, rankB) }],
    nodes,
  };
}
