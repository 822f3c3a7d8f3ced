// The executor's side of the kernel's V8 startup snapshot (built from kernel/src/kernel/snapshot-entry.ts):
// when the process was started from one, TypeScript and the parsed and bound declaration files
// are already in memory. The executor must then use that same TypeScript instance (its SourceFiles
// carry that instance's node and symbol ids), and its programs take the cached files instead of
// parsing them again, as long as the file on disk is the one that was parsed.

import { statSync } from 'node:fs';

type TypeScript = typeof import('@tslab/typescript-for-tslab');
type SourceFile = import('@tslab/typescript-for-tslab').SourceFile;
type CompilerHost = import('@tslab/typescript-for-tslab').CompilerHost;
type ScriptTarget = import('@tslab/typescript-for-tslab').ScriptTarget;
type CreateSourceFileOptions = import('@tslab/typescript-for-tslab').CreateSourceFileOptions;

/** What kernel/scripts/build-snapshot.js tells the snapshot builder (as JSON in WEIGHTLAB_SNAPSHOT_CONFIG). */
export interface SnapshotConfig {
  /** TypeScript's CommonJS file, the one the kernel resolves through tslab. */
  typescript: string;
  /** weightlab's package folder (the prelude imports it by this path). */
  library: string;
  /** The @types folders whose @types/node a kernel may use: the project's, then the kernel's own. */
  typeRoots: string[];
  /** The cell converter's options (cellCompilerOptions), which shape how files are parsed and bound. */
  compilerOptions: import('@tslab/typescript-for-tslab').CompilerOptions;
  /**
   * The declaration bundle (see declaration-bundle.ts) and the modules it declares, when it was
   * built: the prelude's program holds it instead of the files it was made from.
   */
  declarations?: { file: string; modules: string[] };
  /**
   * The flattened libraries (see flattenLibraries), the default library instead of `lib`, when
   * built; `sources` (the lib files in it) then read as `stub`, as in the kernel's programs.
   */
  defaultLibrary?: { file: string; sources: string[]; stub: string };
  /** The @types/node bundle (see bundleNodeTypes), read for the type directive `node` in its type root. */
  nodeTypes?: { file: string; typeRoot: string; modules: string[] };
}

export interface SnapshotSourceFile {
  file: SourceFile;
  /** The file's size and modification time when it was parsed: a changed file is parsed anew. */
  size: number;
  mtimeMs: number;
  /** Set once the file on disk was found unchanged in this process. */
  checked?: boolean;
}

export interface KernelSnapshot {
  /** Path of the TypeScript file the snapshot evaluated. */
  typescript: string;
  ts: TypeScript;
  /** Parsed and bound declaration files by file name. */
  files: Map<string, SnapshotSourceFile>;
  /** The Node version that built it (Node itself refuses a blob of another version). */
  nodeVersion: string;
}

const SNAPSHOT_KEY = Symbol.for('weightlab.kernelSnapshot');

/** The snapshot this process started from, when it holds the TypeScript at `typescriptPath`. */
export function kernelSnapshot(typescriptPath?: string): KernelSnapshot | undefined {
  const state = (globalThis as Record<symbol, unknown>)[SNAPSHOT_KEY] as KernelSnapshot | undefined;
  if (!state || (typescriptPath !== undefined && state.typescript !== typescriptPath)) return undefined;
  return state;
}

/** The cached file for `fileName` when it was parsed the way the program asks for now and is unchanged on disk. */
function cachedFile(
  snapshot: KernelSnapshot,
  fileName: string,
  languageVersionOrOptions: ScriptTarget | CreateSourceFileOptions,
): SourceFile | undefined {
  const entry = snapshot.files.get(fileName);
  if (!entry) return undefined;
  if (!entry.checked) {
    let unchanged = false;
    try {
      const stat = statSync(fileName);
      unchanged = stat.size === entry.size && stat.mtimeMs === entry.mtimeMs;
    } catch {
      /* gone: parse (and fail) as without a snapshot */
    }
    if (!unchanged) {
      snapshot.files.delete(fileName);
      return undefined;
    }
    entry.checked = true;
  }
  const options =
    typeof languageVersionOrOptions === 'object'
      ? languageVersionOrOptions
      : { languageVersion: languageVersionOrOptions };
  const file = entry.file;
  if (file.languageVersion !== options.languageVersion || file.impliedNodeFormat !== options.impliedNodeFormat)
    return undefined;
  return file;
}

/**
 * `host` with the snapshot's parsed files in front of its own getSourceFile(ByPath); the host
 * itself when there is no snapshot. A request for a fresh parse (shouldCreateNewSourceFile) goes
 * to the host.
 */
export function withSnapshotFiles(host: CompilerHost | undefined, snapshot: KernelSnapshot | undefined) {
  if (!host || !snapshot) return host;
  const cached: CompilerHost = Object.create(host) as CompilerHost;
  cached.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) =>
    (!shouldCreateNewSourceFile && cachedFile(snapshot, fileName, languageVersionOrOptions)) ||
    host.getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
  const byPath = host.getSourceFileByPath?.bind(host);
  if (byPath) {
    cached.getSourceFileByPath = (fileName, path, languageVersionOrOptions, onError, shouldCreateNewSourceFile) =>
      (!shouldCreateNewSourceFile && cachedFile(snapshot, fileName, languageVersionOrOptions)) ||
      byPath(fileName, path, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
  }
  return cached;
}
