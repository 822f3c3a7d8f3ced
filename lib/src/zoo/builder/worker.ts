// A worker thread of the zoo builder: loads the spec's dataset once (the user's data from the
// path the parent resolved, refused if its SHA-256 is not the one the parent read), then trains the training
// groups the parent hands it one at a time (so a fast worker takes more), writing files itself:
// a single model for the JS engine, a same-shaped group for the lockstep kernels or the jax engine.
// Models are independent, so two workers on two cores give two models per model-time.

import { parentPort, workerData } from 'node:worker_threads';
import { expandGrid, specShape, type ZooSpec } from './spec';
import { datasetSplit, type ZooDataset } from '../dataset';
import { runJob, runJobGroup, runLockstepGroup, type JobOutcome } from './train-job';
import type { TrainingGroup } from './build';

interface Setup {
  root: string;
  spec: ZooSpec;
  /** The dataset as the parent recorded it (the user's data: absolute path and SHA-256). */
  data: ZooDataset;
}

if (parentPort) {
  const { root, spec, data } = workerData as Setup;
  const split = data.name === 'convection' ? undefined : datasetSplit(data);
  const shape = specShape(spec, split);
  const jobs = new Map(expandGrid(spec, shape.inputs, shape.outputs, shape.image).map((job) => [job.id, job]));
  const port = parentPort;
  port.on('message', async (group: TrainingGroup) => {
    try {
      const members = group.ids.map((id) => {
        const job = jobs.get(id);
        if (!job) throw new Error(`unknown model id ${id}`);
        return job;
      });
      const done: JobOutcome[] =
        group.engine === 'jax'
          ? await runJobGroup(root, members, split)
          : group.engine === 'lockstep'
            ? runLockstepGroup(root, members, split)
            : [runJob(root, members[0], split)];
      port.postMessage({ done });
    } catch (error) {
      port.postMessage({ failed: group.ids.map((id) => ({ id, error: (error as Error).message })) });
    }
  });
}
