// `weightlab zoo status DIR`: how far a (sharded) zoo build has got, read from the zoo folder
// alone: which models are done (complete result.json), running (in a shard whose process is
// alive), failed, or missing, and one line per shard from the state files the shards write.
// The exit code says whether the zoo is complete, so scripts and `zoo submit --wait` can test it.

import { zoo as zoos } from 'weightlab';
import { parseArgs, UsageError, type Command } from '../command';

export const zooStatusCommand: Command = {
  name: 'zoo status',
  summary: 'what a (sharded) zoo build has done: models done, running, failed, missing; per-shard state',
  help: `Usage: weightlab zoo status DIR [--shards N] [--json]

Reads a zoo folder written by 'weightlab zoo build' (with or without --shard) and prints how many
of its models are done (complete result.json), running (their shard's process is alive: same
host, its pid; another host, a heartbeat in the last 10 minutes), failed (the error their
shard's last run recorded) and missing (not started, or their shard was killed), then one line
per shard from DIR/.shards/I-of-N.json: done/models, state, host, pid, scheduler job.

Options:
  --shards N   also list shards 0..N-1 of an N-way split that have no state file yet
  --json       print {zoo, models, complete, done, running, failed: [{id, error}], missing,
               shards: [{shard, index, count, models, done, state, host, pid, job, heartbeat,
               failed, error}]}

Exit status: 0 when every model is done; 3 when some are not (running, failed or missing);
2 on a usage error; 1 when DIR is not a zoo built by the zoo builder.
`,
  async run(args) {
    const parsed = parseArgs(args, { values: ['shards'], flags: ['json'] });
    if (parsed.positional.length !== 1) throw new UsageError('give one zoo folder: weightlab zoo status DIR');
    let shards: number | undefined;
    if (parsed.options.shards !== undefined) {
      shards = Number(parsed.options.shards);
      if (!(Number.isSafeInteger(shards) && shards >= 1))
        throw new UsageError(`--shards must be a whole number >= 1, got '${parsed.options.shards}'`);
    }
    const status = zoos.zooBuildStatus(parsed.positional[0], { shards });
    if (parsed.flags.has('json')) {
      process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    } else {
      const lines = [
        `zoo: ${status.zoo}`,
        `models: ${status.models}: ${status.done.length} done, ${status.running.length} running, ${status.failed.length} failed, ${status.missing.length} missing${status.complete ? ' (complete)' : ''}`,
        ...status.shards.map(
          (line) =>
            `  shard ${line.shard.padEnd(6)} ${`${line.done}/${line.models}`.padStart(7)} done  ${line.state}` +
            (line.host ? `  ${line.host} pid ${line.pid}` : '') +
            (line.job ? `  ${line.job}` : '') +
            (line.heartbeat && line.state !== 'not started' ? `  last seen ${line.heartbeat}` : '') +
            (line.error ? `  error: ${line.error}` : ''),
        ),
        ...status.failed.map((failure) => `failed ${failure.id}: ${failure.error}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return status.complete ? 0 : 3;
  },
};
