// Writes the oracle layers (../fixtures.ts) as .npy files plus an order manifest, for
// weightwatcher_oracle.py. Usage: node tests/dist/spectral/oracle/write-inputs.js DIR

import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeNpy } from 'weightlab/internal';
import { checksum, oracleLayers } from '../fixtures';

const directory = process.argv[2];
if (!directory) {
  process.stderr.write('usage: write-inputs.js DIR\n');
  process.exit(2);
}
fs.mkdirSync(directory, { recursive: true });
const manifest = oracleLayers().map(([name, tensor], index) => {
  const file = `${String(index).padStart(2, '0')}-${name}.npy`;
  writeNpy(path.join(directory, file), tensor);
  return { name, file, shape: tensor.shape, ...checksum(tensor) };
});
fs.writeFileSync(path.join(directory, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
process.stdout.write(`wrote ${manifest.length} layers to ${directory}\n`);
