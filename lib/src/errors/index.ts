// Typed errors shared by every module. Each carries the fields a user needs to find
// the fault (file, offset, field, what was expected) so messages stay uniform and
// tests can match on `code` instead of on prose.

export interface ErrorDetails {
  /** File the fault was found in, when there is one. */
  file?: string;
  /** Byte offset in the file, when known. */
  offset?: number;
  /** Name of the field, tensor, argument or column at fault. */
  field?: string;
  /** What was expected there. */
  expected?: string;
  /** What was found instead. */
  found?: string;
}

function describe(message: string, details: ErrorDetails): string {
  const where: string[] = [];
  if (details.file !== undefined) where.push(details.file);
  if (details.offset !== undefined) where.push(`offset ${details.offset}`);
  if (details.field !== undefined) where.push(`'${details.field}'`);
  let text = where.length > 0 ? `${where.join(', ')}: ${message}` : message;
  if (details.expected !== undefined) text += ` (expected ${details.expected}`;
  if (details.found !== undefined)
    text += details.expected !== undefined ? `, found ${details.found})` : ` (found ${details.found})`;
  else if (details.expected !== undefined) text += ')';
  return text;
}

/** Base class of every error weightlab throws on purpose. */
export class WeightlabError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(describe(message, details));
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** A file or buffer does not follow its format (checkpoints, notebooks, zoo folders). */
export class FormatError extends WeightlabError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('E_FORMAT', message, details);
  }
}

/** Shapes or sizes of tensors do not fit together. */
export class ShapeError extends WeightlabError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('E_SHAPE', message, details);
  }
}

/** A dtype is unknown or not supported by the operation. */
export class DTypeError extends WeightlabError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('E_DTYPE', message, details);
  }
}

/** An option or argument is out of its documented range. */
export class ArgumentError extends WeightlabError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('E_ARGUMENT', message, details);
  }
}

/** Long work was interrupted by the user (kernel interrupt, Ctrl-C, AbortSignal). */
export class InterruptedError extends WeightlabError {
  constructor(message = 'interrupted') {
    super('E_INTERRUPTED', message);
  }
}

/** Numerical trouble a caller must know about (NaN in a result, a singular matrix, no convergence). */
export class NumericalError extends WeightlabError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('E_NUMERICAL', message, details);
  }
}
