// A cell that calls process.exit() gets an error reply and the kernel, with its variables, keeps
// running (before, the kernel aborted natively with no reply). Over the real wire protocol.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningKernel } from '@weightlab/kernel/dist/client/launcher';
import { startKernel } from './support';

let kernel: RunningKernel;
before(async () => {
  kernel = await startKernel();
});
after(async () => {
  await kernel?.shutdown();
});

const TIMEOUT = 60_000;

async function resultOf(code: string): Promise<unknown> {
  const { messages } = await kernel.client.execute(code, { timeoutMs: TIMEOUT });
  return messages.find((message) => message.header.msg_type === 'execute_result')?.content.data['text/plain'];
}

test('process.exit in a cell is an error reply; the kernel and its variables survive', async () => {
  await kernel.client.execute('const kept = 41;', { timeoutMs: TIMEOUT });
  for (const call of [
    'process.exit(1)',
    'process.exit()',
    'setTimeout(() => process.exit(3), 0); await new Promise((r) => setTimeout(r, 50));',
  ]) {
    const { reply, messages } = await kernel.client.execute(call, { timeoutMs: TIMEOUT });
    const reported = messages.filter(
      (message) => message.header.msg_type === 'error' || message.header.msg_type === 'stream',
    );
    if (reply.content.status === 'error') {
      assert.equal(reply.content.ename, 'ProcessExitError', call);
      assert.match(String(reply.content.evalue), /keeps running/);
    } else {
      // An exit from a timer is reported as an uncaught exception in the cell's output.
      assert.ok(
        reported.some((message) => /ProcessExitError/.test(JSON.stringify(message.content))),
        `${call}: ${JSON.stringify(messages.map((m) => m.content))}`,
      );
    }
  }
  assert.equal(await resultOf('kept + 1'), '42');
});
