import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EVENT_SOURCE, type BusEvent } from '../contracts/events.js';
import { ENDPOINTS } from '../contracts/roles.js';
import { DynamoStore } from '../adapters/aws/dynamo-store.js';
import { ensureTable, startDynalite, type LocalDynamo } from '../adapters/local/dynalite.js';
import { LocalBus } from '../adapters/local/memory-bus.js';
import { noMetrics } from '../adapters/local/memory-metrics.js';
import { PackagedEmbedder } from '../adapters/local/packaged-embedder.js';
import { HnswVectorIndex } from '../adapters/local/hnsw-vector-index.js';
import { LocalLexicalIndex } from '../adapters/local/local-lexical-index.js';
import { restrictStore } from '../adapters/local/store-access.js';
import { RULES } from '../contracts/rules.js';
import { CONSUMER_STORE_ACCESS } from '../contracts/table-access.js';
import { auditedConsumer } from '../core/audit/audited.js';
import { CONSUMER_USE_CASES } from '../core/consumers/consumers.js';
import { createApiKey, ensureApiKey } from '../core/auth/api-keys.js';
import type { Deps } from '../core/context.js';
import type { Retention } from '../core/retention.js';
import type { Embedder } from '../ports/embedder.js';
import type { Log } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { Model } from '../ports/model.js';
import { AUTOPILOT_RULE } from '../contracts/autopilot.js';
import { runAutopilot } from '../core/autopilot/activate.js';
import { AuditTrail } from '../mcp/audit-trail.js';
import { inProcessTools } from '../mcp/in-process.js';
import type { RateLimits } from '../contracts/rate-limits.js';
import { createHttpApp, MAX_BODY_BYTES } from '../mcp/http.js';
import { localHosts } from '../mcp/host-check.js';
import { withAdminRoute } from './admin.js';
import { acquireLock, dataFiles, ensureAdminToken, prepareDataDir, type DataDirLock } from './data-dir.js';
import { LOCAL_EDGE_LIMITS, type EdgeLimits } from './edge-limits.js';
import { GuardedClientMetadataFetcher, type GuardedFetcherOptions } from '../adapters/http/client-metadata-fetcher.js';
import { DEFAULT_CLIENT_LIMITS } from '../core/oauth/clients.js';
import { createWebRoutes } from '../web/app.js';
import type { UpstreamIdentityConfig } from './config.js';
import { configuredCredentials, upstreamIdentityProvider } from './identity-provider.js';
import { systemClock, timeOrderedIds } from './ids.js';
import { buildLocalWorkflows, type LocalWorkflowOptions } from './local-workflows.js';
import type { LocalWorkflowEngine } from '../adapters/local/asl-runner.js';
import { FairGate, gated, type FairGateOptions } from './fair-gate.js';
import { serveFetch, type ServedFetch } from './node-http.js';

export { dataFiles } from './data-dir.js';

/** The table name used locally (the stack names its own in AWS). */
export const LOCAL_TABLE = 'conclave';
/** The tenant the local dev key belongs to. */
export const DEV_TENANT = 'dev';

