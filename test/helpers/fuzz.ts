/**
 * Building blocks for the hostile-input test (test/e2e/fuzz.test.ts): a seeded
 * PRNG, argument generators derived from a tool's zod input schema (through
 * its JSON Schema), and the judge that decides whether a response is an
 * acceptable refusal.
 */
import * as z from 'zod';
import type { ToolDefinition } from '../../functions/mcp/tool.js';

/** mulberry32: a small, fast, seedable PRNG, so a failing case reproduces from its seed. */
export function prng(seed: number): { next(): number; int(n: number): number; pick<T>(items: readonly T[]): T; shuffle<T>(items: T[]): T[] } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (items) => items[int(items.length)] as (typeof items)[number],
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [items[i], items[j]] = [items[j] as (typeof items)[number], items[i] as (typeof items)[number]];
      }
      return items;
    },
  };
}
export type Rng = ReturnType<typeof prng>;

/** The subset of JSON Schema zod emits for tool inputs. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
}

/** A tool's input as JSON Schema, derived from its zod schema (what tools/list advertises). */
export function inputSchema(tool: ToolDefinition): JsonSchema {
  return z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

const typeOf = (s: JsonSchema): string | undefined => (Array.isArray(s.type) ? s.type[0] : s.type) ?? (s.enum ? typeof s.enum[0] : undefined);

/** A plausible valid value for a schema: the base every mutation changes one thing of. */
export function validValue(s: JsonSchema, depth = 0): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const branch = s.anyOf?.[0] ?? s.oneOf?.[0];
  if (branch) return validValue(branch, depth);
  switch (typeOf(s)) {
    case 'string': {
      if (s.format === 'date-time') return new Date(Date.UTC(2031, 0, 1 + depth)).toISOString();
      const candidates = ['fuzz', 'v1.0.0', '2027', '2027-Q1', 'a'];
      const fits = (v: string) => (!s.pattern || new RegExp(s.pattern, 'u').test(v)) && v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? Infinity);
      return candidates.find(fits) ?? 'x'.repeat(Math.max(1, s.minLength ?? 1));
    }
    case 'integer':
    case 'number': {
      const low = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
      const value = Math.min(Math.max(low, 1), s.maximum ?? Infinity);
      return typeOf(s) === 'integer' ? Math.ceil(value) : value;
    }
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, (_, i) => {
        const v = validValue(s.items ?? {}, depth + 1);
        return typeof v === 'string' ? `${v}${i}` : v;
      });
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of s.required ?? []) out[key] = validValue(s.properties?.[key] ?? {}, depth + 1);
      return out;
    }
    default:
      return 'fuzz';
  }
}

/** A value nested `depth` objects deep. */
const nested = (depth: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = { a: v, b: [v === 'bottom' ? null : 1] };
  return v;
};

/** Values of the wrong type (or out of range) for a property of schema `s`: each must make the arguments invalid. */
export function hostileValues(s: JsonSchema, rng: Rng): unknown[] {
  const garbage = [null, [], {}, true, 0, 'x', nested(40), { __proto__: { polluted: true } }, '\u0000\u202e\ud800'];
  const t = typeOf(s);
  const out: unknown[] = [];
  switch (t) {
    case 'string':
      out.push(42, true, [], { toString: 'x' }, null);
      if (s.maxLength !== undefined) out.push('Z'.repeat(s.maxLength + 1 + rng.int(50_000)));
      if ((s.minLength ?? 0) > 0) out.push('');
      if (s.enum) out.push(`${String(s.enum[0])}-not-an-option`, String(s.enum[0]).toUpperCase() + '!');
      if (s.format === 'date-time') out.push('yesterday', '2031-13-45T99:99:99Z');
      if (s.pattern) out.push('\u0000 not matching ~~~ \n');
      break;
    case 'integer':
    case 'number':
      out.push('1', 'NaN', 'Infinity', true, [1], null, { valueOf: 1 });
      if (t === 'integer') out.push(1.5);
      if (s.minimum !== undefined) out.push(s.minimum - 1, -1e308);
      if (s.exclusiveMinimum !== undefined) out.push(s.exclusiveMinimum);
      if (s.maximum !== undefined) out.push(s.maximum + 1, 1e308);
      break;
    case 'boolean':
      out.push('true', 1, 0, null, []);
      break;
    case 'array':
      out.push('x', {}, 7, null, [nested(30)]);
      if (s.items) out.push([rng.pick(hostileValues(s.items, rng))]);
      if (s.maxItems !== undefined) out.push(Array.from({ length: s.maxItems + 1 }, () => validValue(s.items ?? {})));
      if ((s.minItems ?? 0) > 0) out.push([]);
      break;
    case 'object':
      out.push('x', [], 3, null, nested(200));
      break;
    default:
      out.push(...garbage);
  }
  return out;
}

export interface ToolCase {
  readonly label: string;
  /** The `arguments` member of tools/call (anything, including non-objects). */
  readonly args: unknown;
}

/**
 * Hostile `arguments` for one tool, derived from its input schema, each
 * checked against the tool's own zod schema to be invalid (so a server that
 * accepted one would be wrong, and none can change the table).
 */
export function toolCases(tool: ToolDefinition, rng: Rng): ToolCase[] {
  const schema = inputSchema(tool);
  const base = validValue(schema) as Record<string, unknown>;
  const props = Object.entries(schema.properties ?? {});
  const required = schema.required ?? [];
  const cases: ToolCase[] = [
    { label: 'arguments is an array', args: [base] },
    { label: 'arguments is a string', args: JSON.stringify(base) },
    { label: 'arguments is a number', args: 7 },
    { label: 'arguments is null', args: null },
  ];
  if (required.length) cases.push({ label: 'no arguments at all', args: {} });
  for (const key of required) {
    const { [key]: _dropped, ...rest } = base;
    cases.push({ label: `missing required ${key}`, args: rest });
  }
  for (const [key, prop] of props) {
    for (const value of hostileValues(prop, rng)) cases.push({ label: `${key} = ${preview(value)}`, args: { ...base, [key]: value } });
  }
  // Extra hostile members (prototype keys, a huge key and value, nested garbage) riding on one real defect.
  const defect = props.find(([, p]) => typeOf(p) !== undefined);
  if (defect) {
    const [key, prop] = defect;
    cases.push({
      label: `extra garbage with ${key} wrong`,
      args: JSON.parse(
        JSON.stringify({ ...base, [key]: hostileValues(prop, rng)[0], ['k'.repeat(2000)]: 'v'.repeat(100_000), nested: nested(100) }).replace(
          /^\{/,
          '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},',
        ),
      ) as unknown,
    });
  }
  return cases.filter((c) => !isAcceptable(tool, c.args));
}

/** Whether the server would run the tool with these arguments (the SDK refuses non-object arguments first). */
export function isAcceptable(tool: ToolDefinition, args: unknown): boolean {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return false;
  return tool.input.safeParse(args).success;
}

export function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}…(${text.length})` : text;
}

/** The JSON-RPC messages of a 200 response: a JSON body (one message or a batch) or SSE `data:` lines. */
export function messagesOf(contentType: string, text: string): unknown[] {
  if (contentType.includes('text/event-stream')) {
    return text
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trim())
      .filter(Boolean)
      .map((l) => JSON.parse(l) as unknown);
  }
  const parsed = JSON.parse(text) as unknown;
  return Array.isArray(parsed) ? parsed : [parsed];
}
