// The kernel's cell converter (kernel/src/executor/converter.ts), against tslab's converter, the
// one the kernel used before and a second implementation of the same contract: the same cells,
// run in sequence, give the same type errors and, run, the same values; and where the two differ,
// ours is checked against what the cell means (tslab's output there fails to run).
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { after, test } from 'node:test';
import { inspect } from 'node:util';
import { createConverter, type Converter, type ConvertResult } from '@weightlab/kernel/dist/executor/converter';
import { loadTypeScript } from '@weightlab/kernel/dist/executor/typescript';
import { expandShorthandProperties } from '@weightlab/kernel/dist/executor/shorthand';
import { transpileCell } from '@weightlab/kernel/dist/executor/transpile';
import { temporaryFolder } from './support';

type Bindings = Record<string, unknown>;
type TslabConverter = { convert(declarations: string, source: string): ConvertResult; close(): void };

/** Every converter made here; closed at the end, since they watch the user's module for changes. */
const converters: { close(): void }[] = [];
after(() => converters.forEach((converter) => converter.close()));

// The converter works in the current directory (its virtual files and the user's modules live there).
const folder = temporaryFolder('converter');
fs.writeFileSync(
  path.join(folder, 'helper.ts'),
  'export function twice(x: number): number { return 2 * x; }\nexport const label = "helper";\n',
);
process.chdir(folder);
const typescript = loadTypeScript();
const ts = typescript.ts;

/** One notebook: a converter, the declarations it carries between cells, and the bindings cells share. */
class Notebook {
  declarations = '';
  readonly bindings: Bindings = {};
  readonly modules = new Map<string, Bindings>();

  constructor(readonly converter: Converter | TslabConverter) {
    converters.push(converter);
  }

  /** Converts and runs `source` as the kernel does; the value of its last expression, or its type errors. */
  async cell(source: string): Promise<{ value?: unknown; errors: string[]; converted: ConvertResult }> {
    const converted = this.converter.convert(this.declarations, expandShorthandProperties(ts, source).text);
    const errors = converted.diagnostics
      .filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error)
      .map(
        (diagnostic) =>
          `${diagnostic.code} ${diagnostic.start.line}:${diagnostic.start.character} ${diagnostic.messageText}`,
      );
    if (errors.length > 0) return { errors, converted };
    for (const side of converted.sideOutputs ?? []) {
      const exports: Bindings = {};
      new Function('exports', 'require', side.data)(exports, require);
      this.modules.set(side.path.replace(/\.js$/, ''), exports);
    }
    const load = (specifier: string) =>
      specifier.startsWith('./') ? this.modules.get(path.join(folder, specifier)) : require(specifier);
    const body = converted.output ?? '';
    const run = converted.hasToplevelAwait
      ? new Function('exports', 'require', `return (async () => {\n${body}\n})();`)
      : new Function('exports', 'require', body);
    await run(this.bindings, load);
    this.declarations = converted.declOutput ?? this.declarations;
    const name = converted.lastExpressionVar;
    return { value: name ? this.bindings[name] : undefined, errors, converted };
  }
}

function tslabConverter(): TslabConverter {
  // tslab's own module, over the same TypeScript (its converter emits an ES module and transpiles it to CommonJS).
  const tslab = require('tslab/dist/converter') as { createConverter(options: object): TslabConverter };
  return tslab.createConverter({ isJS: false, isBrowser: false });
}

