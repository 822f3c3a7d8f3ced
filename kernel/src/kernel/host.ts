// The KernelHost the library finds at globalThis[Symbol.for('weightlab.kernelHost')]: display,
// update, clear_output and tracked promises for the running cell. Defined here on Symbol.for
// keys, not imported from lib, so any copy of weightlab talks to this kernel.

import { inspect } from 'node:util';
import type { InputOptions } from './stdin';

export interface MimeBundle {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface PublishOptions {
  displayId?: string;
  update?: boolean;
}

export const MIME_BUNDLE = Symbol.for('weightlab.mimeBundle');
export const KERNEL_HOST = Symbol.for('weightlab.kernelHost');

/** One execution: where its output goes, what it waits for, and how it is interrupted. */
export class CellContext {
  readonly controller = new AbortController();
  readonly tracked = new Set<Promise<unknown>>();
  /** Keys of the warnings this cell showed: an identical warning shows once per cell. */
  readonly warnings = new Set<string>();
  readonly interruption: Promise<never>;
  private rejectInterruption!: (error: Error) => void;
  /** The cell's input() calls, one after another: a front end answers one input_request at a time. */
  inputs: Promise<unknown> = Promise.resolve();

  /** `allowStdin`: the execute request's allow_stdin, whether its front end answers input_request. */
  constructor(
    readonly requestId: number,
    readonly silent: boolean,
    readonly allowStdin = false,
  ) {
    this.interruption = new Promise<never>((_, reject) => {
      this.rejectInterruption = reject;
    });
    this.interruption.catch(() => {
      /* observed through Promise.race */
    });
  }

  interrupt(error: Error): void {
    this.controller.abort(error);
    this.rejectInterruption(error);
  }

  /** Waits for every tracked promise, including ones tracked while waiting. */
  async settle(): Promise<void> {
    while (this.tracked.size > 0) {
      const batch = [...this.tracked];
      this.tracked.clear();
      await Promise.race([Promise.allSettled(batch), this.interruption]);
    }
  }
}

export interface HostSink {
  /** The cell output goes to (the running one, or the last one for late async output). */
  context(): CellContext | undefined;
  publish(context: CellContext, msgType: string, content: Record<string, unknown>): void;
  flushStreams(): void;
  /** Asks the front end of `context` for a line (input_request); rejects when it cannot answer. */
  input(context: CellContext | undefined, prompt: string, options: InputOptions): Promise<string>;
  /** Opens a comm from the kernel (widgets): comm_open on IOPub, and the front end's messages to `handlers`. */
  openComm(target: string, open: CommOpen, handlers: CommHandlers): KernelComm;
}

/** The comm_open a library sends (lib's display/protocol CommOpen, restated so any copy of it matches). */
export interface CommOpen {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface CommHandlers {
  receive(data: unknown): void;
  close?(): void;
}

export interface KernelComm {
  readonly commId: string;
  send(data: Record<string, unknown>): void;
  close(): void;
}

function isDisplayable(value: unknown): value is { [MIME_BUNDLE](): MimeBundle | Promise<MimeBundle> } {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[MIME_BUNDLE] === 'function'
  );
}

/**
 * The text of a result that is a string: its own characters, as `console.log` would print them
 * (util.inspect would quote it, escape its newlines and split long ones into `'…' +` pieces).
 * Only the empty string keeps its quotes, so the output says what the value was.
 */
function stringText(value: string): string {
  return value.length > 0 ? value : inspect(value);
}

/**
 * The library's bundle check (a chart next to text/html is refused, since JupyterLab would show
 * the HTML), loaded when the first displayable is shown: the prelude has loaded weightlab by then.
 */
function checkMimeBundle(bundle: MimeBundle, source: string): void {
  (require('weightlab/internal') as typeof import('weightlab/internal')).checkMimeBundle(bundle, source);
}

/** The bundle for an execute_result: the object's own (with text/plain added), a string's text, or util.inspect. */
export async function resultBundle(value: unknown): Promise<MimeBundle> {
  if (isDisplayable(value)) {
    const bundle = await value[MIME_BUNDLE]();
    if (!bundle || typeof bundle !== 'object' || typeof bundle.data !== 'object' || bundle.data === null) {
      throw new TypeError(
        '[Symbol.for("weightlab.mimeBundle")]() must return { data: { mime: value, ... }, metadata? }',
      );
    }
    checkMimeBundle(bundle, `the bundle of ${(value as object).constructor?.name ?? 'a displayable'}`);
    const data =
      'text/plain' in bundle.data ? bundle.data : { ...bundle.data, 'text/plain': inspect(value, { depth: 1 }) };
    return { data, metadata: bundle.metadata ?? {} };
  }
  return {
    data: { 'text/plain': typeof value === 'string' ? stringText(value) : inspect(value, { depth: 3, colors: false }) },
    metadata: {},
  };
}

export function installKernelHost(sink: HostSink): void {
  const host = {
    publish(bundle: MimeBundle, options: PublishOptions = {}): void {
      const context = sink.context();
      if (!context || context.silent) return;
      if (options.update && !options.displayId) throw new TypeError('publish: update needs a displayId');
      sink.flushStreams();
      const content: Record<string, unknown> = { data: bundle.data, metadata: bundle.metadata ?? {}, transient: {} };
      if (options.displayId) content.transient = { display_id: options.displayId };
      sink.publish(context, options.update ? 'update_display_data' : 'display_data', content);
    },
    clearOutput(wait = false): void {
      const context = sink.context();
      if (!context || context.silent) return;
      sink.flushStreams();
      sink.publish(context, 'clear_output', { wait });
    },
    track(promise: Promise<unknown>): void {
      const context = sink.context();
      if (!context) return;
      context.tracked.add(promise);
      promise.then(
        () => undefined,
        () => undefined,
      );
    },
    /** What the prelude's input() and password() call. */
    input(prompt: unknown = '', options: InputOptions = {}): Promise<string> {
      return sink.input(sink.context(), String(prompt), options ?? {});
    },
    openComm(target: string, open: CommOpen, handlers: CommHandlers): KernelComm {
      return sink.openComm(target, open, handlers);
    },
    get signal(): AbortSignal {
      return sink.context()?.controller.signal ?? new AbortController().signal;
    },
  };
  Object.defineProperty(globalThis, KERNEL_HOST, {
    value: host,
    configurable: true,
    writable: false,
    enumerable: false,
  });
}
