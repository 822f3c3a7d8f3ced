// The extra layer sets of the WeightWatcher oracle for its other layer iterators (pool=False / ww2x,
// intra, peft; oracle/weightwatcher_oracle_options-b.py): a Conv2d with a 3x3 kernel whose slices pass
// the size filters, a chain of Dense layers whose shapes link (and two that do not), and a PEFT LoRA
// state dict. Regenerated from seeds here, never stored; the oracle JSON keeps checksums.
// The chain and LoRA sets are float64: WeightWatcher forms X = W0·W1 and B·A in the weights' dtype,
// so float32 weights would add float32 products (rounded by BLAS in its own order) to the comparison.

import { Tensor, rng } from 'weightlab/internal';
import { oracleLayers } from './fixtures';

type Named = [string, Tensor][];

function tensor(dtype: 'float32' | 'float64', values: Float64Array, shape: number[]): Tensor {
  return dtype === 'float32'
    ? new Tensor('float32', Float32Array.from(values), shape)
    : new Tensor('float64', values, shape);
}

/** The oracle's layer sets by name, each in state-dict order (layer ids 1, 2, ...). */
export function optionsBSets(): Record<string, Named> {
  const root = rng(20251205);
  const layer = (
    set: string,
    name: string,
    dtype: 'float32' | 'float64',
    shape: number[],
    scale: number,
  ): [string, Tensor] => {
    const count = shape.reduce((a, b) => a * b, 1);
    return [`${name}.weight`, tensor(dtype, root.fold(set).fold(name).normal(count, 0, scale), shape)];
  };
  return {
    // The shared fixture layers (three Conv2d among them; only conv_even has M >= 10 without pooling).
    layers: oracleLayers(),
    slices: [layer('slices', 'conv3', 'float32', [24, 16, 3, 3], 0.2), layer('slices', 'fc', 'float32', [40, 30], 1)],
    chain: [
      layer('chain', 'fc1', 'float64', [64, 32], 1),
      layer('chain', 'fc2', 'float64', [48, 64], 0.5),
      layer('chain', 'fc3', 'float64', [40, 48], 2),
      // (30, 20) shares no extent with (40, 48): no row for the pair 3 X 4.
      layer('chain', 'fc4', 'float64', [30, 20], 1),
      // (20, 30) after (30, 20): both extents repeat; align_mats picks the larger, 30.
      layer('chain', 'fc5', 'float64', [20, 30], 1),
      // A Conv2d second: its first slice, made tall (20 x 16), and conv2d_norm on X.
      layer('chain', 'conv', 'float64', [16, 20, 3, 3], 0.3),
    ],
    lora: [
      layer('lora', 'layers.0.q_proj', 'float64', [48, 40], 1),
      layer('lora', 'layers.0.q_proj.lora_A', 'float64', [12, 40], 0.2),
      layer('lora', 'layers.0.q_proj.lora_B', 'float64', [48, 12], 0.1),
      layer('lora', 'layers.0.v_proj', 'float64', [48, 40], 1),
      layer('lora', 'layers.0.v_proj.lora_A', 'float64', [12, 40], 0.2),
      layer('lora', 'layers.0.v_proj.lora_B', 'float64', [48, 12], 0.1),
      layer('lora', 'layers.0.out_proj', 'float64', [40, 48], 1),
    ],
  };
}
