/// <reference lib="dom" />
// What JupyterLab shows for each output of the current notebook, read from the page: the MIME
// types the kernel sent (recorded as each output arrives, before the Vega renderer adds its
// image/png to the model), the MIME type of the renderer OutputArea chose, and what that
// renderer drew (our view's root element, the chart's svg/canvas, the table). `outputProblems`
// turns one such record into the failures the notebook test asserts on.
import type { Page } from 'playwright-core';
import './page-globals';

export const VEGA_LITE_V5 = 'application/vnd.vegalite.v5+json';
const WEIGHTLAB_PREFIX = 'application/vnd.weightlab.';
const STDERR = 'application/vnd.jupyter.stderr';

/** Size and content of one drawn element (svg, canvas, our view's root). */
export interface DrawnElement {
  tag: string;
  className: string;
  width: number;
  height: number;
}

export interface RenderedOutput {
  /** Index of the cell in the notebook (markdown cells counted). */
  cell: number;
  /** Index of the output in its cell. */
  output: number;
  outputType: string;
  /** stdout / stderr for stream outputs. */
  streamName?: string;
  /** MIME types of the bundle as the kernel sent it. */
  kernelMimeTypes: string[];
  /** False when the output arrived before the recorder was installed (its model's MIME types are used). */
  recordedOnArrival: boolean;
  /** The MIME type of the renderer JupyterLab created (null: nothing rendered). */
  chosenMimeType: string | null;
  /** The output element's data-mime-type attribute: set by JupyterLab's own renderers, and to application/vnd.jupyter.stderr when a renderer threw. */
  domMimeType: string | null;
  rendererClass: string;
  /** Our view's root element inside .jp-RenderedWeightlab, if any. */
  weightlabRoot: DrawnElement | null;
  /** Text of our renderer's error box (.wl-error), if any. */
  weightlabError: string | null;
  /** svg and canvas elements drawn inside the output. */
  graphics: DrawnElement[];
  /** Rows of the tables rendered inside the output. */
  tableRows: number;
  /** Whether the kernel's text/html (if any) holds a <table>. */
  htmlHasTable: boolean;
  /** Rendered text of the output (first 2000 characters), for tracebacks and error messages. */
  text: string;
}

/** The weightlab MIME types the lab's renderer registry can draw (our extension's). */
export async function weightlabRendererMimeTypes(page: Page): Promise<string[]> {
  return page.evaluate((prefix) => {
    const panel = window.weightlab?.notebooks.currentWidget;
    if (!panel) throw new Error('no current notebook');
    return panel.content.rendermime.mimeTypes.filter((mime) => mime.startsWith(prefix));
  }, WEIGHTLAB_PREFIX);
}

/**
 * Records the MIME types of every output as it is added to (or, for update_display_data,
 * replaced in) the current notebook's cells. Call before running the cells.
 */
export async function recordKernelMimeTypes(page: Page): Promise<void> {
  await page.evaluate(() => {
    const panel = window.weightlab?.notebooks.currentWidget;
    if (!panel) throw new Error('no current notebook');
    const sent = new WeakMap<object, string[]>();
    window.weightlabKernelMimeTypes = sent;
    for (const cell of panel.content.widgets) {
      // Signal slots run in connection order: the OutputArea's own slot (connected when the
      // cell was created) renders first, but the Vega renderer adds its PNG only after an await.
      // That addition re-emits the same output model as a 'set': only a model's first sighting
      // counts (update_display_data brings a new model).
      cell.model.outputs?.changed.connect((_, change) => {
        if (change.type !== 'add' && change.type !== 'set') return;
        for (const output of change.newValues) if (!sent.has(output)) sent.set(output, Object.keys(output.data));
      });
    }
  });
}

/** Waits (up to `timeoutMs`) until every Vega output has drawn its svg or canvas; returns whether all did. */
export async function waitForCharts(page: Page, timeoutMs: number): Promise<boolean> {
  return page
    .waitForFunction(
      () =>
        Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedVegaCommon5')).every(
          (chart) => chart.querySelector('svg, canvas') !== null || chart.textContent?.trim(),
        ),
      undefined,
      { timeout: timeoutMs, polling: 500 },
    )
    .then(
      () => true,
      () => false,
    );
}

