// What one case of the attack corpus (issue 16) is, whichever surface it attacks: a file reader
// (readWeights), the zoo loader (openZoo, `weightlab zoo info`), a running kernel over the
// Jupyter wire protocol, or `weightlab run`. Kept apart from the corpus so the case lists of
// every surface (corpus.ts, zoo-cases.ts, wire-cases.ts) share one shape without importing
// each other.

import type { RunningKernel } from '@weightlab/kernel/dist/client/launcher';

export type Expectation = 'refuse' | 'read' | 'either';

/** What a case attacks; 'reader' when not said. */
export type Surface = 'reader' | 'zoo' | 'kernel' | 'run';

export interface AttackCase {
  name: string;
  /** containment cases that read are escapes; code cases leave a marker file if anything ran; wire cases attack the kernel's protocol. */
  group: 'containment' | 'detection' | 'strict' | 'bounded' | 'decompression' | 'code' | 'valid' | 'wire';
  expect: Expectation;
  surface?: Surface;
  /** Runs in a child process with --max-old-space-size=512, which reports its peak RSS. */
  heavy?: boolean;
  /**
   * The test starts a kernel (through our client, over the real wire) before the case and shuts
   * it down after; its start-up is not part of the case's time, and the case gets it as `kernel`.
   */
  needsKernel?: boolean;
  /** Added to that kernel's environment (NODE_OPTIONS for a small heap). */
  kernelEnv?: NodeJS.ProcessEnv;
  /** Writes the input under `dir`; returns the path to open. */
  build(dir: string): string;
  /**
   * Opens the input and loads everything, asserting the values of a valid input (AssertionError
   * when wrong); for the kernel and run surfaces, sends the input and checks that the kernel or
   * the run carried on as documented.
   */
  read(target: string, kernel?: RunningKernel): void | Promise<void>;
}

/** The file a code-running input would create: it must never exist. */
export const MARKER = 'code-ran';

/**
 * A typed error reported across a process boundary rather than thrown here: the ename of a
 * kernel's error reply, the error class a CLI printed, or the KernelDied output `weightlab run`
 * recorded. A case throws it only after checking the name it expects, so it counts as a typed
 * error. `file` and `offset` are what the report named; `ms` and `peakMB` are the case's own
 * measurements when the time around it would include a kernel's start-up, or the memory is
 * another process's.
 */
export class ReportedError extends Error {
  constructor(readonly ename: string, message: string, readonly where: { file?: string; offset?: number | string; ms?: number; peakMB?: number } = {}) {
    super(message);
    this.name = 'ReportedError';
  }
}
