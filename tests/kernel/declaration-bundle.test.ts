// The declaration bundle and the flattened libs (kernel/src/executor/declaration-bundle.ts):
// weightlab's declaration files and those of the packages they import, as ambient modules in one
// file, and TypeScript's libs as one default library, for the kernel's cell programs. The bundle
// must hold what a program that imports weightlab reads (TypeScript's own program is the oracle),
// the flattened libs must declare the globals TypeScript's libs do, merged in the same order;
// cells must type-check, emit, complete and show the same with both as without; a file whose
// sources changed is not used; and a declaration file that cannot be an ambient module stops the
// build with the file's name instead of a bundle that means something else.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cellCompilerOptions, type Converter } from '@weightlab/kernel/dist/executor/converter';
import {
  bundleDeclarations,
  DeclarationBundleError,
  LIBRARY_STUB,
  readDeclarationBundle,
  type DeclarationBundleManifest,
} from '@weightlab/kernel/dist/executor/declaration-bundle';
import {
  DECLARATION_BUNDLE_FILE,
  flatLibraries,
  loadTypeScript,
  nodeTypesFor,
  weightlabDirectory,
} from '@weightlab/kernel/dist/executor/typescript';
import { preludeSource, readPreludeManifest } from '@weightlab/kernel/dist/executor/prelude';
import { temporaryFolder } from './support';

const typescript = loadTypeScript();
const ts = typescript.ts;

function manifestOf(file: string): DeclarationBundleManifest {
  return JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as DeclarationBundleManifest;
}

