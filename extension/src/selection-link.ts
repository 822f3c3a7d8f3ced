// The browser's end of the 'weightlab.selection' comm: a view displayed from a live kernel
// tells that kernel what the user selects, and shows what a cell selects. Mime renderers get
// no kernel from JupyterLab, so the application hands us a locator (lab/src/index.ts: the
// session kernel of the notebook panel holding the output); without one, or when the kernel
// does not know the view (a saved notebook, a restarted kernel), the view selects on its own
// and says so in its `data-kernel-link` attribute ('none', 'open', 'closed').

import { checkSelectionMessage, SELECTION_COMM_TARGET, type SelectionMessage } from 'weightlab/payloads';

/** JSON data, as comms carry it (the shape of JupyterLab's JSONObject). */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * The part of a JupyterLab comm (Kernel.IComm) used here. `onMsg` and `onClose` take `never`
 * so a real IComm, whose handlers take JupyterLab's message types, fits without importing them.
 */
export interface CommLike {
  readonly isDisposed: boolean;
  onMsg: (message: never) => void | PromiseLike<void>;
  onClose: (message: never) => void | PromiseLike<void>;
  open(data?: JsonObject): unknown;
  send(data: JsonObject): unknown;
  close(data?: JsonObject): unknown;
}

/** The part of a JupyterLab kernel connection (Kernel.IKernelConnection) used here. */
export interface KernelLike {
  readonly isDisposed: boolean;
  createComm(targetName: string): CommLike;
}

/** Finds the kernel of the document that shows `node` (null: none, or not a live document). */
export type KernelLocator = (node: HTMLElement) => KernelLike | null | undefined;

let locator: KernelLocator | undefined;

/** Set by the application that hosts the renderer (the weightlab lab sets it at start-up). */
export function setKernelLocator(locate: KernelLocator | undefined): void {
  locator = locate;
}

interface CommMessage {
  content: { data: unknown };
}

/**
 * One view's link to its kernel object. `receive` gets selections a cell made; `send` tells the
 * kernel a selection the user made (opening the comm on first use, once the view is in a page).
 */
export class SelectionLink {
  private comm: CommLike | undefined;
  private kernel: KernelLike | undefined;

  constructor(
    private readonly node: HTMLElement,
    private readonly viewId: string,
    private readonly receive: (message: SelectionMessage) => void,
  ) {
    node.dataset.kernelLink = 'none';
  }

  /** Opens the comm if the view's document has a kernel and none is open to it (after attach, before a send). */
  connect(): void {
    const kernel = locator?.(this.node) ?? undefined;
    if (!kernel || kernel.isDisposed) return;
    if (this.comm && !this.comm.isDisposed && this.kernel === kernel) return;
    if (this.kernel === kernel && this.node.dataset.kernelLink === 'closed') return;
    this.kernel = kernel;
    let comm: CommLike;
    try {
      comm = kernel.createComm(SELECTION_COMM_TARGET);
    } catch (error) {
      // A connection without comm support (handleComms false): stay on our own.
      console.warn(`weightlab: cannot open a selection comm: ${(error as Error).message}`);
      return;
    }
    comm.onMsg = (message: CommMessage) => {
      try {
        this.receive(checkSelectionMessage(message.content.data));
      } catch (error) {
        console.warn(`weightlab: ignoring a selection from the kernel: ${(error as Error).message}`);
      }
    };
    comm.onClose = () => {
      // The kernel does not know this view (another session) or shut down.
      if (this.comm === comm) {
        this.comm = undefined;
        this.node.dataset.kernelLink = 'closed';
      }
    };
    comm.open({ view_id: this.viewId });
    this.comm = comm;
    this.node.dataset.kernelLink = 'open';
  }

  send(message: SelectionMessage): void {
    this.connect();
    const comm = this.comm;
    if (!comm || comm.isDisposed) return;
    comm.send(message as unknown as JsonObject);
  }

  dispose(): void {
    const comm = this.comm;
    this.comm = undefined;
    if (comm && !comm.isDisposed && !this.kernel?.isDisposed) {
      try {
        comm.close();
      } catch {
        /* the kernel went away first */
      }
    }
  }
}
