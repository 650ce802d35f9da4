import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TABLE_SCHEMA } from '../../contracts/table.js';
import { storeClientConfig } from '../aws/dynamo-store.js';

const require = createRequire(import.meta.url);

interface DynaliteServer {
  listeners(event: 'request'): ((req: IncomingMessage, res: ServerResponse) => void)[];
}
type DynaliteOptions = { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number };
type DynaliteFactory = (options: DynaliteOptions) => DynaliteServer;
/** The engine's store, as dynalite's db module builds it: only the LevelDB handle is used here. */
interface DynaliteStore {
  readonly db: { open(): Promise<void>; close(): Promise<void> };
}
interface DynaliteDbModule {
  create(options: DynaliteOptions): DynaliteStore;
}

/** A running dynalite engine: the real DynamoDB API inside this process, with no socket. */
export interface LocalDynamo {
  /** A client for this process: the same requests and responses, handed to the engine without a socket. */
  readonly client: DynamoDBClient;
  /** Another client of the same engine, with its own SDK state (as a second reader would have). */
  connect(): DynamoDBClient;
  close(): Promise<void>;
}

/** Raised when the engine cannot open its data (held by another process, unreadable, not writable). */
export class EngineOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineOpenError';
  }
}

/**
 * Starts dynalite in this process. It never listens: the engine checks no
 * signature and answers any origin, so a socket would open the whole table to
 * every local process and web page. Requests reach its request listener
 * directly (InProcessHandler). With `path`, data persists in LevelDB there
 * (one process at a time may open it); without, it lives in memory.
 */
