// The shape of what the lab page publishes as `window.weightlab` (lab/src/index.ts), as far as
// the tests read it inside page.evaluate: declared structurally so the Node-side tests do not
// compile against the @jupyterlab/* types.

/** A Lumino signal, as far as the tests connect to one. */
export interface SignalView<Args> {
  connect(slot: (sender: unknown, args: Args) => void): boolean;
}

/** One output of a cell's OutputAreaModel (an IOutputModel). */
export interface OutputModelView {
  type: string;
  data: Record<string, unknown>;
  toJSON(): { output_type: string; name?: string; text?: string | string[]; ename?: string; evalue?: string };
}

/** A cell's OutputAreaModel. */
export interface OutputListView {
  length: number;
  get(index: number): OutputModelView;
  changed: SignalView<{ type: string; newValues: OutputModelView[] }>;
}

/** A rendered output: the renderer widget JupyterLab's OutputArea created for the preferred MIME type. */
export interface RendererView {
  node: HTMLElement;
  /** RenderedCommon and weightlab's renderer keep their MIME type here, the Vega renderer in `_mimeType`. */
  mimeType?: string;
  _mimeType?: string;
}

/** One item of an OutputArea: the prompt and the renderer (or an stdin box). */
export interface OutputPanelView {
  node: HTMLElement;
  widgets?: Array<RendererView & { renderModel?: unknown }>;
}

export interface CellView {
  node: HTMLElement;
  model: {
    type: string;
    sharedModel: { getSource(): string };
    executionCount?: number | null;
    outputs?: OutputListView;
  };
  /** Code cells only. */
  outputArea?: { widgets: OutputPanelView[] };
}

export interface NotebookView {
  context: { path: string };
  sessionContext: { session?: { kernel?: { status: string } | null } | null; shutdown(): Promise<void> };
  content: {
    widgets: CellView[];
    activeCellIndex: number;
    mode: 'command' | 'edit';
    codeMimetype: string;
    activeCell: CellView | null;
    /** Leaves only the active cell selected (a shift-click extends the selection of cells). */
    deselectAll(): void;
    /** The notebook's RenderMimeRegistry: `mimeTypes` in rank order, the preferred first. */
    rendermime: { mimeTypes: string[] };
  };
}

declare global {
  interface Window {
    weightlab?: { notebooks: { currentWidget: NotebookView | null } };
    /** Set by the notebook test: the MIME types of each output as the kernel sent them, before any renderer added one. */
    weightlabKernelMimeTypes?: WeakMap<OutputModelView, string[]>;
  }
}
