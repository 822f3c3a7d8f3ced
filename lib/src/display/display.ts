// display(x): the one call that shows anything, in a notebook or on a terminal.
// In a kernel it publishes the object's whole MIME bundle; elsewhere it prints text/plain.

import { inspect } from 'node:util';
import { randomUUID } from 'node:crypto';
import { isDisplayable, kernelHost, mimeBundle, type MimeBundle, type PublishOptions } from './protocol';

/** The bundle of any value: its own `[mimeBundle]()` if it has one, else util.inspect as text/plain. */
export async function toMimeBundle(value: unknown): Promise<MimeBundle> {
  if (isDisplayable(value)) {
    const bundle = await value[mimeBundle]();
    if (!bundle || typeof bundle !== 'object' || typeof bundle.data !== 'object') {
      throw new TypeError('[mimeBundle]() must return { data: { mime: value, ... }, metadata? }');
    }
    if (!('text/plain' in bundle.data)) {
      return { data: { ...bundle.data, 'text/plain': inspect(value, { depth: 1 }) }, metadata: bundle.metadata };
    }
    return bundle;
  }
  return { data: { 'text/plain': typeof value === 'string' ? value : inspect(value, { depth: 3, colors: false }) } };
}

export interface DisplayOptions extends PublishOptions {}

/**
 * Show `value`. In a kernel this publishes its MIME bundle to the running cell (the cell
 * waits for it, so `display(chart)` need not be awaited); elsewhere it prints text/plain.
 */
export function display(value: unknown, options: DisplayOptions = {}): Promise<void> {
  const host = kernelHost();
  const done = toMimeBundle(value).then((bundle) => {
    if (host) host.publish(bundle, options);
    else process.stdout.write(`${String(bundle.data['text/plain'])}\n`);
  });
  host?.track(done);
  return done;
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
