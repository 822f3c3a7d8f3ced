// Notebook parameters in papermill's convention, for TypeScript notebooks: the first code cell
// tagged `parameters` declares the knobs (`let seed = 0;`), and `weightlab run -p seed 7` inserts
// after it a cell tagged `injected-parameters` that re-assigns them. Values are checked against the
// declarations before any kernel starts, and recorded in the notebook's metadata (ours and
// papermill's), so a run's parameters travel with its outputs.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArgumentError, type ErrorDetails } from 'weightlab';
import { loadTypeScript } from '../executor/typescript';
import { locateJsonError } from './json-error';
import { text, type Cell, type CodeCell, type Notebook } from './nbformat';

export const PARAMETERS_TAG = 'parameters';
export const INJECTED_PARAMETERS_TAG = 'injected-parameters';

/** A parameter value: what JSON can hold (papermill's -p gives numbers, booleans, null or strings). */
export type ParameterValue = null | boolean | number | string | ParameterValue[] | { [key: string]: ParameterValue };
export type Parameters = Record<string, ParameterValue>;

/** A parameter that cannot be applied: unknown name, wrong type, no parameters cell, unreadable file. */
export class ParameterError extends ArgumentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details);
  }
}

export type ParameterType = 'number' | 'string' | 'boolean' | 'array' | 'object';

/** How the parameters cell declares one name. */
export interface ParameterDeclaration {
  name: string;
  keyword: 'const' | 'let' | 'var';
  /** The written type annotation, if any (`number` in `let seed: number = 0`). */
  annotation?: string;
  /** The kind of value the declaration holds, where its annotation or literal initialiser says; undefined: any. */
  type?: ParameterType;
  /** The declaration as written, for error messages. */
  source: string;
}

export interface ParametersCell {
  /** 0-based position among all cells. */
  index: number;
  declarations: Map<string, ParameterDeclaration>;
}

export function cellTags(cell: Cell): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/**
 * Papermill's -p: `True`/`true`, `False`/`false`, `None`/`null` and numbers are parsed, anything
 * else stays a string. (Python's spellings are kept so that a papermill command line works as is.)
 */
export function parseParameterValue(raw: string): ParameterValue {
  if (raw === 'True' || raw === 'true') return true;
  if (raw === 'False' || raw === 'false') return false;
  if (raw === 'None' || raw === 'null') return null;
  if (/^[+-]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) {
    const value = Number(raw.replace(/_/g, ''));
    if (Number.isFinite(value)) return value;
  }
  return raw;
}

/** A --parameters-file: one JSON object, its values taken as they are. */
export function readParametersFile(file: string): Parameters {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ParameterError(
      `cannot read the parameters file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { file: path.resolve(file) },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    const located = locateJsonError(content);
    throw new ParameterError(`the parameters file is not valid JSON${located ? `: ${located.message}` : ''}`, {
      file: path.resolve(file),
      offset: located?.offset,
      found: located ? undefined : (error as Error).message,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ParameterError('the parameters file must hold one JSON object of names and values', {
      file: path.resolve(file),
      expected: 'an object',
      found: Array.isArray(value) ? 'an array' : JSON.stringify(value),
    });
  }
  return value as Parameters;
}

/** The first code cell tagged `parameters` (papermill's rule), or -1. */
export function parametersCellIndex(notebook: Notebook): number {
  return notebook.cells.findIndex((cell) => cell.cell_type === 'code' && cellTags(cell).includes(PARAMETERS_TAG));
}

type TypeScriptModule = ReturnType<typeof loadTypeScript>['ts'];
type Expression = import('@tslab/typescript-for-tslab').Expression;
type TypeNode = import('@tslab/typescript-for-tslab').TypeNode;

function annotatedType(ts: TypeScriptModule, node: TypeNode | undefined): ParameterDeclaration['type'] {
  if (node?.kind === ts.SyntaxKind.NumberKeyword) return 'number';
  if (node?.kind === ts.SyntaxKind.StringKeyword) return 'string';
  if (node?.kind === ts.SyntaxKind.BooleanKeyword) return 'boolean';
  if (node && (ts.isArrayTypeNode(node) || ts.isTupleTypeNode(node))) return 'array';
  return undefined;
}

function literalType(ts: TypeScriptModule, node: Expression | undefined): ParameterDeclaration['type'] {
  if (!node) return undefined;
  if (ts.isParenthesizedExpression(node)) return literalType(ts, node.expression);
  if (ts.isNumericLiteral(node)) return 'number';
  if (
    ts.isPrefixUnaryExpression(node) &&
    (node.operator === ts.SyntaxKind.MinusToken || node.operator === ts.SyntaxKind.PlusToken)
  ) {
    return ts.isNumericLiteral(node.operand) ? 'number' : undefined;
  }
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return 'string';
  if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) return 'boolean';
  if (ts.isArrayLiteralExpression(node)) return 'array';
  if (ts.isObjectLiteralExpression(node)) return 'object';
  return undefined;
}

/** The names the parameters cell declares at its top level, parsed with TypeScript's own parser. */
export function parameterDeclarations(source: string): Map<string, ParameterDeclaration> {
  const { ts } = loadTypeScript();
  const file = ts.createSourceFile('parameters.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const declarations = new Map<string, ParameterDeclaration>();
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const flags = statement.declarationList.flags;
    const keyword = flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : 'var';
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name)) continue;
      declarations.set(declaration.name.text, {
        name: declaration.name.text,
        keyword,
        annotation: declaration.type?.getText(file),
        type: declaration.type ? annotatedType(ts, declaration.type) : literalType(ts, declaration.initializer),
        source: `${keyword} ${declaration.getText(file)}`,
      });
    }
  }
  return declarations;
}

/** The notebook's parameters cell and its declarations; a ParameterError naming `file` when there is none. */
export function findParametersCell(file: string, notebook: Notebook): ParametersCell {
  const index = parametersCellIndex(notebook);
  if (index < 0) {
    throw new ParameterError(
      `parameters were given but no code cell is tagged '${PARAMETERS_TAG}' (add the tag to the cell that declares them, as papermill expects)`,
      { file },
    );
  }
  return { index, declarations: parameterDeclarations(text(notebook.cells[index].source)) };
}

function typeOf(value: ParameterValue): ParameterType | 'null' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as ParameterType;
}

function describeValue(value: ParameterValue): string {
  return value === null ? 'null' : `the ${typeOf(value)} ${JSON.stringify(value)}`;
}

/** What to do about a value of the wrong type, by what was given and what was declared. */
function remedy(expected: ParameterType, value: ParameterValue): string {
  if (expected === 'string') return '; -r NAME VALUE passes VALUE as a string as it is';
  if ((expected === 'array' || expected === 'object') && typeof value === 'string')
    return `; -p gives numbers, booleans, null or strings: put ${expected === 'array' ? 'an array' : 'an object'} in --parameters-file`;
  return '';
}

/** Checks every value against its declaration: the name must be declared, and a literal's type must match. */
export function checkParameters(file: string, cell: ParametersCell, values: Parameters): void {
  const declared = [...cell.declarations.keys()];
  for (const [name, value] of Object.entries(values)) {
    const declaration = cell.declarations.get(name);
    if (!declaration) {
      throw new ParameterError(`the parameters cell (cell ${cell.index + 1}) does not declare '${name}'`, {
        file,
        field: name,
        expected: declared.length > 0 ? `one of ${declared.join(', ')}` : 'a name the cell declares (it declares none)',
        found: name,
      });
    }
    if (declaration.type && typeOf(value) !== declaration.type) {
      throw new ParameterError(
        `the parameters cell (cell ${cell.index + 1}) declares \`${declaration.source}\`${remedy(declaration.type, value)}`,
        {
          file,
          field: name,
          expected: `${declaration.type === 'array' || declaration.type === 'object' ? 'an' : 'a'} ${declaration.type}`,
          found: describeValue(value),
        },
      );
    }
  }
}

