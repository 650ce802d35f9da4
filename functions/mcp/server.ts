import { McpServer, mergeCapabilities, type ServerOptions, type StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import { DIMENSION, METRIC, TOOL_DIMENSION_SETS } from '../contracts/observability.js';
import { AGENT_ROLES } from '../contracts/roles.js';
import { listAgents } from '../core/agents/agents.js';
import { listAudit } from '../core/audit/audit.js';
import type { AuditTrail } from './audit-trail.js';
import type { Deps } from '../core/context.js';
import { ConclaveError, ValidationError } from '../core/errors.js';
import type { Actor } from '../core/principal.js';
import { DEFAULT_CHART } from '../core/org/chart.js';
import { roleBrief } from '../core/org/brief.js';
import type { ToolContext, ToolDefinition } from './tool.js';
import type { Metrics } from '../ports/metrics.js';
import { toolsFor } from './tools/index.js';

export const SERVER_VERSION = '0.1.0';

/**
 * Extra surface registered next to Conclave's own on one request's server.
 * Test-only: the conformance fixtures (conformance-fixtures.ts) are the one
 * extension, and only the local server started with the fixtures flag uses it.
 */
export interface ServerExtension {
  /** Server options for the extension's surface; capabilities are merged into Conclave's. */
  readonly options?: ServerOptions;
  /** Registers the extension's tools, resources and prompts after Conclave's. */
  register(server: McpServer): void;
}

/** A fresh object per server: the SDK adds to the capabilities it is given. */
const capabilities = () => ({ tools: {}, resources: {}, prompts: {} });

/** Where the outcome of every tool call is reported: the audit trail (per tenant, in the table) and the metrics (per tool and role). */
export interface CallObservers {
  readonly audit: AuditTrail;
  readonly metrics: Metrics;
}

/** Builds the MCP server one request is served by: the tools, resources and prompts of the actor's endpoint. */
export function buildServer(deps: Deps, actor: Actor, correlationId: string, observers: CallObservers, extension?: ServerExtension): McpServer {
  const server = new McpServer(
    { name: `conclave-${actor.actingAs}`, version: SERVER_VERSION },
    extension
      ? { ...extension.options, capabilities: mergeCapabilities(capabilities(), extension.options?.capabilities ?? {}) }
      : { capabilities: capabilities() },
  );
  const ctx: ToolContext = { deps, actor, correlationId, audit: observers.audit };
  const tools = toolsFor(actor.actingAs);
  for (const tool of tools) registerTool(server, tool, ctx, observers.metrics);
  registerResources(server, ctx);
  server.registerPrompt(
    'brief',
    { title: `Brief: ${actor.actingAs}`, description: `Who you are as ${actor.actingAs}, your authority and how to work with the others.` },
    () => ({
      messages: [{ role: 'user', content: { type: 'text', text: roleBrief(DEFAULT_CHART, actor.actingAs, tools.map((t) => t.name)) } }],
    }),
  );
  extension?.register(server);
  return server;
}

function registerTool(server: McpServer, tool: ToolDefinition, ctx: ToolContext, metrics: Metrics): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: advertiseOnly(tool.input),
      outputSchema: tool.output,
      annotations: tool.annotations,
    },
    async (args: unknown) => {
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
        const parsed = tool.input.safeParse(args ?? {});
        if (!parsed.success) throw new ValidationError(`invalid arguments for ${tool.name}: ${describeIssues(parsed.error)}`);
        const result = await tool.run(parsed.data, ctx);
        audit('ok');
        return { content: [{ type: 'text' as const, text: JSON.stringify(result) }], structuredContent: result as Record<string, unknown> };
      } catch (error) {
        const { code, message } = describeError(error, ctx);
        audit('error', code);
        return {
          isError: true,
          content: [{ type: 'text' as const, text: `${code}: ${message}` }],
          structuredContent: { error: { code, message } },
        };
      }
    },
  );
}

/**
 * The tool's JSON Schema as clients see it, with validation deferred to the
 * tool wrapper: arguments are parsed there with the same zod schema so that
 * rejected calls get the same error shape and are audited like any other.
 */
function advertiseOnly(schema: z.ZodObject): StandardSchemaWithJSON {
  const standard = schema['~standard'] as unknown as StandardSchemaWithJSON['~standard'];
  return { '~standard': { ...standard, vendor: 'conclave', validate: (value: unknown) => ({ value }) } } as StandardSchemaWithJSON;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(arguments)'}: ${i.message}`).join('; ');
}

/** Domain errors are shown to the caller; anything else is logged and reported without internals. */
function describeError(error: unknown, ctx: ToolContext): { code: string; message: string } {
  if (error instanceof ConclaveError && error.code !== 'dependency_failed') return { code: error.code, message: error.message };
  ctx.deps.log.error('tool failed', { correlation_id: ctx.correlationId, error: String(error), cause: String((error as Error)?.cause ?? '') });
  const code = error instanceof ConclaveError ? error.code : 'internal_error';
  return { code, message: `the request failed; quote correlation id ${ctx.correlationId} when reporting it` };
}

function json(uri: URL, value: unknown) {
  return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] };
}

function registerResources(server: McpServer, { deps, actor }: ToolContext): void {
  server.registerResource(
    'org-chart',
    'conclave://org-chart',
    { title: 'Org chart', description: 'Every role: title, reports-to, authority (USD) and mandate.', mimeType: 'application/json' },
    async (uri) => json(uri, { roles: AGENT_ROLES.map((r) => DEFAULT_CHART[r]), top: 'board' }),
  );
  server.registerResource(
    'agents',
    'conclave://agents',
    { title: 'Agents', description: "The tenant's agents with their health.", mimeType: 'application/json' },
    async (uri) => json(uri, { agents: await listAgents(deps, actor.tenantId) }),
  );
  if (actor.actingAs === 'board' || actor.actingAs === 'ceo') {
    server.registerResource(
      'audit',
      'conclave://audit/today',
      { title: 'Audit trail (today)', description: "Today's audited calls for this tenant (UTC), newest first.", mimeType: 'application/json' },
      async (uri) => json(uri, { entries: await listAudit(deps, actor.tenantId, deps.clock.now()) }),
    );
  }
}
