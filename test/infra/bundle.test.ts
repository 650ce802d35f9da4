import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { AGENT_ROLES } from '../../functions/contracts/roles.js';
import type { toolsFor } from '../../functions/mcp/tools/index.js';
import { bundleHandler } from '../../scripts/bundle.js';

const ENTRY = fileURLToPath(new URL('../../functions/handlers/consumers/inbox-fanout.ts', import.meta.url));

describe('Lambda bundling (scripts/bundle.ts)', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('bundles a handler into one ESM file without zod locales or Ajv that still loads and validates', { timeout: 60_000 }, async () => {
    // Inside the repo, so the runtime-provided AWS SDK resolves from node_modules as it does on Lambda.
    const parent = fileURLToPath(new URL('../../.bench', import.meta.url));
    await mkdir(parent, { recursive: true });
    const out = await mkdtemp(join(parent, 'bundle-test-'));
    dirs.push(out);
    const metafile = await bundleHandler(ENTRY, out);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((i) => /zod\/v4\/locales\/(de|fr|ja)\.js$/.test(i))).toBe(false);
    expect(inputs.some((i) => /zod\/v4\/locales\/en\.js$/.test(i))).toBe(true);
    expect(inputs.some((i) => /ajvProvider/.test(i) && !i.startsWith('no-ajv:'))).toBe(false);
    expect(inputs.some((i) => i.includes('node_modules/@aws-sdk/credential-provider-sso'))).toBe(false);
    expect(inputs.some((i) => i.includes('node_modules/@aws-sdk/credential-provider-env'))).toBe(true);
    expect((await stat(join(out, 'index.mjs'))).size).toBeGreaterThan(10_000);
    // The bundle runs: loading it builds the handler (config from the environment it needs).
    const saved = { ...process.env };
    Object.assign(process.env, { CONCLAVE_TABLE_NAME: 't', CONCLAVE_EVENT_BUS_NAME: 'b', AWS_REGION: 'us-east-1' });
    try {
      const module = (await import(pathToFileURL(join(out, 'index.mjs')).href)) as { handler: unknown };
      expect(typeof module.handler).toBe('function');
    } finally {
      process.env = saved;
    }
  });

  const bundleInRepo = async (entry: string): Promise<{ out: string; inputs: string[] }> => {
    const parent = fileURLToPath(new URL('../../.bench', import.meta.url));
    await mkdir(parent, { recursive: true });
    const out = await mkdtemp(join(parent, 'bundle-test-'));
    dirs.push(out);
    const metafile = await bundleHandler(entry, out);
    return { out, inputs: Object.keys(metafile.inputs) };
  };

  it('keeps the error names minification would rename (Step Functions Retry/Catch match "DependencyError", "ConflictError")', { timeout: 60_000 }, async () => {
    const { out } = await bundleInRepo(fileURLToPath(new URL('../../functions/core/errors.ts', import.meta.url)));
    const errors = (await import(pathToFileURL(join(out, 'index.mjs')).href)) as Record<string, new (message: string) => Error>;
    const names = Object.keys(errors).filter((name) => name.endsWith('Error') && name !== 'ConclaveError');
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const name of names) expect(new (errors[name] as new (message: string) => Error)('x').name).toBe(name);
    const { out: modelOut } = await bundleInRepo(fileURLToPath(new URL('../../functions/core/workflows/model.ts', import.meta.url)));
    const model = (await import(pathToFileURL(join(modelOut, 'index.mjs')).href)) as { TaskTokenError: new (message: string) => Error };
    expect(new model.TaskTokenError('x').name).toBe('TaskTokenError');
  });

  it('runs a consumer bundle with the tracer on, as in Lambda: EMF metrics and logs with the X-Ray trace id', { timeout: 60_000 }, async () => {
    const { out, inputs } = await bundleInRepo(fileURLToPath(new URL('../../functions/handlers/consumers/agent-status.ts', import.meta.url)));
    expect(inputs.some((i) => i.includes('node_modules/@aws-lambda-powertools/tracer/'))).toBe(true);
    expect(inputs.some((i) => i.includes('node_modules/@aws-lambda-powertools/metrics/'))).toBe(true);
    const lines: string[] = [];
    const spies = [process.stdout, process.stderr].map((stream) =>
      vi.spyOn(stream, 'write').mockImplementation((chunk) => {
        lines.push(...String(chunk).split('\n'));
        return true;
      }),
    );
    const saved = { ...process.env };
    Object.assign(process.env, {
      CONCLAVE_TABLE_NAME: 't',
      CONCLAVE_EVENT_BUS_NAME: 'b',
      AWS_REGION: 'us-east-1',
      POWERTOOLS_SERVICE_NAME: 'conclave-agent-status',
      AWS_LAMBDA_FUNCTION_NAME: 'agent-status',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    });
    try {
      const { handler } = (await import(pathToFileURL(join(out, 'index.mjs')).href)) as { handler: (event: unknown, context: unknown) => Promise<void> };
      const context = { functionName: 'agent-status', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000, invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:agent-status', memoryLimitInMB: '512', functionVersion: '$LATEST' };
      const event = { id: 'evt-9', source: 'conclave', 'detail-type': 'Agent.Heartbeat.v1', time: '2026-11-21T10:00:00Z', detail: { tenant_id: 'acme', correlation_id: 'corr-9' } };
      await expect(handler(event, context)).rejects.toMatchObject({ name: 'MalformedEventError' });
    } finally {
      process.env = saved;
      for (const spy of spies) spy.mockRestore();
    }
    const records = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((r) => 'EventsMalformed' in r)).toMatchObject({ consumer: 'agent-status', correlation_id: 'corr-9', EventsMalformed: 1 });
    expect(records.find((r) => 'ColdStart' in r)).toMatchObject({ ColdStart: 1, service: 'conclave-agent-status' });
    expect(records.find((r) => r.level === 'ERROR')).toMatchObject({ xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793', correlation_id: 'corr-9' });
  });

  it('splits the MCP bundle: no role tool is in index.mjs, each role\'s tools are a chunk the handler loads on demand', { timeout: 60_000 }, async () => {
    const parent = fileURLToPath(new URL('../../.bench', import.meta.url));
    await mkdir(parent, { recursive: true });
    const out = await mkdtemp(join(parent, 'bundle-test-'));
    dirs.push(out);
    const metafile = await bundleHandler(fileURLToPath(new URL('../../functions/handlers/mcp.ts', import.meta.url)), out);
    const outputs = Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.mjs'));
    const holding = (pattern: RegExp) => outputs.filter(([, o]) => Object.keys(o.inputs).some((i) => pattern.test(i))).map(([path]) => path);
    const handler = outputs.find(([path]) => path.endsWith('/index.mjs'))?.[0];
    expect(handler).toBeDefined();
    expect(holding(/functions\/mcp\/tools\/roles\/[a-z_]+\//)).not.toContain(handler);
    for (const role of AGENT_ROLES) {
      const chunks = holding(new RegExp(`functions/mcp/tools/roles/${role}/`));
      expect(chunks.some((path) => path.includes(`/chunks/${role}-`)), role).toBe(true);
      expect(chunks, role).not.toContain(handler);
    }
    expect(holding(/functions\/mcp\/tools\/list-agents\.ts$/)).toEqual([handler]);
    // And the bundled registry loads a role's chunk when asked for that role's tools.
    const { out: registryOut } = await bundleInRepo(fileURLToPath(new URL('../../functions/mcp/tools/index.ts', import.meta.url)));
    const registry = (await import(pathToFileURL(join(registryOut, 'index.mjs')).href)) as { toolsFor: typeof toolsFor };
    const names = (await registry.toolsFor('ceo')).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['list_agents', 'set_budget', 'allocate_budget']));
    expect(names).not.toContain('declare_incident');
    expect((await registry.toolsFor('board')).map((t) => t.name)).not.toContain('set_budget');
  });

  it('trims the AWS SDK (shape schemas, package.json, event streams) without changing what the clients send or return', { timeout: 60_000 }, async () => {
    const { out, inputs } = await bundleInRepo(fileURLToPath(new URL('./fixtures/sdk-probe.ts', import.meta.url)));
    expect(inputs.filter((i) => /@smithy\/core\/dist-es\/submodules\/event-streams\/|@aws-sdk\/eventstream-handler-node\//.test(i))).toEqual([]);
    const bundled = (await import(pathToFileURL(join(out, 'index.mjs')).href)) as { probe: () => Promise<Record<string, unknown>> };
    const { probe } = await import('./fixtures/sdk-probe.js');
    const expected = await probe();
    expect(expected).toMatchObject({ throttled: 'ThrottlingException', conditional: 'ConditionalCheckFailedException', embedding: { embedding: [0.5, 0.25] } });
    expect(await bundled.probe()).toEqual(expected);
    // The Bedrock runtime's streaming and async shapes are gone from the bundle; the ones its commands use are there.
    const code = await readFile(join(out, 'index.mjs'), 'utf8');
    expect(code).not.toContain('ConverseStreamRequest');
    expect(code).not.toContain('StartAsyncInvokeRequest');
    expect(code).toContain('ConverseRequest');
  });

  it('leaves the Powertools Tracer, the X-Ray SDK and Powertools Metrics out of the MCP bundle (its size budget)', { timeout: 60_000 }, async () => {
    const { inputs } = await bundleInRepo(fileURLToPath(new URL('../../functions/handlers/mcp.ts', import.meta.url)));
    expect(inputs.filter((i) => /aws-xray-sdk|@aws-lambda-powertools\/(tracer|metrics)\//.test(i))).toEqual([]);
    expect(inputs.some((i) => i.endsWith('functions/adapters/aws/emf-metrics.ts'))).toBe(true);
  });

  it('keeps the console and the OAuth authorization server out of the MCP bundle: they are the web function\'s, whose bundle loads', { timeout: 60_000 }, async () => {
    const parent = fileURLToPath(new URL('../../.bench', import.meta.url));
    await mkdir(parent, { recursive: true });
    const out = await mkdtemp(join(parent, 'bundle-test-'));
    dirs.push(out);
    const metafile = await bundleHandler(fileURLToPath(new URL('../../functions/handlers/mcp.ts', import.meta.url)), out);
    // Parsed inputs may be tree-shaken to nothing: what counts is what reaches the output.
    const bundled = Object.values(metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path));
    const webOnly = /functions\/web\/console\/|functions\/mcp\/oauth-consent\.ts|functions\/core\/oauth\/(authorization|clients)\.ts|functions\/web\/human-signin\.ts|client-metadata-fetcher\.ts/;
    expect(bundled.filter((i) => webOnly.test(i))).toEqual([]);
    expect(bundled.some((i) => i.endsWith('functions/core/oauth/tokens.ts'))).toBe(true);

    const { out: webOut, inputs } = await bundleInRepo(fileURLToPath(new URL('../../functions/handlers/web.ts', import.meta.url)));
    expect(inputs.some((i) => i.includes('node_modules/@modelcontextprotocol/server/'))).toBe(false);
    expect(inputs.some((i) => i.endsWith('functions/web/console/app.ts'))).toBe(true);
    const saved = { ...process.env };
    Object.assign(process.env, { CONCLAVE_TABLE_NAME: 't', CONCLAVE_EVENT_BUS_NAME: 'b', AWS_REGION: 'us-east-1', CONCLAVE_ALLOWED_HOSTS: '*.lambda-url.us-east-1.on.aws' });
    // What Lambda's Node.js runtime provides to a RESPONSE_STREAM handler at module load.
    vi.stubGlobal('awslambda', { streamifyResponse: (f: unknown) => f, HttpResponseStream: { from: (s: unknown) => s } });
    try {
      const module = (await import(pathToFileURL(join(webOut, 'index.mjs')).href)) as { handler: unknown };
      expect(typeof module.handler).toBe('function');
    } finally {
      process.env = saved;
      vi.unstubAllGlobals();
    }
  });
});
