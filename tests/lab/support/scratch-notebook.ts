// A notebook of code cells written by a browser test into the lab's folder: the cells the test
// drives, with the kernelspec and language info of the repository's quickstart notebook, so the lab
// opens it on the weightlab kernel.
import fs from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from '../../support/paths';

/** Writes `cells` (sources, in order; cell ids `${name}-${index}`) as `folder/name.ipynb`; returns the file name. */
export function writeCodeNotebook(folder: string, name: string, cells: readonly string[]): string {
  const metadata = JSON.parse(fs.readFileSync(path.join(repositoryRoot, 'notebooks', 'quickstart.ipynb'), 'utf8'))
    .metadata as Record<string, unknown>;
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: metadata.kernelspec, language_info: metadata.language_info },
    cells: cells.map((source, index) => ({
      id: `${name}-${index}`,
      cell_type: 'code',
      metadata: {},
      source,
      outputs: [],
      execution_count: null,
    })),
  };
  const file = `${name}.ipynb`;
  fs.writeFileSync(path.join(folder, file), `${JSON.stringify(notebook, null, 1)}\n`);
  return file;
}
