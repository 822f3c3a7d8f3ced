// Runs tests/python/test_kernel_widgets.py with Debian's Python: jupyter_client, as a front end,
// receives the comms a displayed slider and interact() open on 'jupyter.widget', moves the slider
// with `update` messages and sees the echo and the re-rendered Output (issue #20).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPythonTests } from './support';

test('jupyter_client: widget comms, state with the model attributes, update -> echo_update and a re-run interact()', () => {
  const { status, output, ran } = runPythonTests('tests/python/test_kernel_widgets.py');
  assert.equal(status, 0, `python -m unittest failed:\n${output.slice(-8000)}`);
  assert.equal(ran, 3, `expected the 3 tests to run:\n${output.slice(-8000)}`);
  assert.doesNotMatch(output, /skipped/, `no test may be skipped:\n${output.slice(-8000)}`);
});
