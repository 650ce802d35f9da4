/**
 * Test-only: the fixtures the official MCP conformance suite
 * (`@modelcontextprotocol/conformance`) calls by fixed name — `test_*` tools,
 * `test://` resources and `test_*` prompts — served on one extra endpoint,
 * `/mcp/conformance`, next to Conclave's own CEO surface.
 *
 * The suite cannot send a bearer key, so the endpoint reads none: every request
 * acts as a fixed principal of the `conformance` tenant (no real tenant can be
 * reached from it; Conclave's tools there see only that tenant's data). It is
 * still behind the edge's Origin, method and body-size rules.
 *
 * Enabled only by the local server's `CONCLAVE_CONFORMANCE_FIXTURES=1`
 * (functions/runtime/config.ts); the AWS configuration refuses the flag and the
 * Lambda handler never passes a plugin, so a deployment cannot serve this.
 * The module is loaded lazily by the local runtime, only when the flag is on.
 *
 * Handlers are written once for both protocol eras: what needs input from the
 * client returns `inputRequired(...)` (2026-07-28 multi-round-trip); on a
 * 2025-era request the SDK tries to turn that into a server-to-client request,
 * which a stateless per-request server cannot receive, and answers an error
 * result instead (see docs/conformance.md for the resulting expected failures).
 */
import { randomBytes } from 'node:crypto';
import {
  acceptedContent,
  CLIENT_CAPABILITIES_META_KEY,
  completable,
  createRequestStateCodec,
  inputRequired,
  inputResponse,
  ResourceTemplate,
  type CallToolResult,
  type ClientCapabilities,
  type GetPromptResult,
  type InputRequests,
  type McpServer,
  type ServerContext,
  type StandardSchemaWithJSON,
} from '@modelcontextprotocol/server';
import * as z from 'zod';
import type { Actor } from '../core/principal.js';
import type { EndpointPlugin } from './http.js';

/** The extra endpoint's path segment: `/mcp/conformance`. */
export const CONFORMANCE_ENDPOINT = 'conformance';
/** The tenant every request to the endpoint acts in. */
export const CONFORMANCE_TENANT = 'conformance';

/** The fixed principal: an agent of the `conformance` tenant acting as the CEO (whose real surface is served alongside). */
export const CONFORMANCE_ACTOR: Actor = {
  tenantId: CONFORMANCE_TENANT,
  keyId: 'conformance-fixtures',
  roles: ['ceo'],
  human: false,
  actingAs: 'ceo',
};

/** A 1×1 red PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
/** A minimal (empty) WAV file. */
const WAV = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });
const noArgs = z.object({});

/** State the multi-round-trip fixtures seal into `requestState` (HMAC-signed, so tampering is rejected with -32602). */
interface FixtureState {
  readonly tool: string;
  readonly step: number;
  readonly name?: string;
}

/** The plugin the local runtime passes to the HTTP app when the fixtures flag is on. */
export function conformancePlugin(): EndpointPlugin {
  // One local process serves every round of a flow, so a per-process key is enough.
  const codec = createRequestStateCodec<FixtureState>({ key: randomBytes(32), ttlSeconds: 600 });
  return {
    name: CONFORMANCE_ENDPOINT,
    actor: CONFORMANCE_ACTOR,
    extension: {
      options: {
        capabilities: { logging: {}, completions: {} },
        requestState: { verify: (state, ctx) => codec.verify(state, ctx) },
      },
      register: (server) => registerFixtures(server, codec),
    },
  };
}

type Codec = ReturnType<typeof createRequestStateCodec<FixtureState>>;

function registerFixtures(server: McpServer, codec: Codec): void {
  registerContentTools(server);
  registerNotifyingTools(server);
  registerInputTools(server, codec);
  registerResources(server);
  registerPrompts(server);
}