/** Every output of the current notebook: what the kernel sent and what JupyterLab drew. */
export async function renderedOutputs(page: Page): Promise<RenderedOutput[]> {
  return page.evaluate((prefix) => {
    const panel = window.weightlab?.notebooks.currentWidget;
    if (!panel) throw new Error('no current notebook');
    const sent = window.weightlabKernelMimeTypes;
    const drawn = (element: Element) => {
      const box = element.getBoundingClientRect();
      return {
        tag: element.tagName.toLowerCase(),
        className: element.getAttribute('class') ?? '',
        width: Math.round(box.width),
        height: Math.round(box.height),
      };
    };
    const records = [];
    for (const [cellIndex, cell] of panel.content.widgets.entries()) {
      const outputs = cell.model.outputs;
      if (!outputs) continue;
      for (let index = 0; index < outputs.length; index++) {
        const model = outputs.get(index);
        const json = model.toJSON();
        const recorded = sent?.get(model);
        const item = cell.outputArea?.widgets[index];
        const renderer = item?.widgets?.find((widget) => 'renderModel' in widget);
        const node = renderer?.node ?? null;
        const html = model.data['text/html'];
        const htmlText = Array.isArray(html) ? html.join('') : typeof html === 'string' ? html : '';
        const root = node?.classList.contains('jp-RenderedWeightlab') ? node.firstElementChild : null;
        const error = node?.querySelector('.wl-error') ?? null;
        records.push({
          cell: cellIndex,
          output: index,
          outputType: json.output_type,
          streamName: json.name,
          kernelMimeTypes: recorded ?? Object.keys(model.data),
          recordedOnArrival: recorded !== undefined,
          chosenMimeType: node ? (node.dataset.mimeType ?? renderer?.mimeType ?? renderer?._mimeType ?? null) : null,
          domMimeType: node?.getAttribute('data-mime-type') ?? null,
          rendererClass: node?.getAttribute('class') ?? '',
          weightlabRoot: root && !root.classList.contains('wl-error') ? drawn(root) : null,
          weightlabError: error ? (error.textContent ?? '') : null,
          graphics: node
            ? Array.from(node.querySelectorAll('svg, canvas'))
                .filter((element) => !element.closest('.wl-tooltip, button, .vega-actions, details'))
                .map(drawn)
            : [],
          tableRows: node ? node.querySelectorAll('table tr').length : 0,
          htmlHasTable: /<table[\s>]/i.test(htmlText),
          text: (node?.innerText ?? '').slice(0, 2000),
        });
      }
    }
    return records;
  }, WEIGHTLAB_PREFIX);
}

/** What a renderer should have drawn, by the bundle the kernel sent. */
export type OutputKind = 'weightlab' | 'chart' | 'table' | 'other';

/** The kind of view the bundle promises: our renderer first, then Vega-Lite, then an HTML table. */
export function expectedKind(output: RenderedOutput, weightlabTypes: string[]): OutputKind {
  if (output.kernelMimeTypes.some((mime) => weightlabTypes.includes(mime))) return 'weightlab';
  if (output.kernelMimeTypes.includes(VEGA_LITE_V5)) return 'chart';
  if (output.htmlHasTable) return 'table';
  return 'other';
}

/** A stack trace printed as text: "    at f (file:line:col)" lines, or a Python-style traceback. */
const TRACEBACK = /^\s+at \S.*(:\d+:\d+\)?|\(native\))$|^Traceback \(most recent call last\)/m;

/**
 * The failures one output shows: its bundle's promised view not drawn by the right renderer,
 * an error output, a renderer that threw, or a traceback printed to the page.
 */
