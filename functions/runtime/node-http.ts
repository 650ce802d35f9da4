import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

/**
 * Serves a fetch-style handler on node:http. Request bodies are streamed to
 * the handler (which may refuse one part way); JSON responses are written in
 * one piece with their length, anything else (SSE) is streamed as produced.
 */
export function serveFetch(
  handler: (request: Request) => Promise<Response>,
  options: { port: number; host: string },
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    void bridge(handler, req, res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://${options.host}:${port}` });
    });
  });
}

async function bridge(handler: (request: Request) => Promise<Response>, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      signal: controller.signal,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
    } as RequestInit);
    const response = await handler(request);
    const outHeaders = Object.fromEntries(response.headers);
    // A request body left unread (e.g. refused as too large) makes the connection unusable: tell the client.
    if (hasBody && !req.complete) outHeaders.connection = 'close';
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
