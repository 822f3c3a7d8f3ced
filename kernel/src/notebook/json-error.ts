// Finds where JSON text first goes wrong. V8's JSON.parse messages no longer carry a position,
// and a user fixing a hand-edited notebook needs the line and column.

export interface JsonErrorLocation {
  offset: number;
  message: string;
}

class Scanner {
  index = 0;
  constructor(readonly text: string) {}

  fail(message: string): never {
    throw Object.assign(new Error(message), { offset: this.index });
  }

  space(): void {
    while (this.index < this.text.length && ' \t\n\r'.includes(this.text[this.index])) this.index++;
  }

  expect(character: string): void {
    if (this.text[this.index] !== character)
      this.fail(
        this.index >= this.text.length ? `expected '${character}' but the file ends` : `expected '${character}'`,
      );
    this.index++;
  }

  value(): void {
    this.space();
    const character = this.text[this.index];
    if (character === '{') return this.object();
    if (character === '[') return this.array();
    if (character === '"') return this.string();
    if (character === '-' || (character >= '0' && character <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.index)) {
        this.index += word.length;
        return;
      }
    }
    this.fail(character === undefined ? 'unexpected end of file' : `unexpected ${JSON.stringify(character)}`);
  }

  object(): void {
    this.expect('{');
    this.space();
    if (this.text[this.index] === '}') {
      this.index++;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.index] !== '"') this.fail('expected a quoted property name');
      this.string();
      this.space();
      this.expect(':');
      this.value();
      this.space();
      if (this.text[this.index] === ',') {
        this.index++;
        continue;
      }
      this.expect('}');
      return;
    }
  }

  array(): void {
    this.expect('[');
    this.space();
    if (this.text[this.index] === ']') {
      this.index++;
      return;
    }
    for (;;) {
      this.value();
      this.space();
      if (this.text[this.index] === ',') {
        this.index++;
        continue;
      }
      this.expect(']');
      return;
    }
  }

  string(): void {
    this.expect('"');
    while (this.index < this.text.length) {
      const character = this.text[this.index];
      if (character === '"') {
        this.index++;
        return;
      }
      if (character === '\\') {
        this.index++;
        const escape = this.text[this.index];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.index + 1, this.index + 5))) this.fail('bad \\u escape');
          this.index += 5;
          continue;
        }
        if (!'"\\/bfnrt'.includes(escape ?? '')) this.fail('bad escape in a string');
      } else if (character < ' ') {
        this.fail('control character in a string');
      }
      this.index++;
    }
    this.fail('unterminated string');
  }

  number(): void {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.index));
    if (!match) this.fail('bad number');
    this.index += match[0].length;
  }
}

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function locateJsonError(text: string): JsonErrorLocation | undefined {
  const scanner = new Scanner(text);
  try {
    scanner.value();
    scanner.space();
    if (scanner.index < text.length) scanner.fail('unexpected text after the end of the JSON value');
    return undefined;
  } catch (error) {
    return { offset: (error as { offset: number }).offset, message: (error as Error).message };
  }
}