export interface LocalOptions {
  /** Where data persists; omit for an in-memory engine (tests). */
  readonly dataDir?: string;
  readonly port: number;
  /** A preset dev key (CONCLAVE_DEV_KEY); otherwise one is generated on first start and kept in the data dir. */
  readonly devKey?: string;
  readonly allowedOrigins: readonly string[];
  readonly staleAfterMs: number;
  /** How long audit entries and memory versions are kept; default DEFAULT_RETENTION. */
  readonly retention?: Partial<Retention>;
  /** See HttpOptions.authCacheMs; default 2 s. */
  readonly authCacheMs?: number;
  readonly log: Log;
  /** Local workflow engine settings (tests: shortened waits, a failing step). */
  readonly workflows?: LocalWorkflowOptions;
  /** The embedder; default the packaged offline model (tests inject failing or counting ones). */
  readonly embedder?: Embedder;
  /** Test-only: also serve the conformance suite's fixtures on a keyless /mcp/conformance (CONCLAVE_CONFORMANCE_FIXTURES). */
  readonly conformanceFixtures?: boolean;
  /** Where tool-call metrics go; default none (tests pass a MemoryMetrics). */
  readonly metrics?: Metrics;
  /**
   * The autopilot's model (functions/runtime/autopilot-model.ts builds it from
   * the environment): when given, the local bus routes the autopilot rule to
   * the autopilot consumer, as the stack does in AWS. Absent: no agent wakes.
   */
  readonly autopilotModel?: Model;
  /** Model ids set_autopilot accepts; empty or absent: any well-formed id. */
  readonly autopilotModelIds?: readonly string[];
  /** Test-only: how the autopilot waits between model retries. */
  readonly autopilotSleep?: (ms: number) => Promise<void>;
  /** The front door's limits (functions/mcp/front-door.ts); none when absent. */
  readonly rateLimits?: RateLimits;
  /** Public host names served besides 127.0.0.1, localhost and [::1] with the port (CONCLAVE_PUBLIC_HOST); the host of `publicUrl` is served too. */
  readonly publicHosts?: readonly string[];
  /** Edge limits; default LOCAL_EDGE_LIMITS with the MCP body limit (tests shorten the timeouts). */
  readonly limits?: Partial<EdgeLimits>;
  /** How long `close()` lets requests in flight finish; default 10 s. */
  readonly shutdownGraceMs?: number;
  /** The public base URL for OAuth (CONCLAVE_PUBLIC_URL); default the listen address. */
  readonly publicUrl?: string | undefined;
  /** Accept loopback-http OAuth client metadata documents (CONCLAVE_OAUTH_LOOPBACK_CLIENTS; tests). */
  readonly oauthLoopbackClients?: boolean;
  /** Limits of the metadata-document fetcher (tests shorten the time limit). */
  readonly oauthFetcher?: GuardedFetcherOptions;
  /** The consent page's upstream OpenID Connect provider (CONCLAVE_OIDC_*); absent: API-key sign-in only. */
  readonly upstreamIdentity?: UpstreamIdentityConfig | undefined;
}

/**
 * The local server's admission: two requests at a time, the rest in arrival
 * order, and no request keeps the others waiting more than 50 ms. Chosen by
 * measurement (bench/RESULTS.md): at concurrency 10 it served as many calls
 * per second as no gate with a p95 about a fifth lower; one slot was slower.
 */
export const LOCAL_GATE: FairGateOptions = { slots: 2, leaseMs: 50 };

export interface LocalConclave {
  readonly url: string;
  readonly devKey: string;
  /** True when the dev key was generated by this start (print it). */
  readonly firstStart: boolean;
  readonly deps: Deps;
  readonly bus: LocalBus;
  /** The local workflow engine (the same ASL files as Step Functions). */
  readonly workflows: LocalWorkflowEngine;
  /** The token the /admin route accepts as the operator (kept in the data dir's admin-token file when there is one). */
  readonly adminToken: string;
  /** A new client of the in-process engine (tests and benchmarks reading the table directly); there is no engine socket. */
  engineClient(): DynamoDBClient;
  /** Stops accepting, lets requests in flight finish (bounded), flushes the audit, drains the bus, closes the engine, releases the lock. */
  close(): Promise<void>;
}

/**
 * The local composition root: dynalite (persisted or in memory), the local
 * bus, the same core and the same HTTP app as Lambda, on node:http.
 */
export async function startLocal(options: LocalOptions): Promise<LocalConclave> {
  let lock: DataDirLock | undefined;
  let dynamo: LocalDynamo | undefined;
  let served: ServedFetch | undefined;
  try {
    if (options.dataDir) {
      await prepareDataDir(options.dataDir);
      lock = await acquireLock(options.dataDir, 'server');
    }
    // The port is taken first, so a port in use fails the start at once; until the app is ready, requests get 503.
    const ready: { handle?: (request: Request) => Promise<Response> } = {};
    served = await serveFetch((request) => (ready.handle ? ready.handle(request) : Promise.resolve(starting())), {
      port: options.port,
      host: '127.0.0.1',
      limits: { ...LOCAL_EDGE_LIMITS, maxBodyBytes: MAX_BODY_BYTES, ...options.limits },
    });
    dynamo = await startDynalite(options.dataDir ? { path: dataFiles.engine(options.dataDir) } : {});
    return await serve(options, dynamo, lock, served, ready);
  } catch (error) {
    await served?.shutdown(0);
    dynamo?.client.destroy();
    await dynamo?.close().catch(() => undefined);
    await lock?.release();
    throw error;
  }
}

