import type { Item } from '../ports/store.js';
import { keys } from './keys.js';
import { field, malformed, type Codec } from './versioned.js';

/**
 * The codec of a document record: a test plan, a UX or technical spec, an
 * implementation plan, an architecture review — written once by its use case
 * (`keys.record(tenant, kind, id)`, listed newest first through the kind's
 * index by its time) and read back as the tool returned it. The decoder
 * checks what identifies and orders the document (its id and time, both
 * strings) and that every field the document declares as required is
 * present; the body is the document's own typed shape.
 */
export interface DocumentSpec<T> {
  /** The record kind (`keys.record` / `keys.recordIndex`). */
  readonly kind: string;
  /** The item's `type` attribute. */
  readonly type: string;
  /** The field holding the document's id, and the one holding its time. */
  readonly id: keyof T & string;
  readonly at: keyof T & string;
  /** Fields that must be present (not absent, not null). */
  readonly required?: readonly (keyof T & string)[];
}

const ITEM_ONLY = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'type']);

export function documentCodec<T extends object>(tenantId: string, spec: DocumentSpec<T>): Codec<T> {
  return {
    decode: (i: Item) => {
      field.reqStr(i, spec.id);
      field.reqStr(i, spec.at);
      for (const name of spec.required ?? []) if (i[name] === undefined || i[name] === null) throw malformed(i, name, 'present', i[name]);
      // The body is the document as its use case wrote it (checked above for what identifies it).
      return Object.fromEntries(Object.entries(i).filter(([name]) => !ITEM_ONLY.has(name))) as T;
    },
    encode: (d: T) => {
      const record = d as Record<string, unknown>;
      const id = record[spec.id] as string;
      return { ...keys.record(tenantId, spec.kind, id), gsi1pk: keys.recordIndex(tenantId, spec.kind), gsi1sk: `${record[spec.at] as string}#${id}`, type: spec.type, ...record };
    },
  };
}
