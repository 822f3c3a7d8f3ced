// Runs tests/python/test_kernel_comms.py with Debian's Python: jupyter_client opens comms to the
// 'weightlab.selection' target, sends selections a cell then reads, and sends bad ones the kernel
// survives (issue #20).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPythonTests } from './support';

test('jupyter_client: comm_info, comm_open/comm_msg/comm_close round trips to view.selection, bad comm messages survived', () => {
  const { status, output, ran } = runPythonTests('tests/python/test_kernel_comms.py');
  assert.equal(status, 0, `python -m unittest failed:\n${output.slice(-8000)}`);
  assert.equal(ran, 3, `expected the 3 tests to run:\n${output.slice(-8000)}`);
  assert.doesNotMatch(output, /skipped/, `no test may be skipped:\n${output.slice(-8000)}`);
});
