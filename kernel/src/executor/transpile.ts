// Turns a cell into the same JavaScript the cell converter (./converter) emits, without the
// type-checker: the kernel runs its first cells this way while the checker (seconds of parsing
// declaration files) is still being built, and checks them once it is ready (see Executor's
// deferred mode). A tiny program of the cell and one declaration per earlier binding (no lib, no
// module resolution) binds the cell in milliseconds, which is all the converter's transformers
// need: top-level names are exported onto the shared bindings object, names of earlier cells are
// read from it, and the last expression is stored for the reply.

import type { Diagnostic } from 'tslab/dist/converter';
import { cellTransformers } from './converter';
import type { TypeScript } from './typescript';

type Node = import('@tslab/typescript-for-tslab').Node;
type SourceFile = import('@tslab/typescript-for-tslab').SourceFile;
type CompilerOptions = import('@tslab/typescript-for-tslab').CompilerOptions;

export interface TranspiledCell {
  /** CommonJS JavaScript; undefined when the cell does not parse. */
  output?: string;
  /** Syntax errors (the cell is not run); type errors wait for the checker. */
  diagnostics: Diagnostic[];
  hasToplevelAwait: boolean;
  lastExpressionVar?: string;
  /**
   * The cell's top-level names as `declare let name: any;` / `type Name = any;`: what the checker is
   * told about them when the cell itself fails to check (it ran, so later cells may use them).
   */
  looseDeclarations: string;
}

const CELL_FILE = '/weightlab-cell/cell.ts';
const EARLIER_FILE = '/weightlab-cell/earlier.d.ts';

/** A valid identifier that can be declared with `declare var` (earlier bindings such as `tsLastExpr0`). */
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function compilerOptions(ts: TypeScript): CompilerOptions {
  // The converter's options where they shape the emitted JavaScript (see ./converter).
  return {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    experimentalDecorators: true,
    jsx: ts.JsxEmit.React,
    newLine: ts.NewLineKind.LineFeed,
    noImplicitUseStrict: true,
    noLib: true,
    noResolve: true,
    types: [],
    skipLibCheck: true,
  } as CompilerOptions;
}

function program(ts: TypeScript, source: string, earlier: string) {
  const options = compilerOptions(ts);
  const files = new Map([
    // A module even without imports or exports (as the converter's cells are), so the CommonJS
    // transform writes the last expression's `export const` as `exports.name = …`.
    [
      CELL_FILE,
      ts.createSourceFile(
        CELL_FILE,
        source,
        {
          languageVersion: ts.ScriptTarget.ES2022,
          setExternalModuleIndicator: (file) => {
            (file as SourceFile & { externalModuleIndicator?: unknown }).externalModuleIndicator = true;
          },
        },
        true,
      ),
    ],
    [EARLIER_FILE, ts.createSourceFile(EARLIER_FILE, earlier, ts.ScriptTarget.ES2022, true)],
  ]);
  const host = {
    getSourceFile: (name: string) => files.get(name),
    getDefaultLibFileName: () => '/weightlab-cell/lib.d.ts',
    writeFile: () => undefined,
    getCurrentDirectory: () => '/weightlab-cell',
    getCanonicalFileName: (name: string) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (name: string) => files.has(name),
    readFile: () => undefined,
  };
  const built = ts.createProgram({ rootNames: [EARLIER_FILE, CELL_FILE], options, host });
  const checker = built.getTypeChecker();
  return {
    program: built,
    checker,
    cell: built.getSourceFile(CELL_FILE)!,
    earlierFile: built.getSourceFile(EARLIER_FILE)!,
  };
}

/** Whether an `await` (or `for await`) of the cell sits outside every function, class and namespace. */
function hasTopLevelAwait(ts: TypeScript, file: SourceFile): boolean {
  let found = false;
  const visit = (node: Node): void => {
    if (found) return;
    if (
      ts.isFunctionLike(node) ||
      ts.isClassDeclaration(node) ||
      ts.isClassExpression(node) ||
      ts.isModuleDeclaration(node)
    )
      return;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return found;
}

function syntaxDiagnostics(ts: TypeScript, file: SourceFile): Diagnostic[] {
  const parsed = (file as SourceFile & { parseDiagnostics?: import('@tslab/typescript-for-tslab').Diagnostic[] })
    .parseDiagnostics;
  return (parsed ?? []).map((diagnostic) => {
    const position = (offset: number) => {
      const { line, character } = ts.getLineAndCharacterOfPosition(file, offset);
      return { offset, line, character };
    };
    const start = diagnostic.start ?? 0;
    return {
      start: position(start),
      end: position(start + (diagnostic.length ?? 0)),
      messageText: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
      category: diagnostic.category,
      code: diagnostic.code,
    };
  });
}

/**
 * The cell as the converter would emit it, for a kernel whose earlier cells bound `earlierNames`
 * on the shared bindings object.
 */
export function transpileCell(ts: TypeScript, source: string, earlierNames: Iterable<string>): TranspiledCell {
  const declared = [...earlierNames].filter((name) => IDENTIFIER.test(name));
  const earlier = declared.map((name) => `declare var ${name}: any;`).join('\n');
  const first = program(ts, source, earlier);
  const diagnostics = syntaxDiagnostics(ts, first.cell);
  if (diagnostics.length > 0) return { diagnostics, hasToplevelAwait: false, looseDeclarations: '' };
  const symbols = (first.cell as SourceFile & { locals?: Map<string, import('@tslab/typescript-for-tslab').Symbol> })
    .locals;
  const locals = [...(symbols?.keys() ?? [])].map(String);
  const looseDeclarations = [...(symbols?.values() ?? [])]
    .map((symbol) =>
      symbol.flags & ts.SymbolFlags.Value
        ? `declare let ${symbol.name}: any;`
        : symbol.flags & ts.SymbolFlags.Type
          ? `type ${symbol.name} = any;`
          : '',
    )
    .join('\n');
  // As the converter does: every top-level name is exported, so it lands on the bindings object.
  const built = locals.length > 0 ? program(ts, `${source}\nexport {${locals.join(', ')}}`, earlier) : first;
  let lastExpressionVar: string | undefined;
  let output = '';
  built.program.emit(
    built.cell,
    (name, text) => {
      if (name.endsWith('.js')) output = text;
    },
    undefined,
    false,
    cellTransformers(ts, built.checker, built.cell, built.earlierFile, new Set(locals), (name) => {
      lastExpressionVar = name;
    }),
  );
  return {
    output,
    diagnostics: [],
    hasToplevelAwait: hasTopLevelAwait(ts, built.cell),
    lastExpressionVar,
    looseDeclarations,
  };
}
