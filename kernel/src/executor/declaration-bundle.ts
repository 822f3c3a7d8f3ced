// Declaration files the kernel's cell programs read as one file each (issue #20: a trivial cell
// within 8 ms). Every cell is a new TypeScript program, and creating one walks every file of the
// last: reusing each file, its options and paths, binding, the checker's resolver. A cell program
// held 390 files: 233 of weightlab and the packages its declarations import (arquero, flechette,
// ...), 100 of @types/node and undici-types, 55 of TypeScript's libs; now it holds six, and a
// trivial cell right after start takes about 6 ms instead of 10 (npm run bench:kernel).
//
// - bundleDeclarations: each module declaration file becomes an ambient module declaration
//   (`declare module "arquero/dist/types/op/op" {...}`) in one file, its import specifiers
//   rewritten to the modules' names. The checker finds an ambient module by its name before it
//   would look for a resolved file, and the kernel's programs (typescript.ts) resolve those names
//   to no file, so the separate files never enter the program.
// - bundleNodeTypes: @types/node's global scripts concatenated in the order a program reads them,
//   its module files and undici-types as ambient modules; the type directive `node` reads it.
// - flattenLibraries: TypeScript's libs concatenated in the same order, one default library.
//
// A module's name is its package's name and its path in the package (`weightlab/dist/zoo/zoo`),
// or the bare package name for the file the package's `types` points at, so what a cell writes
// (`import { op } from 'arquero'`) and what the declaration emit writes for an earlier cell's types
// (`import("weightlab/dist/zoo/zoo").Zoo`) are those names. All three are made by
// kernel/scripts/build-declarations.js; a kernel reads one only while each of its source files is
// as it was then (readDeclarationBundle), and the separate files otherwise.

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

type TypeScript = typeof import('@tslab/typescript-for-tslab');
type CompilerOptions = import('@tslab/typescript-for-tslab').CompilerOptions;
type ModuleResolutionHost = import('@tslab/typescript-for-tslab').ModuleResolutionHost;
type Node = import('@tslab/typescript-for-tslab').Node;
type SourceFile = import('@tslab/typescript-for-tslab').SourceFile;
type StringLiteralLike = import('@tslab/typescript-for-tslab').StringLiteralLike;

/** What build-declarations.js writes next to the bundle (`<bundle>.json`). */
export interface DeclarationBundleManifest {
  /** The TypeScript version that parsed the sources. */
  typescript: string;
  /** The ambient modules the bundle declares, in its order. */
  modules: string[];
  /** Every file it was made from, with its size and modification time then. */
  sources: { file: string; size: number; mtimeMs: number }[];
  /** For flattened libraries: the `lib` option they stand for. */
  libraries?: string[];
  /** For @types/node (bundleNodeTypes): the @types folder it is the `node` of. */
  typeRoot?: string;
}

export interface DeclarationBundle {
  /** The bundle's path: a root file of every cell program. */
  file: string;
  /** The module names it declares: their imports are not resolved to files. */
  modules: ReadonlySet<string>;
  /** The files it was made from. */
  sources: readonly string[];
  /** For flattened libraries: the `lib` option they stand for. */
  libraries?: readonly string[];
  /** For @types/node: the @types folder it is the `node` of. */
  typeRoot?: string;
}

/** A declaration file that cannot become an ambient module: the bundle is not built. */
export class DeclarationBundleError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'DeclarationBundleError';
  }
}

/**
 * The bundle of `entry` (a module specifier, resolved from `fromDirectory`) and every module
 * declaration file it reaches, except global scripts reached by a package name (@types/node's
 * ambient modules, which bundleNodeTypes makes one file of) and names that resolve to no file
 * (those ambient modules themselves).
 */
export function bundleDeclarations(
  ts: TypeScript,
  entry: string,
  fromDirectory: string,
  options: CompilerOptions,
): { text: string; manifest: DeclarationBundleManifest } {
  const entryFile = ts.resolveModuleName(entry, path.join(fromDirectory, '__bundle__.ts'), options, ts.sys)
    .resolvedModule?.resolvedFileName;
  if (!entryFile) throw new DeclarationBundleError(entry, `no declaration file found from ${fromDirectory}`);
  const bundled = ambientModules(ts, [entryFile], options);
  const header =
    `// weightlab's declarations and those of the packages they import, as ambient modules for the\n` +
    `// weightlab kernel's cell programs (made by kernel/scripts/build-declarations.js; do not edit).\n`;
  return {
    text: `${bundled.directives.map((line) => `${line}\n`).join('')}${header}${bundled.chunks.join('')}`,
    manifest: { typescript: ts.version, modules: bundled.modules, sources: bundled.sources },
  };
}

