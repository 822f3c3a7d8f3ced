// The stdin channel over the real wire: input() and password() ask our client for a line
// (input_request parented to the execute_request, answered with input_reply), allow_stdin false
// and process.stdin reads fail with StdinNotImplementedError, an interrupt ends the wait; and a
// displayable whose bundle holds a chart next to text/html is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningKernel } from '@weightlab/kernel/dist/client/launcher';
import { KernelClient } from '@weightlab/kernel/dist/client/client';
import type { Message } from '@weightlab/kernel/dist/wire/message';
import { outputsOf, startKernel, waitUntil } from './support';

let kernel: RunningKernel;
before(async () => {
  kernel = await startKernel();
});
after(async () => {
  await kernel?.shutdown();
});

const TIMEOUT = 60_000;

function resultText(messages: Message[]): unknown {
  return outputsOf(messages, 'execute_result')[0]?.content.data['text/plain'];
}

test('input() and password() round trip: input_request on stdin, parented to the execute_request, answered by input_reply', async () => {
  const requests: Message[] = [];
  const answers = ['Ada', 's3cret'];
  const stop = kernel.client.onInputRequest((request) => {
    requests.push(request);
    void kernel.client.inputReply(answers[requests.length - 1], request);
  });
  try {
    const message = kernel.client.executeMessage(
      'const who = await input("Your name: ");\nconst secret = await password("Token: ");\n`${who}:${secret.length}`',
      { allowStdin: true },
    );
    const { reply, messages } = await kernel.client.requestWithOutput('shell', message, TIMEOUT);
    assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
    assert.equal(resultText(messages), 'Ada:6');
    assert.equal(requests.length, 2);
    assert.deepEqual(
      requests.map((request) => request.content),
      [
        { prompt: 'Your name: ', password: false },
        { prompt: 'Token: ', password: true },
      ],
    );
    for (const request of requests) {
      assert.equal(request.header.msg_type, 'input_request');
      assert.equal(request.parent_header.msg_id, message.header.msg_id);
    }
  } finally {
    stop();
  }
  // The values stay in the cell scope like any other binding.
  const later = await kernel.client.execute('who.toUpperCase()', { timeoutMs: TIMEOUT });
  assert.equal(resultText(later.messages), 'ADA');
});

test('input(prompt, { password: true }) sets the password flag, and calls one after another each get their answer', async () => {
  const prompts: Array<{ prompt: string; password: boolean }> = [];
  const stop = kernel.client.onInputRequest((request) => {
    prompts.push(request.content as { prompt: string; password: boolean });
    void kernel.client.inputReply(`answer ${prompts.length}`, request);
  });
  try {
    const { reply, messages } = await kernel.client.execute(
      'const both = await Promise.all([input("a", { password: true }), input("b")]);\nboth.join("|")',
      { allowStdin: true, timeoutMs: TIMEOUT },
    );
    assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
    assert.deepEqual(prompts, [
      { prompt: 'a', password: true },
      { prompt: 'b', password: false },
    ]);
    assert.equal(resultText(messages), 'answer 1|answer 2');
  } finally {
    stop();
  }
});

test('a cell that does not await its input() still waits for the answer before it replies', async () => {
  const stop = kernel.client.onInputRequest((request) => {
    setTimeout(() => {
      void kernel.client.inputReply('later', request);
    }, 300);
  });
  try {
    const { reply } = await kernel.client.execute(
      'void input("no await: ").then((value) => { (globalThis as any).unawaited = value; });',
      { allowStdin: true, timeoutMs: TIMEOUT },
    );
    assert.equal(reply.content.status, 'ok');
    const check = await kernel.client.execute('(globalThis as any).unawaited', { timeoutMs: TIMEOUT });
    assert.equal(resultText(check.messages), 'later');
  } finally {
    stop();
  }
});

test('allow_stdin false: input() rejects at once with StdinNotImplementedError naming allow_stdin, and no input_request is sent', async () => {
  let asked = 0;
  const stop = kernel.client.onInputRequest(() => {
    asked++;
  });
  try {
    const { reply } = await kernel.client.execute('await input("never shown")', { timeoutMs: TIMEOUT });
    assert.equal(reply.content.status, 'error');
    assert.equal(reply.content.ename, 'StdinNotImplementedError');
    assert.match(reply.content.evalue, /'allow_stdin'.*does not allow stdin.*expected true, found false/);
    // The error is a WeightlabError: cells can tell it apart by its code.
    const caught = await kernel.client.execute(
      'let code = "";\ntry { await password(); } catch (error) { code = (error as WeightlabError).code + " " + (error instanceof WeightlabError); }\ncode',
      { timeoutMs: TIMEOUT },
    );
    assert.equal(resultText(caught.messages), 'E_STDIN true');
    assert.equal(asked, 0);
  } finally {
    stop();
  }
});