test("the build's bundle is fresh and holds every module declaration file a program importing weightlab reads", () => {
  const bundle = readDeclarationBundle(DECLARATION_BUNDLE_FILE, ts.version);
  assert.ok(bundle, `${DECLARATION_BUNDLE_FILE} is missing or stale (npm run build writes it)`);
  for (const name of ['weightlab', 'arquero']) assert.ok(bundle.modules.has(name), name);
  // The oracle: TypeScript's program over the same import, resolving every file itself.
  const folder = temporaryFolder('bundle-oracle');
  const root = path.join(folder, 'root.ts');
  fs.writeFileSync(
    root,
    `import * as weightlab from ${JSON.stringify(weightlabDirectory())};\nexport { weightlab };\n`,
  );
  const program = ts.createProgram([root], { ...cellCompilerOptions(ts), types: ['node'], noEmit: true });
  const read = program
    .getSourceFiles()
    .filter((file) => file.isDeclarationFile && ts.isExternalModule(file))
    // @types/node's own modules (undici-types) stay files of every program, as they were.
    .filter((file) => !/\/node_modules\/(@types|undici-types)\//.test(file.fileName))
    .map((file) => file.fileName)
    .sort();
  const bundled = manifestOf(DECLARATION_BUNDLE_FILE)
    .sources.map((source) => source.file)
    .sort();
  assert.ok(read.length > 100, `${read.length} files`);
  assert.deepEqual(bundled, read);
});

test("the flattened libs and the @types/node bundle declare TypeScript's and Node's globals, with the same members and overloads in the same order", () => {
  const flattened = flatLibraries(ts);
  assert.ok(flattened, 'kernel/dist/declarations/libraries.d.ts is missing or stale (npm run build writes it)');
  const folder = temporaryFolder('libraries');
  const nodeTypes = nodeTypesFor(ts, folder);
  assert.ok(nodeTypes, "kernel/dist/declarations/node.d.ts is missing or stale, or not the kernel's own @types/node");
  const root = path.join(folder, 'root.ts');
  // Globals from several libs (es5, es2015.*, es2019, es2022) and @types/node (which references es2020 itself).
  fs.writeFileSync(
    root,
    'import { readFileSync } from "node:fs";\nexport const used = [[1], [2]].flat().at(-1) ?? Object.hasOwn({}, "a") ?? readFileSync;\n',
  );
  const options = { ...cellCompilerOptions(ts), types: ['node'], typeRoots: [nodeTypes.typeRoot!], noEmit: true };
  const programOf = (flat: boolean) => {
    if (!flat) return ts.createProgram([root], options);
    const host = ts.createCompilerHost({ ...options, lib: undefined });
    const readFile = host.readFile.bind(host);
    const stubbed = new Set(flattened.sources);
    host.readFile = (file) => (stubbed.has(file) ? LIBRARY_STUB : readFile(file));
    host.getDefaultLibFileName = () => flattened.file;
    // As the kernel's programs read them: `node` is the bundle, whose modules resolve to no file.
    host.resolveTypeReferenceDirectives = (names) =>
      names.map((name) => {
        assert.equal(typeof name === 'string' ? name : name.fileName, 'node');
        return { primary: true, resolvedFileName: nodeTypes.file, isExternalLibraryImport: true };
      });
    host.resolveModuleNames = (names, containingFile, _reused, redirected, resolutionOptions) =>
      names.map((name) =>
        nodeTypes.modules.has(name)
          ? undefined
          : ts.resolveModuleName(name, containingFile, resolutionOptions, host, undefined, redirected).resolvedModule,
      );
    return ts.createProgram({ rootNames: [root], options: { ...options, lib: undefined }, host });
  };
  const describe = (flat: boolean) => {
    const program = programOf(flat);
    const checker = program.getTypeChecker();
    const file = program.getSourceFile(root)!;
    const errors = program.getSemanticDiagnostics(file).map((diagnostic) => diagnostic.code);
    const location = file.statements[0];
    const inScope = checker.getSymbolsInScope(
      location,
      ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace,
    );
    const globals = inScope.map((symbol) => symbol.name).sort();
    const members: Record<string, string[]> = {};
    for (const name of [
      'Array',
      'ReadonlyArray',
      'ArrayConstructor',
      'String',
      'Promise',
      'PromiseConstructor',
      'Map',
      'ObjectConstructor',
      'Math',
      'RegExp',
      'Uint8Array',
      'Error',
      'SymbolConstructor',
      'Buffer',
      'BufferConstructor',
      'Headers',
      'Response',
      'AbortController',
      'URL',
      'EventTarget',
      'ErrorConstructor',
    ]) {
      const symbol = inScope.find((candidate) => candidate.name === name && candidate.flags & ts.SymbolFlags.Type);
      assert.ok(symbol, name);
      const type = checker.getDeclaredTypeOfSymbol(symbol);
      members[name] = checker
        .getPropertiesOfType(type)
        // Well-known symbols' property names carry a symbol id (`__@iterator@8`), which differs between programs.
        .map(
          (property) =>
            `${property.name.replace(/@\d+$/, '')}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(property, location), undefined, ts.TypeFormatFlags.NoTruncation)}`,
        );
    }
    // Node's ambient modules: what `node:fs` and `stream` export, with their types.
    for (const name of ['"node:fs"', '"stream"', '"worker_threads"']) {
      const module = inScope.find((candidate) => candidate.name === name);
      assert.ok(module, name);
      members[name] = checker
        .getExportsOfModule(module)
        .map(
          (exported) =>
            `${exported.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(exported, location), undefined, ts.TypeFormatFlags.NoTruncation)}`,
        );
    }
    const libraries = program.getSourceFiles().filter((source) => program.isSourceFileDefaultLibrary(source)).length;
    return { errors, globals, members, libraries, files: program.getSourceFiles().length };
  };
  const reference = describe(false);
  const mine = describe(true);
  assert.deepEqual(mine.errors, reference.errors);
  assert.deepEqual(reference.errors, []);
  assert.ok(reference.globals.length > 300, `${reference.globals.length} globals`);
  // Besides the bundle's own ambient modules (@types/node's module files and undici-types, files in the reference).
  const bundled = new Set([...nodeTypes.modules].map((name) => JSON.stringify(name)));
  assert.deepEqual(
    mine.globals.filter((name) => !bundled.has(name)),
    reference.globals,
  );
  for (const name of Object.keys(reference.members))
    assert.deepEqual(mine.members[name], reference.members[name], name);
  // One file instead of 55 (and @types/node's es2020, already in it, read as an empty stub).
  assert.ok(reference.libraries > 40, `${reference.libraries} libs`);
  assert.equal(mine.libraries, 2);
  // The root, the two libraries and @types/node (100 files with undici-types) as one.
  assert.ok(reference.files > 150, `${reference.files} files`);
  assert.equal(mine.files, 4);
});

/** Cells through one converter, carrying declarations as the kernel does. */
function runCells(converter: Converter, cells: string[]) {
  let declarations = '';
  return cells.map((source) => {
    const converted = converter.convert(declarations, source);
    const errors = converted.diagnostics
      .filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error)
      .map(
        (diagnostic) =>
          `${diagnostic.code} ${diagnostic.start.line}:${diagnostic.start.character} ${diagnostic.messageText}`,
      );
    if (errors.length === 0) declarations = converted.declOutput ?? declarations;
    return {
      errors,
      output: converted.output,
      last: converted.lastExpressionVar,
      declarations,
    };
  });
}

