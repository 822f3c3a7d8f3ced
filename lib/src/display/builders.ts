// Small displayables for the common MIME types, and `bundle()` for hand-made bundles,
// so a cell can show HTML, SVG, Markdown or JSON without writing a class.

import { mimeBundle, weightlabMimeType, type MimeBundle } from './protocol';

class Bundle {
  private readonly value: MimeBundle;
  constructor(value: MimeBundle) {
    this.value = value;
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
 * with a JSON payload, plus the fallbacks other front ends render (SVG, Vega-Lite, HTML, text).
 */
export function weightlabBundle(kind: string, payload: Record<string, unknown>, fallbacks: Record<string, unknown> & { 'text/plain': string }): MimeBundle {
  return { data: { [weightlabMimeType(kind)]: payload, ...fallbacks } };
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
