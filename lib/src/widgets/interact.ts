// interact(): ipywidgets' most used habit, a function re-run as its controls move, its result
// shown in an Output below them. `interact((width) => plotLoss(width), { width: slider({ min: 1,
// max: 64 }) })` shows the slider and the plot; moving the slider in the browser sends an
// `update` on the slider's comm, and the kernel calls the function again and replaces the
// output's `outputs`. Runs never overlap: a change during a run is kept, and only the latest
// values run next (a dragged slider sends many).

import { ArgumentError } from '../errors';
import { Output, ValueWidget, VBox, type Widget } from './models';

/** The controls of interact(): the function's parameters in order, each a control by name. */
export type Controls = Record<string, ValueWidget<unknown>>;

/** The values of `controls`, in their order: what the function is called with. */
type ValuesOf<C extends Controls> = { [K in keyof C]: C[K] extends ValueWidget<infer V> ? V : never };

/**
 * The controls and the output of one interact(): displaying it shows them (the function has run
 * once by then). `result` is what the last run returned, `error` what it threw.
 */
export class Interactive<C extends Controls = Controls> extends VBox {
  readonly output: Output;
  result: unknown = undefined;
  error: unknown = undefined;
  private running: Promise<void> = Promise.resolve();
  private pending = false;
  private busy = false;

  constructor(
    private readonly fn: (...values: unknown[]) => unknown,
    readonly controls: C,
  ) {
    const output = new Output();
    super([...(Object.values(controls) as Widget[]), output]);
    this.output = output;
    for (const control of Object.values(controls)) control.observe(() => void this.update());
    void this.update();
  }

  /** The controls' values by name. */
  get values(): { [K in keyof C]: ValuesOf<C>[K] } {
    return Object.fromEntries(Object.entries(this.controls).map(([name, control]) => [name, control.value])) as {
      [K in keyof C]: ValuesOf<C>[K];
    };
  }

  /**
   * Runs the function with the current values (after the run in progress, if any) and shows
   * its result; resolves when the output shows the values as they are now.
   */
  update(): Promise<void> {
    this.pending = true;
    if (!this.busy) {
      this.busy = true;
      this.running = this.drain().finally(() => {
        this.busy = false;
      });
    }
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      this.pending = false;
      const values = Object.values(this.controls).map((control) => control.value);
      try {
        this.result = await this.fn(...values);
        this.error = undefined;
        if (this.result === undefined) this.output.clear();
        else await this.output.show(this.result);
      } catch (error) {
        this.error = error;
        this.result = undefined;
        this.output.showError(error);
      }
    }
  }

  /** Resolves once the output shows the current values (the first run included). */
  settled(): Promise<void> {
    return this.running;
  }

  describe(): string {
    const values = Object.entries(this.controls)
      .map(([name, control]) => `${name}=${JSON.stringify(control.value)}`)
      .join(', ');
    return `interact(${values})\n${this.output.describe()}`;
  }

  /** What the output shows, for front ends without a widget manager. */
  async fallback(): Promise<Record<string, unknown>> {
    return this.output.fallback();
  }

  protected ready(): Promise<void> {
    return this.settled();
  }
}

/**
 * Shows `controls` and an output, and calls `fn` with the controls' values (in the order of
 * `controls`) now and whenever one changes; the output shows what `fn` returns (a chart, a
 * table, any value; nothing for undefined) or the error it throws. `fn` may be async. Return
 * what to show rather than calling display() in `fn`: a re-run happens outside any cell, so a
 * display() there lands in the output of the last cell that ran.
 */
export function interact<C extends Controls>(
  // never[]: a function of any parameter types fits; the values are the controls' in their order.
  fn: (...values: never[]) => unknown,
  controls: C,
): Interactive<C> {
  if (typeof fn !== 'function') {
    throw new ArgumentError('interact takes the function to run first', {
      field: 'fn',
      expected: 'a function of the controls’ values',
      found: typeof fn,
    });
  }
  if (!controls || typeof controls !== 'object' || Object.keys(controls).length === 0) {
    throw new ArgumentError('interact needs its controls, by name', {
      field: 'controls',
      expected: 'an object such as { width: slider({ min: 1, max: 64 }) }',
      found: JSON.stringify(controls) ?? String(controls),
    });
  }
  for (const [name, control] of Object.entries(controls) as [string, unknown][]) {
    if (!(control instanceof ValueWidget)) {
      throw new ArgumentError(`interact: control '${name}' is not a control`, {
        field: `controls.${name}`,
        expected: 'slider(...), dropdown(...) or checkbox(...)',
        found:
          control === null
            ? 'null'
            : typeof control === 'object'
              ? (control.constructor?.name ?? 'an object')
              : typeof control,
      });
    }
    // As ipywidgets does: a control without a label is labelled by its name.
    control.labelIfUnlabelled(name);
  }
  return new Interactive(fn as (...values: unknown[]) => unknown, controls);
}
