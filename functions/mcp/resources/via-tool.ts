import type * as z from 'zod';
import { ValidationError } from '../../core/errors.js';
import type { ToolContext, ToolDefinition } from '../tool.js';

/**
 * Reads a resource through the tool that serves the same read model: the
 * arguments are validated by the tool's own schema and the same core use
 * case runs, so a resource can never show more than its tool would.
 */
export async function viaTool<I extends z.ZodObject, O extends z.ZodObject>(tool: ToolDefinition<I, O>, args: Record<string, unknown>, ctx: ToolContext): Promise<z.infer<O>> {
  const parsed = tool.input.safeParse(args);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; '));
  }
  return tool.run(parsed.data, ctx);
}
