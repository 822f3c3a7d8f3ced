// Runs one case of the attack corpus and reports how it ended: in the test's own process for
// small inputs and the kernel and run cases, or as a child process (`node run-case.js NAME
// TARGET`, started with a 512 MB heap) for the big ones, which then also reports its peak
// resident memory.

import type { RunningKernel } from '@weightlab/kernel/dist/client/launcher';
import { WeightlabError } from 'weightlab/internal';
import { attackCases, ReportedError, type AttackCase } from './corpus';

export interface CaseResult {
  /**
   * read: no error (for the kernel and run cases: the kernel carried on as documented); typed: a
   * WeightlabError, or a typed error reported across the wire (ReportedError); untyped: any other
   * error; wrong: a read whose values (or a kernel whose behaviour) were wrong.
   */
  result: 'read' | 'typed' | 'untyped' | 'wrong';
  ms: number;
  message?: string;
  /** For typed errors: whether the error names a file, and an offset or a field within it. */
  namesFile?: boolean;
  namesOffset?: boolean;
  /** Peak resident memory in MB of the process that did the work (the child, the kernel, or the run), where measured. */
  peakMB?: number;
}

export async function runCase(attack: AttackCase, target: string, kernel?: RunningKernel): Promise<CaseResult> {
  const started = performance.now();
  try {
    await attack.read(target, kernel);
    return { result: 'read', ms: performance.now() - started };
  } catch (error) {
    const ms = performance.now() - started;
    if (error instanceof WeightlabError) {
      return { result: 'typed', ms, message: error.message, namesFile: error.details.file !== undefined, namesOffset: error.details.offset !== undefined };
    }
    if (error instanceof ReportedError) {
      const { file, offset, ms: measured, peakMB } = error.where;
      return { result: 'typed', ms: measured ?? ms, message: `${error.ename}: ${error.message}`, namesFile: file !== undefined, namesOffset: offset !== undefined, peakMB };
    }
    const name = (error as Error)?.name ?? typeof error;
    return { result: name === 'AssertionError' ? 'wrong' : 'untyped', ms, message: `${name}: ${(error as Error)?.message}` };
  }
}

if (require.main === module) {
  const [name, target] = process.argv.slice(2);
  const attack = attackCases().find((c) => c.name === name);
  if (!attack) throw new Error(`no attack case named ${name}`);
  void runCase(attack, target).then((outcome) => {
    process.stdout.write(`${JSON.stringify({ ...outcome, peakMB: process.resourceUsage().maxRSS / 1024 })}\n`);
  });
}
