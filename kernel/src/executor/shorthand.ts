// The cell converter rewrites references to earlier cells' names into `exports.name`, but a
// shorthand property (`{ metadata }`) has no slot for that, so it kept the bare name and the
// cell failed with "metadata is not defined". Spelling such properties out (`{ metadata:
// metadata }`) before conversion is always equivalent (also as a destructuring target) and
// gives the converter an ordinary reference to rewrite.

import type { TypeScript } from './typescript';

export interface ExpandedSource {
  text: string;
  /** Insertions made, as (offset in the original text, inserted length), in order. */
  insertions: Array<[number, number]>;
}

export function expandShorthandProperties(ts: TypeScript, source: string): ExpandedSource {
  if (!source.includes('{')) return { text: source, insertions: [] };
  const file = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const positions: Array<[number, string]> = [];
  const visit = (node: import('@tslab/typescript-for-tslab').Node): void => {
    if (ts.isShorthandPropertyAssignment(node)) positions.push([node.name.end, node.name.text]);
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (positions.length === 0) return { text: source, insertions: [] };
  positions.sort((a, b) => a[0] - b[0]);
  let text = '';
  let at = 0;
  const insertions: Array<[number, number]> = [];
  for (const [offset, name] of positions) {
    const inserted = `: ${name}`;
    text += source.slice(at, offset) + inserted;
    insertions.push([offset, inserted.length]);
    at = offset;
  }
  text += source.slice(at);
  return { text, insertions };
}

/** Maps a (line, character) of the expanded text back to the original (insertions hold no newlines, so lines agree). */
export function originalCharacter(source: string, expanded: ExpandedSource, line: number, character: number): number {
  let lineStart = 0;
  for (let i = 0; i < line && lineStart >= 0; i++) lineStart = source.indexOf('\n', lineStart) + 1 || -1;
  if (lineStart < 0) return character;
  const newline = source.indexOf('\n', lineStart);
  const lineEnd = newline < 0 ? source.length : newline;
  let shift = 0;
  for (const [offset, length] of expanded.insertions) {
    if (offset < lineStart || offset > lineEnd) continue;
    if (offset - lineStart + shift >= character) break;
    shift += length;
  }
  return character - shift;
}
