// Which tensors of a checkpoint form a layer, and of what kind. Spectral analysis,
// alignment and generators all need to know that `fc1.weight` + `fc1.bias` are one
// Linear layer, that GPT-2's Conv1D stores its weight transposed, and that Keras / tfjs /
// TensorFlow checkpoints (`dense_Dense1/kernel`, `model_weights.conv.conv.kernel`,
// `layers.dense.vars.0`) keep every kernel as (..., in, out).

import type { DType } from '../tensor/dtype';
import type { Shape } from '../tensor/tensor';

/**
 * 'depthwise' is a Keras/TensorFlow depthwise kernel (kh, kw, in, multiplier) (or (k, in,
 * multiplier)): one filter per input channel, so no in → out matrix.
 */
export type LayerKind = 'linear' | 'conv1d' | 'conv2d' | 'depthwise' | 'embedding' | 'norm' | 'other';

export interface Layer {
  /** Module path, e.g. 'encoder.layers.0.fc1' or 'dense_Dense1' (the tensor names minus the last component). */
  name: string;
  kind: LayerKind;
  /** Name of the weight tensor in the WeightSet. */
  weight: string;
  bias?: string;
  /** Other tensors of the layer (norm running statistics, ...), by their last name component (or Keras role). */
  extras?: Record<string, string>;
  /**
   * How the weight is laid out. 'out-in' (PyTorch, the default when absent): Linear (out, in),
   * Conv (out, in, ...kernel). 'in-out': Keras / tfjs / TensorFlow kernels, Dense (in, out),
   * Conv (...kernel, in, out), depthwise (...kernel, in, multiplier); and Hugging Face GPT-2
   * Conv1D (in, out). Spectral code transposes 2-D 'in-out' weights and slices conv kernels accordingly.
   */
  layout?: 'out-in' | 'in-out';
  /** Whose naming the tensors follow: 'keras' for Keras, tfjs and TensorFlow checkpoints; absent for PyTorch. */
  convention?: 'keras';
}

export interface TensorInfo {
  dtype: DType;
  shape: Shape;
}

const NORM_HINT = /(^|[._])(norm|bn|ln|layernorm|layer_norm|batchnorm|batch_norm|ln_\d+|ln_f|gn|groupnorm)([._\d]|$)/i;
const EMBEDDING_HINT =
  /(^|[._])(embed|embedding|embeddings|wte|wpe|word_embeddings|position_embeddings|token_embedding|tok_embeddings)([._]|$)/i;
// Hugging Face GPT-2 style Conv1D modules store weight as (in, out).
const HF_CONV1D_HINT = /(^|\.)(c_attn|c_fc|c_proj|q_attn)$/;
const DEPTHWISE_HINT = /depthwise/i;

/** What a Keras / TensorFlow variable is to its layer. */
type KerasRole =
  'kernel' | 'depthwise' | 'pointwise' | 'embeddings' | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance' | 'bias';

// Keras and tfjs variable names (also Keras 2 HDF5, where the reader turns '/' into '.').
const KERAS_ROLES: Record<string, KerasRole> = {
  kernel: 'kernel',
  depthwise_kernel: 'depthwise',
  pointwise_kernel: 'pointwise',
  embeddings: 'embeddings',
  gamma: 'gamma',
  beta: 'beta',
  moving_mean: 'moving_mean',
  moving_variance: 'moving_variance',
  bias: 'bias',
};
// TensorFlow graph and TF-Slim names: trusted only in '/'-separated names, since a PyTorch module may
// well own a parameter called `weights` or `filters`.
const TENSORFLOW_ROLES: Record<string, KerasRole> = {
  filters: 'kernel',
  weights: 'kernel',
  biases: 'bias',
  depthwise_weights: 'depthwise',
  pointwise_weights: 'pointwise',
};
// Keras 3 `.weights.h5` stores a layer's variables as `layers/<class_name>[_<n>]/vars/<i>`, in the
// order the layer created them; the group name is the snake-cased class name, so it says the roles.
const KERAS3_VARIABLES: [RegExp, KerasRole[]][] = [
  [/^(dense|einsum_dense|conv[123]d)$/, ['kernel', 'bias']],
  [/^depthwise_conv[12]d$/, ['depthwise', 'bias']],
  [/^separable_conv[12]d$/, ['depthwise', 'pointwise', 'bias']],
  [/^embedding$/, ['embeddings']],
  [/^batch_normalization$/, ['gamma', 'beta', 'moving_mean', 'moving_variance']],
  [/^(layer|group|rms)_normalization$/, ['gamma', 'beta']],
];

