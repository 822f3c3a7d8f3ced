// The display protocol: how any object tells a notebook what to show. It is defined on
// global-registry symbols (Symbol.for) so that the kernel, the library and user code agree
// on it even when they load separate copies of this package.

/** A Jupyter MIME bundle: one representation per MIME type, plus per-type metadata. */
export interface MimeBundle {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/**
 * The method key an object implements to be displayable:
 * `class Report { [mimeBundle]() { return { data: { 'text/plain': '...' } }; } }`.
 * The method may return a promise (charts render their SVG asynchronously).
 */
export const mimeBundle: unique symbol = Symbol.for('weightlab.mimeBundle');

export interface Displayable {
  [mimeBundle](): MimeBundle | Promise<MimeBundle>;
}

export function isDisplayable(value: unknown): value is Displayable {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[mimeBundle] === 'function'
  );
}

export interface PublishOptions {
  /** Jupyter display_id: later publishes with the same id and `update: true` replace this output. */
  displayId?: string;
  /**
   * Send update_display_data for `displayId` instead of a new display_data.
   * @default false
   */
  update?: boolean;
}

/**
 * What a running kernel installs at `globalThis[kernelHostKey]`. The library talks to the
 * notebook only through this; outside a kernel it is absent and output goes to the terminal.
 */
export interface KernelHost {
  /** Publish a bundle as display_data (or update_display_data) on IOPub, parented to the running cell. */
  publish(bundle: MimeBundle, options?: PublishOptions): void;
  /** Send clear_output for the running cell. */
  clearOutput(wait?: boolean): void;
  /** The running cell waits for `promise` before it replies (so asynchronous displays land in their cell). */
  track(promise: Promise<unknown>): void;
  /** Aborted when the user interrupts the running cell; long loops check it. */
  readonly signal: AbortSignal;
  /**
   * Opens a comm from the kernel (comm_open on IOPub): how widgets reach a front end. Absent in
   * kernels older than the widget protocol, so callers check for it.
   */
  openComm?(target: string, open: CommOpen, handlers: CommHandlers): KernelComm;
}

/** What a kernel-opened comm's comm_open carries. */
export interface CommOpen {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** What the kernel calls as the front end talks on a comm the library opened. */
export interface CommHandlers {
  /** A comm_msg's data; a throw is logged by the kernel and the message dropped. */
  receive(data: unknown): void;
  /** The front end closed the comm. */
  close?(): void;
}

/** A comm the library opened: its id (the widget's model id) and how to talk on it. */
export interface KernelComm {
  readonly commId: string;
  /** comm_msg to the front end, parented to the message being handled, else to the running cell. */
  send(data: Record<string, unknown>): void;
  /** comm_close from the kernel. */
  close(): void;
}

export const kernelHostKey: unique symbol = Symbol.for('weightlab.kernelHost');

/** The running kernel's host, or undefined outside a kernel. */
export function kernelHost(): KernelHost | undefined {
  return (globalThis as Record<symbol, unknown>)[kernelHostKey] as KernelHost | undefined;
}

/** MIME type of a weightlab payload for the JupyterLab extension: `application/vnd.weightlab.<kind>.v1+json`. */
export function weightlabMimeType(kind: string, version = 1): string {
  if (!/^[a-z][a-z0-9-]*$/.test(kind))
    throw new TypeError(`weightlab MIME kind must be lower-case words joined by '-', got '${kind}'`);
  return `application/vnd.weightlab.${kind}.v${version}+json`;
}

/** Any weightlab payload type, of any kind and version. */
export const WEIGHTLAB_MIME_PATTERN = /^application\/vnd\.weightlab\.[a-z][a-z0-9-]*\.v\d+\+json$/;

export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';
/** Vega-Lite of any version (v5 is what weightlab emits; a hand-made bundle may carry another). */
export const VEGA_LITE_PATTERN = /^application\/vnd\.vegalite\.v\d+\+json$/;
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
