// Runs tests/python/test_kernel_stdin_restart.py with Debian's Python: jupyter_client's own
// client answers input(), and its managers' restarters bring the kernel back after it dies by
// running out of memory (a 192 MiB heap set through the kernelspec's env).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { python, repositoryRoot } from './support';

test('jupyter_client: input_request/input_reply, StdinNotImplementedError, restart after out of memory', () => {
  const result = spawnSync(python, ['-m', 'unittest', '-v', 'tests/python/test_kernel_stdin_restart.py'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, WEIGHTLAB_NODE: process.execPath },
  });
  const output = `${result.stdout}\n${result.stderr}`;
  assert.equal(result.status, 0, `python -m unittest failed:\n${output.slice(-8000)}`);
  const ran = /Ran (\d+) tests?/.exec(output);
  assert.ok(ran && Number(ran[1]) === 4, `expected the 4 tests to run:\n${output.slice(-8000)}`);
  assert.doesNotMatch(output, /skipped/, `no test may be skipped:\n${output.slice(-8000)}`);
});