interface NameParts {
  module: string;
  leaf: string;
  /** The separator before the leaf: '/' for TensorFlow names, '.' otherwise. */
  separator: '/' | '.' | '';
}

/** Module path and leaf, split at the last '/' or '.'; a TensorFlow `:0` output suffix is dropped from the leaf. */
function splitName(name: string): NameParts {
  const cut = Math.max(name.lastIndexOf('.'), name.lastIndexOf('/'));
  if (cut < 0) return { module: '', leaf: name.replace(/:\d+$/, ''), separator: '' };
  return {
    module: name.slice(0, cut),
    leaf: name.slice(cut + 1).replace(/:\d+$/, ''),
    separator: name[cut] as '/' | '.',
  };
}

type Member = [string, TensorInfo];

/**
 * Groups tensors into layers from their names and shapes, the way PyTorch state dicts, Keras
 * (2 and 3), tfjs, TensorFlow graph and GPT-2 checkpoints name them. Tensors that fit no layer
 * form 'other' layers.
 */
export function inferLayers(tensors: Iterable<[string, TensorInfo]>): Layer[] {
  const groups = new Map<string, { leaves: Map<string, Member>; slash: boolean }>();
  const order: string[] = [];
  for (const [name, info] of tensors) {
    const { module, leaf, separator } = splitName(name);
    if (!groups.has(module)) {
      groups.set(module, { leaves: new Map(), slash: false });
      order.push(module);
    }
    const group = groups.get(module)!;
    group.leaves.set(group.leaves.has(leaf) ? name : leaf, [name, info]);
    if (separator === '/') group.slash = true;
  }
  const layers: Layer[] = [];
  for (const module of order) {
    const { leaves, slash } = groups.get(module)!;
    if (leaves.has('weight')) layers.push(pytorchLayer(module, leaves));
    else if (/(^|[./])vars$/.test(module)) layers.push(...keras3Layers(module, leaves));
    else {
      const roles = kerasRoles(leaves, slash);
      // A bias alone says nothing about the convention; any other Keras variable name, or a '/', does.
      if ([...roles.keys()].some((role) => role !== 'bias') || slash)
        layers.push(...kerasLayers(module, roles, leaves));
      else
        for (const [leaf, [name]] of leaves)
          layers.push({ name: module ? `${module}.${leaf}` : leaf, kind: 'other', weight: name });
    }
  }
  return layers;
}

/** A PyTorch module with a `weight`: Linear, Conv, Embedding, a norm, or GPT-2's Conv1D. */
function pytorchLayer(module: string, members: Map<string, Member>): Layer {
  const [weightName, info] = members.get('weight')!;
  const rank = info.shape.length;
  const bias = members.get('bias')?.[0];
  const extras: Record<string, string> = {};
  for (const [leaf, [name]] of members) if (name !== weightName && name !== bias) extras[leaf] = name;
  let kind: LayerKind;
  let layout: Layer['layout'];
  if ('running_mean' in extras || 'running_var' in extras || (rank === 1 && NORM_HINT.test(module))) kind = 'norm';
  else if (rank === 2 && EMBEDDING_HINT.test(module)) kind = 'embedding';
  else if (rank === 2) {
    kind = 'linear';
    layout = HF_CONV1D_HINT.test(module) ? 'in-out' : 'out-in';
  } else if (rank === 3) kind = 'conv1d';
  else if (rank === 4) kind = 'conv2d';
  else kind = rank === 1 ? 'norm' : 'other';
  if (kind === 'norm' && rank !== 1) kind = 'other';
  const layer: Layer = { name: module || weightName, kind, weight: weightName };
  if (bias) layer.bias = bias;
  if (Object.keys(extras).length > 0) layer.extras = extras;
  if (layout) layer.layout = layout;
  return layer;
}

