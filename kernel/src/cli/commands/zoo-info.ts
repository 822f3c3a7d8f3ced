// `weightlab zoo info DIR`: what a model zoo folder holds (layout, models, checkpoints per
// model, grid axes, and the per-epoch metadata table) without reading any weights.

import { openZoo } from 'weightlab';
import { parseArgs, UsageError, type Command } from '../command';

export const zooInfoCommand: Command = {
  name: 'zoo info',
  summary: 'summarise a model zoo folder (ray-tune, Small CNN Zoo, or weightlab format)',
  help: `Usage: weightlab zoo info DIR [--json] [--rows N]

Opens DIR as a zoo (layout detected) and prints its kind, models, checkpoints per
model, grid axes and the metadata table (one row per model and epoch, hyperparameters
flattened, ggap = train_acc - test_acc). No weights are read.

Options:
  --json       print {kind, root, models, checkpoints, checkpointsPerModel, axes, table}
  --rows N     table rows to print in text mode (default 20)
`,
  async run(args) {
    const parsed = parseArgs(args, { flags: ['json'], values: ['rows'] });
    if (parsed.positional.length !== 1) throw new UsageError('expected exactly one DIR');
    const zoo = openZoo(parsed.positional[0]);
    const table = zoo.table();
    if (parsed.flags.has('json')) {
      const finite = (_: string, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value);
      process.stdout.write(`${JSON.stringify({ ...zoo.summary(), table: table.objects() }, finite, 2)}\n`);
      return 0;
    }
    const rows = parsed.options.rows === undefined ? 20 : Number(parsed.options.rows);
    if (!Number.isInteger(rows) || rows < 0) throw new UsageError(`--rows must be a non-negative integer, got '${parsed.options.rows}'`);
    const counts = zoo.models.map((model) => model.checkpoints.length);
    const axes = Object.entries(zoo.axes).map(([key, values]) => `  ${key}: ${values.map(String).join(', ')}`);
    process.stdout.write([
      zoo.toString(),
      `checkpoints per model: min ${Math.min(...counts)}, max ${Math.max(...counts)}`,
      ...(axes.length ? ['axes:', ...axes] : []),
      '',
      table.slice(0, rows).toMarkdown(),
      table.numRows() > rows ? `... ${table.numRows() - rows} more rows` : '',
    ].join('\n').trimEnd() + '\n');
    return 0;
  },
};