/** TypeScript that gives each name its value, written the way the parameters cell declares it. */
export function injectedSource(cell: ParametersCell, values: Parameters): string {
  const lines = ['// Parameters injected by weightlab run (-p, --parameters-file or --sweep)'];
  for (const [name, value] of Object.entries(values)) {
    const declaration = cell.declarations.get(name)!;
    const literal = JSON.stringify(value);
    // A const is declared again (the kernel lets a later cell redeclare a name); let and var are re-assigned.
    if (declaration.keyword === 'const')
      lines.push(`const ${name}${declaration.annotation ? `: ${declaration.annotation}` : ''} = ${literal};`);
    else lines.push(`${name} = ${literal};`);
  }
  // An assignment is an expression with a value, which the kernel would show as the cell's result;
  // the injected cell shows nothing, as papermill's does.
  if (lines.length > 1) lines.push('void 0;');
  return lines.join('\n');
}

/**
 * Inserts the injected-parameters cell after the parameters cell (replacing one a previous run
 * injected) and records the values in `metadata.weightlab.parameters` and
 * `metadata.papermill.parameters`. Throws a ParameterError, before anything runs, for a notebook
 * without a parameters cell, an undeclared name or a value of the wrong type.
 */
export function injectParameters(file: string, notebook: Notebook, values: Parameters): void {
  const previous = notebook.cells.filter((cell) => cellTags(cell).includes(INJECTED_PARAMETERS_TAG));
  notebook.cells = notebook.cells.filter((cell) => !previous.includes(cell));
  const cell = findParametersCell(file, notebook);
  checkParameters(file, cell, values);
  const injected: CodeCell = {
    cell_type: 'code',
    metadata: { tags: [INJECTED_PARAMETERS_TAG] },
    execution_count: null,
    outputs: [],
    source: injectedSource(cell, values),
  };
  // Cell ids exist from nbformat 4.5 on; an older notebook's schema forbids them.
  if (notebook.nbformat_minor >= 5) {
    const taken = new Set(notebook.cells.map((other) => other.id));
    let id = INJECTED_PARAMETERS_TAG;
    for (let suffix = 2; taken.has(id); suffix++) id = `${INJECTED_PARAMETERS_TAG}-${suffix}`;
    injected.id = id;
  }
  notebook.cells.splice(cell.index + 1, 0, injected);
  notebook.metadata.weightlab = { ...(notebook.metadata.weightlab ?? {}), parameters: values };
  notebook.metadata.papermill = { ...(notebook.metadata.papermill ?? {}), parameters: values };
}
