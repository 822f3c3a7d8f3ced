// The kernel's end of Jupyter comms (messaging spec, "Custom messages"). Front ends open comms
// to 'weightlab.selection': a live view (manifold, phase diagram) opens one with the view_id of
// its output, and the comm links that view to the object the kernel displayed, so selections
// made in the browser reach `view.selection` and selections made by a cell reach the browser.
// Views are found on a Symbol.for registry the library fills when it makes a bundle
// (lib/src/display/selection.ts), so any copy of weightlab is found. The kernel opens comms of
// its own to 'jupyter.widget' (the @jupyter-widgets protocol, lib/src/widgets): the library
// holds their handlers, and 'jupyter.widget.control' answers a front end that reconnects and
// asks for every widget's state at once. Bad messages never end the kernel: an unknown view
// closes the comm, malformed data is logged and dropped.

import { randomUUID } from 'node:crypto';
import { SELECTION_COMM_TARGET } from 'weightlab/payloads';

/** The @jupyter-widgets targets: one comm per widget model, and the control comm of a reconnecting front end. */
export const WIDGET_COMM_TARGET = 'jupyter.widget';
export const WIDGET_CONTROL_TARGET = 'jupyter.widget.control';

/** The targets a front end may open (comm_info_request lists the comms open on them). */
export const COMM_TARGETS: readonly string[] = [SELECTION_COMM_TARGET, WIDGET_COMM_TARGET, WIDGET_CONTROL_TARGET];

/** What the library hands openComm: a widget's message handler (lib/src/display/protocol CommHandlers). */
export interface CommHandlers {
  receive(data: unknown): void;
  close?(): void;
}

/** The library's registry of displayed views (weakly held), by view id. */
const SELECTABLE_VIEWS = Symbol.for('weightlab.selectableViews');

interface SelectionConnection {
  receive(data: unknown): void;
  close(): void;
}

interface SelectionEndpoint {
  connect(send: (message: unknown) => void): SelectionConnection;
}

function findView(viewId: string): SelectionEndpoint | undefined {
  const views = (globalThis as Record<symbol, unknown>)[SELECTABLE_VIEWS] as
    Map<string, WeakRef<SelectionEndpoint>> | undefined;
  return views?.get(viewId)?.deref();
}

/**
 * What the manager sends: comm_open, comm_msg and comm_close on IOPub, parented to the message
 * being answered (the running cell's request when a cell sends, unless `reply` was asked for).
 */
export type CommPublisher = (
  msgType: 'comm_open' | 'comm_msg' | 'comm_close',
  content: Record<string, unknown>,
  metadata?: Record<string, unknown>,
) => void;

/** A comm the kernel opened: the library's handlers, and the parent of the message that last reached it. */
interface KernelOpened {
  target: string;
  handlers: CommHandlers;
  /** The open data's state, updated as messages pass, for the control comm's request_states. */
  state: Record<string, unknown> | undefined;
}

export class CommManager {
  private readonly open = new Map<string, SelectionConnection>();
  private readonly kernelOpened = new Map<string, KernelOpened>();
  /** The front end's message being handled now: what a comm_msg sent meanwhile answers. */
  private handling: Record<string, unknown> | undefined;

  constructor(
    private readonly publisher: (parent: Record<string, unknown> | undefined, reply: boolean) => CommPublisher,
    private readonly warn: (text: string) => void,
  ) {}

  /**
   * Opens a comm from the kernel: comm_open on IOPub (parented to the running cell), and what
   * the front end sends on it goes to `handlers`. The comm id is the widget's model id.
   */
  openFromKernel(
    target: string,
    open: { data: Record<string, unknown>; metadata?: Record<string, unknown> },
    handlers: CommHandlers,
  ): { readonly commId: string; send(data: Record<string, unknown>): void; close(): void } {
    const commId = randomUUID().replaceAll('-', '');
    const state = open.data.state;
    const entry: KernelOpened = {
      target,
      handlers,
      state: state && typeof state === 'object' ? { ...(state as Record<string, unknown>) } : undefined,
    };
    this.kernelOpened.set(commId, entry);
    // The open's metadata is the message's (where @jupyter-widgets reads the protocol version), not its content's.
    this.publisher(this.handling, false)(
      'comm_open',
      { comm_id: commId, target_name: target, data: open.data },
      open.metadata ?? {},
    );
    return {
      commId,
      send: (data) => {
        if (!this.kernelOpened.has(commId)) return;
        const delta = data.state;
        if (entry.state && delta && typeof delta === 'object') Object.assign(entry.state, delta);
        this.publisher(this.handling, this.handling !== undefined)('comm_msg', { comm_id: commId, data });
      },
      close: () => {
        if (!this.kernelOpened.delete(commId)) return;
        this.publisher(this.handling, false)('comm_close', { comm_id: commId, data: {} });
      },
    };
  }

