import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { ANTISPOOF_FILE } from './antispoof.js';
import { EMBEDDER_FILE } from './embedder.js';
import { rewritePRelu } from './onnx-rewrite.js';
import { Wire, encodeField, encodeMessage, fieldBytes, fieldsOf, packedVarints } from './protobuf-wire.js';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');
const text = new TextEncoder();
const s = (n: number, v: string): Uint8Array => encodeField(n, Wire.Bytes, text.encode(v));
const v = (n: number, x: number): Uint8Array => encodeField(n, Wire.Varint, BigInt(x));
const msg = (n: number, ...parts: Uint8Array[]): Uint8Array => encodeField(n, Wire.Bytes, encodeMessage(parts));

/** A one-node model: y = PRelu(x, slope), x float[1, C, 1, 2], slope [C, 1, 1] (onnx.proto field numbers). */
function preluModel(slopes: number[]): Uint8Array {
  const c = slopes.length;
  const tensorType = (name: string): Uint8Array =>
    msg(11, s(1, name), msg(2, msg(1, v(1, 1), msg(2, ...[1, c, 1, 2].map((d) => msg(1, v(1, d)))))));
  const slope = new Float32Array(slopes);
  const graph = encodeMessage([
    msg(1, s(1, 'x'), s(1, 'slope'), s(2, 'y'), s(3, 'act'), s(4, 'PRelu')),
    s(2, 'g'),
    msg(5, v(1, c), v(1, 1), v(1, 1), v(2, 1), s(8, 'slope'), encodeField(9, Wire.Bytes, new Uint8Array(slope.buffer))),
    tensorType('x'),
  ]);
  const output = encodeField(12, Wire.Bytes, fieldBytes(fieldsOf(tensorType('y'))[0]));
  return encodeMessage([v(1, 7), msg(8, s(1, ''), v(2, 13)), encodeField(7, Wire.Bytes, encodeMessage([graph, output]))]);
}

async function run(model: Uint8Array | string, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model as Uint8Array, { graphOptimizationLevel: 'all' });
  try {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, dims) });
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

const opTypes = (model: Uint8Array): string[] => {
  const graph = fieldsOf(model).find((f) => f.number === 7)!;
  return fieldsOf(fieldBytes(graph)).filter((f) => f.number === 1)
    .map((n) => new TextDecoder().decode(fieldBytes(fieldsOf(fieldBytes(n)).find((f) => f.number === 4)!)));
};

test('protobuf wire: fields round-trip, packed varints decode, truncation is an error', () => {
  const bytes = encodeMessage([v(1, 300), s(2, 'héllo'), encodeField(3, Wire.Bytes, Uint8Array.from([0xac, 0x02, 0x05]))]);
  const fields = fieldsOf(bytes);
  assert.deepEqual(fields.map((f) => [f.number, f.wire]), [[1, Wire.Varint], [2, Wire.Bytes], [3, Wire.Bytes]]);
  assert.equal(fields[0].value, 300n);
  assert.equal(new TextDecoder().decode(fieldBytes(fields[1])), 'héllo');
  assert.deepEqual(packedVarints(fieldBytes(fields[2])), [300n, 5n]);
  assert.deepEqual(encodeMessage(fields.map((f) => f.raw)), bytes);
  assert.throws(() => fieldsOf(bytes.subarray(0, bytes.length - 1)), /truncated/);
});

test('rewritePRelu computes PRelu exactly on known values, and leaves slopes above 1 alone', async () => {
  const x = Float32Array.from([3, -2, 0.5, -4]);
  const model = preluModel([0.25, -0.5]);
  const rewritten = rewritePRelu(model);
  assert.ok(rewritten, 'a per-channel PRelu with slopes ≤ 1 is rewritten');
  assert.deepEqual(opTypes(rewritten), ['Conv', 'Relu', 'Add']);
  assert.deepEqual(Array.from(await run(rewritten, x, [1, 2, 1, 2])), [3, -0.5, 0.5, 2]);
  assert.deepEqual(Array.from(await run(model, x, [1, 2, 1, 2])), [3, -0.5, 0.5, 2], 'the original agrees');
  assert.equal(rewritePRelu(preluModel([0.25, 1.5])), null, 'x + Relu((a−1)x) is not PRelu for a > 1');
});

test('rewritePRelu: the anti-spoof model gives the same answers without PRelu; models without PRelu are untouched', async (t) => {
  const file = path.join(MODELS, ANTISPOOF_FILE);
  if (!fs.existsSync(file)) return t.skip(`*** ${file} missing: run npm run models ***`);
  const original = fs.readFileSync(file);
  const rewritten = rewritePRelu(original);
  assert.ok(rewritten);
  assert.ok(!opTypes(rewritten).includes('PRelu') && opTypes(original).includes('PRelu'));
  // Random pixels in 0–255 (the model's input range), a batch of 3.
  let seed = 7;
  const input = Float32Array.from({ length: 3 * 3 * 80 * 80 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 255);
  const [a, b] = [await run(file, input, [3, 3, 80, 80]), await run(rewritten, input, [3, 3, 80, 80])];
  const worst = a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
  assert.ok(worst < 1e-4, `logits differ by ${worst}`);
  assert.equal(rewritePRelu(fs.readFileSync(path.join(MODELS, EMBEDDER_FILE))), null);
});
