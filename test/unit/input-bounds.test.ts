import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ENDPOINTS } from '../../functions/contracts/roles.js';
import { allTools, toolsFor } from '../../functions/mcp/tools/index.js';

type Node = Record<string, unknown>;

/**
 * Every place in a JSON Schema where input can grow without a declared limit:
 * a string without maxLength (enums and constants are bounded), an array
 * without maxItems, an object of arbitrary keys without maxProperties, or a
 * value of any shape — unless an enclosing object declares `maxJsonChars`
 * (its whole serialized size is bounded; functions/mcp/tools/bounded.ts).
 */
function unbounded(schema: Node, path: string): string[] {
  if (!schema || typeof schema !== 'object') return [];
  if (typeof schema.maxJsonChars === 'number') return [];
  const found: string[] = [];
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type];
  const alternatives = ['anyOf', 'oneOf', 'allOf'].flatMap((k) => (schema[k] as Node[] | undefined) ?? []);
  if (types.includes('string') && schema.maxLength === undefined && schema.enum === undefined && schema.const === undefined) found.push(`${path}: a string without a maximum length`);
  if (types.includes('array') && schema.maxItems === undefined) found.push(`${path}: an array without a maximum length`);
  const extra = schema.additionalProperties;
  if (types.includes('object') && extra && typeof extra === 'object' && schema.maxProperties === undefined) found.push(`${path}: an object of any keys without maxProperties`);
  if (schema.type === undefined && schema.enum === undefined && schema.const === undefined && alternatives.length === 0 && !schema.$ref) {
    found.push(`${path}: a value of any shape`);
  }
  for (const [name, property] of Object.entries((schema.properties as Record<string, Node> | undefined) ?? {})) found.push(...unbounded(property, `${path}.${name}`));
  if (schema.items && typeof schema.items === 'object') found.push(...unbounded(schema.items as Node, `${path}[]`));
  if (extra && typeof extra === 'object') found.push(...unbounded(extra as Node, `${path}{}`));
  if (schema.propertyNames && typeof schema.propertyNames === 'object') found.push(...unbounded(schema.propertyNames as Node, `${path}{key}`));
  alternatives.forEach((alternative, i) => found.push(...unbounded(alternative, `${path}|${i}`)));
  return found;
}

describe('tool input bounds', () => {
  it('every string, array and free-form object in every tool input schema (every endpoint) has a limit', async () => {
    const tools = new Map((await allTools()).map((t) => [t.name, t]));
    for (const endpoint of ENDPOINTS) for (const tool of await toolsFor(endpoint)) tools.set(tool.name, tool);
    expect(tools.size).toBeGreaterThan(40);
    const problems = [...tools.values()].flatMap((tool) => unbounded(z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as Node, tool.name));
    expect(problems).toEqual([]);
  });

  it('the walk catches what it is meant to catch', () => {
    const walk = (schema: z.ZodType) => unbounded(z.toJSONSchema(schema, { io: 'input' }) as Node, 'x');
    expect(walk(z.object({ a: z.string() }))).toEqual(['x.a: a string without a maximum length']);
    expect(walk(z.object({ a: z.array(z.string().max(3)) }))).toEqual(['x.a: an array without a maximum length']);
    expect(walk(z.object({ a: z.record(z.string().max(3), z.number()) }))).toEqual(['x.a: an object of any keys without maxProperties']);
    expect(walk(z.object({ a: z.unknown() }))).toEqual(['x.a: a value of any shape']);
    expect(walk(z.object({ a: z.enum(['p', 'q']), b: z.string().max(3).optional(), c: z.array(z.number()).max(2) }))).toEqual([]);
  });
});
