import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyEdgeLimits, LOCAL_EDGE_LIMITS, readBody, type EdgeLimits } from './edge-limits.js';

/** A served handler: its server, its URL, and `shutdown` for a clean stop. */
export interface ServedFetch {
  readonly server: Server;
  readonly url: string;
  /**
   * Stops accepting connections, closes idle ones, lets requests in flight
   * finish for up to `graceMs`, then closes whatever is left. Resolves true
   * if everything finished in time.
   */
  shutdown(graceMs: number): Promise<boolean>;
}

/**
 * Serves a fetch-style handler on node:http within `limits` (edge-limits.ts).
 * A request's body is read whole before the handler is called, so a slow
 * upload never occupies what the handler guards (the admission gate); JSON
 * responses are written in one piece with their length, anything else (SSE)
 * is streamed as produced.
 */
export function serveFetch(
  handler: (request: Request) => Promise<Response>,
  options: { port: number; host: string; limits?: EdgeLimits },
): Promise<ServedFetch> {
  const limits = options.limits ?? LOCAL_EDGE_LIMITS;
  let inFlight = 0;
  let settled: (() => void) | undefined;
  const server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    inFlight++;
    // Done when the response has been flushed (or the connection lost), not merely handed over.
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) settled?.();
    });
    void bridge(handler, req, res, limits);
  });
  applyEdgeLimits(server, limits);
  const shutdown = async (graceMs: number): Promise<boolean> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let finished = true;
    if (inFlight > 0) {
      const idle = new Promise<void>((resolve) => (settled = resolve));
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([idle, late]);
      clearTimeout(timer);
      finished = inFlight === 0;
    }
    server.closeAllConnections();
    await closed;
    return finished;
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://${options.host}:${port}`, shutdown });
    });
  });
}

async function bridge(handler: (request: Request) => Promise<Response>, req: IncomingMessage, res: ServerResponse, limits: EdgeLimits): Promise<void> {
  const controller = new AbortController();
  // The client went away before the response was complete: stop the work behind it (an abort after a finished response would only cost).
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  try {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
      else if (value !== undefined) headers.set(name, value);
    }
    const body = hasBody ? await readBody(req, limits) : undefined;
    if (body !== undefined && !Buffer.isBuffer(body)) {
      // The rest of the body is never read: the connection cannot carry another request.
      res.writeHead(body.status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message: body.message } }), () => req.socket.destroySoon());
      return;
    }
    // The Host header is passed through as given (the app checks it); an absent one cannot match any allowed host.
    const request = new Request(`http://${hostOf(req)}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      signal: controller.signal,
      ...(body !== undefined ? { body } : {}),
    } as RequestInit);
    const response = await handler(request);
    const outHeaders = Object.fromEntries(response.headers);
    if (!response.body) {
      res.writeHead(response.status, outHeaders);
      res.end();
      return;
    }
    if ((outHeaders['content-type'] ?? '').startsWith('application/json')) {
      const bytes = new Uint8Array(await response.arrayBuffer());
      res.writeHead(response.status, { ...outHeaders, 'content-length': String(bytes.byteLength) });
      res.end(bytes);
      return;
    }
    res.writeHead(response.status, outHeaders);
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    res.end();
  } catch (error) {
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'Internal error' } }));
    } else {
      res.destroy(error as Error);
    }
  }
}

/** The request's Host, if it is a syntactically valid authority; else a name no allow-list holds. */
function hostOf(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  return /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : 'invalid-host.invalid';
}