function registerContentTools(server: McpServer): void {
  server.registerTool('test_simple_text', { description: 'Returns simple text content.', inputSchema: noArgs }, async () =>
    text('This is a simple text response for testing.'),
  );
  server.registerTool('test_image_content', { description: 'Returns image content.', inputSchema: noArgs }, async () => ({
    content: [{ type: 'image', data: PNG, mimeType: 'image/png' }],
  }));
  server.registerTool('test_audio_content', { description: 'Returns audio content.', inputSchema: noArgs }, async () => ({
    content: [{ type: 'audio', data: WAV, mimeType: 'audio/wav' }],
  }));
  server.registerTool('test_embedded_resource', { description: 'Returns an embedded resource.', inputSchema: noArgs }, async () => ({
    content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }],
  }));
  server.registerTool('test_multiple_content_types', { description: 'Returns text, image and resource content.', inputSchema: noArgs }, async () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: PNG, mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) } },
    ],
  }));
  server.registerTool('test_error_handling', { description: 'Always fails with a tool error.', inputSchema: noArgs }, async () => {
    throw new Error('This tool intentionally returns an error for testing');
  });
  server.registerTool(
    'json_schema_2020_12_tool',
    { description: 'Tool with JSON Schema 2020-12 features', inputSchema: jsonSchema2020Input() },
    async (args: unknown) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
  );
  // SEP-2243: a parameter mirrored into the Mcp-Param-Region header, which the SDK checks against the body.
  server.registerTool(
    'test_custom_headers',
    {
      description: 'Echoes a region that clients also send as the Mcp-Param-Region header.',
      inputSchema: advertisedAs(z.object({ region: z.string() }), {
        type: 'object',
        properties: { region: { type: 'string', description: 'A region name', 'x-mcp-header': 'Region' } },
        required: ['region'],
      }),
    },
    async (args: unknown) => text(`region: ${(args as { region: string }).region}`),
  );
}

/** A zod schema for validation, advertised to clients as the given JSON Schema verbatim (the SDK would otherwise derive it). */
function advertisedAs(schema: z.ZodType, advertised: Record<string, unknown>): StandardSchemaWithJSON {
  const standard = schema['~standard'] as unknown as StandardSchemaWithJSON['~standard'];
  return { '~standard': { ...standard, jsonSchema: { input: () => advertised, output: () => advertised } } } as StandardSchemaWithJSON;
}

/** SEP-1613 and SEP-2106: `$schema`, `$defs` with `$anchor`, `allOf`/`anyOf`, `if`/`then`/`else`, `additionalProperties`. */
function jsonSchema2020Input(): StandardSchemaWithJSON {
  const shape = z
    .object({
      name: z.string().optional(),
      address: z.object({ street: z.string().optional(), city: z.string().optional() }).optional(),
      contactMethod: z.enum(['phone', 'email']).optional(),
      phone: z.string().optional(),
      email: z.string().optional(),
    })
    .strict()
    .refine((v) => v.phone !== undefined || v.email !== undefined, { message: 'give a phone or an email' })
    .refine((v) => (v.contactMethod === 'phone' ? v.phone !== undefined : v.email !== undefined), { message: 'give the contact method you chose' });
  return advertisedAs(shape, {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    $defs: { address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
    properties: {
      name: { type: 'string' },
      address: { $ref: '#/$defs/address' },
      contactMethod: { type: 'string', enum: ['phone', 'email'] },
      phone: { type: 'string' },
      email: { type: 'string' },
    },
    allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
    if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
    then: { required: ['phone'] },
    else: { required: ['email'] },
    additionalProperties: false,
  });
}

function registerNotifyingTools(server: McpServer): void {
  server.registerTool('test_tool_with_logging', { description: 'Sends three log messages while it runs.', inputSchema: noArgs }, async (_args, ctx) => {
    for (const [i, message] of ['Tool execution started', 'Tool processing data', 'Tool execution completed'].entries()) {
      if (i > 0) await sleep(50);
      await ctx.mcpReq.notify({ method: 'notifications/message', params: { level: 'info', logger: 'conformance', data: message } });
    }
    return text('Tool with logging executed successfully');
  });
  // 2026-07-28: log messages only when the request's _meta sets a log level (the SDK's `log` applies that rule).
  server.registerTool('test_logging_tool', { description: 'Logs through the request-scoped log level.', inputSchema: noArgs }, async (_args, ctx) => {
    await ctx.mcpReq.log('info', 'test_logging_tool ran', 'conformance');
    return text('logged');
  });
  server.registerTool('test_tool_with_progress', { description: 'Reports progress 0, 50 and 100 of 100.', inputSchema: noArgs }, async (_args, ctx) => {
    const progressToken = ctx.mcpReq._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      if (progress > 0) await sleep(50);
      if (progressToken !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress, total: 100 } });
    }
    return text(`progress reported for token ${String(progressToken)}`);
  });
}

const nameSchema = z.object({ name: z.string() });
const elicitName = (message: string) =>
  inputRequired.elicit({ message, requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } });
