// A worker thread of the zoo builder: loads the spec's dataset once, then trains the jobs
// the parent hands it one at a time (so a fast worker takes more), writing files itself.
// Models are independent, so two workers on two cores give two models per model-time.

import { parentPort, workerData } from 'node:worker_threads';
import { expandGrid, specDataset, specShape, type ZooSpec } from './spec';
import { runJob } from './train-job';

interface Setup { root: string; spec: ZooSpec }

if (parentPort) {
  const { root, spec } = workerData as Setup;
  const split = spec.dataset === 'convection' ? undefined : specDataset(spec);
  const shape = specShape(spec);
  const jobs = new Map(expandGrid(spec, shape.inputs, shape.outputs, shape.image).map((job) => [job.id, job]));
  const port = parentPort;
  port.on('message', (message: { id: string }) => {
    const job = jobs.get(message.id!);
    try {
      if (!job) throw new Error(`unknown model id ${message.id}`);
      port.postMessage({ done: runJob(root, job, split) });
    } catch (error) {
      port.postMessage({ failed: { id: message.id, error: (error as Error).message } });
    }
  });
}
