// Deferred type-checking (WEIGHTLAB_TYPECHECK, kernel/src/kernel/start.ts): the first cell runs
// before the type-checker exists, is checked once it does, and its type errors come with the next
// reply; blocking mode, and any batch run (allow_stdin false), keep a type error from running the cell.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startKernel, streamText } from './support';

const TIMEOUT = 120_000;
/** No idle start of the checker during a test: only the next cell builds it. */
const DEFERRED = { WEIGHTLAB_TYPECHECK: 'deferred', WEIGHTLAB_TYPECHECK_IDLE_MS: '600000' };

function resultText(messages: { header: { msg_type: string }; content: any }[]): string | undefined {
  return messages.find((message) => message.header.msg_type === 'execute_result')?.content.data['text/plain'];
}

test('a first cell with a type error runs; its error is reported, with the cell, on the next reply', async () => {
  const kernel = await startKernel(DEFERRED);
  try {
    const first = await kernel.client.execute("const label: number = 'text'; console.log('ran with', label)", {
      timeoutMs: TIMEOUT,
      allowStdin: true,
    });
    assert.equal(first.reply.content.status, 'ok', JSON.stringify(first.reply.content));
    assert.equal(streamText(first.messages, 'stdout'), 'ran with text\n');
    const count = first.reply.content.execution_count;
    const second = await kernel.client.execute('label.length', { timeoutMs: TIMEOUT, allowStdin: true });
    assert.equal(second.reply.content.status, 'ok', JSON.stringify(second.reply.content));
    const report = streamText(second.messages, 'stderr');
    assert.match(report, new RegExp(`<cell ${count}> ran before the type-checker was ready`));
    assert.match(report, /TypeScriptError: 1:7 - Type 'string' is not assignable to type 'number'\./);
    assert.equal(resultText(second.messages), '4');
    // Reported once.
    const third = await kernel.client.execute('1 + 1', { timeoutMs: TIMEOUT, allowStdin: true });
    assert.equal(streamText(third.messages, 'stderr'), '');
  } finally {
    await kernel.shutdown();
  }
});

test("a deferred cell's declarations are usable and type-checked in the next cells", async () => {
  const kernel = await startKernel(DEFERRED);
  try {
    const first = await kernel.client.execute(
      'function twice(value: number): number { return 2 * value; }\nlet base = 5;\nclass Box { size = 3; }\ninterface Sized { size: number }',
      { timeoutMs: TIMEOUT, allowStdin: true },
    );
    assert.equal(first.reply.content.status, 'ok', JSON.stringify(first.reply.content));
    const second = await kernel.client.execute(
      'base = base + 1;\nconst sized: Sized = new Box();\ntwice(base) + sized.size',
      {
        timeoutMs: TIMEOUT,
        allowStdin: true,
      },
    );
    assert.equal(second.reply.content.status, 'ok', JSON.stringify(second.reply.content));
    assert.equal(streamText(second.messages, 'stderr'), '');
    assert.equal(resultText(second.messages), '15');
    const wrong = await kernel.client.execute("twice('a')", { timeoutMs: TIMEOUT, allowStdin: true });
    assert.equal(wrong.reply.content.status, 'error');
    assert.equal(wrong.reply.content.ename, 'TypeScriptError');
    assert.match(wrong.reply.content.evalue, /not assignable to parameter of type 'number'/);
  } finally {
    await kernel.shutdown();
  }
});

for (const [mode, env, allowStdin] of [
  ['blocking mode', { WEIGHTLAB_TYPECHECK: 'blocking' }, true],
  ['a batch run (allow_stdin false) in deferred mode', DEFERRED, false],
] as const)
  test(`${mode}: a type error in the first cell keeps it from running`, async () => {
    const kernel = await startKernel(env);
    try {
      const first = await kernel.client.execute("const label: number = 'text'; console.log('ran')", {
        timeoutMs: TIMEOUT,
        allowStdin,
      });
      assert.equal(first.reply.content.status, 'error');
      assert.equal(first.reply.content.ename, 'TypeScriptError');
      assert.match(first.reply.content.evalue, /Type 'string' is not assignable to type 'number'/);
      assert.equal(streamText(first.messages, 'stdout'), '');
    } finally {
      await kernel.shutdown();
    }
  });
