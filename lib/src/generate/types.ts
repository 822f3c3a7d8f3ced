// The one interface every weight generator and baseline implements, so that the evaluation
// protocol (lib/generate/evaluate) treats DeepWeightFlow-style flows, mini diffusion, hypernets
// and "zoo + noise" exactly alike: fit on a train zoo, then sample n models from a seed.

import type { WeightSet } from '../weights/weight-set';
import type { EvaluationTask } from './evaluate/task';

/** A zoo as generators accept it: an array or iterable of WeightSets, or an object holding `models`. */
export type ZooInput = readonly WeightSet[] | Iterable<WeightSet> | AsyncIterable<WeightSet> | { models: readonly WeightSet[] };

/** What kind of method a generator is; baselines are always shown next to generators. */
export type GeneratorFamily = 'generator' | 'baseline';

export interface FitOptions {
  /** Abort long fits (the kernel's interrupt also stops them, through the progress bar). */
  signal?: AbortSignal;
  /** Show a progress bar per training phase (default true; updated in place in the kernel). */
  progress?: boolean;
  /**
   * The task the generated models are for. Generators trained on the task itself (hypernetworks
   * with objective 'task') learn from its train split; zoo-fitted generators ignore it.
   * evaluateGenerator passes its task here.
   */
  task?: EvaluationTask;
}

export interface WeightGenerator {
  /** Display name, e.g. 'flow matching (aligned PCA-32)' or 'mini D2NWG'. */
  readonly name: string;
  readonly family: GeneratorFamily;
  /** True for scaled-down re-implementations (mini D2NWG, mini IGPG), named as such. */
  readonly mini: boolean;
  /** Learns from the train zoo. Returns this, so `await gen.fit(zoo)` chains. */
  fit(zoo: ZooInput, options?: FitOptions): Promise<this>;
  /** n new models; the same seed gives the same bytes. */
  sample(n: number, seed: number): Promise<WeightSet[]>;
  /** Wall-clock seconds the last fit took. */
  readonly fitSeconds: number;
  /** Trainable scalars of the generator itself (0 for baselines without parameters). */
  readonly parameterCount: number;
}
