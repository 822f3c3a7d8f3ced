// JSON as Python writes it. ray-tune's params.json and result.json come from json.dumps, which
// writes NaN, Infinity and -Infinity as bare tokens (a diverged run's loss is NaN), and
// JSON.parse rejects them. We replace those tokens outside strings before parsing.

import { FormatError } from '../errors';

const SENTINELS: Record<string, number> = { '\u0000NaN': NaN, '\u0000Infinity': Infinity, '\u0000-Infinity': -Infinity };

/** JSON.parse that also accepts Python's NaN / Infinity / -Infinity tokens. */
export function parsePythonJson(text: string, file: string, field?: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // fall through to the tolerant path
  }
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') { out += text[++i] ?? ''; continue; }
      if (c === '"') inString = false;
      continue;
    }
    if (c === '"') { inString = true; out += c; continue; }
    const rest = text.slice(i, i + 9);
    const token = rest.startsWith('NaN') ? 'NaN' : rest.startsWith('-Infinity') ? '-Infinity' : rest.startsWith('Infinity') ? 'Infinity' : undefined;
    if (token) { out += `"\\u0000${token}"`; i += token.length - 1; continue; }
    out += c;
  }
  try {
    return JSON.parse(out, (_, value) => (typeof value === 'string' && value.startsWith('\u0000') ? SENTINELS[value] : value));
  } catch (error) {
    throw new FormatError(`not valid JSON: ${(error as Error).message}`, { file, field });
  }
}

/** Objects of a JSON Lines file; a truncated last line (a run killed mid-write) is dropped and reported. */
export function parseJsonLines(text: string, file: string): { rows: Record<string, unknown>[]; droppedLastLine: boolean } {
  const lines = text.split('\n');
  const rows: Record<string, unknown>[] = [];
  let droppedLastLine = false;
  let last = lines.length - 1;
  while (last >= 0 && lines[last].trim() === '') last--;
  for (let i = 0; i <= last; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = parsePythonJson(line, file, `line ${i + 1}`);
    } catch (error) {
      if (i === last) { droppedLastLine = true; break; }
      throw error;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError('JSON Lines row is not an object', { file, field: `line ${i + 1}` });
    rows.push(value as Record<string, unknown>);
  }
  return { rows, droppedLastLine };
}

/** Nested objects flattened with '::' (the separator ModelZoos and PTMZ use in config keys). */
export function flattenKeys(value: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, child] of Object.entries(value)) {
    const name = prefix ? `${prefix}::${key}` : key;
    if (child !== null && typeof child === 'object' && !Array.isArray(child)) flattenKeys(child as Record<string, unknown>, name, out);
    else out[name] = Array.isArray(child) ? JSON.stringify(child) : child;
  }
  return out;
}
