// The script V8 startup snapshots are built from (issue #20: the first cell within a second of
// launch). Most of a cold start is TypeScript reading itself (an 8 MB script) and parsing and
// binding the same 2-3 MB of declarations every time: lib.es2022, @types/node and weightlab's own
// .d.ts surface. Built once per machine by kernel/scripts/build-snapshot.js:
//   node --snapshot-blob dist/kernel.blob --build-snapshot dist/kernel/snapshot-entry.js
// it evaluates TypeScript and parses and binds those files into the heap. A kernel started with
// `node --snapshot-blob dist/kernel.blob dist/kernel/entry.js ...` begins with them in memory; the
// deserialized main below loads the kernel as usual, and the executor takes TypeScript and the
// parsed files from kernel/src/executor/snapshot.ts instead of reading them again.
//
// A snapshot builder may require only Node's built-in modules and runs its entry as a plain script
// (no `exports`), so this file is a script, not a module: built-ins through require, project types
// through import() types, everything inside one function so that nothing becomes a global name.
// It loads TypeScript's single CommonJS file from its source by hand.

(function buildKernelSnapshot(): void {
  type TypeScript = typeof import('@tslab/typescript-for-tslab');
  type KernelSnapshot = import('../executor/snapshot').KernelSnapshot;
  type SnapshotConfig = import('../executor/snapshot').SnapshotConfig;
  type SnapshotSourceFile = import('../executor/snapshot').SnapshotSourceFile;

  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const v8 = require('node:v8') as typeof import('node:v8');

  /** Where the deserialized kernel finds the snapshot's state (read by kernel/src/executor/snapshot.ts). */
  const SNAPSHOT_KEY = Symbol.for('weightlab.kernelSnapshot');

  /** Node's default Error.stackTraceLimit, what an ordinary start has. */
  const NODE_STACK_TRACE_LIMIT = 10;

  /** Evaluates a CommonJS file with the usual module wrapper; its `require` reaches built-in modules only. */
  function evaluateCommonJs(file: string): unknown {
    const module = { exports: {} as unknown };
    // sourceURL keeps the file's name in stack traces of functions compiled from this text.
    const body = `${fs.readFileSync(file, 'utf8')}\n//# sourceURL=${file}`;
    const wrapper = new Function('exports', 'require', 'module', '__filename', '__dirname', body);
    wrapper.call(module.exports, module.exports, require, module, file, path.dirname(file));
    return module.exports;
  }

  /**
   * Parses and binds what every kernel's program holds before the first cell: TypeScript's libs,
   * @types/node and everything `import * as weightlab` reaches (the declaration files of
   * declaration-bundle.ts where they were built), with the cell converter's options
   * (config.compilerOptions) and the kernel's types; module resolution depends on the notebook's
   * folder and is redone by each kernel.
   */
  function parseDeclarations(ts: TypeScript, config: SnapshotConfig): Map<string, SnapshotSourceFile> {
    const files = new Map<string, SnapshotSourceFile>();
    // A notebook inside a project gets the project's @types/node, one elsewhere the kernel's own:
    // one program per type root, the later ones taking the files the earlier ones parsed.
    for (const typeRoot of config.typeRoots) {
      const options: import('@tslab/typescript-for-tslab').CompilerOptions = {
        ...config.compilerOptions,
        ...(config.defaultLibrary ? { lib: undefined } : {}),
        typeRoots: [typeRoot],
        types: ['node'],
        noEmit: true,
      };
      const root = path.join(config.library, '__weightlab_snapshot__.ts');
      const bundle = config.declarations;
      // With the bundle, 'weightlab' is its ambient module, as in the kernel's programs.
      const source = `import * as weightlab from ${JSON.stringify(bundle ? 'weightlab' : config.library)};\nexport { weightlab };\n`;
      const host = ts.createCompilerHost(options);
      const defaultLibrary = config.defaultLibrary;
      const flattened = new Set(defaultLibrary?.sources ?? []);
      if (defaultLibrary) host.getDefaultLibFileName = () => defaultLibrary.file;
      // As the kernel's programs do (typescript.ts, withBundles): the bundles' modules are not
      // resolved to files, and `node` is the @types/node bundle where it was made from this type root.
      const nodeTypes = config.nodeTypes?.typeRoot === typeRoot ? config.nodeTypes : undefined;
      const bundled = new Set([...(bundle?.modules ?? []), ...(nodeTypes?.modules ?? [])]);
      if (bundled.size > 0) {
        host.resolveModuleNames = (names, containingFile, _reused, redirected, resolutionOptions) =>
          names.map((name) =>
            bundled.has(name)
              ? undefined
              : ts.resolveModuleName(name, containingFile, resolutionOptions, host, undefined, redirected)
                  .resolvedModule,
          );
      }
      if (nodeTypes) {
        host.resolveTypeReferenceDirectives = (names, containingFile, redirected, resolutionOptions) =>
          names.map((name) => {
            const directive = typeof name === 'string' ? name : name.fileName;
            return directive.toLowerCase() === 'node'
              ? { primary: true, resolvedFileName: nodeTypes.file, isExternalLibraryImport: true }
              : ts.resolveTypeReferenceDirective(directive, containingFile, resolutionOptions, host, redirected)
                  .resolvedTypeReferenceDirective;
          });
      }
      const readFile = host.readFile.bind(host);
      const fileExists = host.fileExists.bind(host);
      const getSourceFile = host.getSourceFile.bind(host);
      host.readFile = (file) => (file === root ? source : flattened.has(file) ? defaultLibrary!.stub : readFile(file));
      host.fileExists = (file) => file === root || fileExists(file);
      host.getSourceFile = (file, ...rest) => files.get(file)?.file ?? getSourceFile(file, ...rest);
      const program = ts.createProgram({ rootNames: bundle ? [bundle.file, root] : [root], options, host });
      // The checker binds every file: symbol tables and flow nodes then live on the SourceFiles,
      // which the binder skips when a later program reuses them.
      program.getTypeChecker();
      for (const file of program.getSourceFiles()) {
        if (!file.isDeclarationFile || files.has(file.fileName)) continue;
        const stat = fs.statSync(file.fileName);
        files.set(file.fileName, { file, size: stat.size, mtimeMs: stat.mtimeMs });
      }
    }
    return files;
  }

  function build(): void {
    const config = JSON.parse(process.env.WEIGHTLAB_SNAPSHOT_CONFIG ?? 'null') as SnapshotConfig | null;
    if (!config) throw new Error('WEIGHTLAB_SNAPSHOT_CONFIG is not set (kernel/scripts/build-snapshot.js sets it)');
    const ts = evaluateCommonJs(config.typescript) as TypeScript;
    const state: KernelSnapshot = {
      typescript: config.typescript,
      ts,
      files: parseDeclarations(ts, config),
      nodeVersion: process.version,
    };
    (globalThis as Record<symbol, unknown>)[SNAPSHOT_KEY] = state;
    v8.startupSnapshot.setDeserializeMainFunction(() => {
      // The builder runs with Error.stackTraceLimit undefined and Node restores that value, so
      // errors would carry no stack at all: set what an ordinary start has.
      if (typeof Error.stackTraceLimit !== 'number') Error.stackTraceLimit = NODE_STACK_TRACE_LIMIT;
      // `node --snapshot-blob BLOB ENTRY ARGS...`: process.argv[1] is the kernel's entry script.
      const entry = process.argv[1];
      if (!entry) {
        process.stderr.write('usage: node --snapshot-blob kernel.blob entry.js --connection-file FILE\n');
        process.exit(2);
      }
      // Required here, not while building: the builder does not support node:module's state.
      const { createRequire } = require('node:module') as typeof import('node:module');
      createRequire(path.resolve(entry))(path.resolve(entry));
    });
  }

  build();
})();
