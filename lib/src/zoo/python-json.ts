// JSON as Python writes it. ray-tune's params.json and result.json come from json.dumps, which
// writes NaN, Infinity and -Infinity as bare tokens (a diverged run's loss is NaN), and
// JSON.parse rejects them. One linear scan that respects strings both replaces those tokens
// (outside strings) and measures the nesting depth, so that a hostile file nested 100k deep
// gets a typed error before anything recurses on it: V8's JSON.parse is iterative, but a
// reviver, flattenKeys and the tables built later are not. Nothing here recurses on the depth
// of the file.

import { FormatError, type ErrorDetails } from '../errors';

/** Deepest nesting of arrays and objects accepted by default (ray-tune configs nest a few levels). */
export const DEFAULT_JSON_DEPTH = 256;

export interface PythonJsonOptions {
  /** Deepest nesting of arrays and objects (default DEFAULT_JSON_DEPTH). */
  maxDepth?: number;
  /** Byte offset of `text` in its file, so that errors give file offsets (default 0). */
  offset?: number;
}

const SENTINELS = new Map<string, number>([
  ['\u0000NaN', NaN],
  ['\u0000Infinity', Infinity],
  ['\u0000-Infinity', -Infinity],
]);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Where in the file character `index` of `text` lies, in bytes (UTF-8), for error details. */
function byteOffset(text: string, index: number, base: number): number {
  return base + Buffer.byteLength(text.slice(0, index), 'utf8');
}

/**
 * Checks the nesting depth and rewrites Python's NaN / Infinity / -Infinity tokens as sentinel
 * strings, in one pass. Returns the text to hand to JSON.parse and whether any token was replaced.
 */
function toStrictJson(
  text: string,
  maxDepth: number,
  where: ErrorDetails & { offset: number },
): { json: string; replaced: boolean } {
  const pieces: string[] = [];
  let copied = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Jump to the closing quote: one not preceded by an odd run of backslashes.
      let close = text.indexOf('"', i + 1);
      for (;;) {
        if (close === -1) return { json: text, replaced: false }; // unterminated: JSON.parse reports it
        let backslashes = 0;
        while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
        if (backslashes % 2 === 0) break;
        close = text.indexOf('"', close + 1);
      }
      i = close;
      continue;
    }
    if (c === 0x5b || c === 0x7b) {
      // [ {
      if (++depth > maxDepth) {
        throw new FormatError('JSON nested too deeply', {
          ...where,
          offset: byteOffset(text, i, where.offset),
          expected: `at most ${maxDepth} levels of arrays and objects`,
          found: `level ${depth}`,
        });
      }
    } else if (c === 0x5d || c === 0x7d) {
      // ] }
      depth--;
    } else if (c === 0x4e || c === 0x49 || c === 0x2d) {
      // N I -
      const token = text.startsWith('NaN', i)
        ? 'NaN'
        : text.startsWith('Infinity', i)
          ? 'Infinity'
          : text.startsWith('-Infinity', i)
            ? '-Infinity'
            : undefined;
      if (token) {
        pieces.push(text.slice(copied, i), `"\\u0000${token}"`);
        i += token.length - 1;
        copied = i + 1;
      }
    }
  }
  if (pieces.length === 0) return { json: text, replaced: false };
  pieces.push(text.slice(copied));
  return { json: pieces.join(''), replaced: true };
}

/** Puts NaN / Infinity back where the sentinels stand, walking the value with an explicit stack. */
function restoreSentinels(value: unknown): unknown {
  if (typeof value === 'string') return SENTINELS.has(value) ? SENTINELS.get(value) : value;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown> | unknown[] | null;
    if (node === null || typeof node !== 'object') continue;
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, index) => index) : Object.keys(node);
    for (const key of keys) {
      const child = (node as Record<string | number, unknown>)[key];
      if (typeof child === 'string') {
        if (SENTINELS.has(child)) (node as Record<string | number, unknown>)[key] = SENTINELS.get(child);
      } else if (child !== null && typeof child === 'object') {
        stack.push(child);
      }
    }
  }
  return value;
}

/** JSON.parse that also accepts Python's NaN / Infinity / -Infinity tokens, with a nesting cap checked first. */
export function parsePythonJson(text: string, file: string, field?: string, options: PythonJsonOptions = {}): unknown {
  const where = { file, field, offset: options.offset ?? 0 };
  const { json, replaced } = toStrictJson(text, options.maxDepth ?? DEFAULT_JSON_DEPTH, where);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new FormatError(`not valid JSON: ${(error as Error).message}`, { file, field, offset: options.offset });
  }
  return replaced ? restoreSentinels(value) : value;
}

/** Objects of a JSON Lines text; a truncated last line (a run killed mid-write) is dropped and reported. */
export function parseJsonLines(
  text: string,
  file: string,
  options: PythonJsonOptions = {},
): { rows: Record<string, unknown>[]; droppedLastLine: boolean } {
  const reader = new JsonLinesReader(file, options.maxDepth);
  let offset = options.offset ?? 0;
  for (const line of text.split('\n')) {
    reader.line(line, offset);
    offset += Buffer.byteLength(line, 'utf8') + 1;
  }
  return reader.finish();
}

/**
 * Collects JSON Lines rows one line at a time, so that a file can be streamed through it. A line
 * that does not parse is held back: if another non-empty line follows it is an error, if it was
 * the last one it is a run killed mid-write and is dropped. Depth and non-object rows are errors
 * wherever they are.
 */
export class JsonLinesReader {
  readonly rows: Record<string, unknown>[] = [];
  private lineNumber = 0;
  private pending: FormatError | undefined;

  constructor(
    readonly file: string,
    readonly maxDepth = DEFAULT_JSON_DEPTH,
  ) {}

  /** Feeds the next line (without its newline) starting at byte `offset` of the file. */
  line(text: string, offset: number): void {
    this.lineNumber++;
    if (text.trim() === '') return;
    if (this.pending) throw this.pending;
    const field = `line ${this.lineNumber}`;
    const where = { file: this.file, field, offset };
    const { json, replaced } = toStrictJson(text, this.maxDepth, where);
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (error) {
      this.pending = new FormatError(`not valid JSON: ${(error as Error).message}`, where);
      return;
    }
    if (replaced) value = restoreSentinels(value);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FormatError('JSON Lines row is not an object', {
        ...where,
        expected: 'an object',
        found: Array.isArray(value) ? 'an array' : typeof value,
      });
    }
    this.rows.push(value as Record<string, unknown>);
  }

  /** The rows, and whether a truncated last line was dropped. */
  finish(): { rows: Record<string, unknown>[]; droppedLastLine: boolean } {
    return { rows: this.rows, droppedLastLine: this.pending !== undefined };
  }
}

/** Nested objects flattened with '::' (the separator ModelZoos and PTMZ use in config keys), depth first in key order. */
export function flattenKeys(
  value: Record<string, unknown>,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  // An explicit stack instead of recursion: the depth comes from a file.
  const stack = [{ prefix, entries: Object.entries(value), next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next === top.entries.length) {
      stack.pop();
      continue;
    }
    const [key, child] = top.entries[top.next++];
    const name = top.prefix ? `${top.prefix}::${key}` : key;
    if (child !== null && typeof child === 'object' && !Array.isArray(child))
      stack.push({ prefix: name, entries: Object.entries(child), next: 0 });
    else out[name] = Array.isArray(child) ? JSON.stringify(child) : child;
  }
  return out;
}
