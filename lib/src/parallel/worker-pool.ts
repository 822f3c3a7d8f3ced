// A pool of worker threads fed one task at a time (a fast worker takes more), shared by the
// zoo builder (one model per task) and phaseMetrics (one grid cell per task). Replies come
// back with the task's index; a reply handler that throws (a kernel interrupt from a progress
// tick, a failed cell) stops every worker and rejects with that error.

import { Worker } from 'node:worker_threads';

export interface WorkerPoolOptions<Reply> {
  /** The worker's compiled script and its workerData (structured-cloned once per worker). */
  script: string;
  workerData: unknown;
  workers: number;
  /** One message per task, posted in order as workers become free. */
  tasks: unknown[];
  /** Handles the reply to task `index`. */
  onReply(reply: Reply, index: number): void;
  /** Checked before each task is handed out: an error stops the pool with it (e.g. an abort signal). */
  interruption?(): Error | undefined;
}

/** Runs every task on `workers` threads; resolves when all replied. */
export function runWorkerPool<Reply>(options: WorkerPoolOptions<Reply>): Promise<void> {
  let next = 0;
  return new Promise((resolve, reject) => {
    let live = options.workers;
    let stopped = false;
    const pool: Worker[] = [];
    const running = new Map<Worker, number>();
    const stopAll = (error?: Error) => {
      if (stopped) return;
      stopped = true;
      for (const worker of pool) void worker.terminate();
      if (error) reject(error);
      else resolve();
    };
    const feed = (worker: Worker) => {
      const error = options.interruption?.();
      if (error) {
        stopAll(error);
        return;
      }
      if (next >= options.tasks.length) {
        void worker.terminate();
        if (--live === 0) stopAll();
        return;
      }
      running.set(worker, next);
      worker.postMessage(options.tasks[next++]);
    };
    for (let i = 0; i < options.workers; i++) {
      const worker = new Worker(options.script, { workerData: options.workerData });
      pool.push(worker);
      worker.on('message', (reply: Reply) => {
        try {
          options.onReply(reply, running.get(worker)!);
        } catch (error) {
          stopAll(error as Error);
          return;
        }
        feed(worker);
      });
      worker.on('error', (error) => stopAll(error));
      feed(worker);
    }
  });
}
