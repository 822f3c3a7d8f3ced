// The shape of a `weightlab` subcommand and a small argument parser, so that every
// command parses flags the same way and prints the same kind of --help.

export interface Command {
  /** The word after `weightlab` (e.g. 'run'); nested commands use a space ('zoo info'). */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full --help text (usage line, arguments, options with defaults). */
  help: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** Flags that take a value (e.g. ['out', 'timeout']). */
  values?: string[];
  /** Flags without a value (e.g. ['json', 'user']). */
  flags?: string[];
  /** Short aliases: { o: 'out' }. */
  aliases?: Record<string, string>;
}

export interface ParsedArgs {
  positional: string[];
  options: Record<string, string | undefined>;
  flags: Set<string>;
}

/** Parses `--name value`, `--name=value`, `--flag`, and positionals; unknown options are a UsageError. */
export function parseArgs(args: string[], spec: OptionSpec): ParsedArgs {
  const values = new Set(spec.values ?? []);
  const flags = new Set(spec.flags ?? []);
  const parsed: ParsedArgs = { positional: [], options: {}, flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      parsed.positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positional.push(arg);
      continue;
    }
    let name = arg.replace(/^--?/, '');
    let inline: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      inline = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    name = spec.aliases?.[name] ?? name;
    if (flags.has(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      parsed.flags.add(name);
    } else if (values.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      parsed.options[name] = value;
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  return parsed;
}

/** A positive number from an option, or a UsageError naming the option. */
/**
 * --workers N: worker threads, 0 meaning this thread; undefined when not given, so the verb's
 * default (min(2, cores), or the scheduler's CPU allotment) applies.
 */
export function workersOption(parsed: ParsedArgs): number | undefined {
  if (parsed.options.workers === undefined) return undefined;
  return parsed.options.workers === '0' ? 0 : numberOption(parsed, 'workers', 2);
}

export function numberOption(parsed: ParsedArgs, name: string, fallback: number): number {
  const raw = parsed.options[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number, got '${raw}'`);
  return value;
}