/** The Keras role of each recognised leaf (a tfjs uniquifying `_1` suffix is ignored). */
function kerasRoles(members: Map<string, Member>, slash: boolean): Map<KerasRole, Member> {
  const roles = new Map<KerasRole, Member>();
  for (const [leaf, member] of members) {
    const plain = leaf.replace(/_\d+$/, '');
    const role =
      KERAS_ROLES[leaf] ??
      KERAS_ROLES[plain] ??
      (slash ? (TENSORFLOW_ROLES[leaf] ?? TENSORFLOW_ROLES[plain]) : undefined);
    if (role && !roles.has(role)) roles.set(role, member);
  }
  return roles;
}

/** A Keras 3 `<layer>/vars/<i>` group: roles from the class name in the group name, else from shapes. */
function keras3Layers(varsModule: string, members: Map<string, Member>): Layer[] {
  const module = varsModule.replace(/[./]?vars$/, '');
  const className = (module.split(/[./]/).pop() ?? '').replace(/_\d+$/, '');
  const variables = [...members].filter(([leaf]) => /^\d+$/.test(leaf)).sort((a, b) => Number(a[0]) - Number(b[0]));
  const known = KERAS3_VARIABLES.find(([pattern]) => pattern.test(className))?.[1];
  // Bias-free layers store fewer variables; batch norm without scale or center is ambiguous (3 of 4).
  const fits =
    known &&
    variables.length === members.size &&
    variables.length <= known.length &&
    (known[0] !== 'gamma' || variables.length === known.length);
  if (!fits) return kerasLayers(module, new Map(), members);
  const roles = new Map<KerasRole, Member>();
  variables.forEach(([, member], index) => roles.set(known[index], member));
  return kerasLayers(module, roles, members);
}

