// Half-precision codecs against bit patterns fixed by IEEE 754 / the bfloat16 definition,
// plus an exhaustive decode->encode round trip over all 65536 float16 patterns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bfloat16ToNumber,
  decodeHalf,
  encodeHalf,
  float16ToNumber,
  numberToBfloat16,
  numberToFloat16,
} from 'weightlab/internal';

test('float16 decodes the defining bit patterns', () => {
  assert.equal(float16ToNumber(0x3c00), 1);
  assert.equal(float16ToNumber(0xc000), -2);
  assert.equal(float16ToNumber(0x7bff), 65504); // largest finite half
  assert.equal(float16ToNumber(0x0001), 2 ** -24); // smallest subnormal
  assert.equal(float16ToNumber(0x0400), 2 ** -14); // smallest normal
  assert.equal(float16ToNumber(0x3555), 0.333251953125);
  assert.equal(float16ToNumber(0x7c00), Infinity);
  assert.equal(float16ToNumber(0xfc00), -Infinity);
  assert.ok(Number.isNaN(float16ToNumber(0x7e00)));
  assert.ok(Object.is(float16ToNumber(0x8000), -0));
});

test('float16 encoding rounds to nearest, ties to even', () => {
  assert.equal(numberToFloat16(1 / 3), 0x3555);
  assert.equal(numberToFloat16(1 + 2 ** -11), 0x3c00); // tie between 0x3c00 and 0x3c01: even wins
  assert.equal(numberToFloat16(1 + 3 * 2 ** -11), 0x3c02); // tie between 0x3c01 and 0x3c02
  assert.equal(numberToFloat16(65520), 0x7c00); // halfway to 2^16 overflows
  assert.equal(numberToFloat16(65519), 0x7bff);
  assert.equal(numberToFloat16(2 ** -25), 0x0000); // tie between 0 and the smallest subnormal
  assert.equal(numberToFloat16(3 * 2 ** -26), 0x0001);
  assert.equal(numberToFloat16(-0), 0x8000);
});

test('every finite float16 pattern survives decode then encode', () => {
  for (let bits = 0; bits < 65536; bits++) {
    const value = float16ToNumber(bits);
    if (Number.isNaN(value)) continue;
    assert.equal(numberToFloat16(value), bits, `pattern 0x${bits.toString(16)}`);
  }
});

test('bfloat16 is the top half of float32, rounded to nearest even', () => {
  assert.equal(bfloat16ToNumber(0x3f80), 1);
  assert.equal(numberToBfloat16(1 / 3), 0x3eab); // float32 0x3eaaaaab rounds up
  assert.equal(bfloat16ToNumber(0x3eab), 0.333984375);
  assert.equal(numberToBfloat16(1 + 2 ** -8), 0x3f80); // tie: mantissa even stays
  assert.equal(numberToBfloat16(1 + 3 * 2 ** -8), 0x3f82);
  assert.equal(numberToBfloat16(Infinity), 0x7f80);
});

test('array codecs agree with the scalar ones', () => {
  const values = [0, 1, -2.5, 1 / 3, 1e-6, 70000, -Infinity];
  for (const dtype of ['float16', 'bfloat16'] as const) {
    const bits = encodeHalf(values, dtype);
    const decoded = decodeHalf(bits, dtype);
    const scalar = dtype === 'float16' ? float16ToNumber : bfloat16ToNumber;
    bits.forEach((b, i) => assert.equal(decoded[i], Math.fround(scalar(b))));
  }
});
