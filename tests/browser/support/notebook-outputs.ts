// The outputs stored in notebooks/weight-manifolds.ipynb, recorded by executing it with the
// real kernel (`weightlab run notebooks/weight-manifolds.ipynb`): the browser tests render
// them exactly as stored, next to the library-made fixtures. Re-record after changing the
// notebook or the manifold payload; WEIGHTLAB_RECORDED_NOTEBOOK points at another copy.
import fs from 'node:fs';
import path from 'node:path';
import { MANIFOLD_MIME } from 'weightlab/internal';
import { repositoryRoot } from '../../support/paths';

export const weightManifoldsNotebook = path.join(repositoryRoot, 'notebooks', 'weight-manifolds.ipynb');

interface NotebookOutput {
  output_type: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** The display_data / execute_result outputs with a manifold payload from `file` (default: the committed notebook, or WEIGHTLAB_RECORDED_NOTEBOOK). */
export function recordedNotebookOutputs(
  file = process.env.WEIGHTLAB_RECORDED_NOTEBOOK ?? weightManifoldsNotebook,
): NotebookOutput[] {
  if (!fs.existsSync(file)) return [];
  const notebook = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    cells: { cell_type: string; outputs?: NotebookOutput[] }[];
  };
  return notebook.cells
    .flatMap((cell) => cell.outputs ?? [])
    .filter(
      (output) =>
        (output.output_type === 'display_data' || output.output_type === 'execute_result') &&
        output.data &&
        MANIFOLD_MIME in output.data,
    )
    .map((output) => ({ output_type: 'display_data', data: output.data, metadata: output.metadata ?? {} }));
}
