import type { Item } from '../ports/store.js';

/**
 * Field readers for the codecs (one per stored entity, next to its use
 * cases). A reader returns the attribute as the type the record declares, or
 * the fallback when the attribute is absent (or null); an attribute that is
 * present with another type is a malformed item and is refused with a
 * MalformedRecordError that names the item and the field — never coerced.
 * `req*` readers also refuse an absent attribute.
 */

/** A stored item does not have the shape its codec declares (a bug or corrupted data, not bad input). */
export class MalformedRecordError extends Error {
  override name = 'MalformedRecordError';
}

function where(item: Item): string {
  const pk = typeof item.pk === 'string' ? item.pk : '?';
  const sk = typeof item.sk === 'string' ? item.sk : '?';
  return `${pk} / ${sk}`;
}

function kindOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

/** The error for a field that is not what its codec declares (for codecs that check more than a type). */
export function malformed(item: Item, name: string, expected: string, v: unknown): MalformedRecordError {
  const found = v === undefined ? 'nothing' : typeof v === 'number' || typeof v === 'boolean' ? `${kindOf(v)} ${v}` : kindOf(v);
  return new MalformedRecordError(`stored item ${where(item)}: "${name}" should be ${expected}, found ${found}`);
}

const absent = (v: unknown): v is null | undefined => v === undefined || v === null;

function str(item: Item, name: string, fallback = ''): string {
  const v = item[name];
  if (typeof v === 'string') return v;
  if (absent(v)) return fallback;
  throw malformed(item, name, 'a string', v);
}

function num(item: Item, name: string, fallback = 0): number {
  const v = item[name];
  if (typeof v === 'number' && !Number.isNaN(v)) return v;
  if (absent(v)) return fallback;
  throw malformed(item, name, 'a number', v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const field = {
  str,
  num,
  /** A string that must be present. */
  reqStr: (item: Item, name: string): string => {
    const v = item[name];
    if (typeof v === 'string') return v;
    throw malformed(item, name, 'a string', v);
  },
  /** A number that must be present. */
  reqNum: (item: Item, name: string): number => {
    const v = item[name];
    if (typeof v === 'number' && !Number.isNaN(v)) return v;
    throw malformed(item, name, 'a number', v);
  },
  strOrNull: (item: Item, name: string): string | null => (absent(item[name]) ? null : str(item, name)),
  numOrNull: (item: Item, name: string): number | null => (absent(item[name]) ? null : num(item, name)),
  bool: (item: Item, name: string, fallback = false): boolean => {
    const v = item[name];
    if (typeof v === 'boolean') return v;
    if (absent(v)) return fallback;
    throw malformed(item, name, 'a boolean', v);
  },
  boolOrNull: (item: Item, name: string): boolean | null => {
    const v = item[name];
    if (typeof v === 'boolean') return v;
    if (absent(v)) return null;
    throw malformed(item, name, 'a boolean', v);
  },
  obj: (item: Item, name: string): Record<string, unknown> => {
    const v = item[name];
    if (isObject(v)) return v;
    if (absent(v)) return {};
    throw malformed(item, name, 'an object', v);
  },
  objOrNull: (item: Item, name: string): Record<string, unknown> | null => {
    const v = item[name];
    if (isObject(v)) return v;
    if (absent(v)) return null;
    throw malformed(item, name, 'an object', v);
  },
  list: <T>(item: Item, name: string): T[] => {
    const v = item[name];
    if (Array.isArray(v)) return v as T[];
    if (absent(v)) return [];
    throw malformed(item, name, 'a list', v);
  },
  /** A list of strings. */
  strs: (item: Item, name: string): string[] => {
    const v = item[name];
    if (Array.isArray(v) && v.every((e) => typeof e === 'string')) return v as string[];
    if (absent(v)) return [];
    throw malformed(item, name, 'a list of strings', v);
  },
  /**
   * A value of a closed set (a string union). With `allowed`, a value outside
   * it is refused; without, it is trusted as written by this codec.
   */
  oneOf: <T extends string>(item: Item, name: string, fallback: T, allowed?: readonly T[]): T => {
    const v = item[name];
    if (absent(v)) return fallback;
    if (typeof v === 'string' && (!allowed || (allowed as readonly string[]).includes(v))) return v as T;
    throw malformed(item, name, allowed ? `one of ${allowed.join(', ')}` : 'a string', v);
  },
};
