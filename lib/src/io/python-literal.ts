// A parser for the tiny subset of Python literals that data files embed as text: the .npy
// header dict ("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }") and shape
// tuples in the Small CNN Zoo's layout.csv. It evaluates nothing; it only recognises
// strings, integers, floats, True/False/None, tuples, lists and dicts.

import { FormatError } from '../errors';

export type PythonLiteral = string | number | boolean | null | PythonLiteral[] | { [key: string]: PythonLiteral };

export interface PythonLiteralOptions {
  /** Accept float literals (default true); the .npy header has none, and numpy refuses a shape of `(4.0,)`. */
  floats?: boolean;
  /** File offset of the text's first character: errors then give the offset of the fault. */
  offset?: number;
}

/** Parses `text` as one literal; a FormatError (naming `file` and the position) otherwise. */
export function parsePythonLiteral(
  text: string,
  file = '<text>',
  field?: string,
  options: PythonLiteralOptions = {},
): PythonLiteral {
  let at = 0;
  const fail = (message: string): never => {
    throw new FormatError(`${message} in Python literal at character ${at}`, {
      file,
      field,
      found: JSON.stringify(text.slice(at, at + 20)),
      ...(options.offset !== undefined ? { offset: options.offset + at } : {}),
    });
  };
  const space = () => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  let depth = 0;
  const value = (): PythonLiteral => {
    space();
    const c = text[at];
    if (c === undefined) return fail('unexpected end');
    if (c === "'" || c === '"') return string(c);
    if (c === '(' || c === '[') return sequence(c === '(' ? ')' : ']');
    if (c === '{') return dict();
    const word = /^(True|False|None)\b/.exec(text.slice(at, at + 6));
    if (word) {
      at += word[0].length;
      return word[0] === 'True' ? true : word[0] === 'False' ? false : null;
    }
    const number = /^[-+]?(\d+\.?\d*(e[-+]?\d+)?|\.\d+(e[-+]?\d+)?)L?/i.exec(text.slice(at, at + 64));
    if (number) {
      if (options.floats === false && /[.e]/i.test(number[0])) return fail('a float where only integers are allowed');
      at += number[0].length;
      return Number(number[0].replace(/L$/i, ''));
    }
    return fail('unexpected character');
  };
  const string = (quote: string): string => {
    at++;
    let out = '';
    while (at < text.length && text[at] !== quote) {
      if (text[at] === '\\') {
        const next = text[at + 1];
        const escapes: Record<string, string> = {
          n: '\n',
          t: '\t',
          r: '\r',
          '\\': '\\',
          "'": "'",
          '"': '"',
          '0': '\0',
        };
        if (next === undefined || !(next in escapes)) fail('unsupported escape');
        out += escapes[next];
        at += 2;
      } else {
        out += text[at++];
      }
    }
    if (text[at] !== quote) fail('unterminated string');
    at++;
    return out;
  };
  const enter = () => {
    if (++depth > 32) fail('nesting too deep');
  };
  const sequence = (close: string): PythonLiteral[] => {
    enter();
    at++;
    const items: PythonLiteral[] = [];
    for (;;) {
      space();
      if (text[at] === close) {
        at++;
        break;
      }
      items.push(value());
      space();
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === close) {
        at++;
        break;
      }
      fail(`expected ',' or '${close}'`);
    }
    depth--;
    return items;
  };
  const dict = (): { [key: string]: PythonLiteral } => {
    enter();
    at++;
    const out: { [key: string]: PythonLiteral } = Object.create(null);
    for (;;) {
      space();
      if (text[at] === '}') {
        at++;
        break;
      }
      const key = value();
      if (typeof key !== 'string') fail('dict keys must be strings');
      space();
      if (text[at] !== ':') fail("expected ':'");
      at++;
      out[key as string] = value();
      space();
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === '}') {
        at++;
        break;
      }
      fail("expected ',' or '}'");
    }
    depth--;
    return out;
  };
  const result = value();
  space();
  if (at !== text.length) fail('trailing characters');
  return result;
}
