// The shape of what the lab page publishes as `window.weightlab` (lab/src/index.ts), as far as
// the tests read it inside page.evaluate: declared structurally so the Node-side tests do not
// compile against the @jupyterlab/* types.
export interface CellView {
  node: HTMLElement;
  model: { type: string; sharedModel: { getSource(): string } };
}

export interface NotebookView {
  context: { path: string };
  sessionContext: { session?: { kernel?: { status: string } | null } | null };
  content: { widgets: CellView[]; activeCellIndex: number; mode: 'command' | 'edit'; codeMimetype: string; activeCell: CellView | null };
}

declare global {
  interface Window {
    weightlab?: { notebooks: { currentWidget: NotebookView | null } };
  }
}
