import type * as z from 'zod';

/**
 * Strict arguments (a contract change, see README "Strict arguments"): the
 * top-level argument names a call sends that its tool does not declare.
 * Checked centrally for every tool before its schema parses the call, so an
 * unknown name is an `invalid_input` error naming it instead of being
 * silently dropped (a misspelt optional argument used to change nothing).
 */
export function unknownArguments(schema: z.ZodObject, args: unknown): string[] {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return [];
  const declared = schema.shape as Record<string, unknown>;
  return Object.keys(args).filter((name) => !Object.hasOwn(declared, name));
}
