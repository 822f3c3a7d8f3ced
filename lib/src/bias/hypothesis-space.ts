// The contract every hypothesis sampler implements: draw hypotheses that fit a task's training
// set, return their test errors. The estimator never sees the hypotheses themselves.

import type { Progress } from '../progress/progress';
import type { Rng } from '../random/rng';
import type { TaskData } from './tasks';

/** Collects warnings for a result and (unless silenced) emits them as Node warnings. */
export class WarningLog {
  readonly messages: string[] = [];
  private readonly emit: boolean;
  constructor(emit = true) {
    this.emit = emit;
  }
  add(message: string): void {
    this.messages.push(message);
    if (this.emit) process.emitWarning(message, { type: 'InductiveBiasWarning' });
  }
}

export interface SamplingContext {
  /** The stream all randomness comes from; hypothesis i uses `rng.fold(i)`, so results do not depend on batching. */
  rng: Rng;
  /** Ticked once per finished hypothesis; its tick throws InterruptedError on interrupt. */
  progress?: Progress;
  warnings: WarningLog;
}

export interface HypothesisSample {
  /** Test MSE of each sampled hypothesis (mean over test rows and outputs). */
  errors: Float64Array;
  /** Training MSE of each hypothesis (how well it fits the set it is conditioned on), when meaningful. */
  trainingErrors?: Float64Array;
  /** Sampler facts worth reporting (jitter used, condition numbers, training steps...). */
  details: Record<string, unknown>;
}

export interface HypothesisSpace {
  /** A short label for tables and charts. */
  readonly name: string;
  /** The settings that define the space (JSON). */
  describe(): Record<string, unknown>;
  /** Draws `count` hypotheses fitting the task's training set and returns their test errors. */
  sample(task: TaskData, count: number, context: SamplingContext): Promise<HypothesisSample>;
}

/** Lets the event loop run (kernel interrupt messages, progress output) between chunks of work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
