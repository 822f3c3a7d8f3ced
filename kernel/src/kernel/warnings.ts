// Node warnings (process.emitWarning: the library's InductiveBiasWarning, deprecations raised by
// dependencies) shown as one calm line in the cell that caused them. Node's default printer
// writes `(node:PID) Name: message` plus a `--trace-warnings` hint to stderr, which JupyterLab
// paints red above the cell's real results; here each warning becomes a display_data whose
// text/plain is `Name: message` and whose text/markdown is a quoted, bold-labelled line.

import type { MimeBundle } from './host';

/**
 * Warnings about the platform rather than about the user's data: Node raises them for code in
 * dependencies, and the user can do nothing about them cell after cell, so a kernel shows each once.
 */
const PLATFORM_WARNINGS = new Set(['DeprecationWarning', 'ExperimentalWarning']);

export interface ShownWarning {
  /** Identical warnings share a key (dedupe within a cell, or within the session for platform warnings). */
  key: string;
  /** true: show once per kernel session; false: once per cell. */
  oncePerSession: boolean;
  /** The one-line text form, `InductiveBiasWarning: <message>` (with Node's code for deprecations). */
  line: string;
  bundle: MimeBundle;
}

/** CommonMark characters that would turn a message into emphasis, links, code, HTML or a table. */
const MARKDOWN_SPECIAL = /[\\`*_[\]<>#|~]/g;

/** A message line as literal markdown text: special characters backslash-escaped. */
export function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN_SPECIAL, (character) => `\\${character}`);
}

/** The output for `warning`: one line of text, and markdown that reads as a note, not an error. */
export function warningOutput(warning: Error): ShownWarning {
  const name = warning.name || 'Warning';
  const code = (warning as { code?: unknown }).code;
  const label = typeof code === 'string' && code.length > 0 ? `${name} [${code}]` : name;
  const line = `${label}: ${warning.message}`;
  // Every message line stays inside the quote; a hard break keeps the message's own line breaks.
  const message = warning.message.split('\n').map(escapeMarkdown).join('  \n> ');
  return {
    key: line,
    oncePerSession: PLATFORM_WARNINGS.has(name),
    line,
    bundle: {
      data: {
        'text/plain': line,
        'text/markdown': `> **Warning** (${escapeMarkdown(label)}): ${message}`,
      },
      metadata: {},
    },
  };
}

/**
 * Replaces Node's default warning printer with `onWarning`. The printer is the only 'warning'
 * listener Node installs (none when the process runs with --no-warnings); listeners a cell adds
 * later are kept, as the user asked for them.
 */
export function replaceWarningPrinter(onWarning: (warning: Error) => void): void {
  for (const listener of process.listeners('warning')) process.off('warning', listener);
  process.on('warning', onWarning);
}
