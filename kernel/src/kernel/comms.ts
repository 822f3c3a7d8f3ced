// The kernel's end of Jupyter comms (messaging spec, "Custom messages"). One target exists,
// 'weightlab.selection': a live view (manifold, phase diagram) opens a comm to it with the
// view_id of its output, and the comm links that view to the object the kernel displayed, so
// selections made in the browser reach `view.selection` and selections made by a cell reach
// the browser. Views are found on a Symbol.for registry the library fills when it makes a
// bundle (lib/src/display/selection.ts), so any copy of weightlab is found. Bad messages never
// end the kernel: an unknown view closes the comm, malformed data is logged and dropped.

import { SELECTION_COMM_TARGET } from 'weightlab/payloads';

/** The targets a front end may open (comm_info_request lists the comms open on them). */
export const COMM_TARGETS: readonly string[] = [SELECTION_COMM_TARGET];

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

/** What the manager sends: comm_msg and comm_close on IOPub, parented to the comm's opening message. */
export type CommPublisher = (msgType: 'comm_msg' | 'comm_close', content: Record<string, unknown>) => void;

export class CommManager {
  private readonly open = new Map<string, SelectionConnection>();

  constructor(
    private readonly publisher: (parent: Record<string, unknown>) => CommPublisher,
    private readonly warn: (text: string) => void,
  ) {}

  /** Handles comm_open, comm_msg or comm_close (the I/O thread already refused unknown targets). */
  handle(msgType: string, content: Record<string, unknown>, parent: Record<string, unknown>): void {
    const commId = content.comm_id;
    if (typeof commId !== 'string' || commId.length === 0) {
      this.warn(`ignoring a ${msgType} without a comm_id`);
      return;
    }
    const publish = this.publisher(parent);
    switch (msgType) {
      case 'comm_open':
        this.onOpen(commId, content, publish);
        return;
      case 'comm_msg': {
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
      case 'comm_close':
        this.open.get(commId)?.close();
        this.open.delete(commId);
        return;
      default:
        this.warn(`ignoring ${msgType}: not a comm message`);
    }
  }

  private onOpen(commId: string, content: Record<string, unknown>, publish: CommPublisher): void {
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
