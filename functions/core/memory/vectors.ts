/**
 * How a memory's embedding is stored: one binary attribute, int8-quantized
 * with a scale, a quarter of float32's size (516 bytes for 512 dimensions,
 * against ≈5 KB as a DynamoDB list of numbers).
 *
 * Layout (little-endian):
 *   bytes 0..3   float32 scale s = max|v_i| / 127
 *   bytes 4..    one int8 per dimension, q_i = round(v_i / s)
 *
 * The vector is unit length before quantization, so a query's cosine with it
 * is s · Σ q_i · query_i. Quantization moves a cosine by well under 0.01
 * (test/unit/memory-vectors.test.ts), far below the gaps ranking relies on.
 * The model id and dimension are stored next to it (`vector_model`,
 * `vector_dims`): vectors from different models are never compared.
 */
export interface QuantizedVector {
  readonly scale: number;
  readonly values: Int8Array;
}

const HEADER_BYTES = 4;

export function quantize(vector: Float32Array): QuantizedVector {
  let max = 0;
  for (const x of vector) max = Math.max(max, Math.abs(x));
  const scale = max / 127 || 1;
  const values = new Int8Array(vector.length);
  for (let i = 0; i < vector.length; i++) values[i] = Math.round((vector[i] as number) / scale);
  return { scale: Math.fround(scale), values };
}

export function encodeVector(vector: Float32Array): Uint8Array {
  const { scale, values } = quantize(vector);
  const bytes = new Uint8Array(HEADER_BYTES + values.length);
  new DataView(bytes.buffer).setFloat32(0, scale, true);
  bytes.set(new Uint8Array(values.buffer), HEADER_BYTES);
  return bytes;
}

/** Decodes a stored vector; undefined when the bytes are not one of `dims` dimensions. */
export function decodeVector(bytes: Uint8Array, dims: number): QuantizedVector | undefined {
  if (bytes.byteLength !== HEADER_BYTES + dims) return undefined;
  const scale = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat32(0, true);
  // A copy: the store's buffer may be shared with other attributes.
  const values = new Int8Array(bytes.slice(HEADER_BYTES).buffer);
  return { scale, values };
}

/** The cosine of a unit query vector with a stored (unit, quantized) vector of the same model. */
export function cosine(query: Float32Array, stored: QuantizedVector): number {
  const q = stored.values;
  let sum = 0;
  for (let i = 0; i < q.length; i++) sum += (query[i] as number) * (q[i] as number);
  return sum * stored.scale;
}