  /** Handles comm_open, comm_msg or comm_close (the I/O thread already refused unknown targets). */
  handle(msgType: string, content: Record<string, unknown>, parent: Record<string, unknown>): void {
    const commId = content.comm_id;
    if (typeof commId !== 'string' || commId.length === 0) {
      this.warn(`ignoring a ${msgType} without a comm_id`);
      return;
    }
    const publish = this.publisher(parent, false);
    switch (msgType) {
      case 'comm_open':
        this.onOpen(commId, content, publish);
        return;
      case 'comm_msg': {
        const opened = this.kernelOpened.get(commId);
        if (opened) {
          this.receiveKernelOpened(commId, opened, content.data, parent);
          return;
        }
        const connection = this.open.get(commId);
        if (!connection) {
          this.warn(`ignoring a comm_msg for comm ${commId}, which is not open`);
          return;
        }
        try {
          connection.receive(content.data);
        } catch (error) {
          this.warn(`ignoring a malformed selection on comm ${commId}: ${(error as Error).message}`);
        }
        return;
      }
      case 'comm_close': {
        const opened = this.kernelOpened.get(commId);
        this.kernelOpened.delete(commId);
        opened?.handlers.close?.();
        this.open.get(commId)?.close();
        this.open.delete(commId);
        return;
      }
      default:
        this.warn(`ignoring ${msgType}: not a comm message`);
    }
  }

  /** A front end's message on a comm the kernel opened: sends made while handling it answer it. */
  private receiveKernelOpened(
    commId: string,
    opened: KernelOpened,
    data: unknown,
    parent: Record<string, unknown>,
  ): void {
    this.handling = parent;
    try {
      opened.handlers.receive(data);
      const delta = (data as { method?: unknown; state?: unknown } | undefined)?.state;
      if (opened.state && delta && typeof delta === 'object') Object.assign(opened.state, delta);
    } catch (error) {
      this.warn(`ignoring a malformed message on ${opened.target} comm ${commId}: ${(error as Error).message}`);
    } finally {
      this.handling = undefined;
    }
  }

  /**
   * The control comm of a front end that (re)connects: request_states is answered with every
   * open widget's state in one update_states message (@jupyter-widgets/base-manager).
   */
  private controlConnection(commId: string, publish: CommPublisher): SelectionConnection {
    return {
      receive: (data) => {
        const method = (data as { method?: unknown } | undefined)?.method;
        if (method !== 'request_states')
          throw new TypeError(`expected { method: 'request_states' }, found ${JSON.stringify(data)}`);
        const states: Record<string, unknown> = {};
        for (const [id, opened] of this.kernelOpened)
          if (opened.target === WIDGET_COMM_TARGET && opened.state) states[id] = opened.state;
        publish('comm_msg', { comm_id: commId, data: { method: 'update_states', states, buffer_paths: [] } });
      },
      close: () => undefined,
    };
  }

  private onOpen(commId: string, content: Record<string, unknown>, publish: CommPublisher): void {
    if (content.target_name === WIDGET_CONTROL_TARGET) {
      this.open.set(commId, this.controlConnection(commId, publish));
      return;
    }
    if (content.target_name === WIDGET_COMM_TARGET) {
      // Widgets are made by cells (the kernel opens their comms); a model a front end creates has
      // no kernel object to drive.
      const reason = 'the weightlab kernel opens widget comms itself; it does not take widgets created by a front end';
      this.warn(`closing comm ${commId}: ${reason}`);
      publish('comm_close', { comm_id: commId, data: { reason } });
      return;
    }
    const data = content.data as Record<string, unknown> | undefined;
    const viewId = data && typeof data === 'object' ? data.view_id : undefined;
    const view = typeof viewId === 'string' ? findView(viewId) : undefined;
    if (!view) {
      // A view from an earlier session (the kernel restarted) or one nobody kept: the front end
      // learns there is no kernel to tell, and keeps selecting on its own.
      const reason =
        typeof viewId === 'string'
          ? `no view ${viewId} in this kernel session (it was displayed by an earlier session, or not kept in a variable)`
          : 'comm_open data needs { view_id }';
      this.warn(`closing comm ${commId}: ${reason}`);
      publish('comm_close', { comm_id: commId, data: { reason } });
      return;
    }
    this.open.get(commId)?.close();
    this.open.set(
      commId,
      view.connect((message) => publish('comm_msg', { comm_id: commId, data: message })),
    );
  }
}
