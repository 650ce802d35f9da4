/**
 * The MCP benchmark's load generator (bench/mcp.ts), run in a process of its
 * own so that the client's work shares neither the servers' event loop nor
 * their CPU time: what is measured is the server, as a client elsewhere on
 * the machine sees it.
 *
 * It speaks plain HTTP/1.1 through node:http with keep-alive connections (one
 * per call in flight, opened before timing starts), as load tools do: a
 * heavier client library would add its own cost and jitter to every figure.
 * Each call replays a captured request (the exact headers and JSON-RPC body a
 * real SDK client sent) with a fresh id, and counts as successful only when
 * the answer is 200, JSON, for that id, and a non-error result.
 *
 * Protocol (IPC with the parent): the parent sends a `PhaseRequest`, the
 * child answers with a `PhaseResult`; it exits when the channel closes.
 */
import { Agent, request } from 'node:http';

/** One request to replay; only the JSON-RPC `id` changes between calls (key order is kept). */
export interface ReplayTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly message: Readonly<Record<string, unknown>>;
}

export interface PhaseRequest {
  readonly target: ReplayTarget;
  readonly calls: number;
  readonly concurrency: number;
}

export interface PhaseResult {
  /** Every call's latency in ms (failed calls included), in completion order. */
  readonly latencies: number[];
  /** Why each failed call failed, in completion order. */
  readonly errors: string[];
  readonly wallMs: number;
}

/** One keep-alive agent per server, so connections stay open (and warm) across phases. */
const agents = new Map<string, Agent>();
let nextId = 1;

async function runPhase({ target, calls, concurrency }: PhaseRequest): Promise<PhaseResult> {
  const url = new URL(target.url);
  let agent = agents.get(url.origin);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    agents.set(url.origin, agent);
  }
  agent.maxSockets = concurrency;
  const latencies: number[] = [];
  const errors: string[] = [];
  let issued = 0;
  const worker = async () => {
    while (issued < calls) {
      issued++;
      const { ms, error } = await call(agent, url, target);
      latencies.push(ms);
      if (error !== undefined) errors.push(error);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, errors, wallMs: performance.now() - started };
}

function call(agent: Agent, url: URL, target: ReplayTarget): Promise<{ ms: number; error?: string }> {
  const id = nextId++;
  const body = JSON.stringify({ ...target.message, id });
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...target.headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const ms = performance.now() - started;
          resolve({ ms, ...checkResponse(id, res.statusCode ?? 0, String(res.headers['content-type'] ?? ''), Buffer.concat(chunks).toString('utf8')) });
        });
        res.on('error', (error) => resolve({ ms: performance.now() - started, error: `response failed: ${String(error)}` }));
      },
    );
    req.on('error', (error) => resolve({ ms: performance.now() - started, error: `request failed: ${String(error)}` }));
    req.end(body);
  });
}

function checkResponse(id: number, status: number, contentType: string, text: string): { error?: string } {
  if (status !== 200) return { error: `HTTP ${status}: ${text.slice(0, 200)}` };
  if (!contentType.startsWith('application/json')) return { error: `unexpected content-type ${contentType}` };
  let message: { id?: unknown; result?: { isError?: boolean }; error?: unknown };
  try {
    message = JSON.parse(text) as typeof message;
  } catch {
    return { error: `unparsable body: ${text.slice(0, 200)}` };
  }
  if (message.error !== undefined) return { error: `JSON-RPC error: ${JSON.stringify(message.error).slice(0, 200)}` };
  if (message.id !== id) return { error: `answered id ${JSON.stringify(message.id)}, expected ${id}` };
  if (!message.result) return { error: 'no result' };
  if (message.result.isError) return { error: `tool error result: ${text.slice(0, 200)}` };
  return {};
}

// Run as the child process: serve phases over IPC until the parent disconnects.
if (process.send) {
  process.on('message', (message: PhaseRequest) => {
    runPhase(message).then(
      (result) => process.send?.(result),
      (error: unknown) => process.send?.({ latencies: [], errors: [`load generator failed: ${String(error)}`], wallMs: 0 } satisfies PhaseResult),
    );
  });
  process.on('disconnect', () => {
    for (const agent of agents.values()) agent.destroy();
  });
}
