// The kernel and `weightlab run` cases of the attack corpus (issue 16), over the real Jupyter
// wire protocol through our client: a replayed and a forged signed execute_request (the code
// they carry writes the corpus's marker file if it runs when it must not), garbage frames and a
// signed message whose content is not JSON, a cell calling process.exit, input() without
// allow_stdin, a cell filling a 192 MB heap, and `weightlab run` on notebooks whose second cell
// kills the kernel or fills that heap. The kernel must carry on with the error the protocol
// defines, or, where it cannot (out of memory), our client must say at once that it died and
// why, and `weightlab run` must record the death and exit 1. The detailed tests of each are in
// tests/kernel.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { KernelDiedError, type RunningKernel } from '@weightlab/kernel/dist/client/launcher';
import { encode } from '@weightlab/kernel/dist/wire/message';
import { Signer } from '@weightlab/kernel/dist/wire/signer';
import { assertStillWorks, executeThenReplay, outputsOf, runThatKillsTheKernel } from '../../kernel/support';
import { MARKER, ReportedError, type AttackCase } from './case';

const TIMEOUT_MS = 30_000;

/** A cell that fills any heap (the kernel tests' own); under --max-old-space-size=192 V8 aborts the kernel in about a second. */
const OUT_OF_MEMORY = 'const hoard: number[][] = [];\nwhile (true) hoard.push(new Array(100_000).fill(1.5));';

/** The kernel still runs cells: 21 * 2 gives 42. */
/** Cell code that writes the marker file into `folder` when it runs (after `times` earlier runs in this kernel). */
function markerCell(folder: string, times: number): string {
  return `(globalThis as any).attackRuns = ((globalThis as any).attackRuns ?? 0) + 1;\n`
    + `if ((globalThis as any).attackRuns > ${times}) (await import('node:fs')).writeFileSync(${JSON.stringify(path.join(folder, MARKER))}, 'ran');`;
}

/** A kernel error reply checked for its ename, as the typed error a case throws. */
function replied(reply: { content: Record<string, any> }, ename: string): ReportedError {
  assert.equal(reply.content.status, 'error', JSON.stringify(reply.content));
  assert.equal(reply.content.ename, ename, JSON.stringify(reply.content));
  return new ReportedError(ename, String(reply.content.evalue));
}

/**
 * `weightlab run` on a notebook whose second cell is `killer` (checked by the kernel tests' helper:
 * exit 1, cell 1 written, KernelDied in cell 2 matching `died`, cell 3 not run). Throws the recorded
 * KernelDied naming the written notebook and the cell; its time is the cells' time (the kernel's
 * start-up is not counted) and its memory the peak of the run with its kernel.
 */
function runKillingTheKernel(name: string, killer: string, died: RegExp, env?: NodeJS.ProcessEnv): never {
  const run = runThatKillsTheKernel(name, killer, died, env);
  throw new ReportedError('KernelDied', run.evalue, { file: run.out, offset: 'cell 2', ms: run.cellMilliseconds, peakMB: run.peakMB });
}