/** Ambient module declarations of `entries` and of every module declaration file they import. */
function ambientModules(
  ts: TypeScript,
  entries: readonly string[],
  options: CompilerOptions,
): { chunks: string[]; directives: string[]; modules: string[]; sources: DeclarationBundleManifest['sources'] } {
  const host: ModuleResolutionHost = ts.sys;
  const resolve = (specifier: string, containingFile: string): string | undefined =>
    ts.resolveModuleName(specifier, containingFile, options, host).resolvedModule?.resolvedFileName;
  const names = new Map<string, string>();
  const parsed = new Map<string, SourceFile>();
  /** Files named but not yet bundled, in the order they were first reached. */
  const pending: string[] = [];
  const directives = new Set<string>();
  const chunks: string[] = [];
  const modules: string[] = [];
  const sources: DeclarationBundleManifest['sources'] = [];
  const parse = (file: string): SourceFile => {
    let source = parsed.get(file);
    if (!source) {
      if (!file.endsWith('.d.ts')) throw new DeclarationBundleError(file, 'expected a declaration file (.d.ts)');
      source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
      parsed.set(file, source);
    }
    return source;
  };
  const nameOf = (file: string): string => {
    let name = names.get(file);
    if (!name) {
      name = moduleName(ts, file, options, host);
      names.set(file, name);
      pending.push(file);
    }
    return name;
  };
  entries.forEach(nameOf);
  while (pending.length > 0) {
    const file = pending.shift()!;
    const source = parse(file);
    if (!ts.isExternalModule(source)) throw new DeclarationBundleError(file, 'a global script, not a module');
    if (source.referencedFiles.length > 0)
      throw new DeclarationBundleError(file, `/// <reference path="${source.referencedFiles[0].fileName}" />`);
    for (const reference of source.typeReferenceDirectives)
      directives.add(`/// <reference types="${reference.fileName}" />`);
    for (const reference of source.libReferenceDirectives)
      directives.add(`/// <reference lib="${reference.fileName}" />`);
    const edits: { start: number; end: number; text: string }[] = [];
    for (const literal of moduleSpecifiers(ts, source)) {
      const target = resolve(literal.text, file);
      const relative = ts.isExternalModuleNameRelative(literal.text);
      if (!target) {
        if (relative) throw new DeclarationBundleError(file, `'${literal.text}' resolves to no file`);
        continue;
      }
      const targetSource = target.endsWith('.d.ts') ? parse(target) : undefined;
      if (!targetSource || !ts.isExternalModule(targetSource)) {
        // A package's global declarations (@types/node) stay where they are.
        if (relative) throw new DeclarationBundleError(file, `'${literal.text}' is not a module declaration file`);
        continue;
      }
      const name = nameOf(target);
      edits.push({ start: literal.getStart(source), end: literal.end, text: JSON.stringify(name) });
    }
    let text = source.text;
    for (const edit of edits.sort((a, b) => b.start - a.start))
      text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    // An ambient module exports every declaration unless it has an export of its own; `export {}`
    // keeps a file's unexported helpers its own, as they were (not with `export =`, which is one).
    const exportAssignment = source.statements.some(
      (statement) => ts.isExportAssignment(statement) && statement.isExportEquals,
    );
    const name = names.get(file)!;
    chunks.push(`declare module ${JSON.stringify(name)} {\n${text}\n${exportAssignment ? '' : 'export {};\n'}}\n`);
    modules.push(name);
    const stat = statSync(file);
    sources.push({ file, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  return { chunks, directives: [...directives], modules, sources };
}

/**
 * @types/node (in `typeRoot`) as one file: its global scripts (59 files that index.d.ts
 * references) in the order a program holds them, without the references between them, then its
 * module files (web-globals, whose `declare global` adds fetch, events and the like) and the
 * undici-types modules they import, as ambient modules. The kernel's programs read it for the
 * type directive `node` when the notebook's @types/node is the one in `typeRoot`.
 */
export function bundleNodeTypes(
  ts: TypeScript,
  typeRoot: string,
  options: CompilerOptions,
): { text: string; manifest: DeclarationBundleManifest } {
  const programOptions: CompilerOptions = { ...options, types: ['node'], typeRoots: [typeRoot], noEmit: true };
  const program = programOfNothing(ts, programOptions);
  const folder = `${path.join(typeRoot, 'node')}/`;
  const files = program.getSourceFiles().filter((file) => file.fileName.startsWith(folder));
  if (files.length === 0) throw new DeclarationBundleError(folder, 'no @types/node there');
  const scripts = files.filter((file) => !ts.isExternalModule(file));
  const directives = new Set<string>();
  const texts: string[] = [];
  const sources: DeclarationBundleManifest['sources'] = [];
  for (const file of scripts) {
    for (const reference of file.libReferenceDirectives)
      directives.add(`/// <reference lib="${reference.fileName}" />`);
    if (file.typeReferenceDirectives.length > 0)
      throw new DeclarationBundleError(
        file.fileName,
        `/// <reference types="${file.typeReferenceDirectives[0].fileName}" />`,
      );
    texts.push(
      `// ${path.relative(folder, file.fileName)}\n${file.text.replace(/^\/\/\/ <reference (path|lib)=.*$/gm, '')}`,
    );
    const stat = statSync(file.fileName);
    sources.push({ file: file.fileName, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  const modules = ambientModules(
    ts,
    files.filter((file) => ts.isExternalModule(file)).map((file) => file.fileName),
    programOptions,
  );
  for (const line of modules.directives) if (!line.startsWith('/// <reference types="node"')) directives.add(line);
  const header =
    `// @types/node and the undici-types it imports, as one file for the weightlab kernel's cell programs\n` +
    `// (made by kernel/scripts/build-declarations.js; do not edit).\n`;
  return {
    text: `${[...directives].map((line) => `${line}\n`).join('')}${header}${texts.join('\n')}\n${modules.chunks.join('')}`,
    manifest: {
      typescript: ts.version,
      modules: modules.modules,
      sources: [...sources, ...modules.sources],
      typeRoot,
    },
  };
}

/**
 * Every module name a declaration file refers to: imports and exports `from`, `import x =
 * require()`, and `import("…")` types. A module augmentation (`declare module "x"` inside a
 * module) or a UMD global (`export as namespace`) cannot be nested in an ambient module.
 */
function moduleSpecifiers(ts: TypeScript, source: SourceFile): StringLiteralLike[] {
  const found: StringLiteralLike[] = [];
  const visit = (node: Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteralLike(node.moduleSpecifier)) found.push(node.moduleSpecifier);
    } else if (ts.isExternalModuleReference(node) && ts.isStringLiteralLike(node.expression)) {
      found.push(node.expression);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteralLike(node.argument.literal)
    ) {
      found.push(node.argument.literal);
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteralLike(node.name)) {
      throw new DeclarationBundleError(source.fileName, `module augmentation declare module '${node.name.text}'`);
    } else if (ts.isNamespaceExportDeclaration(node)) {
      throw new DeclarationBundleError(source.fileName, `export as namespace ${node.name.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * `<package name>/<path in the package, without .d.ts>`, or the package's name alone for the
 * file its `types` (or `typings`, or index.d.ts) points at.
 */
function moduleName(ts: TypeScript, file: string, options: CompilerOptions, host: ModuleResolutionHost): string {
  for (let directory = path.dirname(file); ; directory = path.dirname(directory)) {
    const manifestFile = path.join(directory, 'package.json');
    if (host.fileExists(manifestFile)) {
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { name?: string };
      if (manifest.name) {
        // The package's own entry, as a cell importing the bare name would resolve it.
        const entry = ts.resolveModuleName(
          directory,
          path.join(directory, '__bundle__.ts'),
          options,
          host,
        ).resolvedModule;
        if (entry?.resolvedFileName === file) return manifest.name;
        return `${manifest.name}/${path
          .relative(directory, file)
          .split(path.sep)
          .join('/')
          .replace(/\.d\.ts$/, '')}`;
      }
    }
    if (path.dirname(directory) === directory) throw new DeclarationBundleError(file, 'in no package with a name');
  }
}

/**
 * The bundle at `file` when its manifest says it was made by this TypeScript from the files that
 * are there now (sizes and modification times); undefined otherwise, and the kernel's programs
 * read the separate files as they always could.
 */
export function readDeclarationBundle(file: string, typescriptVersion: string): DeclarationBundle | undefined {
  let manifest: DeclarationBundleManifest;
  try {
    manifest = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as DeclarationBundleManifest;
    if (manifest.typescript !== typescriptVersion) return undefined;
    for (const source of manifest.sources) {
      const stat = statSync(source.file);
      if (stat.size !== source.size || stat.mtimeMs !== source.mtimeMs) return undefined;
    }
    statSync(file);
  } catch {
    return undefined;
  }
  return {
    file,
    modules: new Set(manifest.modules),
    sources: manifest.sources.map((source) => source.file),
    libraries: manifest.libraries,
    typeRoot: manifest.typeRoot,
  };
}

/** Flattened libraries, and the lib files they hold (see flattenLibraries). */
export interface FlatLibraries {
  file: string;
  /**
   * The lib files in it: a `/// <reference lib>` elsewhere (@types/node's es2020, a cell's own)
   * that reaches one of them must read LIBRARY_STUB instead, or its declarations come twice.
   */
  sources: readonly string[];
}

/** What a lib file already in the flattened libraries reads as: nothing (a default library still). */
export const LIBRARY_STUB = '/// <reference no-default-lib="true"/>\n// in the flattened libraries\n';

/** The flattened libraries at `file` when fresh (readDeclarationBundle) and made for these `lib`s. */
export function readFlatLibraries(
  file: string,
  typescriptVersion: string,
  libraries: readonly string[],
): FlatLibraries | undefined {
  const flattened = readDeclarationBundle(file, typescriptVersion);
  const made = flattened?.libraries ?? [];
  if (!flattened || made.length !== libraries.length || made.some((library, index) => library !== libraries[index]))
    return undefined;
  return { file, sources: flattened.sources };
}

/**
 * TypeScript's libs for `options.lib` (lib.es2022.d.ts and the 50-odd files it references) as one
 * default library: their texts in the order a program holds them (the order declarations merge
 * in, which orders merged overloads), without the `/// <reference lib>` lines between them. A
 * program given this file as its default library (and no `lib`) has the same global declarations.
 */
export function flattenLibraries(
  ts: TypeScript,
  options: CompilerOptions,
): { text: string; manifest: DeclarationBundleManifest } {
  const libraries = options.lib ?? [];
  if (libraries.length === 0)
    throw new DeclarationBundleError('lib', 'no libraries to flatten (the `lib` option is empty)');
  const program = programOfNothing(ts, { ...options, types: [], noEmit: true });
  const files = program.getSourceFiles().filter((file) => program.isSourceFileDefaultLibrary(file));
  const manifest: DeclarationBundleManifest = { typescript: ts.version, modules: [], sources: [], libraries };
  const texts: string[] = [];
  for (const file of files) {
    texts.push(
      `// ${path.basename(file.fileName)}\n${file.text.replace(/^\/\/\/ <reference (lib|no-default-lib)=.*$/gm, '')}`,
    );
    const stat = statSync(file.fileName);
    manifest.sources.push({ file: file.fileName, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  const header =
    `/// <reference no-default-lib="true"/>\n` +
    `// TypeScript's ${libraries.join(', ')} and the libs they reference, flattened into one default library for\n` +
    `// the weightlab kernel's cell programs (made by kernel/scripts/build-declarations.js; do not edit).\n`;
  return { text: header + texts.join('\n'), manifest };
}

/** A program whose only root is an empty module: what `options` alone bring in (libs, types). */
function programOfNothing(ts: TypeScript, options: CompilerOptions): import('@tslab/typescript-for-tslab').Program {
  const host = ts.createCompilerHost(options);
  const root = path.join(ts.sys.getCurrentDirectory(), '__nothing__.ts');
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, ...rest) =>
    file === root ? ts.createSourceFile(root, 'export {};\n', ts.ScriptTarget.ES2022) : getSourceFile(file, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === root || fileExists(file);
  return ts.createProgram({ rootNames: [root], options, host });
}
