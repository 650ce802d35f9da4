import { McpServer, ResourceTemplate, mergeCapabilities, type ServerOptions, type StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import { DIMENSION, METRIC, TOOL_DIMENSION_SETS } from '../contracts/observability.js';
import { AGENT_ROLES } from '../contracts/roles.js';
import { listAgents } from '../core/agents/agents.js';
import { listAuditLog } from '../core/audit/audit-log.js';
import { getAutopilot } from '../core/autopilot/settings.js';
import type { AuditTrail } from './audit-trail.js';
import type { Deps } from '../core/context.js';
import { ConclaveError, ValidationError } from '../core/errors.js';
import type { Actor } from '../core/principal.js';
import { loadTenantChart } from '../core/org/org-chart.js';
import { roleBrief } from '../core/org/brief.js';
import type { ToolContext, ToolDefinition } from './tool.js';
import type { Metrics } from '../ports/metrics.js';
import { auditLogTool } from './tools/audit-log.js';
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

/** What one request needs of its server. */
export interface ServerScope {
  readonly actor: Actor;
  readonly correlationId: string;
  /**
   * The tool a `tools/call` request names: only it is registered (no other
   * tool, resource or prompt), since a server serves one request and
   * registering an endpoint's whole surface costs more than the call itself.
   * A name the endpoint does not offer registers nothing, and the SDK answers
   * "not found" as it would with all of them.
   */
  readonly calling?: string;
  readonly extension?: ServerExtension;
}

/** Builds the MCP server one request is served by: the tools, resources and prompts of the actor's endpoint. */
export async function buildServer(deps: Deps, scope: ServerScope, observers: CallObservers): Promise<McpServer> {
  const { actor, correlationId, calling, extension } = scope;
  const server = new McpServer(
    { name: `conclave-${actor.actingAs}`, version: SERVER_VERSION },
    extension
      ? { ...extension.options, capabilities: mergeCapabilities(capabilities(), extension.options?.capabilities ?? {}) }
      : { capabilities: capabilities() },
  );
  const ctx: ToolContext = { deps, actor, correlationId, audit: observers.audit };
  const tools = await toolsFor(actor.actingAs);
  for (const tool of tools) if (calling === undefined || tool.name === calling) registerTool(server, tool, ctx, observers.metrics);
  if (calling !== undefined) {
    // A tools/call is answered by its tool alone; the resources and the brief serve the other requests.
    extension?.register(server);
    return server;
  }
  registerResources(server, ctx);
  server.registerPrompt(
    'brief',
    { title: `Brief: ${actor.actingAs}`, description: `Who you are as ${actor.actingAs}, your authority and how to work with the others.` },
    async () => ({
      messages: [
        { role: 'user', content: { type: 'text', text: roleBrief((await loadTenantChart(deps, actor.tenantId)).chart, actor.actingAs, tools.map((t) => t.name)) } },
      ],
    }),
  );
  extension?.register(server);
  return server;
}

function registerTool(server: McpServer, tool: ToolDefinition, ctx: ToolContext, metrics: Metrics): void {
  const schemas = schemasOf(tool);
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: schemas.input,
      outputSchema: schemas.output,
      annotations: tool.annotations,
    },
    (args: unknown) => callTool(tool, args, ctx, metrics),
  );
}

/** What a tool call returns, as the MCP SDK (or an in-process caller) hands it on. */
export interface ToolCallResult {
  readonly [field: string]: unknown;
  readonly isError?: true;
  readonly content: { type: 'text'; text: string }[];
  readonly structuredContent: Record<string, unknown>;
}

/** Extra fields of a call's audit line: the model driving an autopilot agent. */
export interface CallAttribution {
  readonly modelId?: string;
}

/**
 * One tool call, the same for an MCP client and an in-process caller (the
 * autopilot, functions/mcp/in-process.ts): validate the arguments with the
 * tool's schema, run it as the context's actor, audit and meter the outcome,
 * map errors to an error result. Never throws.
 */
export async function callTool(tool: ToolDefinition, args: unknown, ctx: ToolContext, metrics: Metrics, attribution: CallAttribution = {}): Promise<ToolCallResult> {
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
      ...(attribution.modelId ? { modelId: attribution.modelId } : {}),
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
}

/** Each tool's schemas as handed to the SDK, built once per process (a server is built per request). */
const publishedSchemas = new WeakMap<ToolDefinition, { input: StandardSchemaWithJSON; output: StandardSchemaWithJSON }>();

