// Zoos written by the previous builder (format version 1: model ids with short tags such as
// w3_s0, no "data" or "architectures" in zoo.json, the spec with camelCase axes under the
// builder's own key) still open, show the axis names, and give the same phase metrics as the
// version-2 zoo with the same checkpoints: the dataset comes from the old spec and the
// architecture from the checkpoint's shapes, the recorded architecture and data being the oracle.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildZoo, openZoo, phaseMetrics, type ZooSpec } from 'weightlab/internal';
import { temporaryFolder } from '../support/paths';

const spec: ZooSpec = {
  name: 'legacy',
  dataset: 'two-moons',
  datasetOptions: { size: 96, seed: 1 },
  axes: { width: [3, 6], data_fraction: [0.5] },
  seeds: [0, 1],
  defaults: { batch_size: 16 },
  epochs: 2,
};

/** The version-1 id of a version-2 model: w3_f0.5_s0 for width=3_data_fraction=0.5_seed=0. */
const TAGS: Record<string, string> = { width: 'w', data_fraction: 'f', seed: 's' };
function legacyId(id: string): string {
  return id
    .split('_')
    .reduce((parts: string[], part) => {
      // data_fraction=0.5 splits into 'data', 'fraction=0.5'.
      if (part === 'data') return parts;
      const [name, value] = part.split('=');
      parts.push(`${TAGS[name === 'fraction' ? 'data_fraction' : name]}${value}`);
      return parts;
    }, [])
    .join('_');
}

/** Rewrites a version-2 zoo in place into the version-1 layout the previous builder wrote. */
function downgrade(root: string): Record<string, string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'zoo.json'), 'utf8'));
  const renamed: Record<string, string> = {};
  for (const id of manifest.models as string[]) {
    renamed[id] = legacyId(id);
    fs.renameSync(path.join(root, id), path.join(root, renamed[id]));
  }
  const { data: _data, architectures: _architectures, ...rest } = manifest;
  const oldSpec = {
    ...spec,
    axes: { width: spec.axes.width, dataFraction: spec.axes.data_fraction },
    defaults: { batchSize: 16 },
  };
  fs.writeFileSync(
    path.join(root, 'zoo.json'),
    JSON.stringify(
      {
        ...rest,
        version: 1,
        models: Object.values(renamed),
        'weightlab.builder': { spec: oldSpec, version: 1, engine: 'js' },
      },
      null,
      2,
    ),
  );
  return renamed;
}

test('a version-1 zoo opens with axis names and gives the same phase metrics as its version-2 twin', async () => {
  const current = temporaryFolder('zoo-v2');
  await buildZoo(spec, { out: current, workers: 0, progress: false });
  const legacy = temporaryFolder('zoo-v1');
  fs.cpSync(current, legacy, { recursive: true });
  const renamed = downgrade(legacy);
  assert.equal(renamed['width=3_data_fraction=0.5_seed=1'], 'w3_f0.5_s1');

  const old = openZoo(legacy);
  assert.equal(old.manifest?.version, 1);
  assert.deepEqual(old.axes, { width: [3, 6], data_fraction: [0.5] });
  assert.deepEqual(old.dataset, { name: 'two-moons', options: { size: 96, seed: 1 } }, 'read from the old spec');
  assert.equal(old.model('w6_f0.5_s0').architecture, undefined, 'version 1 did not record it');
  assert.equal(old.table().get('data_fraction', 0), 0.5);

  const options = {
    load: 'width',
    temperature: 'data_fraction',
    progress: false,
    workers: 0,
    cache: false,
    hessianSamples: 16,
    hessianMaxIter: 20,
    bezier: { epochs: 1 },
    curvePoints: 3,
    linearPoints: 5,
  } as const;
  const fresh = await phaseMetrics(openZoo(current), options);
  const inferred = await phaseMetrics(old, options);
  const strip = (rows: Record<string, unknown>[]) => rows.map(({ models: _models, ...metrics }) => metrics);
  assert.deepEqual(strip(inferred.rows()), strip(fresh.rows()));
  assert.deepEqual(
    inferred.rows().map((row) => row.models),
    fresh.rows().map((row) => row.models.map((id) => renamed[id])),
  );
  assert.ok(fresh.rows().every((row) => row.train_acc !== null && row.models.length === 2));
});
