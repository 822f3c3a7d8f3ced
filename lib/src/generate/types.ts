// The one interface every weight generator and baseline implements, so that the evaluation
// protocol (lib/generate/evaluate) treats DeepWeightFlow-style flows, mini diffusion, hypernets
// and "zoo + noise" exactly alike: fit on a train zoo, then sample n models from a seed.

import { ArgumentError } from '../errors';
import { resolveOptions, type OptionDefaults, type ResolvedOptions } from '../options/resolve';
import type { WeightSet } from '../weights/weight-set';
import type { EvaluationTask } from './evaluate/task';

/** A zoo as generators accept it: an array or iterable of WeightSets, or an object holding `models`. */
export type ZooInput =
  readonly WeightSet[] | Iterable<WeightSet> | AsyncIterable<WeightSet> | { models: readonly WeightSet[] };

/** What kind of method a generator is; baselines are always shown next to generators. */
export type GeneratorFamily = 'generator' | 'baseline';

export interface FitOptions {
  /**
   * Aborts long fits (the kernel's interrupt also stops them, through the progress bar).
   * @default undefined (no signal)
   */
  signal?: AbortSignal;
  /**
   * Shows a progress bar per training phase (updated in place in the kernel).
   * @default true
   */
  progress?: boolean;
  /**
   * The task the generated models are for. Generators trained on the task itself (hypernetworks
   * with objective 'task') learn from its train split; zoo-fitted generators ignore it.
   * evaluateGenerator passes its task here.
   * @default undefined (no task)
   */
  task?: EvaluationTask;
}

/** fit()'s defaults (documented with @default in FitOptions). */
export const FIT_DEFAULTS = {
  signal: undefined,
  progress: true,
  task: undefined,
} as const satisfies OptionDefaults<FitOptions>;

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
  /** The options in effect, defaults included (every built-in generator; see ConfiguredGenerator). */
  getParams?(): object;
  /** Changes options, validated; returns this (every built-in generator; see ConfiguredGenerator). */
  setParams?(changes: object): this;
}

/**
 * What the built-in generators and baselines share about their options, so that the rule lives
 * in one place and not in every class: the options are resolved once against the verb's exported
 * defaults (unknown keys rejected, `undefined` keeps a default), `getParams()` returns them, and
 * `setParams(changes)` validates a change like the constructor does (scikit-learn's set_params).
 * A change to an option that shapes training discards the fit, so a sample can never come from a
 * network trained under other options; a change to a sampling-only option (listed by the class,
 * e.g. a temperature) keeps it.
 */
export abstract class ConfiguredGenerator<Options extends object, Defaults extends OptionDefaults<Options>> {
  /** The resolved options (defaults filled in). */
  protected o: ResolvedOptions<Options, Defaults>;

  constructor(
    private readonly verb: string,
    private readonly defaults: Defaults,
    options: Options | undefined,
  ) {
    this.o = resolveOptions(verb, defaults, options);
    this.validate();
  }

  /** The options in effect, defaults included (a copy). */
  getParams(): ResolvedOptions<Options, Defaults> {
    return { ...this.o };
  }

  /**
   * Changes some options, checked as the constructor checks them (an unknown key or a bad value
   * throws ArgumentError and leaves the generator unchanged); `undefined` restores nothing, it is
   * ignored. Returns this. Changing a training option discards the fit (call fit() again).
   */
  setParams(changes: Options): this {
    const previous = this.o;
    // Resolving checks the keys and the container; the values are merged over the current ones.
    resolveOptions(this.verb, this.defaults, changes);
    const explicit = Object.fromEntries(Object.entries(changes ?? {}).filter(([, value]) => value !== undefined));
    this.o = { ...previous, ...explicit } as ResolvedOptions<Options, Defaults>;
    try {
      this.validate();
    } catch (error) {
      this.o = previous;
      throw error;
    }
    const sampling = new Set<string>(this.samplingOptions());
    if (
      Object.keys(explicit).some(
        (key) =>
          !sampling.has(key) &&
          (previous as Record<string, unknown>)[key] !== (explicit as Record<string, unknown>)[key],
      )
    )
      this.forgetFit();
    return this;
  }

  /** fit()'s options with defaults, checked like the constructor's (a misspelt key is an ArgumentError). */
  protected fitOptions(options: FitOptions | undefined): FitOptions {
    return resolveOptions(`${this.verb}: fit`, FIT_DEFAULTS, options);
  }

  /** Checks values beyond their keys (enumerations, ranges); throws ArgumentError naming the option. */
  protected validate(): void {}

  /** Options that only affect sample() (changing them keeps the fit). */
  protected samplingOptions(): readonly (keyof Options & string)[] {
    return [];
  }

  /** Drops what fit() learned. */
  protected abstract forgetFit(): void;
}

/** Throws ArgumentError unless `value` is one of `allowed` (an option with a fixed set of values). */
export function oneOf<Value>(option: string, value: Value, allowed: readonly Value[]): void {
  if (!allowed.includes(value))
    throw new ArgumentError(`${option} must be ${allowed.map((a) => JSON.stringify(a)).join(' or ')}`, {
      field: option,
      expected: allowed.map((a) => JSON.stringify(a)).join(' | '),
      found: JSON.stringify(value) ?? String(value),
    });
}

/** Throws ArgumentError unless `value` is a positive integer (sizes, step counts). */
export function positiveInteger(option: string, value: unknown): void {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 1))
    throw new ArgumentError(`${option} must be a positive integer`, {
      field: option,
      expected: 'an integer >= 1',
      found: String(value),
    });
}
