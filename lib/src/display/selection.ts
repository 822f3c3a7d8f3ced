// Selections made in a live view flowing back to the kernel. A selectable displayable (the
// weight manifold, the phase diagram) owns a ViewSelection: its id goes into the output's
// metadata, the view in the browser opens a comm to the kernel with that id, and what the user
// selects (box, lasso, a clicked point or phase cell) arrives here, so the next cell reads it
// as `view.selection`. A cell can also select by script (for notebooks that run headlessly);
// that selection is sent to every open view. The registry lives on a Symbol.for key, like the
// kernel host, so the kernel finds views made by any copy of this library; it holds views
// weakly, so a view nobody keeps is not kept alive by having been displayed.

import { randomUUID } from 'node:crypto';
import { InterruptedError } from '../errors';
import { kernelHost } from './protocol';
import { checkSelectionMessage, type SelectionMessage, type ViewMetadata } from './payloads';

/** Where the kernel looks up a view by the id in its output's metadata. */
export const selectableViewsKey: unique symbol = Symbol.for('weightlab.selectableViews');

/** One comm to one live view: what the kernel calls as comm messages arrive. */
export interface SelectionConnection {
  /** Applies a comm_msg's data; throws a PayloadError (and changes nothing) when it is malformed. */
  receive(data: unknown): void;
  /** The comm closed: stop sending to it. */
  close(): void;
}

/** What the registry holds: a view the kernel can connect a comm to. */
export interface SelectionEndpoint {
  /** `send` delivers a message to this comm's view; the current selection is sent at once when there is one. */
  connect(send: (message: SelectionMessage) => void): SelectionConnection;
}

function registry(): Map<string, WeakRef<SelectionEndpoint>> {
  const global = globalThis as Record<symbol, unknown>;
  let views = global[selectableViewsKey] as Map<string, WeakRef<SelectionEndpoint>> | undefined;
  if (!views) {
    views = new Map();
    Object.defineProperty(globalThis, selectableViewsKey, { value: views, configurable: true, enumerable: false });
  }
  return views;
}

/** Drops a view's registry entry once the view is collected (the entry holds it weakly). */
const forget = new FinalizationRegistry<string>((viewId) => {
  const views = (globalThis as Record<symbol, unknown>)[selectableViewsKey] as Map<string, WeakRef<object>> | undefined;
  if (views && !views.get(viewId)?.deref()) views.delete(viewId);
});

/** The view registered under `viewId`, if it is still alive (entries of collected views are dropped). */
export function selectableView(viewId: string): SelectionEndpoint | undefined {
  const views = registry();
  const view = views.get(viewId)?.deref();
  if (!view) views.delete(viewId);
  return view;
}

/**
 * The selection state of one displayable. `resolve` turns a message into model ids (and
 * throws a PayloadError for positions the view does not have); the ids are what cells read.
 */
export class ViewSelection implements SelectionEndpoint {
  readonly viewId: string = randomUUID();
  private ids: readonly string[] = [];
  private last: SelectionMessage | undefined;
  private readonly senders = new Set<(message: SelectionMessage) => void>();
  private readonly waiting = new Set<(ids: string[]) => void>();
  private registered = false;

  constructor(private readonly resolve: (message: SelectionMessage) => string[]) {}

  /** The selected model ids, as of the last selection that reached the kernel. */
  get current(): string[] {
    return [...this.ids];
  }

  /** The output metadata (for the view's MIME type) that lets a live view tell this object its selections. */
  metadata(): ViewMetadata {
    if (!this.registered) {
      registry().set(this.viewId, new WeakRef(this));
      forget.register(this, this.viewId);
      this.registered = true;
    }
    return { view_id: this.viewId };
  }

  connect(send: (message: SelectionMessage) => void): SelectionConnection {
    this.senders.add(send);
    if (this.last && this.last.kind !== 'clear') send(this.last);
    return {
      receive: (data) => this.apply(checkSelectionMessage(data), send),
      close: () => {
        this.senders.delete(send);
      },
    };
  }

  /** A selection made by a cell: applied here and sent to every open view. */
  select(message: SelectionMessage): string[] {
    return this.apply(message, undefined);
  }

  /**
   * Resolves with the next selection that reaches the kernel (from a view or a cell). Rejects
   * with an InterruptedError when the waiting cell is interrupted.
   */
  next(): Promise<string[]> {
    const signal = kernelHost()?.signal;
    return new Promise<string[]>((resolve, reject) => {
      const onAbort = () => {
        this.waiting.delete(deliver);
        reject(new InterruptedError('interrupted while waiting for a selection'));
      };
      const deliver = (ids: string[]) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(ids);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.add(deliver);
    });
  }

  /** Sets the selection from `message` and tells the other ends (not `from`, the view it came from). */
  private apply(message: SelectionMessage, from: ((message: SelectionMessage) => void) | undefined): string[] {
    const ids = this.resolve(message);
    this.ids = ids;
    this.last = message;
    for (const send of this.senders) if (send !== from) send(message);
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const deliver of waiting) deliver([...ids]);
    return [...ids];
  }
}
