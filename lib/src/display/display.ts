// display(x): the one call that shows anything, in a notebook or on a terminal.
// In a kernel it publishes the object's whole MIME bundle; elsewhere it prints text/plain.

import { inspect } from 'node:util';
import { randomUUID } from 'node:crypto';
import { checkMimeBundle } from './builders';
import { isDisplayable, kernelHost, mimeBundle, type MimeBundle, type PublishOptions } from './protocol';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

/**
 * The bundle of any value: its own `[mimeBundle]()` if it has one (checked as the library's own
 * bundles are: no HTML next to a chart), else util.inspect as text/plain.
 */
export async function toMimeBundle(value: unknown): Promise<MimeBundle> {
  if (isDisplayable(value)) {
    const bundle = await value[mimeBundle]();
    if (!bundle || typeof bundle !== 'object' || typeof bundle.data !== 'object') {
      throw new TypeError('[mimeBundle]() must return { data: { mime: value, ... }, metadata? }');
    }
    checkMimeBundle(bundle, `the bundle of ${value.constructor?.name ?? 'a displayable'}`);
    if (!('text/plain' in bundle.data)) {
      return { data: { ...bundle.data, 'text/plain': inspect(value, { depth: 1 }) }, metadata: bundle.metadata };
    }
    return bundle;
  }
  return { data: { 'text/plain': typeof value === 'string' ? value : inspect(value, { depth: 3, colors: false }) } };
}

export interface DisplayOptions extends PublishOptions {}

/** Defaults of display(): a new output (no display id, no update). */
export const DISPLAY_DEFAULTS: OptionDefaults<DisplayOptions> = { displayId: undefined, update: false };

// Bundles resolve at different speeds (a chart renders its SVG, text is immediate), yet outputs
// must appear in the order display() was called: every publish waits for the ones before it.
let publishTail: Promise<void> = Promise.resolve();
let queued = 0;

function emit(bundle: MimeBundle, options: PublishOptions): void {
  const host = kernelHost();
  if (host) host.publish(bundle, options);
  else process.stdout.write(`${String(bundle.data['text/plain'])}\n`);
}

function enqueue(bundle: MimeBundle | Promise<MimeBundle>, options: PublishOptions): Promise<void> {
  queued++;
  const done = publishTail
    .then(() => bundle)
    .then((ready) => emit(ready, options))
    .finally(() => {
      queued--;
    });
  publishTail = done.catch(() => undefined);
  kernelHost()?.track(done);
  return done;
}

/**
 * Publishes a ready bundle now when nothing is waiting, else right after what is waiting, so
 * synchronous publishers (progress bars) and display() calls keep their order.
 */
export function publishInOrder(bundle: MimeBundle, options: PublishOptions = {}): void {
  checkMimeBundle(bundle, 'a published bundle');
  if (queued === 0) emit(bundle, options);
  else void enqueue(bundle, options);
}

/**
 * Show `value`. In a kernel this publishes its MIME bundle to the running cell (the cell
 * waits for it, so `display(chart)` need not be awaited); elsewhere it prints text/plain.
 * Outputs appear in call order even when some bundles take longer to render.
 */
export async function display(value: unknown, options: DisplayOptions = {}): Promise<void> {
  // async, so bad options reject the returned promise like every other failure; the bundle is
  // still queued synchronously, before the first await, so outputs keep the order of the calls.
  const resolved = resolveOptions('display', DISPLAY_DEFAULTS, options);
  return enqueue(toMimeBundle(value), resolved);
}

/** A display that can be replaced in place (Jupyter display_id); prints a new line on terminals. */
export class DisplayHandle {
  readonly displayId: string;
  private shown = false;
  constructor(displayId: string = randomUUID()) {
    this.displayId = displayId;
  }
  /** Show `value` the first time, replace it afterwards. */
  update(value: unknown): Promise<void> {
    const update = this.shown;
    this.shown = true;
    return display(value, { displayId: this.displayId, update });
  }
}

/** Send clear_output in a kernel (no-op elsewhere). */
export function clearOutput(wait = false): void {
  kernelHost()?.clearOutput(wait);
}
