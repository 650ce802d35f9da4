/**
 * What the local HTTP server allows a client before any Conclave code runs:
 * how long it may take to send headers and body, how long an idle
 * connection stays open, how many connections may be open at once, and how
 * large a body may be. A client that breaks a limit gets a clear answer
 * (408, 413, 503) and its connection closed; it never holds an admission slot.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

export interface EdgeLimits {
  /** Time to receive a request's headers. */
  readonly headersTimeoutMs: number;
  /** Time to receive a request's body, from its headers on. */
  readonly bodyTimeoutMs: number;
  /** How long a kept-alive connection may sit idle between requests. */
  readonly idleTimeoutMs: number;
  /** Open connections at most; more are answered 503 and closed. */
  readonly maxConnections: number;
  /** Largest request body in bytes. */
  readonly maxBodyBytes: number;
}

/** The local server's limits: generous for any MCP client, short enough that stalled clients cost nothing for long. */
export const LOCAL_EDGE_LIMITS: EdgeLimits = {
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  idleTimeoutMs: 5_000,
  maxConnections: 512,
  maxBodyBytes: 1024 * 1024,
};

/** Applies the header, idle and connection limits to a node:http server (the body limits apply in `readBody`). */
export function applyEdgeLimits(server: Server, limits: EdgeLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  // Node's own whole-request limit, a backstop behind readBody's (which answers first, with a JSON body).
  server.requestTimeout = limits.headersTimeoutMs + limits.bodyTimeoutMs + 5_000;
  server.keepAliveTimeout = limits.idleTimeoutMs;
  let open = 0;
  server.on('connection', (socket: Socket) => {
    if (open >= limits.maxConnections) {
      const body = JSON.stringify({ error: { code: 'overloaded', message: `too many open connections (limit ${limits.maxConnections}); retry shortly` } });
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nretry-after: 1\r\nconnection: close\r\n\r\n${body}`,
      );
      socket.destroySoon();
      return;
    }
    open++;
    socket.once('close', () => open--);
  });
}

/** Why a body could not be read. */
export type BodyRefusal = { readonly status: 408 | 413; readonly message: string };

/**
 * Reads a request body whole, within the size and time limits; on a refusal
 * the caller answers and closes the connection.
 */
export function readBody(req: IncomingMessage, limits: Pick<EdgeLimits, 'bodyTimeoutMs' | 'maxBodyBytes'>): Promise<Buffer | BodyRefusal> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limits.maxBodyBytes) return Promise.resolve(tooLarge(limits.maxBodyBytes));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (result: Buffer | BodyRefusal) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limits.maxBodyBytes) {
        req.pause();
        finish(tooLarge(limits.maxBodyBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, total));
    const onError = () => finish({ status: 408, message: 'the request body was not completed' });
    const timer = setTimeout(
      () => finish({ status: 408, message: `Request timeout: the body did not arrive within ${limits.bodyTimeoutMs / 1000} s` }),
      limits.bodyTimeoutMs,
    );
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('aborted', onError);
  });
}

function tooLarge(limit: number): BodyRefusal {
  return { status: 413, message: `Request body too large: the limit is ${limit} bytes (${(limit / 1024 / 1024).toFixed(0)} MiB)` };
}
