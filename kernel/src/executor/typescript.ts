// Loads tslab's TypeScript and gives the kernel's cell converter (./converter) its program, tuned
// for start-up time: only @types/node is included automatically, files under node_modules and
// TypeScript's own libs are not watched, declarations come from the startup snapshot when there is
// one, weightlab's declarations, @types/node and TypeScript's libs are one file each when they were
// built (./declaration-bundle), and `weightlab` resolves to the kernel's copy of the library from
// any notebook folder.

import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import type { IsCompleteResult } from 'tslab/dist/converter';
import {
  codeCacheDirectory,
  pruneCodeCache,
  requireWithCodeCache,
  type CachedModule,
  type CodeCachePruneReport,
} from './code-cache';
import { kernelSnapshot, withSnapshotFiles, type KernelSnapshot } from './snapshot';
import { cellCompilerOptions, createConverter, type Converter } from './converter';
import {
  readDeclarationBundle,
  readFlatLibraries,
  type DeclarationBundle,
  type FlatLibraries,
} from './declaration-bundle';

export type { Converter, IsCompleteResult };
export type TypeScript = typeof import('@tslab/typescript-for-tslab');

/** tslab's converter module: the kernel uses its is_complete scanner (cells go through ./converter). */
interface ConverterModule {
  isCompleteCode(content: string): IsCompleteResult;
}

export interface LoadedTypeScript {
  ts: TypeScript;
  version: string;
  /** Stores the V8 code cache of TypeScript once it is warm (call after the first cells). */
  saveCodeCache(): void;
  /** Prunes the code cache folder, at most once a day (see pruneCodeCache); undefined when it did not. */
  pruneCodeCache(): CodeCachePruneReport | undefined;
  /**
   * A cell converter. `declarationBundle: false` leaves the bundles out (see declaration-bundle.ts):
   * its programs read the separate .d.ts files, as when none was built or they are stale.
   * @default { declarationBundle: true }
   */
  createConverter(options?: { declarationBundle?: boolean }): Converter;
  isCompleteCode(content: string): IsCompleteResult;
}

const TYPESCRIPT_PACKAGE = '@tslab/typescript-for-tslab';

function tslabDirectory(): string {
  return path.dirname(require.resolve('tslab/package.json'));
}

/**
 * Where `@types/node` lives for this kernel, so notebooks outside any project still get Node types:
 * the kernel's own copy first (it matches the Node the kernel needs), tslab's older one otherwise.
 * Notebooks inside this repository get the same copy, so the startup snapshot parses one @types/node.
 */
export function ownTypeRoot(): string | undefined {
  try {
    return path.dirname(
      path.dirname(require.resolve('@types/node/package.json', { paths: [__dirname, tslabDirectory()] })),
    );
  } catch {
    return undefined;
  }
}

/** The typescript package version without loading its 8 MB script. */
export function typescriptVersion(): string {
  const file = require.resolve(`${TYPESCRIPT_PACKAGE}/package.json`, { paths: [tslabDirectory()] });
  return (require(file) as { version: string }).version;
}

export function weightlabDirectory(): string {
  return path.dirname(require.resolve('weightlab/package.json'));
}

let dependencyFolders: Map<string, string> | undefined;

/**
 * The packages weightlab itself depends on (arquero, apache-arrow, fflate, vega-lite, …) and the
 * folders of the copies it uses. Cells import them from any folder, the notebook's own node_modules
 * or not, and get those same copies (an Arquero table from weightlab and `op` from 'arquero' then
 * come from one version). Found by walking node_modules folders, since some packages do not export
 * their package.json.
 */
export function weightlabDependencies(): Map<string, string> {
  if (dependencyFolders) return dependencyFolders;
  const library = weightlabDirectory();
  const manifest = require(path.join(library, 'package.json')) as { dependencies?: Record<string, string> };
  const searched = (Module as unknown as { _nodeModulePaths(directory: string): string[] })._nodeModulePaths(library);
  dependencyFolders = new Map();
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    const folder = searched
      .map((base) => path.join(base, name))
      .find((candidate) => fs.existsSync(path.join(candidate, 'package.json')));
    if (folder) dependencyFolders.set(name, folder);
  }
  return dependencyFolders;
}

/** `arquero` for 'arquero/dist/x', `@scope/name` for '@scope/name/y'. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const IGNORED_WATCH = {
  close(): void {
    /* nothing was watched */
  },
};

