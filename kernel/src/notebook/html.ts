// A standalone HTML page of a notebook (`weightlab run --html`): markdown rendered with marked,
// code with its outputs. For each output the richest static form wins (SVG, PNG, HTML, plain
// text); weightlab and Vega-Lite outputs show as inline SVG (the one their bundle carries, else
// the Vega-Lite spec rendered here), so an exported appendix reads offline, without JavaScript
// and without our JupyterLab extension. Inline SVG is made inert (no scripts, event handlers or
// external references) and its ids are scoped per output, so two charts' clip paths and
// gradients cannot capture each other's references. Everything else is escaped.

import { marked } from 'marked';
import { escapeHtml } from 'weightlab/dist/display/builders';
import { VEGA_LITE_PATTERN, WEIGHTLAB_MIME_PATTERN } from 'weightlab/dist/display/protocol';
import { renderSvg, type VegaLiteSpec } from 'weightlab/dist/display/vega-lite';
import { text, type Cell, type Notebook, type Output } from './nbformat';

/** Terminal colour codes in tracebacks mean nothing in HTML. */
function stripAnsi(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

function joined(value: unknown): string {
  return Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** Elements dropped whole from outputs: they run code or pull in other documents. */
const ACTIVE_ELEMENTS = 'script|foreignObject|iframe|frame|object|embed|applet|link|base|meta';

/**
 * Markup (an SVG figure or an HTML output) made inert for a static page: no active elements
 * (scripts, frames, embedded objects, <foreignObject>), no on* handlers, no javascript: URLs,
 * and no `src` or `href` that loads a resource from elsewhere (only #fragments and data: URLs
 * stay; a link of <a> may point anywhere, since following it is the reader's choice).
 * Attributes are only rewritten inside tags, so a label such as "one = 1" is left alone.
 */
export function inertMarkup(markup: string): string {
  return markup
    .replace(new RegExp(`<(${ACTIVE_ELEMENTS})\\b[^]*?<\\/\\1\\s*>`, 'gi'), '')
    .replace(new RegExp(`<\\/?(${ACTIVE_ELEMENTS})\\b[^>]*>`, 'gi'), '')
    .replace(/<([a-z][\w:-]*)(\s[^>]*)?>/gi, (tag: string, name: string, attributes: string | undefined) => {
      if (!attributes) return tag;
      const link = name.toLowerCase() === 'a';
      const kept = attributes
        .replace(/\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '')
        .replace(
          /\s+((?:xlink:)?(?:href|src))\s*=\s*("([^"]*)"|'([^']*)')/gi,
          (attribute: string, _name: string, _quoted: string, double?: string, single?: string) => {
            const url = (double ?? single ?? '').trim();
            if (/^javascript:/i.test(url)) return '';
            return url.startsWith('#') || /^data:/i.test(url) || link ? attribute : '';
          },
        );
      return `<${name}${kept}>`;
    });
}

/**
 * SVG markup for inlining: inert (see inertMarkup), from its <svg> element on (no XML
 * declaration), and every id prefixed with `scope`, with the url(#id) and href="#id" references
 * to it, so figures on one page cannot capture each other's clip paths or gradients.
 */
export function inlineSvg(markup: string, scope: string): string {
  const start = markup.search(/<svg\b/i);
  if (start < 0) return '';
  return inertMarkup(markup.slice(start))
    .replace(/(<[^>]*\s)id="([^"]+)"/g, (_, head: string, id: string) => `${head}id="${scope}-${id}"`)
    .replace(
      /url\(\s*(['"]?)#([^)'"]+)\1\s*\)/g,
      (_, quote: string, id: string) => `url(${quote}#${scope}-${id}${quote})`,
    )
    .replace(/(href\s*=\s*")#([^"]+)"/g, (_, head: string, id: string) => `${head}#${scope}-${id}"`);
}

/** The static SVG of a figure output: its bundle's image/svg+xml, else its Vega-Lite spec rendered. */
async function figureOf(data: Record<string, unknown>): Promise<string | undefined> {
  if ('image/svg+xml' in data) return joined(data['image/svg+xml']);
  const chart = Object.keys(data).find((type) => VEGA_LITE_PATTERN.test(type));
  if (chart === undefined) return undefined;
  const spec = data[chart];
  return renderSvg((typeof spec === 'string' ? JSON.parse(spec) : spec) as VegaLiteSpec);
}

/** Counts inline figures, to give each its own id scope. */
interface PageState {
  figures: number;
}

async function renderData(data: Record<string, unknown>, page: PageState): Promise<string> {
  const figure = await figureOf(data);
  if (figure !== undefined) {
    const kinds = Object.keys(data).filter((type) => VEGA_LITE_PATTERN.test(type) || WEIGHTLAB_MIME_PATTERN.test(type));
    const title = escapeHtml(String(joined(data['text/plain'] ?? '')).split('\n')[0]);
    return `<figure class="output svg" data-mime="${escapeHtml(kinds.join(' '))}" title="${title}">${inlineSvg(figure, `figure${++page.figures}`)}</figure>`;
  }
  for (const mime of ['image/png', 'image/jpeg', 'image/gif']) {
    if (mime in data)
      return `<div class="output image"><img src="data:${mime};base64,${escapeHtml(joined(data[mime]).replace(/\s/g, ''))}" alt=""></div>`;
  }
  if ('text/html' in data) return `<div class="output html">${inertMarkup(joined(data['text/html']))}</div>`;
  if ('text/markdown' in data)
    return `<div class="output markdown">${marked.parse(joined(data['text/markdown']), { async: false }) as string}</div>`;
  if ('text/plain' in data) return `<pre class="output text">${escapeHtml(joined(data['text/plain']))}</pre>`;
  const kinds = Object.keys(data).join(', ');
  return `<pre class="output text missing">(no static form for ${escapeHtml(kinds)})</pre>`;
}

async function renderOutput(output: Output, page: PageState): Promise<string> {
  switch (output.output_type) {
    case 'stream':
      return `<pre class="output stream ${output.name}">${escapeHtml(joined(output.text))}</pre>`;
    case 'error':
      return `<pre class="output error">${escapeHtml(stripAnsi(output.traceback.length > 0 ? output.traceback.join('\n') : `${output.ename}: ${output.evalue}`))}</pre>`;
    case 'display_data':
    case 'execute_result':
      return renderData(output.data, page);
    default:
      return '';
  }
}

async function renderCell(cell: Cell, page: PageState): Promise<string> {
  const source = text(cell.source);
  if (cell.cell_type !== 'code') {
    return cell.cell_type === 'markdown'
      ? `<section class="cell markdown">${marked.parse(source, { async: false }) as string}</section>`
      : `<section class="cell raw"><pre>${escapeHtml(source)}</pre></section>`;
  }
  const prompt = cell.execution_count === null ? '&nbsp;' : String(cell.execution_count);
  const outputs: string[] = [];
  for (const output of cell.outputs) outputs.push(await renderOutput(output, page));
  return [
    '<section class="cell code">',
    `<div class="input"><span class="prompt">[${prompt}]</span><pre><code class="language-typescript">${escapeHtml(source)}</code></pre></div>`,
    outputs.length > 0 ? `<div class="outputs">${outputs.join('\n')}</div>` : '',
    '</section>',
  ].join('\n');
}

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 960px; margin: 2rem auto; padding: 0 1rem; color: #222; }
.cell { margin: 1rem 0; }
.input { display: flex; gap: .5rem; }
.prompt { color: #888; font-family: monospace; min-width: 3.5em; text-align: right; padding-top: .5rem; }
.input pre { flex: 1; background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 4px; padding: .5rem; margin: 0; overflow-x: auto; }
.outputs { margin-left: 4em; }
pre.output { white-space: pre-wrap; margin: .3rem 0; }
.stream.stderr { background: #fff5f5; }
.output.error { background: #fdecea; color: #8b0000; padding: .5rem; }
.output img, .output svg { max-width: 100%; height: auto; }
figure.output { margin: .3rem 0; }
.output.markdown table { border-collapse: collapse; margin: .3rem 0; }
.output.markdown th, .output.markdown td { border: 1px solid #d0d7de; padding: .15rem .5rem; }
.output.markdown blockquote { margin: .3rem 0; padding: .2rem .75rem; border-left: 3px solid #d4a72c; background: #fff8e5; }
`;

/** The page of an executed notebook; asynchronous because a chart without its SVG is rendered here. */
export async function renderNotebookHtml(notebook: Notebook, title: string): Promise<string> {
  const page: PageState = { figures: 0 };
  const cells: string[] = [];
  for (const cell of notebook.cells) cells.push(await renderCell(cell, page));
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<main>\n${cells.join('\n')}\n</main>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
