// `weightlab zoo info DIR`: what a model zoo folder holds (layout, models, checkpoints per
// model, grid axes, and the per-epoch metadata table) without reading any weights. Entries the
// reader had to skip (bad links, unreadable trials) are listed with why; the exit status is 0
// when something was readable, 1 with the typed error when nothing was.

import { openZoo, ResultTable } from 'weightlab';
import { parseArgs, UsageError, type Command } from '../command';

export const zooInfoCommand: Command = {
  name: 'zoo info',
  summary: 'summarise a model zoo folder (ray-tune, Small CNN Zoo, or weightlab format)',
  help: `Usage: weightlab zoo info DIR [--json] [--rows N]

Opens DIR as a zoo (layout detected) and prints its kind, models, checkpoints per
model, grid axes and the metadata table (one row per model and epoch, hyperparameters
flattened, ggap = train_acc - test_acc). No weights are read.

Entries that cannot be read (a symbolic link that loops, dangles or leaves the
folder; a trial whose params.json or result.json is unreadable, too large or too
deeply nested) are skipped: they are listed as warnings (on stderr, and under
"skipped" and "warnings" with --json) and the exit status stays 0. When nothing
is readable the command fails (status 1) with the reasons.

Options:
  --json       print {kind, root, models, checkpoints, checkpoints_per_model, axes,
               skipped, warnings, table}; axes and table columns use the zoo's axis
               names (width, batch_size, learning_rate, ...), as zoo.table() does
  --rows N     table rows to print in text mode (default 20)
  --strict     fail on the first unreadable entry instead of skipping it
`,
  async run(args) {
    const parsed = parseArgs(args, { flags: ['json', 'strict'], values: ['rows'] });
    if (parsed.positional.length !== 1) throw new UsageError('expected exactly one DIR');
    const zoo = openZoo(parsed.positional[0], { strict: parsed.flags.has('strict') });
    // Warnings go to stderr so that --json output stays one JSON document on stdout.
    for (const warning of zoo.warnings) process.stderr.write(`weightlab zoo info: warning: ${warning}\n`);
    const table = zoo.table();
    if (parsed.flags.has('json')) {
      const finite = (_: string, value: unknown) =>
        typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
      const { checkpointsPerModel, ...summary } = zoo.summary();
      process.stdout.write(
        `${JSON.stringify({ ...summary, checkpoints_per_model: checkpointsPerModel, table: table.toJSON() }, finite, 2)}\n`,
      );
      return 0;
    }
    const rows = parsed.options.rows === undefined ? 20 : Number(parsed.options.rows);
    if (!Number.isInteger(rows) || rows < 0)
      throw new UsageError(`--rows must be a non-negative integer, got '${parsed.options.rows}'`);
    const counts = zoo.models.map((model) => model.checkpoints.length);
    const axes = Object.entries(zoo.axes).map(([key, values]) => `  ${key}: ${values.map(String).join(', ')}`);
    process.stdout.write(
      [
        zoo.toString(),
        `checkpoints per model: min ${Math.min(...counts)}, max ${Math.max(...counts)}`,
        ...(axes.length ? ['axes:', ...axes] : []),
        '',
        rows > 0 ? new ResultTable(table.arquero, { displayRows: rows }).toString() : '',
      ]
        .join('\n')
        .trimEnd() + '\n',
    );
    return 0;
  },
};
