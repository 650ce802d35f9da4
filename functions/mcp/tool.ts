import type * as z from 'zod';
import type { EndpointId } from '../contracts/roles.js';
import type { Deps } from '../core/context.js';
import type { Actor } from '../core/principal.js';
import type { AuditTrail } from './audit-trail.js';
import type { ReportProgress } from './progress.js';

/** What a tool handler receives besides its arguments. */
export interface ToolContext {
  readonly deps: Deps;
  /** The authenticated principal and the endpoint it acts as; all data access is scoped by its tenant. */
  readonly actor: Actor;
  readonly correlationId: string;
  /** Where the call's audit entry goes (written off the response path). */
  readonly audit: AuditTrail;
  /** The model driving the caller when it is an autopilot agent (recorded in each call's audit line). */
  readonly modelId?: string;
  /** Reports how far a long call is (progress notifications on the request's stream; a no-op when the caller sent no progress token). */
  readonly progress?: ReportProgress;
}

/** MCP tool annotations (hints to the client's model and UI). */
export interface ToolHints {
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
}

/**
 * One MCP tool: a driving adapter over one core use case. The handler
 * parses nothing itself (the SDK validates `input`), calls the use case and
 * returns a value matching `output`; domain errors become tool error results.
 */
export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly title: string;
  /** Tells the model when to use the tool and the authority rules that apply. */
  readonly description: string;
  readonly input: I;
  readonly output: O;
  readonly annotations: ToolHints;
  /** The endpoints that list and may call this tool. */
  readonly availableTo: readonly EndpointId[];
  /** An MCP Apps resource (`ui://…`) that renders this tool's result in hosts supporting the extension; others ignore it. */
  readonly ui?: string;
  /**
   * `optional`: the tool starts a workflow run and may be called as an MCP
   * task (a task-augmented tools/call): its result must carry the `run_id`,
   * which becomes the task id (functions/mcp/tasks.ts). Default: no tasks.
   */
  readonly taskSupport?: 'optional';
  readonly run: (input: z.infer<I>, ctx: ToolContext) => Promise<z.infer<O>>;
}

/** Declares a tool with its input and output types inferred from the schemas. */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(tool: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return tool;
}
