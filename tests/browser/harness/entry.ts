// Browser side of the renderer harness (bundled by esbuild, run in headless Chromium): each
// test case's outputs go through JupyterLab's own OutputArea + RenderMimeRegistry, so MIME
// ranking and trust rules are JupyterLab's, not ours. With ?mode=federated our renderer is
// not bundled: the prebuilt labextension's remoteEntry is loaded the way JupyterLab's
// bootstrap loads federated extensions (container.init(shareScope), then get()).

import '@jupyterlab/outputarea/style/index.css';
import '@jupyterlab/rendermime/style/index.css';
import { OutputArea, OutputAreaModel } from '@jupyterlab/outputarea';
import { RenderMimeRegistry, standardRendererFactories } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type * as nbformat from '@jupyterlab/nbformat';
import * as widgets from '@lumino/widgets';
import vega from '@jupyterlab/vega5-extension';
import bundledWeightlab from '@weightlab/extension';

interface HarnessCase {
  id: string;
  title: string;
  outputs: nbformat.IOutput[];
  trusted: boolean;
  /** Which optional renderers the registry gets: 'weightlab', 'vega'. */
  renderers: string[];
}

interface FederatedContainer {
  init(shareScope: unknown): Promise<void>;
  get(module: string): Promise<() => { default: IRenderMime.IExtension | IRenderMime.IExtension[] }>;
}

declare global {
  interface Window {
    _JUPYTERLAB?: Record<string, FederatedContainer>;
    __harness?: { done: boolean; error?: string; mode: string; extensionSource: string };
  }
}

function loadScript(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`cannot load ${url}`));
    document.head.appendChild(script);
  });
}

/** The mime extension from the prebuilt labextension (what `weightlab install` ships). */
async function loadFederated(): Promise<IRenderMime.IExtension> {
  const manifest = await (await fetch('/labextension/package.json')).json();
  const build = manifest.jupyterlab._build as { load: string; mimeExtension: string; style?: string };
  await loadScript(`/labextension/${build.load}`);
  const container = window._JUPYTERLAB?.[manifest.name];
  if (!container) throw new Error(`remoteEntry did not register window._JUPYTERLAB['${manifest.name}']`);
  // The share scope JupyterLab's bootstrap passes: singletons the host already loaded.
  const shareScope = {
    '@lumino/widgets': {
      '2.10.0': { get: () => Promise.resolve(() => widgets), from: 'harness', eager: true, loaded: 1 },
    },
  };
  await container.init(shareScope);
  if (build.style) (await container.get(build.style))();
  const exported = (await container.get(build.mimeExtension))().default;
  return Array.isArray(exported) ? exported[0] : exported;
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const mode = params.get('mode') ?? 'bundled';
  if (mode === 'bundled') {
    // The federated mode must get our CSS from the container's './style', so it is linked only here.
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = '/weightlab.css';
    document.head.appendChild(link);
  }
  const weightlab = mode === 'federated' ? await loadFederated() : bundledWeightlab;
  window.__harness = { done: false, mode, extensionSource: mode };
  const cases: HarnessCase[] = await (await fetch(params.get('cases') ?? '/cases.json')).json();
  const only = params.get('case');
  for (const item of cases) {
    if (only && item.id !== only) continue;
    const rendermime = new RenderMimeRegistry({ initialFactories: standardRendererFactories });
    if (item.renderers.includes('weightlab')) rendermime.addFactory(weightlab.rendererFactory, weightlab.rank);
    if (item.renderers.includes('vega')) rendermime.addFactory(vega.rendererFactory, vega.rank);
    const model = new OutputAreaModel({ values: item.outputs, trusted: item.trusted });
    const area = new OutputArea({ model, rendermime });
    const host = document.createElement('section');
    host.id = item.id;
    host.className = 'harness-case';
    const first = item.outputs[0] as nbformat.IDisplayData;
    host.dataset.preferred = first?.data
      ? (rendermime.preferredMimeType(first.data as never, item.trusted ? 'any' : 'ensure') ?? '')
      : '';
    const heading = document.createElement('h2');
    heading.textContent = `${item.title} — ${item.trusted ? 'trusted' : 'untrusted'}, renderers: ${item.renderers.join(', ') || 'standard only'}`;
    host.appendChild(heading);
    document.body.appendChild(host);
    widgets.Widget.attach(area, host);
  }
  window.__harness.done = true;
}

main().catch((error) => {
  window.__harness = { done: true, error: String(error?.stack ?? error), mode: 'error', extensionSource: '' };
});
