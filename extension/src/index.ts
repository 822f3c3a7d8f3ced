// The JupyterLab 4 mime-renderer extension for weightlab outputs (weight manifolds, phase
// diagrams, ESDs). Rank 50 puts it ahead of the SVG (rank 90) and Vega-Lite fallbacks the
// same bundles carry, so JupyterLab picks it whenever it is installed.

import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { MIME_TYPES, rendererFactory } from './renderers';

export { rendererFactory, WeightlabRenderer, MIME_TYPES } from './renderers';
export { setKernelLocator, type KernelLocator, type KernelLike, type CommLike } from './selection-link';

const extension: IRenderMime.IExtension = {
  id: '@weightlab/extension:renderer',
  description: 'Renders weightlab weight manifolds, phase diagrams and spectra.',
  rendererFactory,
  rank: 50,
  dataType: 'json',
  documentWidgetFactoryOptions: [],
  fileTypes: [],
};

export default extension;
export { MIME_TYPES as mimeTypes };
