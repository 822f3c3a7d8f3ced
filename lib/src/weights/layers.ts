// Which tensors of a checkpoint form a layer, and of what kind. Spectral analysis,
// alignment and generators all need to know that `fc1.weight` + `fc1.bias` are one
// Linear layer and that GPT-2's Conv1D stores its weight transposed.

import type { DType } from '../tensor/dtype';
import type { Shape } from '../tensor/tensor';

export type LayerKind = 'linear' | 'conv1d' | 'conv2d' | 'embedding' | 'norm' | 'other';

export interface Layer {
  /** Module path, e.g. 'encoder.layers.0.fc1' (the tensor names minus the last component). */
  name: string;
  kind: LayerKind;
  /** Name of the weight tensor in the WeightSet. */
  weight: string;
  bias?: string;
  /** Other tensors of the layer (norm running statistics, ...), by their last name component. */
  extras?: Record<string, string>;
  /**
   * How a 2-D weight is laid out: 'out-in' (PyTorch Linear, the default) or 'in-out'
   * (Keras/tfjs Dense and Hugging Face GPT-2 Conv1D). Spectral code transposes 'in-out'.
   */
  layout?: 'out-in' | 'in-out';
}

export interface TensorInfo {
  dtype: DType;
  shape: Shape;
}

const NORM_HINT = /(^|[._])(norm|bn|ln|layernorm|layer_norm|batchnorm|batch_norm|ln_\d+|ln_f|gn|groupnorm)([._\d]|$)/i;
const EMBEDDING_HINT = /(^|[._])(embed|embedding|embeddings|wte|wpe|word_embeddings|position_embeddings|token_embedding|tok_embeddings)([._]|$)/i;
// Hugging Face GPT-2 style Conv1D modules store weight as (in, out).
const HF_CONV1D_HINT = /(^|\.)(c_attn|c_fc|c_proj|q_attn)$/;

function splitName(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? ['', name] : [name.slice(0, dot), name.slice(dot + 1)];
}

/**
 * Groups tensors into layers from their names and shapes, the way PyTorch state dicts,
 * Keras weights and GPT-2 checkpoints name them. Tensors that fit no layer form 'other' layers.
 */
export function inferLayers(tensors: Iterable<[string, TensorInfo]>): Layer[] {
  const groups = new Map<string, Map<string, [string, TensorInfo]>>();
  const order: string[] = [];
  for (const [name, info] of tensors) {
    const [module, leaf] = splitName(name);
    if (!groups.has(module)) { groups.set(module, new Map()); order.push(module); }
    groups.get(module)!.set(leaf, [name, info]);
  }
  const layers: Layer[] = [];
  for (const module of order) {
    const members = groups.get(module)!;
    const weightEntry = members.get('weight') ?? members.get('kernel') ?? members.get('embeddings');
    if (!weightEntry) {
      for (const [leaf, [name]] of members) layers.push({ name: module ? `${module}.${leaf}` : leaf, kind: 'other', weight: name });
      continue;
    }
    const [weightName, info] = weightEntry;
    const rank = info.shape.length;
    const bias = members.get('bias')?.[0];
    const extras: Record<string, string> = {};
    for (const [leaf, [name]] of members) if (name !== weightName && name !== bias) extras[leaf] = name;
    let kind: LayerKind;
    let layout: Layer['layout'];
    const isKeras = members.has('kernel');
    if ('running_mean' in extras || 'running_var' in extras || (rank === 1 && NORM_HINT.test(module)) || (rank === 1 && members.has('gamma'))) kind = 'norm';
    else if (rank === 2 && EMBEDDING_HINT.test(module)) kind = 'embedding';
    else if (rank === 2) {
      kind = 'linear';
      layout = isKeras || HF_CONV1D_HINT.test(module) ? 'in-out' : 'out-in';
    } else if (rank === 3) kind = 'conv1d';
    else if (rank === 4) kind = 'conv2d';
    else kind = rank === 1 ? 'norm' : 'other';
    if (kind === 'norm' && rank !== 1) kind = 'other';
    const layer: Layer = { name: module || weightName, kind, weight: weightName };
    if (bias) layer.bias = bias;
    if (Object.keys(extras).length > 0) layer.extras = extras;
    if (layout) layer.layout = layout;
    layers.push(layer);
  }
  return layers;
}