test('an interrupt while input() waits rejects it with KeyboardInterrupt; a late input_reply is ignored and the next input() works', async () => {
  const requests: Message[] = [];
  const stop = kernel.client.onInputRequest((request) => {
    requests.push(request);
  });
  try {
    const running = kernel.client.start(
      'shell',
      kernel.client.executeMessage('await input("waiting: ")', { allowStdin: true }),
    );
    try {
      assert.ok(await waitUntil(() => requests.length === 1, TIMEOUT), 'no input_request came');
      const interrupt = await kernel.client.request('control', 'interrupt_request', {}, 5000);
      assert.equal(interrupt.content.status, 'ok');
      const { reply } = await running.done;
      assert.equal(reply.content.status, 'error');
      assert.equal(reply.content.ename, 'KeyboardInterrupt');
    } finally {
      running.dispose();
    }
    // The front end answers the abandoned request after all: no cell takes that value.
    await kernel.client.inputReply('too late', requests[0]);
    requests.length = 0;
    const answered = kernel.client.onInputRequest((request) => {
      void kernel.client.inputReply('on time', request);
    });
    try {
      const { messages } = await kernel.client.execute('await input("again: ")', {
        allowStdin: true,
        timeoutMs: TIMEOUT,
      });
      assert.equal(resultText(messages), 'on time');
    } finally {
      answered();
    }
  } finally {
    stop();
  }
});

test("an input_request sent before the front end's stdin socket connected is delivered once it connects", async () => {
  // A ROUTER drops messages to a peer it does not know yet: a first cell calling input() right
  // after kernel_info once waited forever when the stdin connection was a moment behind shell's.
  const late = new KernelClient(kernel.info);
  try {
    late.connect(['shell', 'iopub']);
    const prompts: string[] = [];
    late.onInputRequest((request) => {
      prompts.push(String(request.content.prompt));
      void late.inputReply('arrived', request);
    });
    const running = late.start('shell', late.executeMessage('await input("late: ")', { allowStdin: true }));
    try {
      // The cell waits on input() before a stdin socket with this routing id exists.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.deepEqual(prompts, []);
      late.connect(['stdin']);
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        running.done,
        new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 20_000))),
      ]);
      clearTimeout(timer);
      if (!outcome) {
        // Free the kernel for the tests after this one before failing.
        await kernel.client.request('control', 'interrupt_request', {}, 5000);
        assert.fail('the input_request never reached the stdin socket that connected late');
      }
      const { reply, messages } = outcome;
      assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
      assert.equal(resultText(messages), 'arrived');
      assert.deepEqual(prompts, ['late: ']);
    } finally {
      running.dispose();
    }
  } finally {
    late.close();
  }
});

test('a front end that never connects stdin: input() fails with StdinNotImplementedError after the wait, and the kernel goes on', async () => {
  const deaf = new KernelClient(kernel.info);
  try {
    deaf.connect(['shell', 'iopub']);
    const started = Date.now();
    const { reply } = await deaf
      .execute('await input("nobody: ")', { allowStdin: true, timeoutMs: 30_000 })
      .catch(async (error: Error) => {
        // Free the kernel for the tests after this one before failing.
        await kernel.client.request('control', 'interrupt_request', {}, 5000);
        throw error;
      });
    assert.equal(reply.content.status, 'error');
    assert.equal(reply.content.ename, 'StdinNotImplementedError');
    assert.match(reply.content.evalue, /no front end's stdin socket .* connected within 10 s/);
    assert.ok(Date.now() - started >= 9_000, `gave up after ${Date.now() - started} ms`);
  } finally {
    deaf.close();
  }
  const after = await kernel.client.execute('1 + 1', { timeoutMs: TIMEOUT });
  assert.equal(resultText(after.messages), '2');
});

test('process.stdin reads fail at once with StdinNotImplementedError: readline question() and a line loop', async () => {
  const question = await kernel.client.execute(
    "import readline from 'node:readline/promises';\nconst reader = readline.createInterface({ input: process.stdin });\nawait reader.question('name? ')",
    { timeoutMs: TIMEOUT },
  );
  assert.equal(question.reply.content.status, 'error');
  assert.equal(question.reply.content.ename, 'StdinNotImplementedError');
  assert.match(question.reply.content.evalue, /process\.stdin is not connected.*await input\(prompt\)/);
  const loop = await kernel.client.execute(
    `import { createInterface } from 'node:readline';
async function readAll(): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: process.stdin })) lines.push(line);
  return lines;
}
await readAll()`,
    { timeoutMs: TIMEOUT },
  );
  assert.equal(loop.reply.content.status, 'error');
  assert.equal(loop.reply.content.ename, 'StdinNotImplementedError');
  const after = await kernel.client.execute('1 + 1', { timeoutMs: TIMEOUT });
  assert.equal(resultText(after.messages), '2');
});

test('a displayable with a Vega-Lite chart next to text/html is refused with a clear error; a chart alone is shown', async () => {
  const both = await kernel.client.execute(
    `class Report { [Symbol.for('weightlab.mimeBundle')]() {
  return { data: { 'application/vnd.vegalite.v5+json': { mark: 'point' }, 'text/html': '<table></table>', 'text/plain': 'report' } };
} }
new Report()`,
    { timeoutMs: TIMEOUT },
  );
  assert.equal(both.reply.content.status, 'error');
  assert.equal(both.reply.content.ename, 'ArgumentError');
  assert.match(both.reply.content.evalue, /the bundle of Report carries both a chart and an HTML table/);
  assert.deepEqual(outputsOf(both.messages, 'execute_result'), []);
  const chart = await kernel.client.execute(
    `({ [Symbol.for('weightlab.mimeBundle')]() { return { data: { 'application/vnd.vegalite.v5+json': { mark: 'point' }, 'text/plain': 'chart' } }; } })`,
    { timeoutMs: TIMEOUT },
  );
  assert.equal(chart.reply.content.status, 'ok');
  assert.deepEqual(Object.keys(outputsOf(chart.messages, 'execute_result')[0].content.data).sort(), [
    'application/vnd.vegalite.v5+json',
    'text/plain',
  ]);
});