const sample = (prompt: string, maxTokens: number) =>
  inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens });

/** The text of a sampling answer carried by a retried request, if any. */
function sampledText(ctx: ServerContext, key: string): string | undefined {
  const view = inputResponse(ctx.mcpReq.inputResponses, key);
  if (view.kind !== 'sampling') return undefined;
  const content = view.result.content;
  const first = Array.isArray(content) ? content[0] : content;
  return first && first.type === 'text' ? first.text : '(non-text answer)';
}

/** The client capabilities the request declared (2026-07-28 envelope), or none. */
function declaredCapabilities(ctx: ServerContext): ClientCapabilities {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  return (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ?? {};
}

function registerInputTools(server: McpServer, codec: Codec): void {
  // 2025-era scenarios (tools-call-sampling / -elicitation, SEP-1034, SEP-1330), written as multi-round-trip handlers.
  server.registerTool('test_sampling', { description: 'Asks the client to sample an LLM.', inputSchema: z.object({ prompt: z.string() }) }, async ({ prompt }, ctx) => {
    const answer = sampledText(ctx, 'answer');
    return answer === undefined ? inputRequired({ inputRequests: { answer: sample(prompt, 100) } }) : text(`LLM response: ${answer}`);
  });
  server.registerTool('test_elicitation', { description: 'Asks the user for input.', inputSchema: z.object({ message: z.string() }) }, async ({ message }, ctx) => {
    const view = inputResponse(ctx.mcpReq.inputResponses, 'user');
    if (view.kind !== 'elicit') {
      const requestedSchema = {
        type: 'object' as const,
        properties: { username: { type: 'string' as const, description: "User's response" }, email: { type: 'string' as const, description: "User's email address" } },
        required: ['username', 'email'],
      };
      return inputRequired({ inputRequests: { user: inputRequired.elicit({ message, requestedSchema }) } });
    }
    return text(`User response: action=${view.action}, content=${JSON.stringify(view.content ?? {})}`);
  });
  server.registerTool('test_elicitation_sep1034_defaults', { description: 'Elicits with defaults for every primitive type.', inputSchema: noArgs }, async (_args, ctx) => {
    const view = inputResponse(ctx.mcpReq.inputResponses, 'form');
    if (view.kind === 'elicit') return text(`Elicitation completed: action=${view.action}, content=${JSON.stringify(view.content ?? {})}`);
    return inputRequired({
      inputRequests: {
        form: inputRequired.elicit({
          message: 'Please review and update the form fields with defaults',
          requestedSchema: {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'User name', default: 'John Doe' },
              age: { type: 'integer', description: 'User age', default: 30 },
              score: { type: 'number', description: 'User score', default: 95.5 },
              status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
              verified: { type: 'boolean', description: 'Verification status', default: true },
            },
            required: [],
          },
        }),
      },
    });
  });
  server.registerTool('test_elicitation_sep1330_enums', { description: 'Elicits with the five enum schema variants.', inputSchema: noArgs }, async (_args, ctx) => {
    const view = inputResponse(ctx.mcpReq.inputResponses, 'form');
    if (view.kind === 'elicit') return text(`Elicitation completed: action=${view.action}, content=${JSON.stringify(view.content ?? {})}`);
    return inputRequired({
      inputRequests: {
        form: inputRequired.elicit({
          message: 'Please select options from the enum fields',
          requestedSchema: {
            type: 'object',
            properties: {
              untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
              titledSingle: {
                type: 'string',
                description: 'Select one option with titles',
                oneOf: [
                  { const: 'value1', title: 'First Option' },
                  { const: 'value2', title: 'Second Option' },
                  { const: 'value3', title: 'Third Option' },
                ],
              },
              legacyEnum: { type: 'string', description: 'Select one option (legacy)', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
              untitledMulti: { type: 'array', description: 'Select multiple options', items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
              titledMulti: {
                type: 'array',
                description: 'Select multiple options with titles',
                items: {
                  anyOf: [
                    { const: 'value1', title: 'First Choice' },
                    { const: 'value2', title: 'Second Choice' },
                    { const: 'value3', title: 'Third Choice' },
                  ],
                },
              },
            },
            required: [],
          },
        }),
      },
    });
  });

  // 2026-07-28 multi-round-trip scenarios (SEP-2322).
  server.registerTool('test_input_required_result_elicitation', { description: 'Asks for a name, then greets.', inputSchema: noArgs }, async (_args, ctx) => {
    const answer = acceptedContent(ctx.mcpReq.inputResponses, 'user_name', nameSchema);
    return answer ? text(`Hello, ${answer.name}!`) : inputRequired({ inputRequests: { user_name: elicitName('What is your name?') } });
  });
  server.registerTool('test_input_required_result_sampling', { description: 'Asks the client to sample an LLM.', inputSchema: noArgs }, async (_args, ctx) => {
    const answer = sampledText(ctx, 'capital_question');
    return answer === undefined ? inputRequired({ inputRequests: { capital_question: sample('What is the capital of France?', 100) } }) : text(answer);
  });
  server.registerTool('test_input_required_result_list_roots', { description: "Asks for the client's roots.", inputSchema: noArgs }, async (_args, ctx) => {
    const view = inputResponse(ctx.mcpReq.inputResponses, 'client_roots');
    return view.kind === 'roots'
      ? text(`Roots: ${view.roots.map((r) => r.uri).join(', ') || '(none)'}`)
      : inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
  });
  const confirmed = (ctx: ServerContext) => acceptedContent(ctx.mcpReq.inputResponses, 'confirm', z.object({ ok: z.boolean() }));
  const confirmRequest = () =>
    inputRequired.elicit({ message: 'Please confirm', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } });
  for (const tool of ['test_input_required_result_request_state', 'test_input_required_result_tampered_state']) {
    server.registerTool(tool, { description: 'Round-trips signed requestState.', inputSchema: noArgs }, async (_args, ctx) => {
      const state = ctx.mcpReq.requestState<FixtureState>();
      if (state?.tool === tool && confirmed(ctx)) return text('state-ok: requestState verified');
      return inputRequired({ inputRequests: { confirm: confirmRequest() }, requestState: await codec.mint({ tool, step: 1 }) });
    });
  }
  server.registerTool('test_input_required_result_multiple_inputs', { description: 'Asks for three inputs at once.', inputSchema: noArgs }, async (_args, ctx) => {
    const state = ctx.mcpReq.requestState<FixtureState>();
    const name = acceptedContent(ctx.mcpReq.inputResponses, 'user_name', nameSchema);
    const greeting = sampledText(ctx, 'greeting');
    const roots = inputResponse(ctx.mcpReq.inputResponses, 'client_roots');
    if (state?.tool === 'multiple_inputs' && name && greeting !== undefined && roots.kind === 'roots') {
      return text(`${greeting} ${name.name} (${roots.roots.length} roots)`);
    }
    const inputRequests: InputRequests = {
      user_name: elicitName('What is your name?'),
      greeting: sample('Generate a greeting', 50),
      client_roots: inputRequired.listRoots(),
    };
    return inputRequired({ inputRequests, requestState: await codec.mint({ tool: 'multiple_inputs', step: 1 }) });
  });
  server.registerTool('test_input_required_result_multi_round', { description: 'Asks two questions in two rounds.', inputSchema: noArgs }, async (_args, ctx) => {
    const state = ctx.mcpReq.requestState<FixtureState>();
    const step1 = acceptedContent(ctx.mcpReq.inputResponses, 'step1', nameSchema);
    const step2 = acceptedContent(ctx.mcpReq.inputResponses, 'step2', z.object({ color: z.string() }));
    if (state?.tool === 'multi_round' && state.step === 2 && step2) return text(`${state.name ?? 'someone'} likes ${step2.color}`);
    if (state?.tool === 'multi_round' && state.step === 1 && step1) {
      const step2Request = inputRequired.elicit({
        message: 'Step 2: What is your favorite color?',
        requestedSchema: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
      });
      return inputRequired({ inputRequests: { step2: step2Request }, requestState: await codec.mint({ tool: 'multi_round', step: 2, name: step1.name }) });
    }
    return inputRequired({ inputRequests: { step1: elicitName('Step 1: What is your name?') }, requestState: await codec.mint({ tool: 'multi_round', step: 1 }) });
  });
  server.registerTool('test_input_required_result_capabilities', { description: 'Asks only for what the client declared.', inputSchema: noArgs }, async (_args, ctx) => {
    const declared = declaredCapabilities(ctx);
    if (ctx.mcpReq.inputResponses && Object.keys(ctx.mcpReq.inputResponses).length > 0) return text('inputs received');
    const inputRequests: InputRequests = {};
    if (declared.sampling) inputRequests.summary = sample('Summarize the capabilities you declared', 50);
    if (declared.elicitation) inputRequests.user_name = elicitName('What is your name?');
    return Object.keys(inputRequests).length > 0 ? inputRequired({ inputRequests }) : text('the client declared neither sampling nor elicitation');
  });
  // server-stateless (SEP-2575) diagnostics.
  server.registerTool('test_missing_capability', { description: 'Needs sampling, whether or not the client declared it.', inputSchema: noArgs }, async (_args, ctx) => {
    const answer = sampledText(ctx, 'needs_sampling');
    return answer === undefined ? inputRequired({ inputRequests: { needs_sampling: sample('Say hello', 10) } }) : text(answer);
  });
  server.registerTool('test_streaming_elicitation', { description: 'Reports progress, then asks for a name.', inputSchema: noArgs }, async (_args, ctx) => {
    const answer = acceptedContent(ctx.mcpReq.inputResponses, 'user_name', nameSchema);
    if (answer) return text(`Hello, ${answer.name}!`);
    const progressToken = ctx.mcpReq._meta?.progressToken;
    if (progressToken !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress: 50, total: 100 } });
    return inputRequired({ inputRequests: { user_name: elicitName('What is your name?') } });
  });
}

