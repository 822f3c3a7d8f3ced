// The kernel's cell converter: type-checks each cell against the declarations earlier cells left
// and emits it as CommonJS. It keeps the contract of tslab's converter, which the kernel used
// before (an incremental watch program over two virtual files, the cell and `__prev__.d.ts`, whose
// names the cell sees; every top-level name exported onto the bindings object; the last
// expression stored for the reply; the declarations carried to the next cell), and does less per
// cell, which a trivial cell's latency is made of:
// - one program update per cell: the cell's top-level names come from parsing and binding the
//   cell alone, so the `export {…}` line is there from the start (tslab updated twice);
// - a file is only re-read when its text changed (tslab re-parsed the declarations every cell),
//   and a cell that declares nothing hands the earlier declarations on as they were;
// - CommonJS in the same emit, instead of emitting an ES module and transpiling it again with a
//   program and a checker of its own.

import path from 'node:path';
import type { CompletionInfo, ConvertResult, Diagnostic, DiagnosticPos, SideOutput } from 'tslab/dist/converter';
import type { TypeScript } from './typescript';
import { LIBRARY_STUB, type FlatLibraries } from './declaration-bundle';

type ts = typeof import('@tslab/typescript-for-tslab');
type Node = import('@tslab/typescript-for-tslab').Node;
type SourceFile = import('@tslab/typescript-for-tslab').SourceFile;
type Statement = import('@tslab/typescript-for-tslab').Statement;
type Symbol = import('@tslab/typescript-for-tslab').Symbol;
type TypeChecker = import('@tslab/typescript-for-tslab').TypeChecker;
type Program = import('@tslab/typescript-for-tslab').Program;
type CompilerOptions = import('@tslab/typescript-for-tslab').CompilerOptions;
type TsDiagnostic = import('@tslab/typescript-for-tslab').Diagnostic;
type DiagnosticMessageChain = import('@tslab/typescript-for-tslab').DiagnosticMessageChain;
type QuickInfo = import('@tslab/typescript-for-tslab').QuickInfo;
type TransformerFactory = import('@tslab/typescript-for-tslab').TransformerFactory<SourceFile>;
type FileWatcherCallback = import('@tslab/typescript-for-tslab').FileWatcherCallback;
type BuilderProgram = import('@tslab/typescript-for-tslab').BuilderProgram;
type System = import('@tslab/typescript-for-tslab').System;

export type { CompletionInfo, ConvertResult, Diagnostic, SideOutput };

export interface Converter {
  /** Checks `source` against `declarations` (what the last cell's declOutput was) and emits it. */
  convert(declarations: string, source: string): ConvertResult;
  /** Quick info at `position` (UTF-16 offset into `source`). */
  inspect(declarations: string, source: string, position: number): QuickInfo | undefined;
  complete(declarations: string, source: string, position: number): CompletionInfo;
  /** Stops watching the user's files. */
  close(): void;
}

/** How the kernel builds programs and which options it adds (see typescript.ts). */
export interface ConverterHost {
  /** Declaration files every program holds besides the cell and the earlier cells' declarations. */
  rootFiles: readonly string[];
  /**
   * One file with every lib the options' `lib` names (see flattenLibraries), read instead of them;
   * undefined: TypeScript's lib files.
   */
  defaultLibrary?: FlatLibraries;
  /** The options the converter chose, with the kernel's type roots, paths and `types`. */
  tuneOptions(options: CompilerOptions): CompilerOptions;
  /** The watch program's createProgram (the kernel's light builder). */
  createProgram: unknown;
  /** Drops diagnostics about the declaration output rather than the user's code. */
  keepDiagnostic(diagnostic: TsDiagnostic): boolean;
}

/** Before each virtual file's text: it makes the file a module, so a cell's names stay its own. */
const MODULE_PREFIX = 'export {};\n';
const LAST_EXPRESSION = 'tsLastExpr';
/**
 * A top-level `await` or `for await`, which cells may use (the kernel runs such a cell as an async
 * function): "'await' expressions are only allowed within async functions" (tslab's TypeScript
 * reports that instead of refusing a top-level await) and "top-level 'for await' loops are only
 * allowed when the 'module' option is …" (CommonJS output).
 */
