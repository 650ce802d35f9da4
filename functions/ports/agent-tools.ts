import type { RoleId } from '../contracts/roles.js';
import type { ModelToolSpec } from './model.js';

/** A tool call's outcome as an MCP client would see it. */
export interface AgentToolResult {
  readonly isError: boolean;
  /** The structured result (or `{error: {code, message}}`). */
  readonly structured: Record<string, unknown>;
  /** The text content: the JSON result, or `code: message` for an error. */
  readonly text: string;
}

/** Who an agent is for one activation: the tenant, its role, the model driving it (recorded with every audited call). */
export interface AgentIdentity {
  readonly tenantId: string;
  readonly role: RoleId;
  readonly modelId: string;
  readonly correlationId: string;
}

/**
 * The tools an autopilot agent may use: exactly its role's MCP tools, called
 * in process through the same registry, validation, authority rules, audit
 * and metrics as a client's call, as the agent principal `autopilot:<role>`
 * (never human). Implemented by functions/mcp/in-process.ts.
 */
export interface AgentTools {
  /** The role's tools as the model sees them (name, description, input JSON Schema). */
  list(role: RoleId): Promise<ModelToolSpec[]>;
  /** Calls one tool; a tool the role lacks, invalid arguments or a refused act are error results, never throws. */
  call(agent: AgentIdentity, name: string, args: unknown): Promise<AgentToolResult>;
  /** Records one audit line for a model step of the agent (tokens, stop reason). */
  recordStep(agent: AgentIdentity, step: AgentStep): void;
  /** Counts an activation that ended badly (alarms watch these): the model failed, the budget is spent, or max steps reached. */
  recordOutcome(agent: AgentIdentity, outcome: 'failed' | 'budget_exhausted' | 'max_steps'): void;
}

/** One model call of an agent, as metered and audited. */
export interface AgentStep {
  readonly step: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly stopReason: string;
  readonly durationMs: number;
}