function registerResources(server: McpServer): void {
  server.registerResource(
    'static-text',
    'test://static-text',
    { title: 'Static text', description: 'A static text resource.', mimeType: 'text/plain' },
    async () => ({ contents: [{ uri: 'test://static-text', mimeType: 'text/plain', text: 'This is the content of the static text resource.' }] }),
  );
  server.registerResource(
    'static-binary',
    'test://static-binary',
    { title: 'Static binary', description: 'A static binary resource (a PNG).', mimeType: 'image/png' },
    async () => ({ contents: [{ uri: 'test://static-binary', mimeType: 'image/png', blob: PNG }] }),
  );
  server.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { title: 'Template', description: 'A resource template with parameter substitution.', mimeType: 'application/json' },
    async (uri, variables) => ({
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id: variables.id, templateTest: true, data: `Data for ID: ${String(variables.id)}` }) }],
    }),
  );
  // Listed and readable; not subscribable (a stateless server has no stream to send updates on).
  server.registerResource(
    'watched-resource',
    'test://watched-resource',
    { title: 'Watched resource', description: 'A resource a stateful server would send updates for.', mimeType: 'text/plain' },
    async () => ({ contents: [{ uri: 'test://watched-resource', mimeType: 'text/plain', text: 'Watched resource content' }] }),
  );
}

