// A small RFC 4180 CSV parser for zoo side files (the Small CNN Zoo's layout.csv and
// metrics.csv.gz). Quoted fields, doubled quotes and CRLF are handled; numeric-looking
// cells become numbers so that table columns are numeric.

import { FormatError } from '../errors';

/** The records of a CSV text as cells (strings), blank lines left out; no header handling. */
export function parseCsvRecords(text: string, file: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      field = '';
      if (record.length > 1 || record[0] !== '') records.push(record);
      record = [];
    } else field += c;
  }
  if (quoted) throw new FormatError('CSV ends inside a quoted field', { file });
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Rows as objects keyed by the header row. */
export function parseCsv(text: string, file: string): Record<string, string | number>[] {
  const records = parseCsvRecords(text, file);
  if (records.length === 0) throw new FormatError('CSV has no header row', { file });
  const header = records[0];
  return records.slice(1).map((cells, index) => {
    if (cells.length !== header.length)
      throw new FormatError('CSV row has a different number of cells than the header', {
        file,
        field: `row ${index + 2}`,
        expected: String(header.length),
        found: String(cells.length),
      });
    const row: Record<string, string | number> = {};
    header.forEach((name, column) => {
      const cell = cells[column];
      const number = cell.trim() === '' ? NaN : Number(cell);
      row[name] = cell.trim() !== '' && Number.isFinite(number) ? number : /^(nan|NaN)$/.test(cell.trim()) ? NaN : cell;
    });
    return row;
  });
}
