// resolveEngine, the one engine rule every verb with an engine choice follows: an explicit
// engine wins over WEIGHTLAB_ENGINE or fails naming the verb's engines or why it cannot run;
// 'auto' (or no option) takes the first candidate the policy allows and that can run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, resolveEngine, type EngineCandidate } from 'weightlab/internal';
import { withEngine } from './oracle';

type Name = 'onnx' | 'wasm' | 'js';

/** Candidates fastest first, with `missing` engines unable to run (the reason names them). */
function candidates(...missing: Name[]): EngineCandidate<Name>[] {
  return (['onnx', 'wasm', 'js'] as const).map((name) => ({
    name,
    unavailable: () => (missing.includes(name) ? `${name} is not here` : undefined),
  }));
}

test("'auto' takes the fastest engine the policy allows and that can run", () =>
  withEngine('auto', () => {
    assert.equal(resolveEngine('verb', undefined, candidates()), 'onnx');
    assert.equal(resolveEngine('verb', 'auto', candidates('onnx')), 'wasm');
    assert.equal(resolveEngine('verb', 'auto', candidates('onnx', 'wasm')), 'js');
  }));

test('WEIGHTLAB_ENGINE narrows auto: wasm rules out onnx, js allows only js', async () => {
  await withEngine('wasm', () => assert.equal(resolveEngine('verb', 'auto', candidates()), 'wasm'));
  await withEngine('js', () => assert.equal(resolveEngine('verb', undefined, candidates()), 'js'));
});

test('an explicit engine wins over the policy, or fails with the reason it cannot run', () =>
  withEngine('js', () => {
    assert.equal(resolveEngine('verb', 'onnx', candidates()), 'onnx');
    assert.throws(
      () => resolveEngine('verb', 'wasm', candidates('wasm')),
      (error: unknown) =>
        error instanceof ArgumentError &&
        /verb cannot run on engine 'wasm' here: wasm is not here/.test(error.message) &&
        error.details.field === 'engine',
    );
  }));

test("an engine the verb does not have is an ArgumentError listing the verb's engines", () => {
  assert.throws(
    () => resolveEngine('verb', 'jax' as never, candidates()),
    (error: unknown) =>
      error instanceof ArgumentError &&
      error.details.field === 'engine' &&
      error.details.expected === "'auto' or one of 'onnx', 'wasm', 'js'" &&
      error.details.found === "'jax'",
  );
});

test('no engine that can run: the error gives each candidate its reason', () =>
  withEngine('wasm', () => {
    const only = [
      { name: 'onnx' as const, unavailable: () => undefined },
      { name: 'wasm' as const, unavailable: () => 'kernel not built' },
    ];
    assert.throws(
      () => resolveEngine('verb', 'auto', only),
      (error: unknown) =>
        error instanceof ArgumentError &&
        /onnx: not allowed by WEIGHTLAB_ENGINE=wasm; wasm: kernel not built/.test(error.message),
    );
  }));
