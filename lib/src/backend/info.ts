// backendInfo(): which engine runs each family of operations, as a displayable report. It looks
// at package manifests, built .wasm files and env variables, and at most instantiates our small
// wasm kernels (a few KB, sub-millisecond); it never loads jax-js or onnxruntime-node, so it is
// safe to call at kernel start-up. Modules that own a family elsewhere (the eigensolver)
// register a describer with `registerEngineFamily` to report their own choice.

import * as path from 'node:path';
import { mimeBundle, type MimeBundle } from '../display/protocol';
import { engineChoice, intraOpThreads, type EngineChoice } from './engine';
import { deviceStatus } from './device';
import { defaultJaxDevice, JAX_PACKAGE, jaxLoaded } from './jax';
import { onnxAvailable, onnxFailure, onnxLoaded, ONNX_PACKAGE } from './onnx/runtime';
import { installedPackage } from './packages';
import { rowDotsEngine } from './row-dots';
import {
  builtKernels,
  kernelPath,
  relaxedSimdDecision,
  wasmKernelAvailable,
  wasmKernelFailure,
  wasmSimdSupported,
} from './wasm';
import { escapeHtml } from '../display/builders';

/** One line of the report. */
export interface EngineFamilyReport {
  /** Operation family, e.g. 'matmul'. */
  family: string;
  /** Engine in use, with version and mode. */
  engine: string;
  /** Whether the engine is loaded in this process (false: loads on first use). */
  loaded: boolean;
  /** Operations covered, or why a faster engine is not used. */
  note?: string;
}

/** Describes one family now; called on every backendInfo(). */
export type EngineFamilyDescriber = () => EngineFamilyReport;

const registered = new Map<string, EngineFamilyDescriber>();

/** Adds (or replaces) the report line for `family`; the owning module calls this when it loads. */
export function registerEngineFamily(family: string, describe: EngineFamilyDescriber): void {
  registered.set(family, describe);
}

export const WASM_ENGINE = 'weightlab wasm (AssemblyScript, SIMD)';
export const JS_ENGINE = 'plain JS';

function autodiffReport(): EngineFamilyReport {
  const installed = installedPackage(JAX_PACKAGE);
  if (!installed)
    return { family: 'autodiff', engine: 'unavailable', loaded: false, note: `${JAX_PACKAGE} is not installed` };
  const device = defaultJaxDevice();
  const mode = device === 'cpu' ? 'cpu, plain JS' : device;
  return {
    family: 'autodiff',
    engine: `jax-js ${installed.version} (${mode})`,
    loaded: jaxLoaded(),
    note: 'jax(), toJax/fromJax, hessianVectorProduct (eager float64)',
  };
}

function denseEngineName(): { engine: string; loaded: boolean; note?: string } {
  if (onnxAvailable()) {
    const installed = installedPackage(ONNX_PACKAGE)!;
    return { engine: `${ONNX_PACKAGE} ${installed.version} (cpu, ${intraOpThreads()} threads)`, loaded: onnxLoaded() };
  }
  const why =
    engineChoice() !== 'auto'
      ? `WEIGHTLAB_ENGINE=${engineChoice()}`
      : (onnxFailure() ?? `${ONNX_PACKAGE} is not installed`);
  if (rowDotsEngine() === 'wasm') return { engine: WASM_ENGINE, loaded: true, note: `float64 accumulation; ${why}` };
  const wasmWhy = engineChoice() === 'js' ? '' : `; wasm: ${wasmKernelFailure('gram') ?? 'unavailable'}`;
  return { engine: JS_ENGINE, loaded: true, note: `float64 accumulation; ${why}${wasmWhy}` };
}