export async function startDynalite(options: { path?: string } = {}): Promise<LocalDynamo> {
  closeFinishedIterators();
  const dynalite = require('dynalite') as DynaliteFactory;
  const dbModule = require(join(dirname(require.resolve('dynalite')), 'db')) as DynaliteDbModule;
  // dynalite does not hand out its store, and closing it means closing its (never started) server; take the store as it is made.
  const create = dbModule.create;
  let store: DynaliteStore | undefined;
  dbModule.create = (o) => (store = create(o));
  let server: DynaliteServer;
  try {
    server = dynalite({ ...(options.path ? { path: options.path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  } finally {
    dbModule.create = create;
  }
  const engine = store;
  if (!engine) throw new Error('dynalite built no store; revisit startDynalite');
  try {
    await engine.db.open();
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    throw new EngineOpenError(`the database in ${options.path ?? 'memory'} cannot be opened: ${(cause as Error).message ?? String(cause)}`, { cause: error });
  }
  const [listener] = server.listeners('request');
  if (!listener) throw new Error('dynalite exposes no request listener');
  const handler = new InProcessHandler(listener);
  return {
    client: localClient(handler),
    connect: () => localClient(handler),
    close: () => engine.db.close(),
  };
}

/** The abstract-level module the local engine's storage (dynalite → memory-level) is built on, as loaded by that engine. */
export function engineLevel(): Record<string, unknown> {
  const fromDynalite = createRequire(require.resolve('dynalite'));
  return createRequire(fromDynalite.resolve('memory-level'))('abstract-level') as Record<string, unknown>;
}

/** The part of abstract-level's iterator classes the fix below touches. */
interface LevelIteratorClass {
  prototype: { close(): Promise<void>; return?: () => Promise<void> };
}

/**
 * dynalite 4 ends a query's or scan's database iterator with
 * `iterator.return()`, which abstract-level 3 iterators do not have (theirs is
 * `close()`), so every query left its iterator open, held by the database
 * until it closed: about 0.8 KB per query for the life of the server, and a
 * steady stream of objects for the garbage collector to promote. Giving the
 * iterators the `return()` dynalite calls lets it close them as it means to.
 * Idempotent; only the local engine's copy of abstract-level is touched.
 */
function closeFinishedIterators(): void {
  const level = engineLevel() as Record<string, LevelIteratorClass | undefined>;
  for (const name of ['AbstractIterator', 'AbstractKeyIterator', 'AbstractValueIterator']) {
    const iterator = level[name];
    if (!iterator) throw new Error(`abstract-level no longer exports ${name}; revisit closeFinishedIterators`);
    if (typeof iterator.prototype.return === 'function') continue;
    Object.defineProperty(iterator.prototype, 'return', {
      value: function (this: { close(): Promise<void> }) {
        return this.close();
      },
      configurable: true,
      writable: true,
    });
  }
}

/**
 * A DynamoDB client for the in-process engine. dynalite accepts any
 * credentials and does not verify signatures, so requests carry a fixed,
 * well-formed Authorization header instead of a SigV4 signature (pure CPU
 * cost), and the endpoint is a fixed placeholder (nothing is dialled: every
 * request goes to `requestHandler`); everything else is the stock client,
 * with the store's settings.
 */
function localClient(requestHandler: InProcessHandler): DynamoDBClient {
  const endpoint = 'http://in-process.invalid';
  const url = new URL(endpoint);
  const client = new DynamoDBClient({
    ...storeClientConfig,
    endpoint,
    endpointProvider: () => ({ url }),
    requestHandler,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    signer: {
      sign: async (request) => {
        // The shape dynalite checks for; the signature itself is never verified.
        request.headers['x-amz-date'] = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
        request.headers.authorization = 'AWS4-HMAC-SHA256 Credential=local/20000101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0';
        return request;
      },
    },
    maxAttempts: 3,
  });
  // Work no local reader needs, done afresh on every request: the user-agent header (the engine ignores it) and
  // the SDK's request log entry (filtered for sensitive fields, then dropped by the default no-op logger).
  client.middlewareStack.remove('getUserAgentMiddleware');
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

/** Creates the Conclave table with the stack's schema unless it exists, and returns once it is ACTIVE (items can be written). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const status = await tableStatus(client, tableName);
  if (status === 'ACTIVE') return;
  if (status === undefined) await createTable(client, tableName);
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await tableStatus(client, tableName)) === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus ?? 'UNKNOWN';
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const attributes = new Set<string>([TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey]);
  for (const index of TABLE_SCHEMA.indexes) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_SCHEMA.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
}

/** The parts of the SDK's HTTP request the engine reads. */
interface SdkHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Record<string, string | string[] | null>;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/**
 * The SDK's request handler for an engine in the same process: each request
 * goes straight to dynalite's own HTTP request listener as a minimal
 * request/response pair, skipping the socket, the HTTP framing on both sides
 * and the connection pool (most of a loopback call's CPU). The engine sees
 * exactly the method, path, headers and body the SDK built, and the SDK gets
 * back exactly the status, headers and body the engine wrote.
 */
export class InProcessHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };

  constructor(private readonly listener: (req: IncomingMessage, res: ServerResponse) => void) {}

  handle(request: SdkHttpRequest): Promise<{ response: { statusCode: number; headers: Record<string, string>; body: Uint8Array } }> {
    return new Promise((resolve, reject) => {
      const req = Object.assign(new EventEmitter(), {
        method: request.method,
        url: request.path + queryString(request.query),
        headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value])),
      });
      const headers: Record<string, string> = {};
      const res = {
        statusCode: 200,
        contentType: undefined as string | undefined,
        setHeader(name: string, value: string | number) {
          headers[name.toLowerCase()] = String(value);
        },
        end(body?: string | Uint8Array) {
          const bytes = body === undefined ? new Uint8Array() : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
          resolve({ response: { statusCode: res.statusCode, headers, body: bytes } });
        },
      };
      try {
        this.listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const body = toBuffer(request.body);
      // The engine reads the body from events, as from a socket, after it has attached its listeners.
      process.nextTick(() => {
        if (body.byteLength) req.emit('data', body);
        req.emit('end');
      });
    });
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}
}

function queryString(query: SdkHttpRequest['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === null) params.append(name, '');
    else for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function toBuffer(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new Error('the in-process DynamoDB handler accepts string or byte bodies only');
}
