// Runs one case of the attack corpus and reports how it ended: in the test's own process for
// small inputs, or as a child process (`node run-case.js NAME TARGET`, started with a 512 MB
// heap) for the big ones, which then also reports its peak resident memory.

import { WeightlabError } from 'weightlab';
import { attackCases, type AttackCase } from './corpus';

export interface CaseResult {
  /** read: no error; typed: a WeightlabError; untyped: any other error; wrong: a read whose values were wrong. */
  result: 'read' | 'typed' | 'untyped' | 'wrong';
  ms: number;
  message?: string;
  /** For typed errors: whether the error names a file, and an offset or a field within it. */
  namesFile?: boolean;
  namesOffset?: boolean;
  /** Peak resident memory of the child process in MB (child runs only). */
  peakMB?: number;
}

export function runCase(attack: AttackCase, target: string): CaseResult {
  const started = performance.now();
  try {
    attack.read(target);
    return { result: 'read', ms: performance.now() - started };
  } catch (error) {
    const ms = performance.now() - started;
    if (error instanceof WeightlabError) {
      return { result: 'typed', ms, message: error.message, namesFile: error.details.file !== undefined, namesOffset: error.details.offset !== undefined };
    }
    const name = (error as Error)?.name ?? typeof error;
    return { result: name === 'AssertionError' ? 'wrong' : 'untyped', ms, message: `${name}: ${(error as Error)?.message}` };
  }
}

if (require.main === module) {
  const [name, target] = process.argv.slice(2);
  const attack = attackCases().find((c) => c.name === name);
  if (!attack) throw new Error(`no attack case named ${name}`);
  const outcome = runCase(attack, target);
  process.stdout.write(`${JSON.stringify({ ...outcome, peakMB: process.resourceUsage().maxRSS / 1024 })}\n`);
}
