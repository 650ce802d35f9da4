import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../functions/contracts/env.js';
import { LOCAL_TABLE } from '../../functions/runtime/local.js';
import { RoleClients, startTestConclave } from '../helpers/conclave.js';
import { pendingRequirements } from '../helpers/requirements.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;
type StreamingHandler = (event: LambdaFunctionURLEvent, stream: Writable, context: Context) => Promise<void>;

/** What the Lambda runtime's response stream received: the HTTP prelude and each chunk with its arrival time. */
class RecordingStream extends Writable {
  prelude: { statusCode?: number; headers?: Record<string, string> } = {};
  readonly chunks: { text: string; at: number }[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push({ text: chunk.toString('utf8'), at: Date.now() });
    done();
  }
}

/**
 * The MCP Lambda handler with a streaming response (RESPONSE_STREAM Function
 * URL): a progress-reporting call streams its progress notifications through
 * the handler before its result. The Lambda runtime's streaming contract
 * (`awslambda.streamifyResponse`, `HttpResponseStream.from`) is stood in for;
 * the handler, the app and the DynamoDB adapter are the deployed code; their
 * DynamoDB client sends to the local engine the local server also writes to.
 */
describe('MCP Lambda handler: progress through the streaming response', () => {
  let conclave: Conclave;
  let roles: RoleClients;
  let handler: StreamingHandler;

  beforeAll(async () => {
    conclave = await startTestConclave();
    roles = await RoleClients.of(conclave, 'streaming-co');
    vi.stubEnv(ENV.tableName, LOCAL_TABLE);
    vi.stubEnv(ENV.eventBusName, 'bus');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    // The handler's own DynamoDB client, as deployed, sends through the local engine (which has no socket).
    const engine = conclave.engineClient();
    const send = DynamoDBClient.prototype.send;
    vi.spyOn(DynamoDBClient.prototype, 'send').mockImplementation(function (this: DynamoDBClient, ...args: Parameters<DynamoDBClient['send']>) {
      return (send as (...a: unknown[]) => Promise<unknown>).apply(engine, args) as unknown as ReturnType<DynamoDBClient['send']>;
    });
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'CRITICAL');
    mockClient(EventBridgeClient).on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    vi.stubGlobal('awslambda', {
      streamifyResponse: (fn: StreamingHandler) => fn,
      HttpResponseStream: {
        from: (stream: RecordingStream, prelude: RecordingStream['prelude']) => {
          stream.prelude = prelude;
          return stream;
        },
      },
    });
    handler = (await import('../../functions/handlers/mcp.js')).handler as unknown as StreamingHandler;
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    await roles?.close();
    await conclave?.close();
  });

  const invoke = async (body: unknown): Promise<RecordingStream> => {
    const stream = new RecordingStream();
    const event = {
      version: '2.0',
      rawPath: '/mcp/product_manager',
      rawQueryString: '',
      headers: {
        host: 'abc.lambda-url.us-east-1.on.aws',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
        authorization: `Bearer ${roles.key}`,
      },
      requestContext: { domainName: 'abc.lambda-url.us-east-1.on.aws', http: { method: 'POST' }, requestId: 'req-1' },
      body: JSON.stringify(body),
      isBase64Encoded: false,
    } as unknown as LambdaFunctionURLEvent;
    const context = { functionName: 'mcp', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
    await handler(event, stream, context);
    return stream;
  };

  it('streams at least two progress notifications before the result', async () => {
    const { requestId, answer } = await pendingRequirements(conclave, roles);
    const answering = answer(400);
    const stream = await invoke({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'gather_requirements', arguments: { request_id: requestId, wait_seconds: 15 }, _meta: { progressToken: 'p-7' } },
    });
    await answering;
    expect(stream.prelude.statusCode).toBe(200);
    expect(stream.prelude.headers?.['content-type']).toContain('text/event-stream');
    const events = stream.chunks.flatMap((chunk) =>
      chunk.text
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => ({ message: JSON.parse(line.slice(6)) as { method?: string; id?: number; params?: { progress: number; progressToken: string }; result?: { structuredContent?: { status: string } } }, at: chunk.at })),
    );
    const progress = events.filter((e) => e.message.method === 'notifications/progress');
    const result = events.find((e) => e.message.id === 7);
    expect(progress.map((e) => e.message.params?.progress)).toEqual([0, 1, 2]);
    expect(progress.every((e) => e.message.params?.progressToken === 'p-7')).toBe(true);
    expect(result?.message.result?.structuredContent?.status).toBe('complete');
    // Streamed, not buffered: the first notification reached the stream in a chunk of its own, before the result's.
    expect(events.indexOf(progress[0] as (typeof events)[number])).toBeLessThan(events.indexOf(result as (typeof events)[number]));
    expect(stream.chunks.findIndex((c) => c.text.includes('notifications/progress'))).toBeLessThan(stream.chunks.findIndex((c) => c.text.includes('"id":7')));
    expect((progress[0] as (typeof events)[number]).at).toBeLessThan((result as (typeof events)[number]).at);
  });
});
