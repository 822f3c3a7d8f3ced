// Named zoo specs. `digits-mlp-grid` mirrors the PTMZ ResNet grids (8 widths x 8 batch sizes
// x 3 seeds = 192 models, SGD with momentum 0.9 and weight decay 5e-4) with a 64-w-10 MLP on
// the bundled UCI digits, sized to build on a 2-core laptop in minutes; `--small` variants
// keep the shape of the grid at a CI budget.

import { ArgumentError } from '../../errors';
import type { ZooSpec } from '../builder/spec';

export const ZOO_PRESETS: Record<string, { summary: string; full: ZooSpec; small: ZooSpec }> = {
  'digits-mlp-grid': {
    summary: 'UCI digits, MLP 64-w-10, 8 widths x 8 batch sizes x 3 seeds (PTMZ shape)',
    full: {
      name: 'digits-mlp-grid',
      dataset: 'digits',
      axes: { width: [2, 4, 8, 16, 32, 64, 128, 256], batchSize: [8, 16, 32, 64, 128, 256, 512, 1024] },
      seeds: [0, 1, 2],
      defaults: { learningRate: 0.05, weightDecay: 5e-4, depth: 1 },
      epochs: 20,
      momentum: 0.9,
      checkpointEvery: 5,
    },
    small: {
      name: 'digits-mlp-grid-small',
      dataset: 'digits',
      axes: { width: [2, 8, 32], batchSize: [16, 128, 1024] },
      seeds: [0, 1],
      defaults: { learningRate: 0.05, weightDecay: 5e-4, depth: 1 },
      epochs: 8,
      momentum: 0.9,
      checkpointEvery: 4,
    },
  },
};

/** The spec of a named preset (the `small` variant when asked). */
export function zooPreset(name: string, options: { small?: boolean } = {}): ZooSpec {
  const preset = ZOO_PRESETS[name];
  if (!preset) throw new ArgumentError('unknown zoo preset', { field: 'preset', expected: Object.keys(ZOO_PRESETS).join(', '), found: name });
  return structuredClone(options.small ? preset.small : preset.full);
}
