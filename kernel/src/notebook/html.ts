// A standalone HTML page of a notebook: markdown rendered with marked, code with its outputs.
// For each output the richest static form wins (SVG, PNG, HTML, plain text); weightlab and
// Vega-Lite payloads show the SVG their bundle carries. Everything else is escaped.

import { marked } from 'marked';
import { escapeHtml } from 'weightlab/dist/display/builders';
import { text, type Cell, type Notebook, type Output } from './nbformat';

/** Terminal colour codes in tracebacks mean nothing in HTML. */
function stripAnsi(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

function joined(value: unknown): string {
  return Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function renderData(data: Record<string, unknown>): string {
  if ('image/svg+xml' in data) return `<div class="output svg">${joined(data['image/svg+xml'])}</div>`;
  for (const mime of ['image/png', 'image/jpeg', 'image/gif']) {
    if (mime in data)
      return `<div class="output image"><img src="data:${mime};base64,${escapeHtml(joined(data[mime]).replace(/\s/g, ''))}" alt=""></div>`;
  }
  if ('text/html' in data) return `<div class="output html">${joined(data['text/html'])}</div>`;
  if ('text/markdown' in data)
    return `<div class="output markdown">${marked.parse(joined(data['text/markdown']), { async: false }) as string}</div>`;
  if ('text/plain' in data) return `<pre class="output text">${escapeHtml(joined(data['text/plain']))}</pre>`;
  const kinds = Object.keys(data).join(', ');
  return `<pre class="output text missing">(no static form for ${escapeHtml(kinds)})</pre>`;
}

function renderOutput(output: Output): string {
  switch (output.output_type) {
    case 'stream':
      return `<pre class="output stream ${output.name}">${escapeHtml(joined(output.text))}</pre>`;
    case 'error':
      return `<pre class="output error">${escapeHtml(stripAnsi(output.traceback.length > 0 ? output.traceback.join('\n') : `${output.ename}: ${output.evalue}`))}</pre>`;
    case 'display_data':
    case 'execute_result':
      return renderData(output.data);
    default:
      return '';
  }
}

function renderCell(cell: Cell): string {
  const source = text(cell.source);
  if (cell.cell_type !== 'code') {
    return cell.cell_type === 'markdown'
      ? `<section class="cell markdown">${marked.parse(source, { async: false }) as string}</section>`
      : `<section class="cell raw"><pre>${escapeHtml(source)}</pre></section>`;
  }
  const prompt = cell.execution_count === null ? '&nbsp;' : String(cell.execution_count);
  return [
    '<section class="cell code">',
    `<div class="input"><span class="prompt">[${prompt}]</span><pre><code class="language-typescript">${escapeHtml(source)}</code></pre></div>`,
    cell.outputs.length > 0 ? `<div class="outputs">${cell.outputs.map(renderOutput).join('\n')}</div>` : '',
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
.output.markdown table { border-collapse: collapse; margin: .3rem 0; }
.output.markdown th, .output.markdown td { border: 1px solid #d0d7de; padding: .15rem .5rem; }
.output.markdown blockquote { margin: .3rem 0; padding: .2rem .75rem; border-left: 3px solid #d4a72c; background: #fff8e5; }
`;

export function renderNotebookHtml(notebook: Notebook, title: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<main>\n${notebook.cells.map(renderCell).join('\n')}\n</main>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