test('cells type-check, emit, complete and show the same with the bundle as with the separate files', () => {
  const cells = [
    preludeSource(readPreludeManifest().names),
    "zoo.parseShard('1/3')",
    "const shard: zoo.Shard = zoo.parseShard('2/3'); shard",
    'shard.index + shard.count',
    'const wrong: zoo.Shard = 5',
    'readSafetensors(42)',
    "import * as aq from 'arquero';\nconst table = aq.table({ x: [1, 2, 3] }); table.numRows()",
    // The earlier cell's declarations name arquero's types; this cell checks against them.
    'table.numCols() + table.columnNames().length',
    'table.numRows().toUpperCase()',
    "import { op } from 'arquero';\ntypeof op.mean",
    "import { notThere } from 'weightlab'",
    // Globals of the libs (flattened in one converter, TypeScript's files in the other).
    "[[1], [2, 3]].flat().at(-1)! + 'abc'.replaceAll('b', 'x').length + Number(Object.hasOwn({ a: 1 }, 'a'))",
    '/// <reference lib="es2020.bigint" />\n(10n ** 2n).toString()',
    "'abc'.at(0).toFixed(1)",
    // Node's types (one bundle in one converter): modules, globals, and the web globals of its module files.
    "import { readFileSync } from 'node:fs';\nimport * as stream from 'stream';\ntypeof readFileSync + typeof stream.Readable",
    "const timer: NodeJS.Timeout = setTimeout(() => undefined, 0); clearTimeout(timer); Buffer.from('ab').length + process.version.length",
    "typeof fetch + new Headers({ a: 'b' }).get('a') + new URL('http://x/y').pathname + typeof structuredClone",
    'process.cwd(1)',
  ];
  const bundled = typescript.createConverter();
  const separate = typescript.createConverter({ declarationBundle: false });
  try {
    const withBundle = runCells(bundled, cells);
    const withFiles = runCells(separate, cells);
    for (const [index, source] of cells.entries()) {
      assert.deepEqual(withBundle[index].errors, withFiles[index].errors, `type errors of ${JSON.stringify(source)}`);
      assert.equal(withBundle[index].output, withFiles[index].output, `JavaScript of ${JSON.stringify(source)}`);
      assert.equal(withBundle[index].last, withFiles[index].last, source);
    }
    // The cells meant to fail did, and only those.
    assert.deepEqual(
      withBundle.map((cell) => cell.errors.length > 0),
      [
        false,
        false,
        false,
        false,
        true,
        true,
        false,
        false,
        true,
        false,
        true,
        false,
        false,
        true,
        false,
        false,
        false,
        true,
      ],
    );
    const declarations = withBundle[7].declarations;
    for (const [code, name] of [
      ['zoo.parseSh', 'parseShard'],
      ['table.numR', 'numRows'],
      ['spectral.', 'analyze'],
    ] as const) {
      const mine = bundled.complete(declarations, code, code.length);
      const reference = separate.complete(declarations, code, code.length);
      assert.deepEqual(mine.candidates, reference.candidates, `completion of ${code}`);
      assert.ok(mine.candidates.includes(name), `${name} in ${mine.candidates.join(', ')}`);
    }
    for (const code of ['zoo.parseShard', 'readSafetensors', 'table.numRows']) {
      const text = (converter: Converter) =>
        (converter.inspect(declarations, code, code.length - 1)?.displayParts ?? []).map((part) => part.text).join('');
      assert.equal(text(bundled), text(separate), `quick info of ${code}`);
      assert.notEqual(text(bundled), '', code);
    }
  } finally {
    bundled.close();
    separate.close();
  }
});

test("the @types/node bundle is for notebooks that get the kernel's @types/node, not for a project with its own", () => {
  const outside = temporaryFolder('no-types');
  assert.equal(nodeTypesFor(ts, outside)?.file, path.join(path.dirname(DECLARATION_BUNDLE_FILE), 'node.d.ts'));
  // A project's own @types/node comes first in its type roots: its programs read that one.
  const project = temporaryFolder('own-types');
  const own = path.join(project, 'node_modules', '@types', 'node');
  fs.mkdirSync(own, { recursive: true });
  fs.writeFileSync(
    path.join(own, 'package.json'),
    JSON.stringify({ name: '@types/node', version: '18.0.0', types: 'index.d.ts' }),
  );
  fs.writeFileSync(path.join(own, 'index.d.ts'), 'declare var projectNodeTypes: true;\n');
  assert.equal(nodeTypesFor(ts, path.join(project, 'notebooks')), undefined);
  assert.equal(nodeTypesFor(ts, project), undefined);
});