function tuneSystem(ts: TypeScript): void {
  const sys = ts.sys as typeof ts.sys & { weightlabTuned?: boolean };
  if (sys.weightlabTuned) return;
  sys.weightlabTuned = true;
  const libDirectory = path.dirname(ts.getDefaultLibFilePath({}));
  const watchFile = sys.watchFile!.bind(sys);
  // Installed packages and TypeScript's libs do not change during a session; watching them costs
  // one fs watcher per .d.ts at start-up. The user's own .ts files are still watched.
  sys.watchFile = (file, callback, interval, options) =>
    file.includes('/node_modules/') || file.startsWith(libDirectory) || file.startsWith(DECLARATIONS_FOLDER)
      ? IGNORED_WATCH
      : watchFile(file, callback, interval, options);
  // Recursive directory watching walks node_modules trees (readdir on every folder) to notice
  // new packages; a kernel restart picks those up instead.
  sys.watchDirectory = () => IGNORED_WATCH;
}

/** A notebook's type roots: its project's (`projectRoots`) first, then the kernel's own. */
function withOwnTypeRoot(projectRoots: readonly string[]): string[] {
  const typeRoots = [...projectRoots];
  const own = ownTypeRoot();
  if (own && !typeRoots.includes(own)) typeRoots.push(own);
  return typeRoots;
}

function tuneOptions(
  ts: TypeScript,
  options: import('@tslab/typescript-for-tslab').CompilerOptions,
): import('@tslab/typescript-for-tslab').CompilerOptions {
  return {
    ...options,
    typeRoots: withOwnTypeRoot(options.typeRoots ?? []),
    // Every @types package next to the notebook would otherwise be parsed at start-up.
    types: ['node'],
    paths: { ...(options.paths ?? {}), weightlab: [weightlabDirectory()], ...dependencyPaths() },
    pathsBasePath: options.rootDir,
  } as typeof options;
}

function dependencyPaths(): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const [name, folder] of weightlabDependencies()) {
    paths[name] = [folder];
    paths[`${name}/*`] = [`${folder}/*`];
  }
  return paths;
}

type Program = import('@tslab/typescript-for-tslab').Program;
type WriteFileCallback = import('@tslab/typescript-for-tslab').WriteFileCallback;
type CancellationToken = import('@tslab/typescript-for-tslab').CancellationToken;
type CustomTransformers = import('@tslab/typescript-for-tslab').CustomTransformers;
type SourceFile = import('@tslab/typescript-for-tslab').SourceFile;
type CompilerHost = import('@tslab/typescript-for-tslab').CompilerHost;

/** Where kernel/scripts/build-declarations.js writes the weightlab and @types/node bundles and the flattened libs. */
const DECLARATIONS_FOLDER = path.resolve(__dirname, '..', 'declarations');
export const DECLARATION_BUNDLE_FILE = path.join(DECLARATIONS_FOLDER, 'weightlab.d.ts');
export const LIBRARIES_FILE = path.join(DECLARATIONS_FOLDER, 'libraries.d.ts');
export const NODE_TYPES_FILE = path.join(DECLARATIONS_FOLDER, 'node.d.ts');

/** The flattened libraries when they are fresh and stand for the converter's `lib`. */
export function flatLibraries(ts: TypeScript): FlatLibraries | undefined {
  return readFlatLibraries(LIBRARIES_FILE, ts.version, cellCompilerOptions(ts).lib ?? []);
}

/**
 * The @types/node bundle (see bundleNodeTypes) when it is fresh and made from the @types/node
 * that a notebook in `directory` gets (its project's @types come first, then the kernel's own).
 */
export function nodeTypesFor(ts: TypeScript, directory: string): DeclarationBundle | undefined {
  const bundle = readDeclarationBundle(NODE_TYPES_FILE, ts.version);
  if (!bundle?.typeRoot) return undefined;
  // The converter's type roots (it passes the project's to tuneOptions); `node` is the first that has it.
  const typeRoots = withOwnTypeRoot(ts.getDefaultTypeRoots(directory, ts.sys) ?? []);
  const used = typeRoots.find((root) => fs.existsSync(path.join(root, 'node', 'package.json')));
  return used === bundle.typeRoot ? bundle : undefined;
}

/** What a program reads as one file each instead of many (see declaration-bundle.ts). */
interface Bundles {
  /** Module names declared by the bundles: their imports are not resolved to files. */
  modules: ReadonlySet<string>;
  /** The file the type directive `node` (types: ['node'], `/// <reference types="node" />`) reads. */
  nodeTypes?: string;
}

/**
 * `host` resolving no module the bundles declare, so none of those files enters the program (the
 * checker finds an ambient module by the name before it would look for a resolved file), and the
 * type directive `node` to the @types/node bundle.
 */
