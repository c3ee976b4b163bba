/**
 * The protobuf wire format, just enough to edit an ONNX model: split a message into its fields (each kept
 * as its raw bytes, so what is not edited is written back unchanged) and encode new ones.
 * https://protobuf.dev/programming-guides/encoding/
 */
export enum Wire { Varint = 0, Fixed64 = 1, Bytes = 2, Fixed32 = 5 }

export interface Field {
  number: number;
  wire: Wire;
  /** The varint's value (Varint fields only). */
  value?: bigint;
  /** Where the payload starts and ends in `raw` (Bytes, Fixed32 and Fixed64 fields). */
  payload?: [number, number];
  /** The whole field, tag included. */
  raw: Uint8Array;
}

function readVarint(b: Uint8Array, pos: number): [bigint, number] {
  let v = 0n, shift = 0n, byte;
  do {
    if (pos >= b.length) throw new Error('protobuf: truncated varint');
    byte = b[pos++];
    v |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
  } while (byte & 0x80);
  return [v, pos];
}

function writeVarint(v: bigint): number[] {
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
  return out;
}

/** The top-level fields of one message, in order. */
export function fieldsOf(b: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < b.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(b, pos);
    const number = Number(tag >> 3n), wire = Number(tag & 7n) as Wire;
    let value: bigint | undefined, payload: [number, number] | undefined;
    pos = afterTag;
    if (wire === Wire.Varint) [value, pos] = readVarint(b, pos);
    else if (wire === Wire.Bytes) {
      const [len, at] = readVarint(b, pos);
      payload = [at - start, at - start + Number(len)];
      pos = at + Number(len);
    } else if (wire === Wire.Fixed32 || wire === Wire.Fixed64) {
      const len = wire === Wire.Fixed32 ? 4 : 8;
      payload = [pos - start, pos - start + len];
      pos += len;
    } else throw new Error(`protobuf: unsupported wire type ${wire}`);
    if (pos > b.length) throw new Error('protobuf: truncated field');
    fields.push({ number, wire, ...(value !== undefined ? { value } : {}), ...(payload ? { payload } : {}), raw: b.subarray(start, pos) });
  }
  return fields;
}

/** A field's payload bytes (a sub-message, a string, packed values, a fixed-width number). */
export function fieldBytes(f: Field): Uint8Array {
  if (!f.payload) throw new Error(`protobuf: field ${f.number} has no payload`);
  return f.raw.subarray(f.payload[0], f.payload[1]);
}

/** The varints of a packed repeated field. */
export function packedVarints(bytes: Uint8Array): bigint[] {
  const out: bigint[] = [];
  for (let pos = 0; pos < bytes.length;) {
    let v;
    [v, pos] = readVarint(bytes, pos);
    out.push(v);
  }
  return out;
}

export function encodeField(number: number, wire: Wire.Varint, value: bigint): Uint8Array;
export function encodeField(number: number, wire: Wire.Bytes, value: Uint8Array): Uint8Array;
export function encodeField(number: number, wire: Wire.Varint | Wire.Bytes, value: bigint | Uint8Array): Uint8Array {
  const tag = writeVarint(BigInt((number << 3) | wire));
  if (typeof value === 'bigint') return Uint8Array.from([...tag, ...writeVarint(value)]);
  const head = [...tag, ...writeVarint(BigInt(value.length))];
  const out = new Uint8Array(head.length + value.length);
  out.set(head);
  out.set(value, head.length);
  return out;
}

/** Concatenated encoded fields: a message's bytes. */
export function encodeMessage(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