test('a bundle whose sources changed, or made by another TypeScript, is not used', () => {
  const folder = temporaryFolder('bundle-stale');
  const source = path.join(folder, 'source.d.ts');
  fs.writeFileSync(source, 'export declare const a: number;\n');
  const bundle = path.join(folder, 'bundle.d.ts');
  fs.writeFileSync(bundle, 'declare module "source" {\nexport declare const a: number;\n}\n');
  const stat = fs.statSync(source);
  const manifest: DeclarationBundleManifest = {
    typescript: ts.version,
    modules: ['source'],
    sources: [{ file: source, size: stat.size, mtimeMs: stat.mtimeMs }],
  };
  fs.writeFileSync(`${bundle}.json`, JSON.stringify(manifest));
  assert.deepEqual([...(readDeclarationBundle(bundle, ts.version)?.modules ?? [])], ['source']);
  assert.equal(readDeclarationBundle(bundle, '4.9.5'), undefined);
  fs.writeFileSync(source, 'export declare const a: string;\n');
  assert.equal(readDeclarationBundle(bundle, ts.version), undefined);
  fs.rmSync(source);
  assert.equal(readDeclarationBundle(bundle, ts.version), undefined);
});

/** A package `name` in `folder`/node_modules with these declaration files; `index.d.ts` its types. */
function writePackage(folder: string, name: string, files: Record<string, string>): void {
  const directory = path.join(folder, 'node_modules', name);
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(
    path.join(directory, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', types: 'index.d.ts' }),
  );
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
    fs.writeFileSync(path.join(directory, file), text);
  }
}

test('bundled modules keep their exports their own and reach each other by name', () => {
  const folder = temporaryFolder('bundle-fixture');
  writePackage(folder, 'shapes', {
    'index.d.ts':
      "export { area, type Square } from './lib/square';\nexport type Side = import('./lib/square').Square['side'];\n",
    'lib/square.d.ts':
      "import { Unit } from 'units';\ninterface Hidden { secret: true }\nexport interface Square { side: number; unit: Unit }\nexport declare function area(square: Square): number;\ndeclare const hidden: Hidden;\n",
  });
  writePackage(folder, 'units', { 'index.d.ts': "export type Unit = 'cm' | 'm';\n" });
  const options = { ...cellCompilerOptions(ts), types: [] };
  const { text, manifest } = bundleDeclarations(ts, 'shapes', folder, options);
  assert.deepEqual(manifest.modules, ['shapes', 'shapes/lib/square', 'units']);
  assert.match(text, /declare module "shapes\/lib\/square" \{\nimport \{ Unit \} from "units";/);
  assert.match(text, /import\("shapes\/lib\/square"\)/);
  // A program that has only the bundle: what each module exports, and nothing it did not.
  const elsewhere = temporaryFolder('bundle-user');
  const bundle = path.join(elsewhere, 'bundle.d.ts');
  fs.writeFileSync(bundle, text);
  const user = path.join(elsewhere, 'user.ts');
  fs.writeFileSync(
    user,
    [
      "import { area, type Square, type Side } from 'shapes';",
      "const square: Square = { side: 2, unit: 'm' };",
      'const value: number = area(square);',
      'const side: Side = 3;',
      "const wrong: Square = { side: 2, unit: 'km' };",
      "import { hidden } from 'shapes/lib/square';",
      'export { value, side, wrong, hidden };',
    ].join('\n'),
  );
  const program = ts.createProgram([bundle, user], { ...options, noEmit: true });
  const file = program.getSourceFile(user)!;
  const errors = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map(
    (diagnostic) =>
      diagnostic.file
        ? `${ts.getLineAndCharacterOfPosition(diagnostic.file, diagnostic.start!).line + 1}: ${diagnostic.code}`
        : `${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`,
  );
  assert.deepEqual(errors, ['5: 2322', '6: 2459']);
});

test('a declaration file that cannot be an ambient module stops the bundle, naming the file', () => {
  const options = { ...cellCompilerOptions(ts), types: [] };
  for (const [text, reason] of [
    ["export {};\ndeclare module 'units' { interface Extra {} }\n", /module augmentation declare module 'units'/],
    ['export declare const a: number;\nexport as namespace Shapes;\n', /export as namespace Shapes/],
    ["export * from './globals';\n", /'\.\/globals' is not a module declaration file/],
    ['declare const a: number;\n', /a global script, not a module/],
  ] as const) {
    const folder = temporaryFolder('bundle-refused');
    writePackage(folder, 'shapes', { 'index.d.ts': text, 'globals.d.ts': 'declare var shapeCount: number;\n' });
    assert.throws(
      () => bundleDeclarations(ts, 'shapes', folder, options),
      (error: unknown) =>
        error instanceof DeclarationBundleError &&
        error.file === path.join(fs.realpathSync(folder), 'node_modules', 'shapes', 'index.d.ts') &&
        reason.test(error.message),
    );
  }
});
