// The state cells share: one `exports` object holding every top-level binding (cells are
// compiled as modules that read earlier cells' names from it), and the `require` cells use.

import Module, { createRequire } from 'node:module';
import path from 'node:path';
import type { SideOutput } from 'tslab/dist/converter';
import { packageName } from './typescript';

/**
 * TypeScript's CommonJS output declares imports with Object.defineProperty getters; turning them
 * into plain values lets a later cell rebind an imported name (`const relu = 5`).
 */
export function createBindings(): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  return new Proxy(target, {
    defineProperty(_target, property, attributes) {
      if (property === '__esModule') return true;
      target[property as string] = attributes.get ? attributes.get() : attributes.value;
      return true;
    },
  });
}

type Require = NodeJS.Require;

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

  constructor(
    private readonly directory: string,
    private readonly weightlabPath: string,
    private readonly dependencies: ReadonlySet<string> = new Set(),
  ) {
    this.require = this.wrap(createRequire(path.join(directory, '<cell>.js')), directory);
    this.libraryRequire = createRequire(path.join(weightlabPath, 'package.json'));
  }

  addSideOutputs(outputs: SideOutput[] | undefined): void {
    for (const output of outputs ?? []) {
      this.modules.delete(output.path);
      this.sources.set(output.path, output.data);
    }
  }

  private wrap(base: Require, directory: string): Require {
    const load = (id: string): unknown => {
      if (id === 'weightlab') return base(this.weightlabPath);
      if (this.dependencies.has(packageName(id))) return this.libraryRequire(id);
      if (id.startsWith('.') || path.isAbsolute(id)) {
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