function registerPrompts(server: McpServer): void {
  server.registerPrompt('test_simple_prompt', { title: 'Simple prompt', description: 'A prompt without arguments.' }, async () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
  }));
  const suggest = (value: string) => ['paris', 'park', 'party', value].filter((v) => v.startsWith(value));
  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      title: 'Prompt with arguments',
      description: 'A prompt with two required arguments.',
      argsSchema: z.object({ arg1: completable(z.string().describe('First test argument'), suggest), arg2: z.string().describe('Second test argument') }),
    },
    async ({ arg1, arg2 }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }] }),
  );
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    { title: 'Prompt with embedded resource', description: 'A prompt embedding a resource.', argsSchema: z.object({ resourceUri: z.string().describe('URI of the resource to embed') }) },
    async ({ resourceUri }) => ({
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  );
  server.registerPrompt('test_prompt_with_image', { title: 'Prompt with image', description: 'A prompt with image content.' }, async () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ],
  }));
  server.registerPrompt(
    'test_input_required_result_prompt',
    { title: 'Prompt needing input', description: 'Asks the user for context before it renders.' },
    async (ctx): Promise<GetPromptResult | ReturnType<typeof inputRequired>> => {
      const answer = acceptedContent(ctx.mcpReq.inputResponses, 'user_context', z.object({ context: z.string() }));
      if (!answer) {
        const requestedSchema = { type: 'object' as const, properties: { context: { type: 'string' as const } }, required: ['context'] };
        return inputRequired({ inputRequests: { user_context: inputRequired.elicit({ message: 'What context should the prompt use?', requestedSchema }) } });
      }
      return { messages: [{ role: 'user', content: { type: 'text', text: `Use this context: ${answer.context}` } }] };
    },
  );
}
