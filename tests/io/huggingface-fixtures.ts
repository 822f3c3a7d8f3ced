// Builds the Hugging Face folders of huggingface.test.ts and lora.test.ts once per test process, with
// huggingface-fixtures.py (numpy's safetensors writer from the spec, torch.save, torch's float64 LoRA
// merge), and returns the folder and the oracle: every tensor's values as numpy holds them.

import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { tempDir } from './helpers';

const SCRIPT = path.resolve(__dirname, '..', '..', 'io', 'huggingface-fixtures.py');

export interface HuggingFaceOracle {
  /** The float32 GPT-2-like model, values widened to float64 (exact). */
  tensors: Record<string, { shape: number[]; values: number[] }>;
  /** Merged weights by adapter folder name ('lora', 'rslora'), row-major. */
  merged: Record<string, Record<string, number[]>>;
  /** The float64 base of the adapters. */
  base: Record<string, number[]>;
}

let built: { root: string; oracle: HuggingFaceOracle } | undefined;

export function huggingFaceFixtures(): { root: string; oracle: HuggingFaceOracle } {
  if (built) return built;
  const root = tempDir('weightlab-hf-');
  const text = execFileSync('/usr/bin/python3', [SCRIPT, root], { encoding: 'utf8', maxBuffer: 1 << 28 });
  built = { root, oracle: JSON.parse(text) as HuggingFaceOracle };
  return built;
}