const TOP_LEVEL_AWAIT = new Set([1308, 1432]);

interface PendingRebuild {
  callback: () => void;
}

export function createConverter(ts: TypeScript, host: ConverterHost): Converter {
  const directory = ts.sys.getCurrentDirectory();
  const cellFile = normalizedJoin(directory, '__tslab__.ts');
  const earlierFile = normalizedJoin(directory, '__prev__.d.ts');
  const outDir = 'outDir';
  const cellOutput = normalizedJoin(outDir, '__tslab__.js');
  const cellDeclarationOutput = normalizedJoin(outDir, '__tslab__.d.ts');
  let cellText = '';
  let earlierText = '';
  /** The user's own .ts/.js files already emitted for cells, until they change on disk. */
  const emittedSideInputs = new Set<string>();
  let builder: BuilderProgram | undefined;
  let rebuild: PendingRebuild | undefined;
  let cellChanged: FileWatcherCallback | undefined;
  let earlierChanged: FileWatcherCallback | undefined;

  const system: System = Object.create(ts.sys);
  system.getCurrentDirectory = () => directory;
  // The watch program debounces rebuilds with a timer; the converter rebuilds when it needs the program.
  system.setTimeout = ((callback: () => void) => {
    rebuild = { callback };
    return rebuild;
  }) as System['setTimeout'];
  system.clearTimeout = (timer: unknown) => {
    if (timer === rebuild) rebuild = undefined;
  };
  const flattened = new Set(host.defaultLibrary?.sources ?? []);
  system.readFile = (file, encoding) => {
    if (file === cellFile) return MODULE_PREFIX + cellText;
    if (file === earlierFile) return MODULE_PREFIX + earlierText;
    if (flattened.has(file)) return LIBRARY_STUB;
    return ts.sys.readFile(file, encoding);
  };
  // A file's version is a hash of its text; the only files that change are the cell and the
  // declarations, small enough for TypeScript's own string hash instead of a SHA-256 per cell.
  system.createHash = undefined;
  system.writeFile = () => {
    throw new Error('the cell converter never writes files');
  };
  system.watchFile = (file, callback, interval, options) => {
    if (file === cellFile) {
      cellChanged = callback;
      return { close: () => undefined };
    }
    if (file === earlierFile) {
      earlierChanged = callback;
      return { close: () => undefined };
    }
    // A user's module that changed on disk is emitted again for the next cell that imports it.
    return ts.sys.watchFile!(
      file,
      (name, kind, modified) => {
        emittedSideInputs.delete(name);
        callback(name, kind, modified);
      },
      interval,
      options,
    );
  };

  const options = host.tuneOptions({
    ...cellCompilerOptions(ts),
    // The flattened libraries stand for `lib` as the program's default library.
    ...(host.defaultLibrary ? { lib: undefined } : {}),
    // @types/node from the notebook's project when it has one (the kernel adds its own after these).
    typeRoots: ts.getDefaultTypeRoots(directory, system) ?? [],
    // Stable output paths for the user's files that cells import.
    rootDir: directory,
    outDir,
  });

  const watchHost = ts.createWatchCompilerHost(
    // The cell first: TypeScript looks for a changed file before each update, in this order.
    [cellFile, earlierFile, ...host.rootFiles],
    options,
    system,
    host.createProgram as Parameters<ts['createWatchCompilerHost']>[3],
    () => undefined,
    () => undefined,
  );
  const defaultLibrary = host.defaultLibrary;
  if (defaultLibrary) {
    // A cell's own `/// <reference lib="dom" />` still finds TypeScript's lib folder.
    const libraryFolder = path.dirname(ts.getDefaultLibFilePath(options));
    watchHost.getDefaultLibFileName = () => defaultLibrary.file;
    watchHost.getDefaultLibLocation = () => libraryFolder;
  }
  watchHost.afterProgramCreate = (created) => {
    builder = created;
  };
  const watch = ts.createWatchProgram(watchHost);
  if (!builder) throw new Error('TypeScript created no program for the cell converter');

  /** Points the program at these texts; only a changed file is read and parsed again. */
  function update(declarations: string, source: string): { program: Program; cell: SourceFile; earlier: SourceFile } {
    if (declarations !== earlierText) {
      earlierText = declarations;
      earlierChanged?.(earlierFile, ts.FileWatcherEventKind.Changed);
    }
    if (source !== cellText) {
      cellText = source;
      cellChanged?.(cellFile, ts.FileWatcherEventKind.Changed);
    }
    const pending = rebuild;
    rebuild = undefined;
    pending?.callback();
    const program = builder!.getProgram();
    const cell = program.getSourceFile(cellFile)!;
    const earlier = program.getSourceFile(earlierFile)!;
    // Names of earlier cells resolve in the declarations file, as if the cell were nested in it.
    (cell as { parent?: Node }).parent = earlier;
    return { program, cell, earlier };
  }

  /** The cell's top-level names, from parsing and binding the cell alone (the program binds the same text alike). */
  function topLevelNames(source: string): string[] {
    const file = ts.createSourceFile(cellFile, MODULE_PREFIX + source, ts.ScriptTarget.ES2022, false);
    (ts as unknown as { bindSourceFile(file: SourceFile, options: CompilerOptions): void }).bindSourceFile(
      file,
      options,
    );
    return [...(localsOf(file)?.keys() ?? [])].map(String);
  }

  function position(file: SourceFile, offset: number): DiagnosticPos {
    const { line, character } = ts.getLineAndCharacterOfPosition(file, offset);
    if (file.fileName !== cellFile) return { offset, line, character };
    // Positions in the cell count from the user's text, after the module prefix (one line).
    return { offset: offset - MODULE_PREFIX.length, line: line - 1, character };
  }

  function isTopLevelAwait(cell: SourceFile, diagnostic: TsDiagnostic): boolean {
    if (!TOP_LEVEL_AWAIT.has(diagnostic.code) || diagnostic.start === undefined) return false;
    const token = ts.findPrecedingToken(diagnostic.start + (diagnostic.length ?? 0), cell);
    if (!token || token.kind !== ts.SyntaxKind.AwaitKeyword) return false;
    for (let node = token.parent; node && node !== cell; node = node.parent) {
      if (
        ts.isArrowFunction(node) ||
        ts.isFunctionExpression(node) ||
        ts.isFunctionDeclaration(node) ||
        ts.isClassDeclaration(node) ||
        ts.isModuleDeclaration(node)
      )
        return false;
    }
    return true;
  }

  function convertDiagnostics(
    cell: SourceFile,
    found: readonly TsDiagnostic[],
  ): { diagnostics: Diagnostic[]; hasToplevelAwait: boolean } {
    const diagnostics: Diagnostic[] = [];
    let hasToplevelAwait = false;
    for (const diagnostic of found) {
      if (!diagnostic.file || diagnostic.start === undefined) continue;
      if (diagnostic.file === cell && isTopLevelAwait(cell, diagnostic)) {
        hasToplevelAwait = true;
        continue;
      }
      let fileName: string | undefined;
      if (diagnostic.file !== cell) {
        const relative = path.relative(directory, diagnostic.file.fileName);
        // Outside the notebook's folder (a package's declarations): not the user's to fix.
        if (relative.startsWith('..')) continue;
        fileName = relative;
      }
      const start = position(diagnostic.file, diagnostic.start);
      const end = position(diagnostic.file, diagnostic.start + (diagnostic.length ?? 0));
      if (typeof diagnostic.messageText === 'string') {
        diagnostics.push({
          start,
          end,
          messageText: diagnostic.messageText,
          category: diagnostic.category,
          code: diagnostic.code,
          fileName,
        });
        continue;
      }
      // A chain (a message and the reasons under it): one entry per message, the file on the first.
      const chain = (message: DiagnosticMessageChain, name: string | undefined) => {
        diagnostics.push({
          start,
          end,
          messageText: message.messageText,
          category: message.category,
          code: message.code,
          fileName: name,
        });
        for (const next of message.next ?? []) chain(next, undefined);
      };
      chain(diagnostic.messageText, fileName);
    }
    return { diagnostics, hasToplevelAwait };
  }

  /** The cell and the user's own .ts/.js files it imports (never declaration files or packages). */
  function sourcesOf(program: Program, cell: SourceFile): SourceFile[] {
    return [
      cell,
      ...program
        .getSourceFiles()
        .filter(
          (file) =>
            file !== cell &&
            !file.isDeclarationFile &&
            !file.fileName.includes('/node_modules/') &&
            (file.fileName.endsWith('.js') || file.fileName.endsWith('.ts')),
        ),
    ];
  }

  function convert(declarations: string, source: string): ConvertResult {
    const names = topLevelNames(source);
    // Every top-level name is exported, so it lands on the bindings object later cells read.
    const text = names.length > 0 ? `${source}\nexport {${names.join(', ')}}` : source;
    const { program, cell, earlier } = update(declarations, text);
    const files = sourcesOf(program, cell);
    const found = ts.getPreEmitDiagnosticsOfFiles(program, files).filter(host.keepDiagnostic);
    const { diagnostics, hasToplevelAwait } = convertDiagnostics(cell, found);
    if (diagnostics.length > 0) return { diagnostics };
    const checker = program.getTypeChecker();
    let output: string | undefined;
    let declarationOutput = '';
    let lastExpressionVar: string | undefined;
    let sideOutputs: SideOutput[] | undefined;
    const transformers = cellTransformers(ts, checker, cell, earlier, new Set(names), (name) => {
      lastExpressionVar = name;
    });
    for (const file of files) {
      if (file !== cell && emittedSideInputs.has(file.fileName)) continue;
      if (file !== cell) emittedSideInputs.add(file.fileName);
      builder!.emit(
        file,
        (name, data) => {
          if (name === cellOutput) output = data;
          else if (name === cellDeclarationOutput) declarationOutput = data;
          else if (name.endsWith('.js')) {
            const relative = path.relative(outDir, name);
            if (relative.startsWith('..')) throw new Error(`unexpected emit path: ${name}`);
            (sideOutputs ??= []).push({ path: normalizedJoin(directory, relative), data });
          }
        },
        undefined,
        false,
        file === cell ? transformers : undefined,
      );
    }
    sideOutputs?.sort((a, b) => a.path.localeCompare(b.path));
    // A cell that declares nothing hands the earlier declarations on unchanged (the same string,
    // so the next cell does not parse them again).
    const declOutput =
      names.length === 0
        ? declarationOutput.trim().length === 0
          ? declarations
          : declarationOutput + declarations
        : declarationOutput + remainingDeclarations(ts, checker, cell, earlier);
    return { output, declOutput, diagnostics, hasToplevelAwait, sideOutputs, lastExpressionVar };
  }

  function inspect(declarations: string, source: string, offset: number): QuickInfo | undefined {
    const { program, cell } = update(declarations, source);
    const info = (
      ts as unknown as {
        getQuickInfoAtPosition(
          file: SourceFile,
          checker: TypeChecker,
          token: unknown,
          position: number,
        ): QuickInfo | undefined;
      }
    ).getQuickInfoAtPosition(cell, program.getTypeChecker(), NO_CANCELLATION, offset + MODULE_PREFIX.length);
    if (info?.textSpan) info.textSpan.start -= MODULE_PREFIX.length;
    return info;
  }

  function complete(declarations: string, source: string, offset: number): CompletionInfo {
    const { program, cell } = update(declarations, source);
    const at = offset + MODULE_PREFIX.length;
    const completions = (
      ts.Completions as unknown as {
        getCompletionsAtPositionForTslab(
          ...args: unknown[]
        ): import('@tslab/typescript-for-tslab').CompletionInfo | undefined;
      }
    ).getCompletionsAtPositionForTslab(
      {},
      program,
      () => undefined,
      cell,
      at,
      {},
      undefined,
      ts.CompletionTriggerKind.Invoked,
      NO_CANCELLATION,
    );
    if (completions?.optionalReplacementSpan) completions.optionalReplacementSpan.start -= MODULE_PREFIX.length;
    // The identifier at the cursor (the token before it can end past the cursor, or the cursor
    // can sit at the start of the next one): candidates are matched against the whole name.
    const before = ts.findPrecedingToken(at, cell);
    if (before && ts.isIdentifier(before) && before.end >= at) return completionOfName(completions, before, cell);
    const after = before ? ts.findNextToken(before, cell, cell) : undefined;
    if (after && ts.isIdentifier(after) && after.getStart(cell) <= at && at <= after.end)
      return completionOfName(completions, after, cell);
    const entries = [...(completions?.entries ?? [])].sort(
      (a, b) => a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name),
    );
    return { start: offset, end: offset, candidates: entries.map((entry) => entry.name), original: completions };
  }

  /** Candidates for the name under the cursor: those starting with it, then case-insensitively, then containing it. */
  function completionOfName(
    completions: import('@tslab/typescript-for-tslab').CompletionInfo | undefined,
    name: import('@tslab/typescript-for-tslab').Identifier,
    cell: SourceFile,
  ): CompletionInfo {
    const typed = String(name.escapedText);
    const lower = typed.toLowerCase();
    const ranked = (completions?.entries ?? [])
      .map((entry, index) => {
        const candidate = entry.name.toLowerCase();
        const rank = entry.name.startsWith(typed)
          ? '0'
          : candidate.startsWith(lower)
            ? '1'
            : candidate.includes(lower)
              ? '2'
              : undefined;
        return rank === undefined ? undefined : { name: entry.name, key: rank + entry.sortText, index };
      })
      .filter((entry): entry is { name: string; key: string; index: number } => entry !== undefined)
      .sort((a, b) => a.key.localeCompare(b.key) || a.index - b.index);
    return {
      start: name.getStart(cell) - MODULE_PREFIX.length,
      end: name.end - MODULE_PREFIX.length,
      candidates: ranked.map((entry) => entry.name),
      original: completions,
    };
  }

  return { convert, inspect, complete, close: () => watch.close() };
}