function schemasOf(tool: ToolDefinition): { input: StandardSchemaWithJSON; output: StandardSchemaWithJSON } {
  let schemas = publishedSchemas.get(tool);
  if (!schemas) {
    schemas = { input: publish(tool.input, 'defer-validation'), output: publish(tool.output, 'validate') };
    publishedSchemas.set(tool, schemas);
  }
  return schemas;
}

/**
 * A zod schema as the SDK sees it, with its JSON Schema converted once and
 * kept (frozen, so nothing can alter the shared copy). Input validation is
 * deferred to the tool wrapper: arguments are parsed there with the same zod
 * schema so that rejected calls get the same error shape and are audited like
 * any other. Results are still validated by the SDK against the output schema.
 */
function publish(schema: z.ZodObject, mode: 'defer-validation' | 'validate'): StandardSchemaWithJSON {
  const standard = schema['~standard'] as unknown as StandardSchemaWithJSON['~standard'];
  const converted = new Map<string, Record<string, unknown>>();
  const memoized =
    (io: 'input' | 'output') =>
    (options: Parameters<StandardSchemaWithJSON['~standard']['jsonSchema']['input']>[0]): Record<string, unknown> => {
      const key = `${io}:${JSON.stringify(options)}`;
      let json = converted.get(key);
      if (!json) {
        json = deepFreeze(standard.jsonSchema[io](options));
        converted.set(key, json);
      }
      return json;
    };
  return {
    '~standard': {
      ...standard,
      ...(mode === 'defer-validation' ? { vendor: 'conclave', validate: (value: unknown) => ({ value }) } : {}),
      jsonSchema: { input: memoized('input'), output: memoized('output') },
    },
  } as StandardSchemaWithJSON;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
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

/** The audit resource's query parameters (conclave://audit/{date}?role=…&cursor=…), checked like the audit_log tool's arguments. */
const AUDIT_QUERY = ['role', 'principal', 'action', 'outcome', 'object_id', 'cursor', 'limit'] as const;

function auditQuery(uri: URL): Record<string, string | number> {
  const query: Record<string, string | number> = {};
  for (const [name, value] of uri.searchParams) {
    if (!(AUDIT_QUERY as readonly string[]).includes(name)) throw new ValidationError(`unknown audit query parameter "${name}" (use ${AUDIT_QUERY.join(', ')})`);
    if (value.length > 1000) throw new ValidationError(`${name} is too long`);
    query[name] = name === 'limit' ? Number(value) : value;
  }
  return query;
}

function registerResources(server: McpServer, { deps, actor }: ToolContext): void {
  server.registerResource(
    'org-chart',
    'conclave://org-chart',
    {
      title: 'Org chart',
      description: "Your organization's chart: every role's title, reports-to, authority (USD), mandate and autopilot setting, with the chart's revision.",
      mimeType: 'application/json',
    },
    async (uri) => {
      const [{ chart, revision }, autopilot] = await Promise.all([loadTenantChart(deps, actor.tenantId), getAutopilot(deps, actor.tenantId)]);
      const byRole = new Map(autopilot.roles.map((r) => [r.role, r]));
      return json(uri, {
        roles: AGENT_ROLES.map((r) => ({ ...chart[r], autopilot: byRole.get(r) })),
        top: 'board',
        revision,
        board_autopilot: 'never: the board is people',
        autopilot: autopilot.tenant,
      });
    },
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
      new ResourceTemplate('conclave://audit/{date}', { list: undefined }),
      {
        title: 'Audit trail (one UTC day)',
        description:
          'The audit trail of one UTC day (YYYY-MM-DD or "today"), newest first, with next_cursor. Query parameters filter and page: ' +
          `?${AUDIT_QUERY.map((q) => `${q}=`).join('&')} (as the audit_log tool).`,
        mimeType: 'application/json',
      },
      async (uri) => {
        const date = uri.pathname.replace(/^\//, '');
        const query = auditQuery(uri);
        const parsed = auditLogTool.input.safeParse({ ...query, from: date, to: date });
        if (!parsed.success) throw new ValidationError(`invalid audit query: ${describeIssues(parsed.error)}`);
        const { cursor, object_id: objectId, ...filters } = parsed.data;
        return json(uri, await listAuditLog(deps, actor.tenantId, { ...filters, ...(cursor ? { cursor } : {}), ...(objectId ? { objectId } : {}) }));
      },
    );
  }
}