function withBundles(host: CompilerHost | undefined, bundles: Bundles | undefined) {
  const resolveLiterals = host?.resolveModuleNameLiterals;
  const resolveDirectives = host?.resolveTypeReferenceDirectiveReferences;
  if (!host || !bundles || !resolveLiterals || !resolveDirectives) return host;
  const wrapped: CompilerHost = Object.create(host) as CompilerHost;
  const { modules, nodeTypes } = bundles;
  wrapped.resolveModuleNameLiterals = (literals, containingFile, ...rest) =>
    resolveEach<
      import('@tslab/typescript-for-tslab').StringLiteralLike,
      import('@tslab/typescript-for-tslab').ResolvedModuleWithFailedLookupLocations
    >(
      literals,
      (literal) => modules.has(literal.text),
      () => ({ resolvedModule: undefined }),
      (others) => resolveLiterals.call(host, others, containingFile, ...rest),
    );
  if (nodeTypes) {
    const isNode = (reference: string | { fileName: string }) =>
      (typeof reference === 'string' ? reference : reference.fileName).toLowerCase() === 'node';
    wrapped.resolveTypeReferenceDirectiveReferences = (references, containingFile, ...rest) =>
      resolveEach<
        string | import('@tslab/typescript-for-tslab').FileReference,
        import('@tslab/typescript-for-tslab').ResolvedTypeReferenceDirectiveWithFailedLookupLocations
      >(
        references,
        isNode,
        () => ({
          resolvedTypeReferenceDirective: { primary: true, resolvedFileName: nodeTypes, isExternalLibraryImport: true },
        }),
        (others) => resolveDirectives.call(host, others, containingFile, ...rest),
      );
  }
  return wrapped;
}

/** Resolutions of `items` in their order: `bundled` for those `isBundled` says, the host's for the others. */
function resolveEach<Item, Resolution>(
  items: readonly Item[],
  isBundled: (item: Item) => boolean,
  bundled: () => Resolution,
  host: (others: Item[]) => readonly Resolution[],
): Resolution[] {
  const others = items.filter((item) => !isBundled(item));
  const resolved = others.length > 0 ? host(others) : [];
  let next = 0;
  return items.map((item) => (isBundled(item) ? bundled() : resolved[next++]));
}

/**
 * A stand-in for TypeScript's EmitAndSemanticDiagnosticsBuilderProgram with only what the watch
 * program and the cell converter call. The real builder recomputes every file's import graph
 * with the type checker on each program update (once per cell):
 * a cost that grows with weightlab's .d.ts surface and that a notebook never needs.
 */
function lightBuilder(
  ts: TypeScript,
  snapshot: KernelSnapshot | undefined,
  bundles: Bundles | undefined,
  rootNames: readonly string[] | undefined,
  options: import('@tslab/typescript-for-tslab').CompilerOptions | undefined,
  host: import('@tslab/typescript-for-tslab').CompilerHost | undefined,
  old: { getProgramOrUndefined(): Program | undefined } | undefined,
  configFileParsingDiagnostics?: readonly import('@tslab/typescript-for-tslab').Diagnostic[],
  projectReferences?: readonly import('@tslab/typescript-for-tslab').ProjectReference[],
): unknown {
  const program = ts.createProgram({
    rootNames: rootNames ?? [],
    options: options ?? {},
    // Declarations parsed and bound in the startup snapshot are taken as they are.
    host: withBundles(withSnapshotFiles(host, snapshot), bundles),
    oldProgram: old?.getProgramOrUndefined(),
    configFileParsingDiagnostics,
    projectReferences,
  });
  // Binding happens with the checker, which every use of the program needs.
  program.getTypeChecker();
  return {
    getProgram: () => program,
    getProgramOrUndefined: () => program,
    releaseProgram: () => undefined,
    getCompilerOptions: () => program.getCompilerOptions(),
    getSourceFile: (file: string) => program.getSourceFile(file),
    getSourceFiles: () => program.getSourceFiles(),
    getCurrentDirectory: () => program.getCurrentDirectory(),
    getOptionsDiagnostics: () => program.getOptionsDiagnostics(),
    getGlobalDiagnostics: () => program.getGlobalDiagnostics(),
    getConfigFileParsingDiagnostics: () => program.getConfigFileParsingDiagnostics(),
    getSyntacticDiagnostics: (file?: SourceFile) => program.getSyntacticDiagnostics(file),
    getSemanticDiagnostics: (file?: SourceFile) => program.getSemanticDiagnostics(file),
    getDeclarationDiagnostics: (file?: SourceFile) => program.getDeclarationDiagnostics(file),
    // forceDtsEmit (Program.emit's internal sixth argument): a declaration TypeScript cannot name
    // portably (TS2742, see DECLARATION_ONLY) is still written, by path, instead of dropping the
    // cell's whole declaration file and with it every name the cell declared.
    emit: (
      target?: SourceFile,
      write?: WriteFileCallback,
      token?: CancellationToken,
      onlyDts?: boolean,
      transformers?: CustomTransformers,
    ) =>
      (program.emit as (...args: unknown[]) => ReturnType<Program['emit']>)(
        target,
        write,
        token,
        onlyDts,
        transformers,
        true,
      ),
  };
}