/**
 * The converter's compiler options that do not depend on the notebook's folder. The startup
 * snapshot parses and binds the declaration files with them too (kernel/scripts/build-snapshot.js
 * passes them to the snapshot entry, which cannot import this module), so its files fit.
 */
export function cellCompilerOptions(ts: TypeScript): CompilerOptions {
  return {
    // CommonJS: cells run as the body of a function (exports, require) in the kernel's context.
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    declaration: true,
    newLine: ts.NewLineKind.LineFeed,
    noImplicitUseStrict: true,
    experimentalDecorators: true,
    resolveJsonModule: true,
    jsx: ts.JsxEmit.React,
    // allowJs and checkJs: a cell may import the user's own .js files, checked as TypeScript would.
    allowJs: true,
    checkJs: true,
    // tslab's TypeScript: an await outside async functions is reported (1308), not refused, so
    // the converter can tell a top-level await and the kernel runs that cell as an async function.
    disableTopLevelAwait: true,
    skipLibCheck: true,
    // Nothing is written to disk (emit goes to a callback), so TypeScript's check that no output
    // overwrites an input, which walks every file of the program for each cell, has nothing to guard.
    suppressOutputPathCheck: true,
  } as CompilerOptions;
}

const NO_CANCELLATION = {
  isCancellationRequested: () => false,
  throwIfCancellationRequested: () => undefined,
};

