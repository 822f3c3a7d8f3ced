// Runs jupyter_kernel_test's conformance suite (tests/python/test_kernel_protocol.py) with
// Debian's Python against our kernel; a failure shows the Python output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { python, repositoryRoot } from './support';

test('jupyter_kernel_test.KernelTests passes against the weightlab kernel', () => {
  const result = spawnSync(python, ['-m', 'unittest', '-v', 'tests/python/test_kernel_protocol.py'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, WEIGHTLAB_NODE: process.execPath },
  });
  const output = `${result.stdout}\n${result.stderr}`;
  assert.equal(result.status, 0, `python -m unittest failed:\n${output}`);
  const ran = /Ran (\d+) tests?/.exec(output);
  assert.ok(ran && Number(ran[1]) >= 12, `expected the whole KernelTests suite to run:\n${output}`);
  assert.doesNotMatch(output, /skipped/, `no KernelTests test may be skipped:\n${output}`);
});
