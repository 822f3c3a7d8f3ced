// A restricted Python unpickler. PyTorch checkpoints are pickles, and an ordinary unpickler
// runs whatever callable the file names (a REDUCE of os.system is a one-line exploit). This
// one is a data decoder: it knows the opcodes of protocols 0-5, builds plain JavaScript
// values, and resolves every GLOBAL against an allow-list the caller supplies (JavaScript
// functions that rebuild data). Any other global is refused at the GLOBAL opcode, with its
// name, before anything could use it. Nothing from the file is ever executed.
// Work and memory stay linear in the pickle's size: memo reads push references (a "billion
// laughs" list shared a million times is one list), integers and containers have size limits,
// every call of an allowed global is charged the size of its arguments against a budget
// proportional to the pickle, and nothing recurses on the nesting depth the file chooses.
// Opcode reference: CPython Lib/pickletools.py.

import { FormatError } from '../errors';

/** A callable the caller allows a pickle to name: a JavaScript function that builds data from arguments. */
export type PickleCallable = (args: unknown[]) => unknown;

/** An allowed global as it sits on the unpickler stack. */
export class PickleGlobal {
  constructor(
    readonly qualifiedName: string,
    readonly call: PickleCallable,
  ) {}
}

/** Objects that accept a BUILD (`__setstate__`) implement this symbol. */
export const pickleSetState: unique symbol = Symbol('weightlab.pickleSetState');

/** Attributes attached by BUILD to dicts (OrderedDict `_metadata` in state dicts). */
export const pickleAttributes = new WeakMap<object, unknown>();

export interface UnpickleOptions {
  /** File name for errors. */
  file: string;
  /** Allowed globals by 'module.name'. */
  globals: Record<string, PickleCallable>;
  /** Resolves persistent ids (PyTorch storages), given the file offset of the opcode for errors; without it PERSID is refused. */
  persistentLoad?: (pid: unknown, offset: number) => unknown;
  /** Byte offset of the pickle in `bytes` (legacy torch files hold several pickles in a row). */
  start?: number;
  /** Offset of `bytes` in the file, so that errors give file offsets. */
  fileOffset?: number;
  /**
   * Work units the allowed globals may be charged (each call costs 1 + the sizes of its arguments and
   * of their direct elements); default 16 per pickle byte + 2^20, so work stays linear in the file.
   */
  maxCallWork?: number;
}

/** Python's own limit on decimal integer text (sys.get_int_max_str_digits, 3.11+); LONG1/LONG4 get the same in bytes. */
export const MAX_INT_DIGITS = 4300;
const MAX_INT_BYTES = 1792;
/** Elements one list, tuple or dict may hold (a state dict has thousands). */
export const MAX_CONTAINER_ITEMS = 1 << 24;