const SEQUENCES: string[][] = [
  ['1 + 1', 'const a = 1; let b = [a, 2]; b', 'a + b.length', 'let a = "s"; a', 'a.length', 'b'],
  [
    'function f(x: number) { return x * 2 }\nf(3)',
    'type T = number; const t: T = f(2); t',
    'interface Point { x: number }\nconst p: Point = { x: 1 }',
    'p.x',
    'type T = string; const s: T = "q"; s',
    'f(4)',
  ],
  [
    'class A { constructor(public v: number) {} get twice() { return this.v * 2 } }',
    'const a = new A(3); a.twice',
    'class B extends A {}\nnew B(4).twice',
    'enum E { X = 1, Y }\nE.Y',
    'E.X + a.v',
  ],
  [
    'import { twice, label } from "./helper";\ntwice(3)',
    'label + twice(2)',
    'import * as fs from "fs"; typeof fs.readFileSync',
    'import path from "path"; path.join("a", "b")',
    'path.basename("/x/y")',
  ],
  ['let counter = 0; counter++; counter += 2; counter', 'counter = 10', 'counter * 2'],
  ['await Promise.resolve(5)', 'const v = await new Promise<number>((r) => setTimeout(() => r(3), 1)); v', 'v + 1'],
  ['const x: number = "s"', 'let y = 1;\ny.foo', 'undefinedName', 'const z = 1\nz = 2', 'y'],
  ['namespace N { export const k = 2 }\nN.k', 'N.k * 2', 'const enum CE { A = 3 }\nCE.A', 'CE.A + 1'],
  [
    'const numbers = [1, 2, 3];\nnumbers.map((v) => v * 2)',
    'const [first, ...rest] = numbers; rest',
    'let { length } = numbers; length',
  ],
  [
    'const point = { x: 1 }',
    'const shorthand = { point }; shorthand.point.x',
    'function* gen() { yield 1 }\n[...gen()]',
  ],
];

test("cells give tslab's converter's type errors and, run, its values", async () => {
  for (const sequence of SEQUENCES) {
    const ours = new Notebook(typescript.createConverter());
    const theirs = new Notebook(tslabConverter());
    for (const source of sequence) {
      const [mine, reference] = [await ours.cell(source), await theirs.cell(source)];
      assert.deepEqual(mine.errors, reference.errors, `type errors of ${JSON.stringify(source)}`);
      assert.deepEqual(mine.value, reference.value, `value of ${JSON.stringify(source)}`);
      assert.equal(mine.converted.lastExpressionVar, reference.converted.lastExpressionVar, source);
      assert.equal(Boolean(mine.converted.hasToplevelAwait), Boolean(reference.converted.hasToplevelAwait), source);
    }
    // Functions, classes and their instances are each notebook's own: compared as printed.
    const comparable = (value: unknown) => inspect(value, { depth: 4 });
    for (const [name, value] of Object.entries(theirs.bindings))
      if (!name.startsWith('tsLastExpr'))
        assert.deepEqual(comparable(ours.bindings[name]), comparable(value), `binding ${name}`);
  }
});

test("destructuring an earlier cell's object binds its properties (tslab's output shadowed `exports`)", async () => {
  const ours = new Notebook(typescript.createConverter());
  await ours.cell('const o = { a: 1, b: { c: 2 } }');
  const { value, converted } = await ours.cell('const { a, b: { c } } = o; a + c');
  assert.equal(value, 3);
  assert.deepEqual([ours.bindings.a, ours.bindings.c], [1, 2]);
  assert.match(converted.output ?? '', /const \{ a, b: \{ c \} \} = exports\.o;/);
  // The property `a` is declared in the earlier cell's declarations, but it is not a binding of
  // that cell; tslab rewrote it to `exports`, which then declares a second `exports`.
  const theirs = new Notebook(tslabConverter());
  await theirs.cell('const o = { a: 1, b: { c: 2 } }');
  await assert.rejects(
    theirs.cell('const { a, b: { c } } = o; a + c'),
    /Identifier 'exports' has already been declared/,
  );
});

test('a top-level for await runs as an async cell', async () => {
  const ours = new Notebook(typescript.createConverter());
  const { converted, value, errors } = await ours.cell(
    'let total = 0;\nfor await (const v of [Promise.resolve(1), 2]) total += v;\ntotal',
  );
  assert.deepEqual(errors, []);
  assert.equal(converted.hasToplevelAwait, true);
  assert.equal(value, 3);
  // An await inside a function that is not async is still an error.
  const inner = await ours.cell('function f() { await Promise.resolve(1) }');
  assert.equal(inner.errors.length, 1);
  assert.match(inner.errors[0], /^1308 /);
});

