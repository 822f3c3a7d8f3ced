// Small displayables for the common MIME types, and `bundle()` for hand-made bundles,
// so a cell can show HTML, SVG, Markdown or JSON without writing a class. Every bundle the
// library builds goes through `mimeBundleOf`, which holds the rules all front ends need.

import { ArgumentError } from '../errors';
import { mimeBundle, VEGA_LITE_PATTERN, weightlabMimeType, type MimeBundle } from './protocol';

/**
 * Refuses a bundle that would not show what it carries. JupyterLab ranks its HTML renderer
 * above the Vega-Lite one, so text/html next to a chart hides the chart: a result that is both
 * a table and a chart shows one of them and offers the other as its own displayable
 * (`.table()` / `.chart()`).
 */
export function checkMimeBundle(bundleValue: MimeBundle, source = 'bundle'): MimeBundle {
  const types = Object.keys(bundleValue.data);
  const chart = types.find((type) => VEGA_LITE_PATTERN.test(type));
  if (chart && types.includes('text/html')) {
    throw new ArgumentError(
      `${source} carries both a chart and an HTML table, and JupyterLab would show the table instead of the chart; display the table as its own output (for example result.table())`,
      {
        field: 'text/html',
        expected: `no text/html next to ${chart}`,
        found: types.join(', '),
      },
    );
  }
  return bundleValue;
}

/** The one way the library builds a bundle: `{ data, metadata }` after `checkMimeBundle`. */
export function mimeBundleOf(
  data: Record<string, unknown>,
  metadata?: Record<string, unknown>,
  source?: string,
): MimeBundle {
  return checkMimeBundle(metadata ? { data, metadata } : { data }, source);
}

/** A displayable holding a fixed bundle; what html(), svg(), markdown(), json() and bundle() return. */
export class Bundle {
  private readonly value: MimeBundle;
  constructor(value: MimeBundle) {
    this.value = mimeBundleOf(value.data, value.metadata);
  }
  toString(): string {
    return String(this.value.data['text/plain'] ?? '');
  }
  [mimeBundle](): MimeBundle {
    return this.value;
  }
}

/** A displayable from explicit MIME data; `text/plain` should always be one of them. */
export function bundle(data: Record<string, unknown>, metadata?: Record<string, unknown>): Bundle {
  return new Bundle({ data, metadata });
}

export function html(markup: string, text = '[HTML]'): Bundle {
  return bundle({ 'text/html': markup, 'text/plain': text });
}

export function svg(markup: string, text = '[SVG image]'): Bundle {
  return bundle({ 'image/svg+xml': markup, 'text/plain': text });
}

export function markdown(source: string): Bundle {
  return bundle({ 'text/markdown': source, 'text/plain': source });
}

export function json(value: unknown, text?: string): Bundle {
  return bundle({ 'application/json': value, 'text/plain': text ?? JSON.stringify(value, null, 2) });
}

/**
 * A bundle for the weightlab JupyterLab extension: `application/vnd.weightlab.<kind>.v1+json`
 * with a JSON payload, plus the fallbacks other front ends render (Vega-Lite and SVG, or HTML; text).
 */
export function weightlabBundle(
  kind: string,
  payload: Record<string, unknown>,
  fallbacks: Record<string, unknown> & { 'text/plain': string },
): MimeBundle {
  return mimeBundleOf({ [weightlabMimeType(kind)]: payload, ...fallbacks }, undefined, `the ${kind} bundle`);
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** An HTML table of text cells (escaped here), for a result's text/html: JupyterLab styles it as a table. */
export function htmlTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { caption?: string; className?: string; after?: string } = {},
): string {
  const caption = options.caption === undefined ? '' : `<caption>${escapeHtml(options.caption)}</caption>`;
  const head = `<thead><tr>${header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead>`;
  const body = `<tbody>${rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('')}</tbody>`;
  const className = options.className === undefined ? '' : ` class="${escapeHtml(options.className)}"`;
  return `<table${className}>${caption}${head}${body}</table>${options.after ?? ''}`;
}