/** The layers of one Keras / tfjs / TensorFlow module from its variables' roles. */
function kerasLayers(module: string, roles: Map<KerasRole, Member>, members: Map<string, Member>): Layer[] {
  const used = new Set<string>();
  const take = (role: KerasRole): string | undefined => {
    const name = roles.get(role)?.[0];
    if (name) used.add(name);
    return name;
  };
  const rankOf = (role: KerasRole) => roles.get(role)![1].shape.length;
  const extrasOf = (layer: Layer): Layer => {
    const extras: Record<string, string> = {};
    for (const [leaf, [name]] of members) {
      if (used.has(name)) continue;
      const role = [...roles].find(([, member]) => member[0] === name)?.[0];
      extras[role ?? leaf] = name;
      used.add(name);
    }
    if (Object.keys(extras).length > 0) layer.extras = extras;
    return layer;
  };
  const layers: Layer[] = [];
  if (roles.has('depthwise')) {
    const depthwise = take('depthwise')!;
    const pointwise = roles.has('pointwise') ? take('pointwise') : undefined;
    // A separable conv: the depthwise half stands alone, the pointwise (1x1) half mixes channels and owns the bias.
    layers.push({
      name: pointwise ? depthwise : module || depthwise,
      kind: 'depthwise',
      weight: depthwise,
      layout: 'in-out',
      convention: 'keras',
    });
    if (pointwise)
      layers.push({
        name: module || pointwise,
        kind: kernelKind(roles.get('pointwise')![1].shape.length, ''),
        weight: pointwise,
        layout: 'in-out',
        convention: 'keras',
      });
    const owner = layers[layers.length - 1];
    const bias = take('bias');
    if (bias) owner.bias = bias;
    extrasOf(owner);
    return layers;
  }
  if (roles.has('kernel')) {
    const kernel = take('kernel')!;
    const layer: Layer = {
      name: module || kernel,
      kind: kernelKind(rankOf('kernel'), lastParts(module, 1)),
      weight: kernel,
      layout: 'in-out',
      convention: 'keras',
    };
    const bias = take('bias');
    if (bias) layer.bias = bias;
    return [extrasOf(layer)];
  }
  if (roles.has('embeddings')) {
    const embeddings = take('embeddings')!;
    return [
      extrasOf({
        name: module || embeddings,
        kind: rankOf('embeddings') === 2 ? 'embedding' : 'other',
        weight: embeddings,
        convention: 'keras',
      }),
    ];
  }
  const normRole = (['gamma', 'beta', 'moving_mean', 'moving_variance'] as const).find((role) => roles.has(role));
  if (normRole) {
    const weight = take(normRole)!;
    const layer: Layer = {
      name: module || weight,
      kind: rankOf(normRole) === 1 ? 'norm' : 'other',
      weight,
      convention: 'keras',
    };
    const bias = normRole === 'gamma' ? take('beta') : undefined;
    if (bias) layer.bias = bias;
    return [extrasOf(layer)];
  }
  // No variable name says what it is (TensorFlow graph constants such as `model/fc`, an unknown
  // Keras 3 class): kernels by rank in TensorFlow's (..., in, out) layout; a lone vector matching
  // a lone kernel's output width is its bias.
  const all = [...members.values()];
  const kernels = all.filter(([, info]) => info.shape.length >= 2);
  const vectors = all.filter(([, info]) => info.shape.length < 2);
  if (kernels.length === 1) {
    const [kernel, info] = kernels[0];
    const layer: Layer = {
      name: module || kernel,
      kind: kernelKind(info.shape.length, lastParts(kernel, 2)),
      weight: kernel,
      layout: 'in-out',
      convention: 'keras',
    };
    const out = info.shape[info.shape.length - 1];
    if (vectors.length === 1 && vectors[0][1].shape.length === 1 && vectors[0][1].shape[0] === out)
      layer.bias = vectors[0][0];
    else for (const [name] of vectors) layers.push({ name, kind: 'other', weight: name, convention: 'keras' });
    return [layer, ...layers];
  }
  if (kernels.length === 0 && vectors.every(([, info]) => info.shape.length === 1) && NORM_HINT.test(module)) {
    const [[weight], ...rest] = vectors;
    const layer: Layer = { name: module, kind: 'norm', weight, convention: 'keras' };
    if (rest.length > 0) layer.extras = Object.fromEntries(rest.map(([name]) => [splitName(name).leaf, name]));
    return [layer];
  }
  for (const [name, info] of all) {
    const rank = info.shape.length;
    const kind = rank >= 2 ? kernelKind(rank, lastParts(name, 2)) : 'other';
    const layer: Layer = { name, kind, weight: name, convention: 'keras' };
    if (kind !== 'other') layer.layout = 'in-out';
    layers.push(layer);
  }
  return layers;
}

/** The last `count` components of a name (where a depthwise hint is trusted: not a whole block's path). */
function lastParts(name: string, count: number): string {
  return name.split(/[./]/).slice(-count).join('/');
}

/** A Keras / TensorFlow kernel's kind from its rank (and a depthwise hint in its name). */
function kernelKind(rank: number, name: string): LayerKind {
  if ((rank === 3 || rank === 4) && DEPTHWISE_HINT.test(name)) return 'depthwise';
  return rank === 2 ? 'linear' : rank === 3 ? 'conv1d' : rank === 4 ? 'conv2d' : 'other';
}