type LightBuilderArguments =
  Parameters<typeof lightBuilder> extends [unknown, unknown, unknown, ...infer Rest] ? Rest : never;

/**
 * Diagnostics about the declaration file the converter emits for a cell (it carries the cell's
 * types to the next cells), not about the user's code: TS2742 ("the inferred type of 't' cannot be
 * named without a reference to '…/node_modules/arquero/…'") fires for a top-level value whose type
 * lives in a package outside the notebook's folder, e.g. `const t = zoo.table()` in a notebook
 * outside the repository, and the converter then drops the whole cell. The emitted declaration
 * names the type by its path, which the next cells resolve.
 */
const DECLARATION_ONLY = new Set([2742]);

let loaded: LoadedTypeScript | undefined;

/** Registers the snapshot's TypeScript as the module at `file`; there is no code cache to save. */
function fromSnapshot(file: string, snapshot: KernelSnapshot): CachedModule {
  const module = new Module(file, undefined);
  module.filename = file;
  module.exports = snapshot.ts;
  module.loaded = true;
  require.cache[file] = module;
  return {
    exports: snapshot.ts,
    save: () => undefined,
    // TypeScript's own entry is not used from a snapshot; the folder still gets its daily pruning.
    prune: () => {
      const directory = codeCacheDirectory();
      try {
        return directory ? pruneCodeCache(directory) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** Loads TypeScript (and tslab's converter module, for isCompleteCode) once per process. */
export function loadTypeScript(): LoadedTypeScript {
  if (loaded) return loaded;
  const tsPath = require.resolve(TYPESCRIPT_PACKAGE, { paths: [tslabDirectory()] });
  // Started from the kernel's startup snapshot: TypeScript is already evaluated there, and the
  // snapshot's parsed files only fit that same instance, so every require of it must get this one.
  const snapshot = kernelSnapshot(tsPath);
  const cached = snapshot ? fromSnapshot(tsPath, snapshot) : requireWithCodeCache(tsPath);
  const ts = cached.exports as TypeScript;
  tuneSystem(ts);
  const moduleRequire = Module.prototype as unknown as { require: (id: string) => unknown };
  const originalRequire = moduleRequire.require;
  const converterPath = require.resolve('tslab/dist/converter');
  delete require.cache[converterPath];
  moduleRequire.require = function (this: unknown, id: string) {
    return id === TYPESCRIPT_PACKAGE ? ts : originalRequire.call(this, id);
  };
  let converterModule: ConverterModule;
  try {
    converterModule = require(converterPath) as ConverterModule;
  } finally {
    moduleRequire.require = originalRequire;
  }
  loaded = {
    ts,
    version: ts.version,
    saveCodeCache: () => cached.save(),
    pruneCodeCache: () => cached.prune(),
    createConverter: ({ declarationBundle = true } = {}) => {
      // Read when the checker is built (a few hundred stats), not at load, which the first cell waits for.
      const bundle = declarationBundle ? readDeclarationBundle(DECLARATION_BUNDLE_FILE, ts.version) : undefined;
      const nodeTypes = declarationBundle ? nodeTypesFor(ts, ts.sys.getCurrentDirectory()) : undefined;
      const bundles: Bundles | undefined =
        bundle || nodeTypes
          ? {
              modules: new Set([...(bundle?.modules ?? []), ...(nodeTypes?.modules ?? [])]),
              nodeTypes: nodeTypes?.file,
            }
          : undefined;
      return createConverter(ts, {
        rootFiles: bundle ? [bundle.file] : [],
        defaultLibrary: declarationBundle ? flatLibraries(ts) : undefined,
        tuneOptions: (options) => tuneOptions(ts, options),
        createProgram: (...args: LightBuilderArguments) => lightBuilder(ts, snapshot, bundles, ...args),
        keepDiagnostic: (diagnostic) => !DECLARATION_ONLY.has(diagnostic.code),
      });
    },
    isCompleteCode: (content) => converterModule.isCompleteCode(content),
  };
  return loaded;
}