function normalizedJoin(...parts: string[]): string {
  return path.join(...parts).replace(/\\/g, '/');
}

function localsOf(file: SourceFile): Map<import('@tslab/typescript-for-tslab').__String, Symbol> | undefined {
  return (file as SourceFile & { locals?: Map<import('@tslab/typescript-for-tslab').__String, Symbol> }).locals;
}

/**
 * Whether `declaration` binds a top-level name of `file` (what an earlier cell left on the bindings
 * object): a top-level function, class, enum or namespace, a variable's name or an import's
 * binding, not a member or property declared inside one of them.
 */
function declaredAtTopLevel(ts: TypeScript, declaration: Node, file: SourceFile): boolean {
  if (declaration.parent === file) return true;
  let current = declaration;
  while (current.parent && current.parent.parent !== file) {
    if (!isBindingContainer(ts, current.parent)) return false;
    current = current.parent;
  }
  return current.parent?.parent === file && (ts.isVariableDeclarationList(current) || ts.isImportClause(current));
}

/** The nodes between a top-level statement and a name it binds (`const {a, b: [c]} = …`, `import {a} …`). */
function isBindingContainer(ts: TypeScript, node: Node): boolean {
  return (
    ts.isVariableDeclarationList(node) ||
    ts.isVariableDeclaration(node) ||
    ts.isObjectBindingPattern(node) ||
    ts.isArrayBindingPattern(node) ||
    ts.isBindingElement(node) ||
    ts.isImportClause(node) ||
    ts.isNamespaceImport(node) ||
    ts.isNamedImports(node)
  );
}

