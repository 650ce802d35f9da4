import type * as z from 'zod';
import { DIMENSION, METRIC, TOOL_DIMENSION_SETS } from '../contracts/observability.js';
import { ConclaveError, ValidationError } from '../core/errors.js';
import type { Metrics } from '../ports/metrics.js';
import { unknownArguments } from './strict-arguments.js';
import type { ToolContext, ToolDefinition } from './tool.js';

/** A tool error result: the code and message, as text and as structured content. */
export interface ToolErrorResult {
  [key: string]: unknown;
  isError: true;
  content: { type: 'text'; text: string }[];
  structuredContent: { error: { code: string; message: string } };
}

export function toolError(code: string, message: string): ToolErrorResult {
  return { isError: true, content: [{ type: 'text', text: `${code}: ${message}` }], structuredContent: { error: { code, message } } };
}

/**
 * Runs one tool call the way every call runs, whatever it performs (the
 * tool's use case, or starting it as an MCP task): strict arguments, the
 * tool's schema, then `perform`; the outcome is audited and metered, and a
 * failure becomes a tool error result (domain errors shown, anything else
 * reported without internals).
 */
export async function invokeTool<T>(
  tool: ToolDefinition,
  ctx: ToolContext,
  metrics: Metrics,
  args: unknown,
  perform: (input: z.infer<z.ZodObject>) => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: ToolErrorResult }> {
  const started = performance.now();
  const audit = (outcome: 'ok' | 'error', errorCode?: string) => {
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    ctx.audit.record({
      tenantId: ctx.actor.tenantId,
      keyId: ctx.actor.keyId,
      role: ctx.actor.actingAs,
      action: `tool:${tool.name}`,
      outcome,
      ...(errorCode ? { errorCode } : {}),
      durationMs,
      correlationId: ctx.correlationId,
      // An autopilot agent's calls name the model driving it (functions/mcp/in-process.ts).
      ...(ctx.modelId ? { modelId: ctx.modelId } : {}),
    });
    // Tool and role are dimensions; the tenant and the correlation id stay record keys (cardinality).
    metrics.record(
      [
        { name: METRIC.toolCalls, unit: 'Count', value: 1 },
        { name: METRIC.toolErrors, unit: 'Count', value: outcome === 'error' ? 1 : 0 },
        { name: METRIC.toolLatency, unit: 'Milliseconds', value: durationMs },
      ],
      { [DIMENSION.tool]: tool.name, [DIMENSION.role]: ctx.actor.actingAs },
      {
        context: { tenant_id: ctx.actor.tenantId, correlation_id: ctx.correlationId, ...(errorCode ? { error_code: errorCode } : {}) },
        dimensionSets: TOOL_DIMENSION_SETS,
      },
    );
  };
  try {
    // Strict arguments: a name the tool does not declare is refused, never silently dropped.
    const unknown = unknownArguments(tool.input, args);
    if (unknown.length) throw new ValidationError(`invalid arguments for ${tool.name}: unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}`);
    const parsed = tool.input.safeParse(args ?? {});
    if (!parsed.success) throw new ValidationError(`invalid arguments for ${tool.name}: ${describeIssues(parsed.error)}`);
    const value = await perform(parsed.data);
    audit('ok');
    return { ok: true, value };
  } catch (error) {
    const { code, message } = describeError(error, ctx);
    audit('error', code);
    return { ok: false, error: toolError(code, message) };
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(arguments)'}: ${i.message}`).join('; ');
}

/** Domain errors are shown to the caller; anything else is logged and reported without internals. */
export function describeError(error: unknown, ctx: ToolContext): { code: string; message: string } {
  if (error instanceof ConclaveError && error.code !== 'dependency_failed') return { code: error.code, message: error.message };
  ctx.deps.log.error('tool failed', { correlation_id: ctx.correlationId, error: String(error), cause: String((error as Error)?.cause ?? '') });
  const code = error instanceof ConclaveError ? error.code : 'internal_error';
  return { code, message: `the request failed; quote correlation id ${ctx.correlationId} when reporting it` };
}