export function outputProblems(output: RenderedOutput, weightlabTypes: string[]): string[] {
  const where = `cell ${output.cell} output ${output.output} (${output.outputType}; kernel sent ${output.kernelMimeTypes.join(', ')}; JupyterLab chose ${output.chosenMimeType ?? 'nothing'})`;
  const problems: string[] = [];
  if (output.outputType === 'error') problems.push(`${where}: the cell raised: ${output.text.split('\n')[0]}`);
  // JupyterLab marks an output whose renderer threw as stderr (error and stderr outputs are stderr by nature).
  if (output.domMimeType === STDERR && !output.kernelMimeTypes.includes(STDERR))
    problems.push(`${where}: the renderer threw: ${output.text}`);
  if (output.outputType !== 'error' && TRACEBACK.test(output.text))
    problems.push(`${where}: shows a traceback: ${output.text.slice(0, 200)}`);
  switch (expectedKind(output, weightlabTypes)) {
    case 'weightlab':
      if (!output.chosenMimeType || !weightlabTypes.includes(output.chosenMimeType))
        problems.push(`${where}: expected our renderer`);
      else if (output.weightlabError !== null)
        problems.push(`${where}: our renderer showed an error: ${output.weightlabError}`);
      else if (!output.weightlabRoot || output.weightlabRoot.width === 0 || output.weightlabRoot.height === 0)
        problems.push(`${where}: our renderer drew no view (root ${JSON.stringify(output.weightlabRoot)})`);
      else if (!output.graphics.some((graphic) => graphic.width > 0 && graphic.height > 0))
        problems.push(`${where}: our view has no drawn svg/canvas`);
      break;
    case 'chart':
      if (output.chosenMimeType !== VEGA_LITE_V5) problems.push(`${where}: expected the Vega-Lite chart`);
      else if (!output.graphics.some((graphic) => graphic.width > 0 && graphic.height > 0))
        problems.push(
          `${where}: the Vega-Lite renderer drew no svg/canvas (${JSON.stringify(output.graphics)}; text: ${output.text.slice(0, 200)})`,
        );
      break;
    case 'table':
      if (output.chosenMimeType !== 'text/html') problems.push(`${where}: expected the HTML table`);
      else if (output.tableRows === 0) problems.push(`${where}: the HTML output shows no table rows`);
      break;
    default:
      if (output.outputType !== 'error' && output.chosenMimeType === null) problems.push(`${where}: nothing rendered`);
  }
  return problems;
}

/** What an output shows, for the per-notebook counts: a view kind of ours (manifold, phase-diagram, esd), chart, table, or its MIME type. */
export function shownKind(output: RenderedOutput): string {
  const mime = output.chosenMimeType ?? 'nothing';
  if (mime.startsWith(WEIGHTLAB_PREFIX) && output.weightlabRoot)
    return mime.slice(WEIGHTLAB_PREFIX.length).replace(/\.v\d+\+json$/, '');
  if (mime === VEGA_LITE_V5 && output.graphics.length > 0) return 'chart';
  if (mime === 'text/html' && output.tableRows > 0) return 'table';
  return mime;
}

/**
 * Saves the current notebook panel, every cell in view, as one image: the page is made as tall
 * as the notebook's content (up to `maxHeight` pixels) and scrolled to the top for the shot,
 * then set back. The notebook's scroll-past-end padding (a share of the panel's height, so it
 * would grow with the page) is left out meanwhile. Returns whether the notebook fitted.
 */
export async function screenshotNotebook(page: Page, file: string, maxHeight = 16_000): Promise<boolean> {
  const viewport = page.viewportSize() ?? { width: 1400, height: 1000 };
  const scroller = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer';
  const { overflow, scrollPastEnd } = await page.evaluate((selector) => {
    const notebook = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
    const padded = notebook?.classList.contains('jp-mod-scrollPastEnd') ?? false;
    notebook?.classList.remove('jp-mod-scrollPastEnd');
    const element = document.querySelector(selector);
    return { overflow: element ? element.scrollHeight - element.clientHeight : 0, scrollPastEnd: padded };
  }, scroller);
  const wanted = viewport.height + Math.max(0, overflow) + 20;
  await page.setViewportSize({ width: viewport.width, height: Math.min(maxHeight, wanted) });
  // Lumino lays the panels out again on resize; give charts and canvases frames to redraw.
  await page.evaluate(
    (selector) =>
      new Promise((resolve) => {
        const element = document.querySelector(selector);
        if (element) element.scrollTop = 0;
        requestAnimationFrame(() => requestAnimationFrame(resolve));
      }),
    scroller,
  );
  await page.waitForTimeout(500);
  await page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)').screenshot({ path: file });
  await page.setViewportSize(viewport);
  if (scrollPastEnd)
    await page.evaluate(() =>
      document
        .querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook')
        ?.classList.add('jp-mod-scrollPastEnd'),
    );
  return wanted <= maxHeight;
}
