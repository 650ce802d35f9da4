import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';

/** One request a client sent through the proxy. */
export interface Recorded {
  readonly method: string;
  readonly path: string;
  /** The `MCP-Protocol-Version` header, if sent. */
  readonly protocolHeader: string | null;
  readonly hasAuthorization: boolean;
  /** The JSON-RPC messages of the body (a batch is flattened). */
  readonly messages: readonly { method?: string; params?: { protocolVersion?: string; _meta?: Record<string, unknown> } }[];
}

export interface RecordingProxy {
  /** The proxy's base URL: use it in place of the target's. */
  readonly url: string;
  readonly requests: Recorded[];
  close(): Promise<void>;
}

/**
 * A transparent HTTP proxy in front of a local server that records what a
 * real client puts on the wire (which protocol era it speaks), streaming
 * responses (SSE included) back unchanged. Keys are never recorded.
 */
export async function recordingProxy(target: string): Promise<RecordingProxy> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    void forward(req).then(
      async (upstream) => {
        res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
        if (!upstream.body) return void res.end();
        // Either side may hang up mid-stream (a client exiting, an SSE stream ending): close the other, never throw.
        const body = Readable.fromWeb(upstream.body as unknown as NodeReadableStream);
        body.on('error', () => res.destroy());
        res.on('close', () => body.destroy());
        body.pipe(res);
      },
      () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      },
    );
  });

  async function forward(req: IncomingMessage): Promise<Response> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    let messages: Recorded['messages'] = [];
    try {
      const parsed = JSON.parse(body.toString('utf8')) as unknown;
      messages = (Array.isArray(parsed) ? parsed : [parsed]) as Recorded['messages'];
    } catch {
      messages = [];
    }
    requests.push({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      protocolHeader: (req.headers['mcp-protocol-version'] as string | undefined) ?? null,
      hasAuthorization: typeof req.headers.authorization === 'string',
      messages,
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || name === 'host' || name === 'connection' || name === 'content-length') continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    return fetch(`${target}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
