// Tiny ONNX models built in memory: one or two nodes (Gemm, MatMul, Transpose) with dynamic
// dimensions, so a single session per (operation, dtype, flags) serves every shape. Field numbers
// follow onnx/onnx.proto (proto2; repeated scalars written unpacked, which every parser accepts).

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
  /** Graph inputs with their rank; every dimension is symbolic (dim_param). */
  inputs: { name: string; rank: number }[];
  outputs: { name: string; rank: number }[];
  nodes: NodeSpec[];
}

const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

function writeValueInfo(writer: ProtoWriter, name: string, rank: number, elementType: number): void {
  writer.string(1, name); // ValueInfoProto.name
  writer.message(2, (type) => { // ValueInfoProto.type: TypeProto
    type.message(1, (tensor) => { // TypeProto.tensor_type
      tensor.int(1, elementType); // elem_type
      tensor.message(2, (shape) => { // shape: TensorShapeProto
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
    for (const input of graph.inputs) g.message(11, (v) => writeValueInfo(v, input.name, input.rank, elementType));
    for (const output of graph.outputs) g.message(12, (v) => writeValueInfo(v, output.name, output.rank, elementType));
  });
  model.message(8, (opset) => { opset.string(1, ''); opset.int(2, OPSET); });
  return model.finish();
}

/** Y = op(A) op(B) for matrices, as one Gemm node (ONNX Gemm has transA/transB flags). */
export function matmulGraph(transposeA: boolean, transposeB: boolean): GraphSpec {
  return {
    name: 'weightlab_matmul',
    inputs: [{ name: 'A', rank: 2 }, { name: 'B', rank: 2 }],
    outputs: [{ name: 'Y', rank: 2 }],
    nodes: [{ op: 'Gemm', inputs: ['A', 'B'], outputs: ['Y'], attributes: { transA: transposeA ? 1 : 0, transB: transposeB ? 1 : 0 } }],
  };
}

/** Y = X Xᵀ ('rows') or Xᵀ X ('columns'): one input fed to both sides of a Gemm. */
export function gramGraph(side: 'rows' | 'columns'): GraphSpec {
  return {
    name: `weightlab_gram_${side}`,
    inputs: [{ name: 'X', rank: 2 }],
    outputs: [{ name: 'Y', rank: 2 }],
    nodes: [{ op: 'Gemm', inputs: ['X', 'X'], outputs: ['Y'], attributes: side === 'rows' ? { transB: 1 } : { transA: 1 } }],
  };
}

/** Y = op(A) op(B) over leading batch axes with numpy broadcasting (MatMul, Transpose of the last two axes). */
export function batchedMatmulGraph(rankA: number, rankB: number, transposeA: boolean, transposeB: boolean): GraphSpec {
  const nodes: NodeSpec[] = [];
  const swapLast = (rank: number) => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  let left = 'A';
  let right = 'B';
  if (transposeA) { nodes.push({ op: 'Transpose', inputs: ['A'], outputs: ['At'], attributes: { perm: swapLast(rankA) } }); left = 'At'; }
  if (transposeB) { nodes.push({ op: 'Transpose', inputs: ['B'], outputs: ['Bt'], attributes: { perm: swapLast(rankB) } }); right = 'Bt'; }
  nodes.push({ op: 'MatMul', inputs: [left, right], outputs: ['Y'] });
  return {
    name: 'weightlab_batched_matmul',
    inputs: [{ name: 'A', rank: rankA }, { name: 'B', rank: rankB }],
    outputs: [{ name: 'Y', rank: Math.max(rankA, rankB) }],
    nodes,
  };
}
