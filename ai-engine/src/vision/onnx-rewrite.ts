/**
 * Load-time graph rewrites that make a model faster on onnxruntime's CPU provider without changing what
 * it computes. The model file on disk stays the one `npm run models` verified; the rewritten bytes exist in
 * memory, and in a private temporary file only while an inference-pool worker loads them (onnx-session.ts).
 *
 * The one rewrite today: PRelu. onnxruntime runs convolutions in a blocked channel layout (NCHWc) and
 * has no PRelu in that layout, so every Conv → PRelu pair converts the tensor out of it and back. In
 * MiniFASNetV2 (33 PRelus) that took 2.3 of its 3.4 ms per face. For per-channel slopes a ≤ 1:
 *
 *   PRelu(x) = x + Relu((a − 1)·x)        (x > 0: x + 0;  x ≤ 0: x + (1 − a)·(−x) = a·x)
 *
 * with (a − 1)·x as a depthwise 1×1 Conv. Conv, Relu and Add all stay in the blocked layout. The result
 * differs from PRelu only by float rounding (tested against the original model on random inputs in its 0–255
 * range: logits within 2e-6 measured, 1e-4 required).
 */
import { Wire, encodeField, encodeMessage, fieldBytes, fieldsOf, packedVarints, type Field } from './protobuf-wire.js';

// Field numbers from onnx.proto.
const MODEL = { graph: 7 } as const;
const GRAPH = { node: 1, initializer: 5, input: 11 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTR = { name: 1, i: 3, ints: 8, type: 20 } as const;
const ATTR_INT = 2, ATTR_INTS = 7;
const TENSOR = { dims: 1, dataType: 2, floatData: 4, name: 8, rawData: 9 } as const;
const FLOAT = 1;
const VALUE_INFO_NAME = 1;

const text = new TextDecoder();
const utf8 = new TextEncoder();
const str = (f: Field): string => text.decode(fieldBytes(f));

interface Node { fields: Field[]; opType: string; domain: string; inputs: string[]; outputs: string[]; name: string }

function parseNode(f: Field): Node {
  const fields = fieldsOf(fieldBytes(f));
  const all = (n: number): string[] => fields.filter((x) => x.number === n).map(str);
  return { fields, opType: all(NODE.opType)[0] ?? '', domain: all(NODE.domain)[0] ?? '', inputs: all(NODE.input), outputs: all(NODE.output), name: all(NODE.name)[0] ?? '' };
}

/** A float initializer's name, shape and values (raw_data or float_data), or null for anything else. */
function floatTensor(f: Field): { name: string; dims: number[]; values: Float32Array } | null {
  const fields = fieldsOf(fieldBytes(f));
  if (fields.find((x) => x.number === TENSOR.dataType)?.value !== BigInt(FLOAT)) return null;
  const dims = fields.filter((x) => x.number === TENSOR.dims)
    .flatMap((d) => (d.wire === Wire.Varint ? [d.value!] : packedVarints(fieldBytes(d)))).map(Number);
  // raw_data, packed float_data and unpacked float_data are all little-endian float32s.
  const data = fields.filter((x) => x.number === TENSOR.rawData || x.number === TENSOR.floatData).map(fieldBytes);
  const bytes = encodeMessage(data);
  const name = fields.find((x) => x.number === TENSOR.name);
  return { name: name ? str(name) : '', dims, values: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) };
}

const stringField = (n: number, s: string): Uint8Array => encodeField(n, Wire.Bytes, utf8.encode(s));

function node(opType: string, inputs: string[], outputs: string[], name: string, attributes: Uint8Array[] = []): Uint8Array {
  return encodeMessage([
    ...inputs.map((s) => stringField(NODE.input, s)),
    ...outputs.map((s) => stringField(NODE.output, s)),
    stringField(NODE.name, name),
    stringField(NODE.opType, opType),
    ...attributes.map((a) => encodeField(NODE.attribute, Wire.Bytes, a)),
  ]);
}

const intAttr = (name: string, v: number): Uint8Array =>
  encodeMessage([stringField(ATTR.name, name), encodeField(ATTR.i, Wire.Varint, BigInt(v)), encodeField(ATTR.type, Wire.Varint, BigInt(ATTR_INT))]);
