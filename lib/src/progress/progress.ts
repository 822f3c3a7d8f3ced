// progress(): one bar for long work. In a kernel it updates a single output in place
// (display_id + update_display_data); on a terminal it redraws one line on stderr (or
// prints a line every 10 % when stderr is not a TTY). Every tick checks for an interrupt,
// so loops that await between steps stop promptly when the user interrupts the cell.

import { randomUUID } from 'node:crypto';
import { InterruptedError } from '../errors';
import { kernelHost } from '../display/protocol';
import { escapeHtml } from '../display/builders';
import { publishInOrder } from '../display/display';

export interface ProgressOptions {
  /** Number of steps; unknown when absent (the bar shows a count and a rate). */
  total?: number;
  /** What is being done, e.g. 'training'. */
  label?: string;
  /** Minimum milliseconds between redraws (default 100). */
  interval?: number;
  /** Stops the work with an InterruptedError when aborted (in addition to kernel interrupts). */
  signal?: AbortSignal;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(rest).padStart(2, '0')}`
    : `${m}:${String(rest).padStart(2, '0')}`;
}

export class Progress {
  readonly total?: number;
  readonly label: string;
  private readonly interval: number;
  private readonly signal?: AbortSignal;
  private readonly started = performance.now();
  private readonly displayId = randomUUID();
  private value = 0;
  private lastDraw = -Infinity;
  private lastDecile = -1;
  private shown = false;
  private finished = false;

  constructor(options: ProgressOptions = {}) {
    this.total = options.total;
    this.label = options.label ?? 'progress';
    this.interval = options.interval ?? 100;
    this.signal = options.signal;
    this.draw(true);
  }

  /** Steps done so far. */
  get current(): number {
    return this.value;
  }

  /** Advance by `steps`; throws InterruptedError if the user interrupted. */
  tick(steps = 1): void {
    this.update(this.value + steps);
  }

  /** Set the number of steps done; throws InterruptedError if the user interrupted. */
  update(value: number): void {
    this.checkInterrupt();
    this.value = value;
    this.draw(false);
  }

  /** Mark the work finished and draw the final state. */
  done(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.total !== undefined) this.value = Math.max(this.value, this.total);
    this.draw(true);
    if (!kernelHost() && process.stderr.isTTY) process.stderr.write('\n');
  }

  private checkInterrupt(): void {
    if (this.signal?.aborted || kernelHost()?.signal.aborted) {
      this.finished = true;
      throw new InterruptedError(
        `${this.label} interrupted at ${this.value}${this.total !== undefined ? `/${this.total}` : ''}`,
      );
    }
  }

  /** The bar as text, e.g. `training [#######.......]  50% 5/10 0:02<0:02 2.1 it/s`. */
  toString(): string {
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.value / elapsed : 0;
    const rateText = rate >= 1 || rate === 0 ? `${rate.toFixed(1)} it/s` : `${(1 / rate).toFixed(1)} s/it`;
    if (this.total === undefined || this.total <= 0) {
      return `${this.label} ${this.value} ${formatDuration(elapsed)} ${rateText}`;
    }
    const fraction = Math.min(1, this.value / this.total);
    const width = 24;
    const filled = Math.round(fraction * width);
    const remaining = rate > 0 ? (this.total - this.value) / rate : Infinity;
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${this.value}/${this.total} ${formatDuration(elapsed)}<${formatDuration(remaining)} ${rateText}`;
  }

  private html(): string {
    const text = escapeHtml(this.toString());
    const bar =
      this.total !== undefined && this.total > 0
        ? `<progress value="${Math.min(this.value, this.total)}" max="${this.total}" style="width: 20em; vertical-align: middle"></progress> `
        : '';
    return `<div class="weightlab-progress">${bar}<code>${text}</code></div>`;
  }

  private draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < this.interval) return;
    this.lastDraw = now;
    const host = kernelHost();
    if (host) {
      publishInOrder(
        { data: { 'text/plain': this.toString(), 'text/html': this.html() } },
        { displayId: this.displayId, update: this.shown },
      );
      this.shown = true;
      return;
    }
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${this.toString()}\x1b[K`);
      return;
    }
    // Not a terminal (CI logs, pipes): one line per 10 % step, plus start and end.
    const decile = this.total ? Math.floor((10 * this.value) / this.total) : Math.floor(Math.log2(this.value + 1));
    if (force || decile !== this.lastDecile) {
      this.lastDecile = decile;
      process.stderr.write(`${this.toString()}\n`);
    }
  }
}

/**
 * A progress bar over `items` (an iterable or a step count). Iterating it ticks the bar and
 * finishes it; `progress(100)` yields 0..99. Use `new Progress()` for manual ticking.
 */
export function progress<T = number>(
  items: Iterable<T> | number,
  options: ProgressOptions = {},
): Iterable<T> & { bar: Progress } {
  const total =
    typeof items === 'number'
      ? items
      : (options.total ?? (Array.isArray(items) ? items.length : (items as { length?: number }).length));
  const source: Iterable<T> =
    typeof items === 'number'
      ? {
          *[Symbol.iterator]() {
            for (let i = 0; i < (items as number); i++) yield i as T;
          },
        }
      : items;
  const bar = new Progress({ ...options, total });
  return {
    bar,
    *[Symbol.iterator]() {
      let completed = false;
      try {
        for (const item of source) {
          yield item;
          bar.tick();
        }
        completed = true;
      } finally {
        if (completed) bar.done();
      }
    },
  };
}
