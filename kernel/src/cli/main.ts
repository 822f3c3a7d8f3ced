// The `weightlab` command line: a registry of subcommands, dispatch, and uniform --help
// and error output. Each subcommand lives in its own module under cli/commands/.

import { UsageError, type Command } from './command';
import { commands } from './commands';
import { replaceWarningPrinter, warningOutput } from '../kernel/warnings';

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'weightlab: a TypeScript notebook lab for weight-space learning',
    '',
    'Usage: weightlab <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'weightlab <command> --help' for a command's options.",
  ].join('\n');
}

function find(args: string[]): { command: Command; rest: string[] } | undefined {
  // Longest match first so that 'zoo info' wins over a hypothetical 'zoo'.
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of sorted) {
    const words = command.name.split(' ');
    if (words.every((word, i) => args[i] === word)) return { command, rest: args.slice(words.length) };
  }
  return undefined;
}

/** Warnings a command raises (the library's, a dependency's deprecation): one short line each, once. */
function printWarningsShort(): void {
  const shown = new Set<string>();
  replaceWarningPrinter((warning) => {
    const { key, line } = warningOutput(warning);
    if (shown.has(key)) return;
    shown.add(key);
    process.stderr.write(`weightlab: ${line}\n`);
  });
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  printWarningsShort();
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(`${overview()}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    process.stdout.write(`${require('../../package.json').version}\n`);
    return 0;
  }
  const found = find(argv);
  if (!found) {
    process.stderr.write(`weightlab: unknown command '${argv[0]}'\n\n${overview()}\n`);
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    process.stdout.write(`${found.command.help.trimEnd()}\n`);
    return 0;
  }
  try {
    return await found.command.run(found.rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`weightlab ${found.command.name}: ${error.message}\n\n${found.command.help.trimEnd()}\n`);
      return 2;
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`weightlab ${found.command.name}: ${message}\n`);
    if (process.env.WEIGHTLAB_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
