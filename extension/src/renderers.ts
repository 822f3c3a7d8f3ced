// One Lumino widget type renders all four payloads: it checks the payload against the
// shared schema (weightlab/payloads) and hands it to the matching view. A
// payload that fails the schema shows a short error instead of throwing inside the
// notebook's output area.

import { Widget } from '@lumino/widgets';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import {
  checkEsdPayload,
  checkManifoldPayload,
  checkPhaseDiagramPayload,
  checkSurfacePayload,
  ESD_MIME,
  MANIFOLD_MIME,
  PHASE_DIAGRAM_MIME,
  SURFACE_MIME,
  viewIdOf,
} from 'weightlab/payloads';
import type { Message } from '@lumino/messaging';
import { errorBox } from './dom';
import { ManifoldView } from './manifold/view';
import { PhaseDiagramView } from './phase-diagram';
import { EsdView } from './esd';
import { SurfaceView } from './surface';

export const MIME_TYPES = [MANIFOLD_MIME, PHASE_DIAGRAM_MIME, ESD_MIME, SURFACE_MIME];

interface View {
  node: HTMLElement;
  /** Opens the selection comm to the kernel that displayed the view, when there is one. */
  connect?(): void;
  dispose?(): void;
}

/** `viewId`: from the output's metadata, the id the kernel knows a selectable view by. */
function viewFor(mimeType: string, data: unknown, viewId: string | undefined): View {
  switch (mimeType) {
    case MANIFOLD_MIME:
      return new ManifoldView(checkManifoldPayload(data), viewId);
    case PHASE_DIAGRAM_MIME:
      return new PhaseDiagramView(checkPhaseDiagramPayload(data), viewId);
    case ESD_MIME:
      return new EsdView(checkEsdPayload(data));
    case SURFACE_MIME:
      return new SurfaceView(checkSurfacePayload(data));
    default:
      throw new Error(`no weightlab view for ${mimeType}`);
  }
}

export class WeightlabRenderer extends Widget implements IRenderMime.IRenderer {
  private readonly mimeType: string;
  private view?: View;

  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this.mimeType = options.mimeType;
    this.addClass('jp-RenderedWeightlab');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.view?.dispose?.();
    this.node.replaceChildren();
    try {
      this.view = viewFor(this.mimeType, model.data[this.mimeType], viewIdOf(model.metadata, this.mimeType));
      this.node.appendChild(this.view.node);
      if (this.isAttached) this.view.connect?.();
    } catch (error) {
      this.view = undefined;
      this.node.appendChild(
        errorBox(
          `weightlab: cannot render ${this.mimeType}: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
  }

  protected onAfterAttach(message: Message): void {
    super.onAfterAttach(message);
    this.view?.connect?.();
  }

  dispose(): void {
    this.view?.dispose?.();
    super.dispose();
  }
}

/** The factory JupyterLab's RenderMimeRegistry uses. `safe`: the views build DOM from data only. */
export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: MIME_TYPES,
  defaultRank: 50,
  createRenderer: (options) => new WeightlabRenderer(options),
};
