// A worker thread of phaseMetrics: opens the zoo once, then measures the cells the parent hands
// it one at a time (so a fast worker takes more) and sends back the row, the problems and the new
// cache entries. The parent owns the cache file and the progress bar.

import { parentPort, workerData } from 'node:worker_threads';
import { openZoo } from '../zoo/open-zoo';
import { specDataset } from '../zoo/builder/spec';
import { measureCell, type CellContext } from './cell-metrics';

interface Setup { context: CellContext }
interface CellMessage { cell: Record<string, number>; models: string[]; cache: Record<string, unknown> }

if (parentPort) {
  const { context } = workerData as Setup;
  // The spec's dataset is rebuilt here rather than cloned from the parent (pure function of the spec).
  const resolved: CellContext = { ...context, split: context.split ?? (context.spec && !context.pinn ? specDataset(context.spec) : undefined) };
  const zoo = openZoo(context.root);
  const port = parentPort;
  port.on('message', (message: CellMessage) => {
    try {
      port.postMessage(measureCell(resolved, message.cell, message.models.map((id) => zoo.model(id)), message.cache));
    } catch (error) {
      port.postMessage({ error: (error as Error).message });
    }
  });
}