function starting(): Response {
  return Response.json({ error: { code: 'starting', message: 'the server is starting; retry in a moment' } }, { status: 503, headers: { 'retry-after': '1' } });
}

async function serve(
  options: LocalOptions,
  dynamo: LocalDynamo,
  lock: DataDirLock | undefined,
  served: ServedFetch,
  ready: { handle?: (request: Request) => Promise<Response> },
): Promise<LocalConclave> {
  await ensureTable(dynamo.client, LOCAL_TABLE);
  const autopilotModel = options.autopilotModel;
  const autopilotAudit = (): AuditTrail => (agentAudit ??= new AuditTrail(deps));
  let agentAudit: AuditTrail | undefined;
  const autopilotRuntime = () => ({
    model: autopilotModel as Model,
    tools: inProcessTools(deps, { audit: autopilotAudit(), metrics: options.metrics ?? noMetrics }),
    ...(options.autopilotSleep ? { sleep: options.autopilotSleep } : {}),
  });
  // The bus's targets need the deps and the deps need the bus: targets run only after
  // start-up, so they may close over `deps` declared below.
  const bus = new LocalBus({
    source: EVENT_SOURCE,
    // Each consumer sees the table as its IAM grant lets it in AWS (CONSUMER_STORE_ACCESS): a use of anything else fails here too.
    routes: [
      ...RULES.map((rule) => ({
        rule,
        target: (event: BusEvent) =>
          auditedConsumer(rule.consumer, CONSUMER_USE_CASES[rule.consumer])(
            { ...deps, store: restrictStore(deps.store, CONSUMER_STORE_ACCESS[rule.consumer], `the ${rule.consumer} consumer`) },
            event,
          ),
      })),
      // The autopilot consumer: its own function in AWS, the same rule pattern here.
      ...(autopilotModel ? [{ rule: AUTOPILOT_RULE, target: (event: BusEvent) => runAutopilot(deps, autopilotRuntime(), event) }] : []),
    ],
    onDeadLetter: (letter) =>
      options.log.error('event dead-lettered', { rule: letter.rule, event_id: letter.event.id, detail_type: letter.event['detail-type'], error: letter.error, attempts: letter.attempts }),
  });
  const store = new DynamoStore(dynamo.client, LOCAL_TABLE);
  const indexDir = options.dataDir ? dataFiles.memoryIndex(options.dataDir) : undefined;
  const vectors = new HnswVectorIndex(indexDir ? { dir: indexDir } : {});
  const lexicon = new LocalLexicalIndex(indexDir ? { dir: indexDir } : {});
  // Like the bus, the engine's step functions run only after start-up and close over `deps`.
  const workflows = await buildLocalWorkflows(() => deps, store, options.log, options.workflows);
  const deps: Deps = {
    store,
    bus,
    clock: systemClock,
    ids: timeOrderedIds(systemClock),
    log: options.log,
    embedder: options.embedder ?? new PackagedEmbedder(),
    vectors,
    lexicon,
    workflows,
    settings: {
      staleAfterMs: options.staleAfterMs,
      ...(options.retention ? { retention: options.retention } : {}),
      ...(options.autopilotModelIds?.length ? { autopilotModelIds: options.autopilotModelIds } : {}),
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    },
  };
  const { devKey, firstStart } = await ensureDevKey(deps, options);
  // Runs survive a restart: every execution recorded as running continues from its current state.
  const resumed = await workflows.resumeAll();
  if (resumed) options.log.info('resumed workflow runs', { resumed });
  // Loaded only when asked for, so a normal start never even imports the fixtures.
  const plugin = options.conformanceFixtures ? (await import('../mcp/conformance-fixtures.js')).conformancePlugin() : undefined;
  if (plugin) options.log.warn('conformance fixtures are on: /mcp/conformance serves without a key (test only)', { endpoint: `/mcp/${plugin.name}` });
  const adminToken = options.dataDir ? await ensureAdminToken(options.dataDir) : `cnadm_${randomBytes(32).toString('base64url')}`;
  const port = Number(new URL(served.url).port);
  const listenUrl = served.url;
  const allowLoopback = options.oauthLoopbackClients === true;
  if (options.upstreamIdentity?.allowLoopbackHttp) options.log.warn('the OpenID Connect issuer may be on loopback http (CONCLAVE_OIDC_LOOPBACK_ISSUER): local testing only', {});
  if (allowLoopback) options.log.warn('OAuth clients may publish metadata documents on loopback http (CONCLAVE_OAUTH_LOOPBACK_CLIENTS): local testing only', {});
  const publicUrl = () => options.publicUrl ?? listenUrl;
  const app = createHttpApp(deps, {
    oauth: { publicUrl },
    // One listener: the console and the authorization server (in AWS, the web function) beside the MCP endpoints.
    routes: [
      createWebRoutes(deps, {
        oauth: {
          publicUrl,
          fetcher: new GuardedClientMetadataFetcher({ ...options.oauthFetcher, allowLoopback }),
          limits: { ...DEFAULT_CLIENT_LIMITS, allowLoopbackMetadata: allowLoopback },
          ...(options.upstreamIdentity ? { identityProvider: upstreamIdentityProvider(options.upstreamIdentity, configuredCredentials(options.upstreamIdentity)) } : {}),
        },
      }),
    ],
    allowedOrigins: options.allowedOrigins,
    allowedHosts: localHosts(port, [...(options.publicHosts ?? []), ...(options.publicUrl ? [new URL(options.publicUrl).host] : [])]),
    authCacheMs: options.authCacheMs ?? 2000,
    metrics: options.metrics ?? noMetrics,
    ...(plugin ? { plugin } : {}),
  });
  ready.handle = gated(withAdminRoute(app, deps, adminToken), new FairGate(LOCAL_GATE));
  await lock?.listening(port);
  let closing: Promise<void> | undefined;
  return {
    url: served.url,
    devKey,
    firstStart,
    deps,
    bus,
    workflows,
    adminToken,
    engineClient: () => dynamo.connect(),
    close: () =>
      (closing ??= (async () => {
        const finished = await served.shutdown(options.shutdownGraceMs ?? 10_000);
        if (!finished) options.log.warn('requests still running at shutdown were cut off', { grace_ms: options.shutdownGraceMs ?? 10_000 });
        await app.flush();
        // Stop the engine first: runs stay recorded where they are; events it caused still drain.
        await workflows.close();
        await bus.drain();
        await agentAudit?.flush();
        // The indexes' journals become snapshots, so the next start maps or reads them without replaying.
        await vectors.flush();
        await lexicon.flush();
        dynamo.client.destroy();
        await dynamo.close();
        await lock?.release();
      })()),
  };
}

async function ensureDevKey(deps: Deps, options: LocalOptions): Promise<{ devKey: string; firstStart: boolean }> {
  const grant = { tenantId: DEV_TENANT, roles: [...ENDPOINTS], human: true, label: 'local dev key' };
  if (options.devKey) {
    await ensureApiKey(deps, { ...grant, presetKey: options.devKey });
    return { devKey: options.devKey, firstStart: false };
  }
  const file = options.dataDir ? dataFiles.devKey(options.dataDir) : undefined;
  const saved = file ? await readFile(file, 'utf8').then((s) => s.trim(), () => undefined) : undefined;
  if (saved) {
    await ensureApiKey(deps, { ...grant, presetKey: saved });
    return { devKey: saved, firstStart: false };
  }
  const { key } = await createApiKey(deps, grant);
  if (file) await writeFile(file, `${key}\n`, { mode: 0o600 });
  return { devKey: key, firstStart: true };
}