export interface UnpickleResult {
  value: unknown;
  /** Offset just after the STOP opcode. */
  end: number;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Runs the pickle in `bytes` from `start` to its STOP opcode. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): UnpickleResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { file, globals } = options;
  const base = options.fileOffset ?? 0;
  let at = options.start ?? 0;
  let opcodeAt = at;
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let callWork = options.maxCallWork ?? 16 * (bytes.length - at) + (1 << 20);

  const fail = (message: string, details: { field?: string; expected?: string; found?: string } = {}): never => {
    throw new FormatError(message, { file, offset: base + opcodeAt, ...details });
  };
  const need = (length: number, what: string): void => {
    if (!Number.isSafeInteger(length) || length < 0 || at + length > bytes.length) {
      fail(`pickle ends inside ${what} (truncated?)`, {
        expected: `${length} bytes`,
        found: `${Math.max(0, bytes.length - at)}`,
      });
    }
  };
  const u8 = () => {
    need(1, 'an argument');
    return bytes[at++];
  };
  const u16 = () => {
    need(2, 'an argument');
    const v = view.getUint16(at, true);
    at += 2;
    return v;
  };
  const u32 = () => {
    need(4, 'an argument');
    const v = view.getUint32(at, true);
    at += 4;
    return v;
  };
  const i32 = () => {
    need(4, 'an argument');
    const v = view.getInt32(at, true);
    at += 4;
    return v;
  };
  const u64 = () => {
    need(8, 'an argument');
    const v = view.getBigUint64(at, true);
    at += 8;
    if (v > BigInt(bytes.length)) fail('length larger than the pickle', { found: String(v) });
    return Number(v);
  };
  const take = (length: number, what: string) => {
    need(length, what);
    const out = bytes.subarray(at, at + length);
    at += length;
    return out;
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) fail('pickle ends inside a text argument (truncated?)');
    const text = new TextDecoder('latin1').decode(bytes.subarray(at, end));
    at = end + 1;
    return text;
  };
  const utf8 = (raw: Uint8Array): string => {
    try {
      return STRICT_UTF8.decode(raw);
    } catch {
      return fail('pickle string is not valid UTF-8', { found: Buffer.from(raw.subarray(0, 16)).toString('hex') });
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]))
      fail('pickle stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('pickle stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const mark = marks.pop();
    if (mark === undefined) fail('pickle has no MARK to pop to');
    return stack.splice(mark!);
  };
  const littleEndianInteger = (raw: Uint8Array): number | bigint => {
    if (raw.length === 0) return 0;
    if (raw.length > MAX_INT_BYTES)
      fail('integer too large', { expected: `at most ${MAX_INT_BYTES} bytes`, found: `${raw.length} bytes` });
    // One hex string and one BigInt: linear, where shifting a BigInt byte by byte is quadratic.
    let value = BigInt(`0x${Buffer.from(raw).reverse().toString('hex')}`);
    if (raw[raw.length - 1] & 0x80) value -= 1n << BigInt(8 * raw.length);
    return integer(value);
  };
  const decimalInteger = (text: string, opcode: string): number | bigint => {
    if (!/^[-+]?\d+$/.test(text)) fail(`bad ${opcode}`, { found: text.slice(0, 40) });
    if (text.length > MAX_INT_DIGITS)
      fail('integer too large', { expected: `at most ${MAX_INT_DIGITS} digits`, found: `${text.length} digits` });
    return integer(BigInt(text));
  };
  const resolveGlobal = (module: string, name: string): PickleGlobal => {
    const qualified = `${module}.${name}`;
    const call = Object.prototype.hasOwnProperty.call(globals, qualified) ? globals[qualified] : undefined;
    if (!call) {
      fail(
        `pickle refers to '${qualified}', which is not on the allow-list of data-only globals; refusing to load it (nothing was executed)`,
        {
          field: qualified,
          expected: Object.keys(globals).slice(0, 6).join(', ') + (Object.keys(globals).length > 6 ? ', ...' : ''),
        },
      );
    }
    return new PickleGlobal(qualified, call!);
  };
  const callGlobal = (callable: unknown, args: unknown): unknown => {
    if (!(callable instanceof PickleGlobal))
      fail('REDUCE of something that is not an allowed global', { found: describe(callable) });
    if (!Array.isArray(args))
      fail('REDUCE arguments are not a tuple', { field: (callable as PickleGlobal).qualifiedName });
    // A global may walk its arguments and their elements; shared (memoised) arguments are charged at every call.
    let cost = 1;
    for (const arg of args as unknown[]) {
      cost += extent(arg);
      if (Array.isArray(arg)) for (let i = 0; i < arg.length && i < 1 << 20; i++) cost += extent(arg[i]);
    }
    callWork -= cost;
    if (callWork < 0)
      fail('pickle asks for more work than its size allows (shared containers passed to calls again and again?)', {
        field: (callable as PickleGlobal).qualifiedName,
      });
    try {
      return (callable as PickleGlobal).call(args as unknown[]);
    } catch (error) {
      // Errors that already name a file (storage reads) pass through; the allow-listed functions' own get this pickle's file and offset.
      if (error instanceof FormatError && error.details.file !== undefined) throw error;
      return fail(`cannot rebuild ${(callable as PickleGlobal).qualifiedName}: ${(error as Error).message}`, {
        field: (callable as PickleGlobal).qualifiedName,
      });
    }
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map)) fail('SETITEM(S) on something that is not a dict', { found: describe(target) });
    if (items.length % 2 !== 0) fail('SETITEMS needs key/value pairs');
    for (let i = 0; i < items.length; i += 2) (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
    if ((target as Map<unknown, unknown>).size > MAX_CONTAINER_ITEMS)
      fail('dict too large', { expected: `at most ${MAX_CONTAINER_ITEMS} items` });
  };
  const append = (target: unknown, items: unknown[]): void => {
    if (!Array.isArray(target)) fail('APPEND(S) on something that is not a list', { found: describe(target) });
    const list = target as unknown[];
    if (list.length + items.length > MAX_CONTAINER_ITEMS)
      fail('list too large', { expected: `at most ${MAX_CONTAINER_ITEMS} items` });
    // One push per item: spreading hundreds of thousands of arguments overflows the call stack.
    for (const item of items) list.push(item);
  };
  const popMarkChecked = (): unknown[] => {
    const items = popMark();
    if (items.length > MAX_CONTAINER_ITEMS)
      fail('tuple or list too large', { expected: `at most ${MAX_CONTAINER_ITEMS} items` });
    return items;
  };

  for (;;) {
    opcodeAt = at;
    if (at >= bytes.length) fail('pickle ends before its STOP opcode (truncated?)');
    const op = bytes[at++];
    switch (op) {
      case 0x80: {
        const protocol = u8();
        if (protocol > 5) fail('unsupported pickle protocol', { expected: '0..5', found: String(protocol) });
        break;
      } // PROTO
      case 0x95:
        u64();
        break; // FRAME: a length hint only
      case 0x2e: {
        // STOP
        const value = pop();
        return { value, end: at };
      }
      case 0x28:
        marks.push(stack.length);
        break; // MARK
      case 0x30:
        pop();
        break; // POP
      case 0x31:
        popMark();
        break; // POP_MARK
      case 0x32:
        stack.push(top());
        break; // DUP
      // Constants and numbers.
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x4a:
        stack.push(i32());
        break; // BININT
      case 0x4b:
        stack.push(u8());
        break; // BININT1
      case 0x4d:
        stack.push(u16());
        break; // BININT2
      case 0x8a:
        stack.push(littleEndianInteger(take(u8(), 'LONG1')));
        break; // LONG1
      case 0x8b: {
        const length = i32();
        if (length < 0) fail('negative LONG4 length');
        stack.push(littleEndianInteger(take(length, 'LONG4')));
        break;
      }
      case 0x47: {
        need(8, 'BINFLOAT');
        stack.push(view.getFloat64(at, false));
        at += 8;
        break;
      } // BINFLOAT (big-endian)
      case 0x49: {
        // INT (text); protocol 0 writes booleans as I00 / I01
        const text = line();
        if (text === '00') stack.push(false);
        else if (text === '01') stack.push(true);
        else stack.push(decimalInteger(text, 'INT'));
        break;
      }
      case 0x4c:
        stack.push(decimalInteger(line().replace(/L$/, ''), 'LONG'));
        break;
      case 0x46: {
        const text = line();
        const value = Number(text);
        if (Number.isNaN(value) && !/nan/i.test(text)) fail('bad FLOAT', { found: text });
        stack.push(value);
        break;
      }
      // Strings and bytes.
      case 0x58:
        stack.push(utf8(take(u32(), 'BINUNICODE')));
        break;
      case 0x8c:
        stack.push(utf8(take(u8(), 'SHORT_BINUNICODE')));
        break;
      case 0x8d:
        stack.push(utf8(take(u64(), 'BINUNICODE8')));
        break;
      case 0x56:
        stack.push(line().replace(/\\u([0-9a-fA-F]{4})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))));
        break; // UNICODE (raw-unicode-escape)
      case 0x54: {
        const length = i32();
        if (length < 0) fail('negative BINSTRING length');
        stack.push(new TextDecoder('latin1').decode(take(length, 'BINSTRING')));
        break;
      }
      case 0x55:
        stack.push(new TextDecoder('latin1').decode(take(u8(), 'SHORT_BINSTRING')));
        break;
      case 0x53: {
        // STRING: a quoted repr
        const text = line();
        const match = /^(['"])(.*)\1$/s.exec(text);
        if (!match) fail('bad STRING', { found: text.slice(0, 40) });
        stack.push(
          match![2].replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e: string) =>
            e[0] === 'x'
              ? String.fromCharCode(parseInt(e.slice(1), 16))
              : (({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[e] ?? e),
          ),
        );
        break;
      }
      case 0x42:
        stack.push(take(u32(), 'BINBYTES').slice());
        break;
      case 0x43:
        stack.push(take(u8(), 'SHORT_BINBYTES').slice());
        break;
      case 0x8e:
        stack.push(take(u64(), 'BINBYTES8').slice());
        break;
      case 0x96:
        stack.push(take(u64(), 'BYTEARRAY8').slice());
        break;
      // Containers.
      case 0x7d:
        stack.push(new Map());
        break; // EMPTY_DICT
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x29:
        stack.push([]);
        break; // EMPTY_TUPLE
      case 0x8f:
        stack.push([]);
        break; // EMPTY_SET (sets become arrays)
      case 0x74:
        stack.push(popMarkChecked());
        break; // TUPLE
      case 0x85:
        stack.push([pop()]);
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push([a, b]);
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push([a, b, c]);
        break;
      }
      case 0x6c:
        stack.push(popMarkChecked());
        break; // LIST
      case 0x91:
        stack.push(popMarkChecked());
        break; // FROZENSET
      case 0x64: {
        const items = popMark();
        const dict = new Map();
        setItems(dict, items);
        stack.push(dict);
        break;
      } // DICT
      case 0x61: {
        const item = pop();
        append(top(), [item]);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        append(top(), items);
        break;
      } // APPENDS
      case 0x90: {
        const items = popMark();
        append(top(), items);
        break;
      } // ADDITEMS
      case 0x73: {
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      } // SETITEM
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      } // SETITEMS
      // Memo.
      case 0x71:
        memo.set(u8(), top());
        break; // BINPUT
      case 0x72:
        memo.set(u32(), top());
        break; // LONG_BINPUT
      case 0x70:
        memo.set(decimal(line()), top());
        break; // PUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x68:
        stack.push(recall(u8()));
        break; // BINGET
      case 0x6a:
        stack.push(recall(u32()));
        break; // LONG_BINGET
      case 0x67:
        stack.push(recall(decimal(line())));
        break; // GET
      // Globals and calls: only allow-listed names ever reach the stack.
      case 0x63: {
        const module = line();
        const name = line();
        stack.push(resolveGlobal(module, name));
        break;
      } // GLOBAL
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        const args = pop();
        const callable = pop();
        stack.push(callGlobal(callable, args));
        break;
      } // REDUCE
      case 0x81: {
        const args = pop();
        const cls = pop();
        stack.push(callGlobal(cls, args));
        break;
      } // NEWOBJ
      case 0x92: {
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!(kwargs instanceof Map) || kwargs.size > 0) fail('NEWOBJ_EX with keyword arguments is not supported');
        stack.push(callGlobal(cls, args));
        break;
      }
      case 0x69: {
        const module = line();
        const name = line();
        const cls = resolveGlobal(module, name);
        stack.push(callGlobal(cls, popMark()));
        break;
      } // INST
      case 0x6f: {
        const items = popMark();
        if (items.length === 0) fail('OBJ without a class');
        stack.push(callGlobal(items[0], items.slice(1)));
        break;
      } // OBJ
      case 0x62: {
        // BUILD
        const state = pop();
        const target = top();
        if (target !== null && typeof target === 'object' && pickleSetState in target) {
          (target as { [pickleSetState](state: unknown): void })[pickleSetState](state);
        } else if (target instanceof Map) {
          pickleAttributes.set(target, state);
        } else if (state !== null) {
          fail('BUILD on an object that accepts no state', { found: describe(target) });
        }
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail('pickle uses persistent ids, which this file type does not allow');
        stack.push(options.persistentLoad!(pid, base + opcodeAt));
        break;
      }
      case 0x50: {
        // PERSID
        const pid = line();
        if (!options.persistentLoad) fail('pickle uses persistent ids, which this file type does not allow');
        stack.push(options.persistentLoad!(pid, base + opcodeAt));
        break;
      }
      case 0x82:
      case 0x83:
      case 0x84:
        fail('pickle uses the copyreg extension registry, which is not supported');
        break;
      case 0x97:
      case 0x98:
        fail('pickle uses out-of-band buffers (protocol 5), which are not supported');
        break;
      default:
        fail('unknown pickle opcode', { found: `0x${op.toString(16).padStart(2, '0')}` });
    }
  }

  function recall(index: number): unknown {
    if (!memo.has(index)) fail('pickle reads a memo slot it never wrote', { found: String(index) });
    return memo.get(index);
  }
  function decimal(text: string): number {
    if (!/^\d+$/.test(text)) fail('bad memo index', { found: text });
    return Number(text);
  }
}

/** What a global may walk in one argument: its element count, or its length for strings and bytes. */
function extent(value: unknown): number {
  if (Array.isArray(value) || typeof value === 'string') return value.length;
  if (value instanceof Map) return value.size;
  if (value instanceof Uint8Array) return value.length;
  return 0;
}

function integer(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function describe(value: unknown): string {
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'a tuple or list';
  if (value instanceof Map) return 'a dict';
  if (value instanceof PickleGlobal) return value.qualifiedName;
  return typeof value;
}
