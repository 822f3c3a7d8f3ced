// A worker thread of phaseMetrics: opens the zoo once, then measures the cells the parent hands
// it one at a time (so a fast worker takes more) and sends back the row, the problems and the new
// cache entries. The parent owns the cache file and the progress bar.

import { parentPort, workerData } from 'node:worker_threads';
import { openZoo } from '../zoo/public';
import { measureCell, type CellContext } from './cell-metrics';

interface Setup {
  context: CellContext;
}
interface CellMessage {
  cell: Record<string, number>;
  models: string[];
  cache: Record<string, unknown>;
}

if (parentPort) {
  const { context } = workerData as Setup;
  // The zoo's dataset is rebuilt here (zoo.trainingData) rather than cloned from the parent: it is a pure function of what zoo.json records.
  const zoo = openZoo(context.root);
  const port = parentPort;
  port.on('message', (message: CellMessage) => {
    try {
      port.postMessage(
        measureCell(
          context,
          zoo,
          message.cell,
          message.models.map((id) => zoo.model(id)),
          message.cache,
        ),
      );
    } catch (error) {
      port.postMessage({ error: (error as Error).message });
    }
  });
}