const intsAttr = (name: string, vs: number[]): Uint8Array =>
  encodeMessage([stringField(ATTR.name, name), ...vs.map((v) => encodeField(ATTR.ints, Wire.Varint, BigInt(v))), encodeField(ATTR.type, Wire.Varint, BigInt(ATTR_INTS))]);

function floatInitializer(name: string, dims: number[], values: Float32Array): Uint8Array {
  return encodeMessage([
    ...dims.map((d) => encodeField(TENSOR.dims, Wire.Varint, BigInt(d))),
    encodeField(TENSOR.dataType, Wire.Varint, BigInt(FLOAT)),
    stringField(TENSOR.name, name),
    encodeField(TENSOR.rawData, Wire.Bytes, new Uint8Array(values.buffer, values.byteOffset, values.byteLength)),
  ]);
}

/**
 * The model with every per-channel PRelu (slopes shaped [C,1,1], all ≤ 1) rewritten as above, or null when
 * there is none. Slope initializers left unused are dropped, so onnxruntime does not warn about them.
 */
export function rewritePRelu(model: Uint8Array): Uint8Array | null {
  const modelFields = fieldsOf(model);
  const graphField = modelFields.find((f) => f.number === MODEL.graph);
  if (!graphField) return null;
  const graphFields = fieldsOf(fieldBytes(graphField));
  const nodes = graphFields.filter((f) => f.number === GRAPH.node).map(parseNode);
  if (!nodes.some((n) => n.opType === 'PRelu')) return null;
  const slopes = new Map<string, { dims: number[]; values: Float32Array }>();
  for (const f of graphFields) {
    if (f.number !== GRAPH.initializer) continue;
    const t = floatTensor(f);
    if (t && t.dims.length === 3 && t.dims[1] === 1 && t.dims[2] === 1 && t.values.length === t.dims[0]) slopes.set(t.name, t);
  }
  const uses = new Map<string, number>();
  for (const n of nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);

  const rewritten = new Set<string>();
  const newInitializers: Uint8Array[] = [];
  const nodeBytes = nodes.map((n, k): Uint8Array[] => {
    const slope = n.opType === 'PRelu' && n.domain === '' && n.inputs.length === 2 ? slopes.get(n.inputs[1]) : undefined;
    if (!slope || slope.values.some((a) => !(a <= 1))) return [encodeField(GRAPH.node, Wire.Bytes, encodeMessage(n.fields.map((f) => f.raw)))];
    const [x, y] = [n.inputs[0], n.outputs[0]];
    const base = `${n.name || `prelu_${k}`}/as_relu`;
    const channels = slope.dims[0];
    newInitializers.push(floatInitializer(`${base}/w`, [channels, 1, 1, 1], slope.values.map((a) => a - 1)));
    rewritten.add(n.inputs[1]);
    return [
      node('Conv', [x, `${base}/w`], [`${base}/scaled`], `${base}/conv`, [intAttr('group', channels), intsAttr('kernel_shape', [1, 1])]),
      node('Relu', [`${base}/scaled`], [`${base}/relu`], `${base}/relu`),
      node('Add', [x, `${base}/relu`], [y], `${base}/add`),
    ].map((b) => encodeField(GRAPH.node, Wire.Bytes, b));
  });
  if (!rewritten.size) return null;

  // A slope still read by another node stays; IR < 4 models also list initializers among the inputs.
  const dropped = new Set([...rewritten].filter((name) => uses.get(name) === 1));
  const named = (f: Field, nameField: number): string | undefined => {
    const nameF = fieldsOf(fieldBytes(f)).find((x) => x.number === nameField);
    return nameF ? str(nameF) : undefined;
  };
  const out: Uint8Array[] = [];
  let nodesWritten = false;
  for (const f of graphFields) {
    if (f.number === GRAPH.node) {
      if (!nodesWritten) out.push(...nodeBytes.flat());
      nodesWritten = true;
    } else if (f.number === GRAPH.initializer && dropped.has(named(f, TENSOR.name) ?? '')) continue;
    else if (f.number === GRAPH.input && dropped.has(named(f, VALUE_INFO_NAME) ?? '')) continue;
    else out.push(f.raw);
  }
  out.push(...newInitializers.map((t) => encodeField(GRAPH.initializer, Wire.Bytes, t)));
  const graph = encodeMessage(out);
  return encodeMessage(modelFields.map((f) => (f === graphField ? encodeField(MODEL.graph, Wire.Bytes, graph) : f.raw)));
}
