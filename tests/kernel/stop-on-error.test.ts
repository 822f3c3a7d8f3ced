// stop_on_error: when a cell fails, executions already queued behind it are answered 'aborted'
// (no time window: later requests run normally); stop_on_error=false keeps them.
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

test('queued executions after a failing cell are aborted, later ones run', async () => {
  const client = kernel.client;
  // The first cell is slow enough that the next two are certainly queued behind it.
  const failing = client.start(
    'shell',
    client.executeMessage('await new Promise((resolve) => setTimeout(resolve, 300));\nthrow new Error("first fails")'),
  );
  const second = client.start('shell', client.executeMessage('(globalThis as any).ranSecond = true;'));
  const third = client.start('shell', client.executeMessage('3'));
  const [one, two, three] = await Promise.all([failing.done, second.done, third.done]);
  for (const running of [failing, second, third]) running.dispose();
  assert.equal(one.reply.content.status, 'error');
  assert.equal(two.reply.content.status, 'aborted');
  assert.equal(three.reply.content.status, 'aborted');
  // Aborted requests still get busy/idle, so clients waiting for idle do not hang.
  assert.deepEqual(
    two.messages.map((message) => message.content.execution_state),
    ['busy', 'idle'],
  );
  const later = await client.execute('typeof (globalThis as any).ranSecond', { timeoutMs: TIMEOUT });
  assert.equal(later.reply.content.status, 'ok');
  assert.equal(
    later.messages.find((message) => message.header.msg_type === 'execute_result')?.content.data['text/plain'],
    'undefined',
  );
});

test('stop_on_error=false leaves the queue alone', async () => {
  const client = kernel.client;
  const failing = client.start(
    'shell',
    client.executeMessage('await new Promise((resolve) => setTimeout(resolve, 300));\nthrow new Error("tolerated")', {
      stopOnError: false,
    }),
  );
  const next = client.start('shell', client.executeMessage('"next ran"'));
  const [one, two] = await Promise.all([failing.done, next.done]);
  failing.dispose();
  next.dispose();
  assert.equal(one.reply.content.status, 'error');
  assert.equal(two.reply.content.status, 'ok');
});
