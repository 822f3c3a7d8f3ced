// Runs tests/python/test_kernel_stdin_restart.py with Debian's Python: jupyter_client's own
// client answers input(), and its managers' restarters bring the kernel back after it dies by
// running out of memory (a 192 MiB heap set through the kernelspec's env), directly and through
// a jupyter_server's REST API and kernel websocket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPythonTests } from './support';

test('jupyter_client, nbclient and jupyter_server: input_request/input_reply, StdinNotImplementedError, restart or DeadKernelError after out of memory', () => {
  const { status, output, ran } = runPythonTests('tests/python/test_kernel_stdin_restart.py');
  assert.equal(status, 0, `python -m unittest failed:\n${output.slice(-8000)}`);
  assert.equal(ran, 6, `expected the 6 tests to run:\n${output.slice(-8000)}`);
  assert.doesNotMatch(output, /skipped/, `no test may be skipped:\n${output.slice(-8000)}`);
});
