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
} from 'weightlab/payloads';
import { errorBox } from './dom';
import { ManifoldView } from './manifold/view';
import { PhaseDiagramView } from './phase-diagram';
import { EsdView } from './esd';
import { SurfaceView } from './surface';

export const MIME_TYPES = [MANIFOLD_MIME, PHASE_DIAGRAM_MIME, ESD_MIME, SURFACE_MIME];

interface View {
  node: HTMLElement;
  dispose?(): void;
}

function viewFor(mimeType: string, data: unknown): View {
  switch (mimeType) {
    case MANIFOLD_MIME:
      return new ManifoldView(checkManifoldPayload(data));
    case PHASE_DIAGRAM_MIME:
      return new PhaseDiagramView(checkPhaseDiagramPayload(data));
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
      this.view = viewFor(this.mimeType, model.data[this.mimeType]);
      this.node.appendChild(this.view.node);
    } catch (error) {
      this.view = undefined;
      this.node.appendChild(
        errorBox(
          `weightlab: cannot render ${this.mimeType}: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
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