export function wireCases(): AttackCase[] {
  const cases: AttackCase[] = [];
  const kernelCase = (c: Omit<AttackCase, 'surface' | 'needsKernel' | 'build' | 'read'> & { read(folder: string, kernel: RunningKernel): Promise<void> }) =>
    cases.push({ ...c, surface: 'kernel', needsKernel: true, build: (dir) => dir, read: (folder, kernel) => c.read(folder, kernel!) });

  kernelCase({ name: 'kernel: replayed signed execute_request (shell and control) runs once', group: 'code', expect: 'read', read: async (folder, kernel) => {
    await executeThenReplay(kernel, markerCell(folder, 1), TIMEOUT_MS);
    await assertStillWorks(kernel, TIMEOUT_MS);
  } });
  kernelCase({ name: 'kernel: execute_request with a forged signature', group: 'code', expect: 'read', read: async (folder, kernel) => {
    const frames = encode(kernel.client.executeMessage(markerCell(folder, 0)), new Signer(kernel.info.key, kernel.info.signature_scheme));
    frames[1] = Buffer.from('0'.repeat(64));
    await kernel.client.sendFrames('shell', frames);
    await assertStillWorks(kernel, TIMEOUT_MS);
  } });
  kernelCase({ name: 'kernel: garbage frames, no delimiter, too few frames', group: 'wire', expect: 'read', read: async (_folder, kernel) => {
    await kernel.client.sendFrames('shell', [Buffer.from('garbage')]);
    await kernel.client.sendFrames('shell', [Buffer.from('<IDS|MSG>'), Buffer.from('sig')]);
    await kernel.client.sendFrames('shell', [Buffer.from([0xff, 0x00, 0xfe]), Buffer.from('<IDS|MSG>'), Buffer.from(''), Buffer.from('{'), Buffer.from('{}'), Buffer.from('{}'), Buffer.from('{}')]);
    await assertStillWorks(kernel, TIMEOUT_MS);
  } });
  kernelCase({ name: 'kernel: signed message whose content is not JSON', group: 'wire', expect: 'refuse', read: async (_folder, kernel) => {
    const message = kernel.client.newMessage('execute_request', {});
    const parts = [JSON.stringify(message.header), '{}', '{}', 'this is not JSON'].map((part) => Buffer.from(part));
    const answer = kernel.client.expectReply(message.header.msg_id, TIMEOUT_MS);
    await kernel.client.sendFrames('shell', [Buffer.from('<IDS|MSG>'), Buffer.from(new Signer(kernel.info.key, kernel.info.signature_scheme).sign(parts)), ...parts]);
    const error = replied(await answer, 'MalformedMessage');
    await assertStillWorks(kernel, TIMEOUT_MS);
    throw error;
  } });
  kernelCase({ name: 'kernel: a cell calls process.exit(1)', group: 'wire', expect: 'refuse', read: async (_folder, kernel) => {
    const { reply } = await kernel.execute('process.exit(1)', { timeoutMs: TIMEOUT_MS });
    const error = replied(reply, 'ProcessExitError');
    await assertStillWorks(kernel, TIMEOUT_MS);
    throw error;
  } });
  kernelCase({ name: 'kernel: input() without allow_stdin', group: 'wire', expect: 'refuse', read: async (_folder, kernel) => {
    let asked = 0;
    const stop = kernel.client.onInputRequest(() => { asked++; });
    try {
      const { reply } = await kernel.execute('await input("never shown")', { timeoutMs: TIMEOUT_MS });
      const error = replied(reply, 'StdinNotImplementedError');
      assert.equal(asked, 0, 'an input_request was sent although allow_stdin was false');
      await assertStillWorks(kernel, TIMEOUT_MS);
      throw error;
    } finally {
      stop();
    }
  } });

  // `weightlab run` starts its own kernel; the case's time is the cells' time from its report.
  kernelCase({ name: 'kernel: a cell fills a 192 MB heap', group: 'bounded', expect: 'refuse', kernelEnv: { NODE_OPTIONS: '--max-old-space-size=192' }, read: async (_folder, kernel) => {
    const died = await kernel.execute(OUT_OF_MEMORY, { timeoutMs: TIMEOUT_MS }).then(() => undefined, (error: unknown) => error);
    // Our client says at once that the kernel died and why, instead of waiting for a reply that cannot come.
    assert.ok(died instanceof KernelDiedError, String(died));
    assert.equal(died.signal, 'SIGABRT');
    assert.match(died.reason ?? '', /ran out of memory/);
    assert.equal(kernel.alive, false);
    throw new ReportedError(died.name, died.message.split('\n')[0]);
  } });

  // The kernel tests' own killing cells; the run writes its notebook into a temp folder of its own.
  cases.push({ name: 'weightlab run: a cell kills its kernel (SIGKILL)', group: 'wire', surface: 'run', expect: 'refuse', build: (dir) => dir,
    read: () => runKillingTheKernel('attack-run-killed', 'process.kill(process.pid, "SIGKILL")', /the kernel died \(exit code none: killed by a signal\) while running cell 2/) });
  cases.push({ name: 'weightlab run: a cell runs out of memory under a 192 MB heap', group: 'wire', surface: 'run', expect: 'refuse', build: (dir) => dir,
    read: () => runKillingTheKernel('attack-run-out-of-memory', OUT_OF_MEMORY,
      /while running cell 2; it ran out of memory \(V8 reached its heap limit/, { NODE_OPTIONS: '--max-old-space-size=192' }) });
  return cases;
}
