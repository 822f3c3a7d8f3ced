// What every notebook test checks of an executed notebook: no error output and an execution count
// on every code cell (each notebook checks its own claims by throwing). Shared by the per-notebook
// test files so that `node scripts/test.js <name>` can run one notebook.
import assert from 'node:assert/strict';

export interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
}
export interface Cell {
  cell_type: string;
  execution_count?: number | null;
  outputs?: Output[];
  source: string | string[];
}
export interface Notebook {
  cells: Cell[];
}

export function checkExecuted(notebook: Notebook, name: string): Output[] {
  const codeCells = notebook.cells.filter((cell) => cell.cell_type === 'code');
  const outputs = codeCells.flatMap((cell) => cell.outputs ?? []);
  const errors = outputs.filter((output) => output.output_type === 'error');
  assert.deepEqual(
    errors.map((e) => `${e.ename}: ${e.evalue}`),
    [],
    `${name} has error outputs`,
  );
  codeCells.forEach((cell, i) =>
    assert.equal(typeof cell.execution_count, 'number', `${name} code cell ${i} has no execution_count`),
  );
  return outputs;
}