test('a statement that emits nothing after the last expression still leaves its value', async () => {
  const ours = new Notebook(typescript.createConverter());
  assert.equal((await ours.cell('2 * 21\ntype Answer = number')).value, 42);
  assert.equal((await ours.cell('const answer: Answer = 42; answer\ninterface Unused {}')).value, 42);
});

/** A converter over TypeScript's own builder program that counts the programs it creates. */
function countingConverter(): { converter: Converter; programs: () => number } {
  let created = 0;
  const converter = createConverter(ts, {
    rootFiles: [],
    tuneOptions: (options) => ({ ...options, types: [] }),
    createProgram: (...args: Parameters<typeof ts.createEmitAndSemanticDiagnosticsBuilderProgram>) => {
      created++;
      return ts.createEmitAndSemanticDiagnosticsBuilderProgram(...args);
    },
    keepDiagnostic: () => true,
  });
  return { converter, programs: () => created };
}

test('one program per cell, declaring or not; none for a cell checked again with the same declarations', async () => {
  const { converter, programs } = countingConverter();
  const notebook = new Notebook(converter);
  const before = programs();
  await notebook.cell('const width = 3; let height = 4; width * height');
  assert.equal(programs() - before, 1, 'a cell that declares names');
  await notebook.cell('width + height');
  assert.equal(programs() - before, 2, 'a cell that declares nothing');
  converter.convert(notebook.declarations, 'width + height');
  assert.equal(programs() - before, 2, 'the same cell and declarations again');
});

test('a cell that declares nothing hands the earlier declarations on unchanged', async () => {
  const ours = new Notebook(typescript.createConverter());
  await ours.cell('const kept = { value: 1 }; type Kept = typeof kept');
  const declarations = ours.declarations;
  const { converted } = await ours.cell('kept.value + 1');
  assert.equal(converted.declOutput, declarations);
  // A cell that declares a name again replaces its earlier declaration, and keeps the others.
  const { converted: replaced } = await ours.cell('const kept = "text"');
  assert.match(replaced.declOutput ?? '', /declare const kept = "text";/);
  assert.match(replaced.declOutput ?? '', /type Kept = /);
  assert.doesNotMatch(replaced.declOutput ?? '', /value: number/);
});

test('completion and quick info of names from earlier cells', async () => {
  const converter = typescript.createConverter();
  const notebook = new Notebook(converter);
  await notebook.cell('/** The side of the square. */\nconst squareSide = 3;');
  const completion = converter.complete(notebook.declarations, 'squareS', 7);
  assert.equal(completion.candidates[0], 'squareSide');
  assert.deepEqual([completion.start, completion.end], [0, 7]);
  const info = converter.inspect(notebook.declarations, 'squareSide', 3);
  assert.match(ts.displayPartsToString(info?.displayParts), /const squareSide: 3/);
  assert.match(ts.displayPartsToString(info?.documentation), /The side of the square/);
  assert.deepEqual(info?.textSpan, { start: 0, length: 10 });
});

test('a cell run before the checker exists is emitted as the converter emits it', async () => {
  const notebook = new Notebook(typescript.createConverter());
  const cells = [
    'const width = 3; let height = 4;\nwidth * height',
    'height = width + 1; const { length } = [width, height]; length',
    'function area(side: number) { return side * side }\narea(width)',
    'for (const side of [1, 2]) height += area(side);\nheight',
    'await Promise.resolve(width)',
  ];
  for (const source of cells) {
    const text = expandShorthandProperties(ts, source).text;
    const unchecked = transpileCell(ts, text, Object.keys(notebook.bindings));
    const { converted } = await notebook.cell(source);
    assert.equal(unchecked.output, converted.output, source);
    assert.equal(unchecked.lastExpressionVar, converted.lastExpressionVar, source);
    assert.equal(unchecked.hasToplevelAwait, Boolean(converted.hasToplevelAwait), source);
  }
});