/**
 * The cell's transformers, run before TypeScript's own (so the CommonJS transform sees what they
 * add): names declared by earlier cells are read from the bindings object (`exports.name`), and
 * the last expression statement becomes `export const tsLastExpr = …` for the reply.
 */
export function cellTransformers(
  ts: TypeScript,
  checker: TypeChecker,
  cell: SourceFile,
  earlier: SourceFile,
  names: ReadonlySet<string>,
  onLastExpression: (name: string) => void,
): import('@tslab/typescript-for-tslab').CustomTransformers {
  const fromEarlierCell = (node: import('@tslab/typescript-for-tslab').Identifier): boolean =>
    (checker.getSymbolAtLocation(node)?.declarations ?? []).some(
      (declaration) => declaration.getSourceFile() === earlier && declaredAtTopLevel(ts, declaration, earlier),
    );
  const transformer: TransformerFactory = (context) => (file) => {
    if (file !== cell) return file;
    const visit = (node: Node): Node => {
      // Types are erased; `extends Base` of a class is a value, and is visited.
      if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return node;
      if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return node;
      if (!ts.isIdentifier(node)) return ts.visitEachChild(node, visit, context);
      if (node.parent && ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) return node;
      return fromEarlierCell(node)
        ? ts.factory.createPropertyAccessExpression(ts.factory.createIdentifier('exports'), node.escapedText as string)
        : node;
    };
    let statements = ts.visitNodes(file.statements, visit, ts.isStatement) as unknown as readonly Statement[];
    for (let index = statements.length - 1; index >= 0; index--) {
      const statement = statements[index];
      // The `export {…}` line, and statements the emit erases, come after the last expression.
      if (ts.isExportDeclaration(statement) || erasedFromEmit(ts, statement)) continue;
      if (!ts.isExpressionStatement(statement)) break;
      let name = LAST_EXPRESSION;
      for (let suffix = 0; names.has(name); suffix++) name = `${LAST_EXPRESSION}${suffix}`;
      onLastExpression(name);
      const stored = ts.factory.createVariableStatement(
        [ts.factory.createModifier(ts.SyntaxKind.ExportKeyword)],
        ts.factory.createVariableDeclarationList(
          [ts.factory.createVariableDeclaration(name, undefined, undefined, statement.expression)],
          ts.NodeFlags.Const,
        ),
      );
      statements = [...statements.slice(0, index), stored, ...statements.slice(index + 1)];
      break;
    }
    return ts.factory.updateSourceFile(file, statements);
  };
  // The declarations carry the cell's names to later cells without the `export {…}` line.
  const withoutExports = () => (file: SourceFile | import('@tslab/typescript-for-tslab').Bundle) =>
    ts.isSourceFile(file)
      ? ts.factory.updateSourceFile(
          file,
          file.statements.filter((statement) => !ts.isExportDeclaration(statement)),
        )
      : file;
  return { before: [transformer], afterDeclarations: [withoutExports] };
}

