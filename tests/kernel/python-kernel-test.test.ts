// Runs jupyter_kernel_test's conformance suite (tests/python/test_kernel_protocol.py) with
// Debian's Python against our kernel; a failure shows the Python output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPythonTests } from './support';

test('jupyter_kernel_test.KernelTests passes against the weightlab kernel', () => {
  const { status, output, ran } = runPythonTests('tests/python/test_kernel_protocol.py');
  assert.equal(status, 0, `python -m unittest failed:\n${output}`);
  assert.ok(ran >= 12, `expected the whole KernelTests suite to run:\n${output}`);
  assert.doesNotMatch(output, /skipped/, `no KernelTests test may be skipped:\n${output}`);
});
