// The output renderers of the lab: JupyterLab's standard ones, Vega-Lite 5 (the charts the
// kernel emits), and weightlab's renderer for manifolds, phase diagrams and spectra, bundled
// in (rank 50, ahead of the SVG fallback the same outputs carry). Markdown goes through
// `marked`; rendermime sanitises the HTML it produces.
import { RenderMimeRegistry, standardRendererFactories } from '@jupyterlab/rendermime';
import vega from '@jupyterlab/vega5-extension';
import weightlab from '@weightlab/extension';
import { marked } from 'marked';

export function createRenderMime(): RenderMimeRegistry {
  const rendermime = new RenderMimeRegistry({
    initialFactories: standardRendererFactories,
    markdownParser: { render: (source: string) => marked.parse(source, { async: true, gfm: true }) },
  });
  rendermime.addFactory(vega.rendererFactory, vega.rank);
  rendermime.addFactory(weightlab.rendererFactory, weightlab.rank);
  return rendermime;
}
