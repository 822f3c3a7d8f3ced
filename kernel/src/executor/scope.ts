// The state cells share: one `exports` object holding every top-level binding (cells are
// compiled as modules that read earlier cells' names from it), and the `require` cells use.

import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import type { SideOutput } from 'tslab/dist/converter';
import { packageName } from './typescript';

/** A plain, writable binding: a later cell may rebind the name (`const relu = 5`). */
function plainBinding(value: unknown): PropertyDescriptor {
  return { value, writable: true, enumerable: true, configurable: true };
}

/**
 * TypeScript's CommonJS output declares imports with Object.defineProperty getters; each becomes a
 * plain value on its first read (not at import: the prelude's names then do not load weightlab
 * before a cell uses it), so a later cell can rebind an imported name (`const relu = 5`).
 */
export function createBindings(): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  return new Proxy(target, {
    defineProperty(_target, property, attributes) {
      if (property === '__esModule') return true;
      const read = attributes.get;
      if (!read) return Reflect.defineProperty(target, property, plainBinding(attributes.value));
      return Reflect.defineProperty(target, property, {
        get() {
          const value: unknown = read();
          Reflect.defineProperty(target, property, plainBinding(value));
          return value;
        },
        set(value: unknown) {
          Reflect.defineProperty(target, property, plainBinding(value));
        },
        enumerable: true,
        configurable: true,
      });
    },
  });
}

/**
 * The module `load()` returns, loaded on first use: weightlab's 360-odd modules take a few hundred
 * milliseconds to compile, which the prelude's `import * as weightlab` would otherwise add to the
 * first cell of every kernel, used or not. `esModule` answers TypeScript's `__esModule` test
 * without loading (so `import *` keeps the proxy instead of copying every export). Once loaded,
 * the target takes the module's own properties and prototype, and every trap reads the module.
 */
export function lazyModule(load: () => object, esModule: boolean): object {
  const target: object = {};
  let loaded: object | undefined;
  const module = (): object => {
    if (loaded) return loaded;
    loaded = load();
    for (const key of Reflect.ownKeys(loaded))
      Reflect.defineProperty(target, key, Reflect.getOwnPropertyDescriptor(loaded, key)!);
    Reflect.setPrototypeOf(target, Reflect.getPrototypeOf(loaded));
    if (!Reflect.isExtensible(loaded)) Reflect.preventExtensions(target);
    return loaded;
  };
  return new Proxy(target, {
    get: (_, key) => (key === '__esModule' && !loaded ? esModule : Reflect.get(module(), key)),
    set: (_, key, value) => Reflect.set(module(), key, value),
    has: (_, key) => Reflect.has(module(), key),
    ownKeys: () => (module(), Reflect.ownKeys(target)),
    getOwnPropertyDescriptor: (_, key) => (module(), Reflect.getOwnPropertyDescriptor(target, key)),
    defineProperty: (_, key, attributes) => (module(), Reflect.defineProperty(target, key, attributes)),
    deleteProperty: (_, key) => (module(), Reflect.deleteProperty(target, key)),
    getPrototypeOf: () => (module(), Reflect.getPrototypeOf(target)),
    isExtensible: () => (module(), Reflect.isExtensible(target)),
    preventExtensions: () => (module(), Reflect.preventExtensions(target)),
  });
}

type Require = NodeJS.Require;

/** Whether a CommonJS file is TypeScript output of an ES module (it marks its exports `__esModule`). */
function compiledAsEsModule(file: string): boolean {
  return /Object\.defineProperty\(exports, "__esModule", \{ value: true \}\)/.test(readFileSync(file, 'utf8'));
}

/**
 * `require` for cells: resolves from the notebook folder, maps `weightlab` to the kernel's copy
 * (the one the prelude and the types use) and weightlab's own dependencies to the copies it uses
 * (as the type checker does, see weightlabDependencies), and loads the compiled output of local
 * .ts files that cells import (the converter hands those over as side outputs).
 */
export class CellRequire {
  private readonly sources = new Map<string, string>();
  private readonly modules = new Map<string, Module>();
  readonly require: Require;

  private readonly libraryRequire: Require;
  /** weightlab as the prelude and cells import it, loaded when a cell first uses it. */
  private readonly lazyLibrary: object;

  constructor(
    private readonly directory: string,
    private readonly weightlabPath: string,
    private readonly dependencies: ReadonlySet<string> = new Set(),
  ) {
    this.require = this.wrap(createRequire(path.join(directory, '<cell>.js')), directory);
    this.libraryRequire = createRequire(path.join(weightlabPath, 'package.json'));
    const base = createRequire(path.join(directory, '<cell>.js'));
    this.lazyLibrary = lazyModule(() => base(weightlabPath) as object, compiledAsEsModule(base.resolve(weightlabPath)));
  }

  addSideOutputs(outputs: SideOutput[] | undefined): void {
    for (const output of outputs ?? []) {
      this.modules.delete(output.path);
      this.sources.set(output.path, output.data);
    }
  }

  private wrap(base: Require, directory: string): Require {
    const load = (id: string): unknown => {
      if (id === 'weightlab') return this.lazyLibrary;
      if (this.dependencies.has(packageName(id))) return this.libraryRequire(id);
      if (id.startsWith('.') || path.isAbsolute(id)) {
        if (path.resolve(directory, id) === this.weightlabPath) return this.lazyLibrary;
        let file = path.resolve(directory, id);
        if (path.extname(file) === '') file += '.js';
        const local = this.loadSideOutput(file);
        if (local) return local.exports;
      }
      return base(id);
    };
    return Object.assign(load, {
      resolve: base.resolve,
      cache: base.cache,
      main: base.main,
      extensions: base.extensions,
    }) as Require;
  }

  private loadSideOutput(file: string): Module | undefined {
    const cached = this.modules.get(file);
    if (cached) return cached;
    const source = this.sources.get(file);
    if (source === undefined) return undefined;
    const module = new Module(file, undefined);
    module.filename = file;
    module.paths = (Module as unknown as { _nodeModulePaths(directory: string): string[] })._nodeModulePaths(
      path.dirname(file),
    );
    const base = createRequire(file);
    (module as unknown as { require: Require }).require = this.wrap(base, path.dirname(file));
    this.modules.set(file, module);
    (module as unknown as { _compile(source: string, file: string): void })._compile(source, file);
    return module;
  }
}
