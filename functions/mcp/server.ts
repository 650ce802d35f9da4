import { completable, McpServer, mergeCapabilities, type ServerOptions, type StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { ENDPOINTS, isEndpointId, type EndpointId } from '../contracts/roles.js';
import { touchPresence } from '../core/agents/agents.js';
import type { AuditTrail } from './audit-trail.js';
import type { Deps } from '../core/context.js';
import { ValidationError } from '../core/errors.js';
import type { Actor } from '../core/principal.js';
import { DEFAULT_CHART, type OrgChart } from '../core/org/chart.js';
import { loadTenantChart } from '../core/org/org-chart.js';
import { roleBrief, roleInstructions } from '../core/org/brief.js';
import type { ToolContext, ToolDefinition } from './tool.js';
import type { Metrics } from '../ports/metrics.js';
import { completer } from './completions.js';
import { progressReporter, type ProgressSource } from './progress.js';
import { resourcesFor } from './resources/index.js';
import { registerResources } from './resources/register.js';
import { invokeTool } from './invoke.js';
import { registerTaskCall, registerTaskMethods, TASK_CAPABILITIES } from './tasks.js';
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

/**
 * A fresh object per server: the SDK adds to the capabilities it is given.
 * Only what is honoured is advertised: the lists are fixed per deployment and
 * nothing ever sends a list_changed notification, so listChanged is false
 * (the SDK would otherwise declare it true); resources are not subscribable;
 * completions answer for every template variable and prompt argument; no
 * `logging` (Conclave logs to its own sinks, never to the client).
 */
const capabilities = () => ({
  tools: { listChanged: false },
  resources: { listChanged: false, subscribe: false },
  prompts: { listChanged: false },
  completions: {},
  // 2025-11-25 tasks (tasks.ts); the SDK drops the field on 2026-07-28, where tasks are an extension.
  tasks: structuredClone(TASK_CAPABILITIES),
});

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
  /** The tools/call is task-augmented (`params.task`): a task-capable tool answers with a task (tasks.ts). */
  readonly taskCall?: boolean;
  /** The request is a tasks/* method: only the task methods are registered. */
  readonly taskMethod?: boolean;
  readonly extension?: ServerExtension;
}

/** When this process last counted a call as each tenant role's heartbeat (a write at most every PRESENCE_MS per role). */
const lastPresence = new Map<string, number>();
const PRESENCE_MS = 30_000;

/** Any authenticated tool call is the role's heartbeat (touchPresence), written at most every 30 s per role and process. */
async function presence(deps: Deps, tenantId: string, role: EndpointId): Promise<void> {
  const id = `${tenantId}#${role}`;
  const now = deps.clock.now();
  const last = lastPresence.get(id);
  if (last !== undefined && now - last < PRESENCE_MS && now >= last) return;
  lastPresence.set(id, now);
  if (lastPresence.size > 10_000) lastPresence.clear();
  await touchPresence(deps, tenantId, role).catch((error: unknown) => deps.log.warn('could not record presence', { tenant_id: tenantId, role, error: String(error) }));
}

/** Builds the MCP server one request is served by: the tools, resources and prompts of the actor's endpoint. */
export async function buildServer(deps: Deps, scope: ServerScope, observers: CallObservers): Promise<McpServer> {
  const { actor, correlationId, calling, taskCall, taskMethod, extension } = scope;
  // The tenant's chart (authority limits are tenant data) for what lists or briefs; a tools/call or tasks/* request needs neither.
  const chart = calling === undefined && !taskMethod ? (await loadTenantChart(deps, actor.tenantId)).chart : undefined;
  const instructions = chart ? roleInstructions(chart, actor.actingAs) : undefined;
  const server = new McpServer(
    { name: `conclave-${actor.actingAs}`, version: SERVER_VERSION },
    extension
      ? { ...(instructions ? { instructions } : {}), ...extension.options, capabilities: mergeCapabilities(capabilities(), extension.options?.capabilities ?? {}) }
      : { ...(instructions ? { instructions } : {}), capabilities: capabilities() },
  );
  const ctx: ToolContext = { deps, actor, correlationId, audit: observers.audit };
  if (calling !== undefined || taskMethod) await presence(deps, actor.tenantId, actor.actingAs);
  if (taskMethod) {
    registerTaskMethods(server, ctx);
    return server;
  }
  const tools = await toolsFor(actor.actingAs);
  for (const tool of tools) {
    if (calling !== undefined && tool.name !== calling) continue;
    registerTool(server, tool, ctx, observers.metrics);
    if (calling !== undefined && taskCall && tool.taskSupport) registerTaskCall(server, tool, ctx, observers.metrics);
  }
  if (calling !== undefined) {
    // A tools/call is answered by its tool alone; the resources and the brief serve the other requests.
    extension?.register(server);
    return server;
  }
  registerResources(server, resourcesFor(actor.actingAs), ctx);
  registerPrompts(server, ctx, tools, chart ?? DEFAULT_CHART);
  extension?.register(server);
  return server;
}

function registerTool(server: McpServer, tool: ToolDefinition, ctx: ToolContext, metrics: Metrics): void {
  const schemas = schemasOf(tool);
  const registered = server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: schemas.input,
      outputSchema: schemas.output,
      annotations: tool.annotations,
      // MCP Apps: the current key and the one older hosts read.
      ...(tool.ui ? { _meta: { ui: { resourceUri: tool.ui }, 'ui/resourceUri': tool.ui } } : {}),
    },
    async (args: unknown, request?: ProgressSource) => {
      const outcome = await invokeTool(tool, ctx, metrics, args, (input) => tool.run(input, { ...ctx, progress: progressReporter(request) }));
      if (!outcome.ok) return outcome.error;
      const result = outcome.value as Record<string, unknown>;
      return { content: [{ type: 'text' as const, text: JSON.stringify(result) }], structuredContent: result };
    },
  );
  // tools/list lists `execution`, but registerTool does not take it (the SDK has no task runtime): set it on the registration.
  if (tool.taskSupport) Object.assign(registered, { execution: { taskSupport: tool.taskSupport } });
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

/**
 * The endpoint's prompts: `brief` (the caller's own brief, or another
 * endpoint's with `role`, which completes from the endpoint names).
 */
function registerPrompts(server: McpServer, ctx: ToolContext, tools: readonly ToolDefinition[], chart: OrgChart): void {
  const { actor } = ctx;
  const endpoints = completer('endpoint', ctx);
  server.registerPrompt(
    'brief',
    {
      title: `Brief: ${actor.actingAs}`,
      description: `Who you are as ${actor.actingAs}, your authority and how to work with the others (pass role for another endpoint's brief).`,
      argsSchema: z.object({
        role: completable(z.string().max(40), (value) => endpoints(value ?? ''))
          .optional()
          .describe('Another endpoint whose brief to read (default: yours).'),
      }),
    },
    ({ role }) => {
      const endpoint = role === undefined || role === '' ? actor.actingAs : role;
      if (!isEndpointId(endpoint)) throw new ValidationError(`unknown role ${role}; one of ${ENDPOINTS.join(', ')}`);
      const names = endpoint === actor.actingAs ? tools.map((t) => t.name) : ['(the tools of that endpoint)'];
      return { messages: [{ role: 'user', content: { type: 'text', text: roleBrief(chart, endpoint, names) } }] };
    },
  );
}
