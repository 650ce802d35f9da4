import * as z from 'zod';

/**
 * Bounded JSON arguments. Every string and array in a tool's input has a
 * `.max()`; a free-form JSON object is bounded by its serialized size
 * instead, declared in its published schema as `maxJsonChars` so the schema
 * walk (test/unit/input-bounds.test.ts) and clients can see the limit.
 */
export function boundedJson(maxChars: number) {
  return z
    .record(z.string().min(1).max(200), z.unknown())
    .refine((o) => JSON.stringify(o).length <= maxChars, `must be at most ${maxChars.toLocaleString('en-US')} characters as JSON`)
    .meta({ maxJsonChars: maxChars });
}

/** A record with at most `maxEntries` entries (published as JSON Schema `maxProperties`). */
export function boundedRecord<K extends z.ZodType<string | number | symbol>, V extends z.ZodType>(key: K, value: V, maxEntries: number) {
  return z
    .record(key as unknown as z.ZodString, value)
    .refine((o) => Object.keys(o).length <= maxEntries, `must have at most ${maxEntries} entries`)
    .meta({ maxProperties: maxEntries });
}