function eigensolverReport(): EngineFamilyReport {
  const kernel = builtKernels().find((name) => name.startsWith('eigen'));
  if (kernel && wasmKernelAvailable(kernel)) {
    return {
      family: 'eigensolver',
      engine: WASM_ENGINE,
      loaded: true,
      note: `lib/${path
        .relative(path.resolve(__dirname, '..', '..'), kernelPath(kernel))
        .split(path.sep)
        .join('/')}; ${relaxedSimdDecision().reason}`,
    };
  }
  const why =
    engineChoice() === 'js' ? 'WEIGHTLAB_ENGINE=js' : kernel ? wasmKernelFailure(kernel) : 'no eigen kernel built';
  return { family: 'eigensolver', engine: JS_ENGINE, loaded: true, note: why };
}

/** The report returned by backendInfo(); displayable as text and as an HTML table. */
export class BackendInfo {
  /** Engine for automatic differentiation (jax-js). */
  readonly autodiff: string;
  /** Engine for matmul, gram and batchedMatmul. */
  readonly matmul: string;
  /** Engine for symmetric eigenvalues (reported by the eigensolver module when registered). */
  readonly eigensolver: string;
  /** Where work runs: 'cpu' (or 'webgpu' when the GPU slot is granted). */
  readonly device: string;
  /** WEIGHTLAB_ENGINE policy in force. */
  readonly policy: EngineChoice;
  /** Whether this runtime has wasm SIMD. */
  readonly wasmSimd: boolean;
  /** Every family, in display order. */
  readonly families: readonly EngineFamilyReport[];

  constructor(families: EngineFamilyReport[], device: string, policy: EngineChoice) {
    this.families = families;
    const find = (name: string) => families.find((f) => f.family === name)?.engine ?? 'unavailable';
    this.autodiff = find('autodiff');
    this.matmul = find('matmul');
    this.eigensolver = find('eigensolver');
    this.device = device;
    this.policy = policy;
    this.wasmSimd = wasmSimdSupported();
  }

  /** Family -> engine, plus device. */
  toJSON(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const family of this.families) out[family.family] = family.engine;
    out.device = this.device;
    return out;
  }

  toString(): string {
    const rows = this.families.map((f) => [f.family, f.engine, f.loaded ? 'loaded' : 'on first use', f.note ?? '']);
    rows.push(['device', this.device, '', '']);
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)));
    const lines = rows.map((r) =>
      [r[0].padEnd(widths[0]), r[1].padEnd(widths[1]), r[2].padEnd(widths[2]), r[3]].join('  ').trimEnd(),
    );
    return [`weightlab backends (WEIGHTLAB_ENGINE=${this.policy})`, ...lines].join('\n');
  }

  [mimeBundle](): MimeBundle {
    const rows = this.families.map(
      (f) =>
        `<tr><td>${escapeHtml(f.family)}</td><td>${escapeHtml(f.engine)}</td><td>${f.loaded ? 'loaded' : 'on first use'}</td><td>${escapeHtml(f.note ?? '')}</td></tr>`,
    );
    rows.push(`<tr><td>device</td><td>${escapeHtml(this.device)}</td><td></td><td></td></tr>`);
    const html =
      `<table class="weightlab-table"><caption>weightlab backends (WEIGHTLAB_ENGINE=${this.policy})</caption>` +
      '<thead><tr><th>family</th><th>engine</th><th>status</th><th>note</th></tr></thead>' +
      `<tbody>${rows.join('')}</tbody></table>`;
    return { data: { 'text/plain': this.toString(), 'text/html': html } };
  }
}

/** Which engine runs each operation family now (never loads an engine). */
export function backendInfo(): BackendInfo {
  const dense = denseEngineName();
  const families: EngineFamilyReport[] = [
    autodiffReport(),
    {
      family: 'matmul',
      engine: dense.engine,
      loaded: dense.loaded,
      note: ['matmul, gram, batchedMatmul', dense.note].filter(Boolean).join('; '),
    },
    eigensolverReport(),
  ];
  for (const [family, describe] of registered) {
    const report = describe();
    const at = families.findIndex((f) => f.family === family);
    if (at >= 0) families[at] = report;
    else families.push(report);
  }
  const device = deviceStatus();
  const deviceText = device.reason
    ? `${device.device} (${device.requested} requested: ${device.reason})`
    : device.device;
  return new BackendInfo(families, deviceText, engineChoice());
}
