// This session's input history, answering history_request (tail, range and glob search)
// the way IPython does: entries are [session, line, input] or [session, line, [input, output]].

export interface HistoryEntry {
  line: number;
  input: string;
  output: string | null;
}

export type HistoryRow = [number, number, string | [string, string | null]];

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 's');
}

export class History {
  private readonly entries: HistoryEntry[] = [];

  constructor(readonly session = 1) {}

  add(line: number, input: string): void {
    this.entries.push({ line, input, output: null });
  }

  setOutput(line: number, output: string): void {
    const entry = this.entries.find((candidate) => candidate.line === line);
    if (entry) entry.output = output;
  }

  query(request: Record<string, any>): HistoryRow[] {
    const output = request.output === true;
    const row = (entry: HistoryEntry): HistoryRow => [
      this.session,
      entry.line,
      output ? [entry.input, entry.output] : entry.input,
    ];
    const n = typeof request.n === 'number' && request.n > 0 ? request.n : undefined;
    switch (request.hist_access_type) {
      case 'tail':
        return (n === undefined ? this.entries : this.entries.slice(-n)).map(row);
      case 'range': {
        // session 0 (or this session's number) means the current session; other sessions are not stored.
        const session = typeof request.session === 'number' ? request.session : 0;
        if (session !== 0 && session !== this.session) return [];
        const start = typeof request.start === 'number' ? request.start : 1;
        const stop = typeof request.stop === 'number' && request.stop > 0 ? request.stop : Infinity;
        return this.entries.filter((entry) => entry.line >= start && entry.line < stop).map(row);
      }
      case 'search': {
        const pattern = globToRegExp(typeof request.pattern === 'string' ? request.pattern : '*');
        let found = this.entries.filter((entry) => pattern.test(entry.input));
        if (request.unique === true) {
          const seen = new Set<string>();
          found = found
            .reverse()
            .filter((entry) => !seen.has(entry.input) && seen.add(entry.input))
            .reverse();
        }
        return (n === undefined ? found : found.slice(-n)).map(row);
      }
      default:
        return [];
    }
  }
}
