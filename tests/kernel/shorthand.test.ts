// Shorthand properties that name an earlier cell's binding (`{ metadata }`) must work, and
// type errors after them must still point at the user's own columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandShorthandProperties, originalCharacter } from '@weightlab/kernel/dist/executor/shorthand';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ts = require('@tslab/typescript-for-tslab');

test('shorthand properties are spelled out, destructuring targets included', () => {
  const source = 'const o = { a, b: 1, c };\n({ d, e = 2 } = other);\nconst { f } = o;';
  const expanded = expandShorthandProperties(ts, source);
  assert.equal(expanded.text, 'const o = { a: a, b: 1, c: c };\n({ d: d, e: e = 2 } = other);\nconst { f } = o;');
  assert.equal(expandShorthandProperties(ts, 'let x = 1;').text, 'let x = 1;');
});

test('diagnostic columns map back to the original text', () => {
  const source = 'const o = { a, c }; const s: string = 1;\nconst t = { q }; t.zz;';
  const expanded = expandShorthandProperties(ts, source);
  const expandedLines = expanded.text.split('\n');
  const originalLines = source.split('\n');
  const check = (line: number, token: string) => {
    const character = expandedLines[line].indexOf(token);
    assert.equal(originalCharacter(source, expanded, line, character), originalLines[line].indexOf(token), token);
  };
  check(0, 's: string');
  check(1, 't.zz');
  check(0, 'const o');
});