/** Statements with no JavaScript: types, ambient declarations, type-only imports and exports. */
function erasedFromEmit(ts: TypeScript, statement: Statement): boolean {
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) return true;
  if (ts.isImportDeclaration(statement)) return statement.importClause?.isTypeOnly === true;
  const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
  return (modifiers ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.DeclareKeyword);
}

/** Which meanings (value, type) of an earlier name the cell leaves standing. */
function keptMeanings(
  ts: TypeScript,
  checker: TypeChecker,
  symbol: Symbol | undefined,
): { value: boolean; type: boolean } {
  if (!symbol) return { value: true, type: true };
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  return { value: !(target.flags & ts.SymbolFlags.Value), type: !(target.flags & ts.SymbolFlags.Type) };
}

/**
 * The earlier declarations the cell did not replace, printed: a name the cell declares again
 * (as a value, a type or both) drops the earlier one's same meaning. The program's own nodes are
 * not changed (the declarations file stays in the program for the next cell when its text does).
 */
function remainingDeclarations(ts: TypeScript, checker: TypeChecker, cell: SourceFile, earlier: SourceFile): string {
  const cellLocals = localsOf(cell);
  const kept = new Map<Node, Set<string>>();
  const keep = (node: Node, name: string) => {
    let names = kept.get(node);
    if (!names) kept.set(node, (names = new Set()));
    names.add(name);
  };
  const valueNames = new Set<string>();
  const untyped = new Set<string>();
  localsOf(earlier)?.forEach((symbol, key) => {
    const name = String(key);
    const meanings = keptMeanings(ts, checker, cellLocals?.get(key));
    if (!meanings.type && !meanings.value) return;
    for (const declaration of symbol.declarations ?? []) {
      let node: Node = declaration;
      while (node.parent !== earlier) node = node.parent;
      if (ts.isVariableStatement(node)) {
        if (meanings.value) {
          keep(node, name);
          untyped.delete(name);
          valueNames.add(name);
        }
      } else if (ts.isTypeAliasDeclaration(node) || ts.isInterfaceDeclaration(node)) {
        if (meanings.type) keep(node, name);
      } else if (ts.isClassDeclaration(node) || ts.isEnumDeclaration(node)) {
        // A class or enum is a value and a type at once: with its type replaced, the value stays as `any`.
        if (meanings.type) {
          if (meanings.value) keep(node, name);
        } else if (!valueNames.has(String(node.name?.escapedText))) {
          untyped.add(String(node.name?.escapedText));
        }
      } else if (ts.isImportDeclaration(node)) {
        if (meanings.type && meanings.value) {
          keep(node, name);
          continue;
        }
        const aliased = checker.getAliasedSymbol(symbol);
        if (!meanings.value) {
          // The type stays, unless what was imported is (also) a value, which the cell replaced.
          if (!(aliased.flags & ts.SymbolFlags.Value) && aliased.flags & ts.SymbolFlags.Type) keep(node, name);
          continue;
        }
        if (aliased.flags & ts.SymbolFlags.Type) {
          if (aliased.flags & ts.SymbolFlags.Value && !valueNames.has(String(aliased.escapedName)))
            untyped.add(String(aliased.escapedName));
          continue;
        }
        keep(node, name);
      } else if (ts.isFunctionDeclaration(node)) {
        if (meanings.value) keep(node, name);
      }
    }
  });
  const statements: Statement[] = [];
  for (const statement of earlier.statements) {
    const names = kept.get(statement);
    if (!names) continue;
    if (ts.isVariableStatement(statement)) {
      const declarations = statement.declarationList.declarations.filter(
        (declaration) => ts.isIdentifier(declaration.name) && names.has(String(declaration.name.escapedText)),
      );
      statements.push(
        ts.factory.updateVariableStatement(
          statement,
          statement.modifiers,
          ts.factory.updateVariableDeclarationList(statement.declarationList, declarations),
        ),
      );
    } else if (ts.isImportDeclaration(statement)) {
      const narrowed = importOf(ts, statement, names);
      if (narrowed) statements.push(narrowed);
    } else {
      statements.push(statement);
    }
  }
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const printed = printer.printFile(ts.factory.updateSourceFile(earlier, statements));
  return printed + [...untyped].map((name) => `let ${name}: any;\n`).join('');
}

/** `statement` importing only `names`; undefined when it would import nothing. */
function importOf(
  ts: TypeScript,
  statement: import('@tslab/typescript-for-tslab').ImportDeclaration,
  names: ReadonlySet<string>,
): import('@tslab/typescript-for-tslab').ImportDeclaration | undefined {
  const clause = statement.importClause;
  if (!clause) return undefined;
  const name = clause.name && names.has(String(clause.name.escapedText)) ? clause.name : undefined;
  let bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) {
    if (!names.has(String(bindings.name.escapedText))) bindings = undefined;
  } else if (bindings) {
    const elements = bindings.elements.filter((element) => names.has(String(element.name.escapedText)));
    bindings = elements.length > 0 ? ts.factory.updateNamedImports(bindings, elements) : undefined;
  }
  if (!name && !bindings) return undefined;
  return ts.factory.updateImportDeclaration(
    statement,
    statement.modifiers,
    ts.factory.updateImportClause(clause, clause.isTypeOnly, name, bindings),
    statement.moduleSpecifier,
    statement.assertClause,
  );
}
