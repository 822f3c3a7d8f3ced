// Writes the option-b oracle's layer sets (../fixtures-options-b.ts) as .npy files, one folder per
// set with an order manifest, for weightwatcher_oracle_options-b.py.
// Usage: node tests/dist/spectral/oracle/write-inputs-options-b.js DIR

import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeNpy } from 'weightlab/internal';
import { checksum } from '../fixtures';
import { optionsBSets } from '../fixtures-options-b';

const directory = process.argv[2];
if (!directory) {
  process.stderr.write('usage: write-inputs-options-b.js DIR\n');
  process.exit(2);
}
for (const [set, layers] of Object.entries(optionsBSets())) {
  const folder = path.join(directory, set);
  fs.mkdirSync(folder, { recursive: true });
  const manifest = layers.map(([name, tensor], index) => {
    const file = `${String(index).padStart(2, '0')}-${name}.npy`;
    writeNpy(path.join(folder, file), tensor);
    return { name, file, dtype: tensor.dtype, shape: tensor.shape, ...checksum(tensor) };
  });
  fs.writeFileSync(path.join(folder, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  process.stdout.write(`wrote ${manifest.length} layers to ${folder}\n`);
}
