import * as z from 'zod';
import { autopilotPrincipal, AUTOPILOT_METRIC } from '../contracts/autopilot.js';
import { DIMENSION } from '../contracts/observability.js';
import type { RoleId } from '../contracts/roles.js';
import type { Deps } from '../core/context.js';
import type { Actor } from '../core/principal.js';
import type { AgentIdentity, AgentToolResult, AgentTools } from '../ports/agent-tools.js';
import type { ModelToolSpec } from '../ports/model.js';
import { invokeTool } from './invoke.js';
import type { CallObservers } from './server.js';
import type { ToolContext, ToolDefinition } from './tool.js';
import { toolsFor } from './tools/index.js';

/** The principal an autopilot agent acts as: its one role, never human, never the board. */
export function agentActor(agent: Pick<AgentIdentity, 'tenantId' | 'role'>): Actor {
  return { tenantId: agent.tenantId, keyId: autopilotPrincipal(agent.role), roles: [agent.role], human: false, actingAs: agent.role };
}

/** Autopilot metrics aggregate over every role (what the alarms read) and per role. */
const AUTOPILOT_DIMENSION_SETS: readonly (readonly string[])[] = [[], [DIMENSION.role]];

/** Each tool's input as JSON Schema for a model, converted once per process. */
const specs = new WeakMap<ToolDefinition, ModelToolSpec>();

function specOf(tool: ToolDefinition): ModelToolSpec {
  let spec = specs.get(tool);
  if (!spec) {
    const { $schema: _dialect, ...inputSchema } = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    spec = { name: tool.name, description: tool.description.slice(0, 4000), inputSchema };
    specs.set(tool, spec);
  }
  return spec;
}

/**
 * The in-process invoker: an autopilot agent's tool calls go through the
 * same registry (`toolsFor(role)`: exactly the tools the role's endpoint
 * lists), the same call path as an MCP client's (`invokeTool`: strict arguments, argument
 * validation, the tool's authority rules, audit and metrics) as the agent
 * principal `autopilot:<role>`. A tool the role does not have is refused and
 * audited like any other refused call.
 */
export function inProcessTools(deps: Deps, observers: CallObservers): AgentTools {
  const ctxOf = (agent: AgentIdentity): ToolContext => ({ deps, actor: agentActor(agent), correlationId: agent.correlationId, audit: observers.audit, modelId: agent.modelId });
  return {
    async list(role: RoleId) {
      return (await toolsFor(role)).map(specOf);
    },
    async call(agent, name, args): Promise<AgentToolResult> {
      const tool = (await toolsFor(agent.role)).find((t) => t.name === name);
      if (!tool) {
        const message = `${String(name).slice(0, 80)} is not one of the ${agent.role} role's tools; use only the tools you were given`;
        observers.audit.record({
          tenantId: agent.tenantId,
          keyId: autopilotPrincipal(agent.role),
          role: agent.role,
          action: `tool:${String(name).slice(0, 80)}`,
          outcome: 'error',
          errorCode: 'forbidden',
          durationMs: 0,
          correlationId: agent.correlationId,
          modelId: agent.modelId,
        });
        return { isError: true, structured: { error: { code: 'forbidden', message } }, text: `forbidden: ${message}` };
      }
      const ctx = ctxOf(agent);
      const outcome = await invokeTool(tool, ctx, observers.metrics, args, (input) => tool.run(input, ctx));
      if (!outcome.ok) return { isError: true, structured: outcome.error.structuredContent, text: outcome.error.content.map((c) => c.text).join('\n') };
      const value = outcome.value as Record<string, unknown>;
      return { isError: false, structured: value, text: JSON.stringify(value) };
    },
    recordStep(agent, step) {
      observers.audit.record({
        tenantId: agent.tenantId,
        keyId: autopilotPrincipal(agent.role),
        role: agent.role,
        action: `autopilot:step:${step.step}`,
        outcome: 'ok',
        durationMs: Math.round(step.durationMs * 100) / 100,
        correlationId: agent.correlationId,
        modelId: agent.modelId,
        inputTokens: step.inputTokens,
        outputTokens: step.outputTokens,
      });
      observers.metrics.record(
        [
          { name: AUTOPILOT_METRIC.steps, unit: 'Count', value: 1 },
          { name: AUTOPILOT_METRIC.tokens, unit: 'Count', value: step.inputTokens + step.outputTokens },
        ],
        { [DIMENSION.role]: agent.role },
        { context: { tenant_id: agent.tenantId, correlation_id: agent.correlationId, model_id: agent.modelId, stop_reason: step.stopReason }, dimensionSets: AUTOPILOT_DIMENSION_SETS },
      );
    },
    recordOutcome(agent, outcome) {
      const metric = { failed: AUTOPILOT_METRIC.failures, budget_exhausted: AUTOPILOT_METRIC.budgetExhausted, max_steps: AUTOPILOT_METRIC.maxSteps }[outcome];
      observers.metrics.record([{ name: metric, unit: 'Count', value: 1 }], { [DIMENSION.role]: agent.role }, {
        context: { tenant_id: agent.tenantId, correlation_id: agent.correlationId, model_id: agent.modelId },
        dimensionSets: AUTOPILOT_DIMENSION_SETS,
      });
    },
  };
}
