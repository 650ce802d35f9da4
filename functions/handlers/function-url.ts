import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { correlationIdOf } from '../contracts/observability.js';

/** The streaming-response shape middy writes to a RESPONSE_STREAM Function URL. */
export interface StreamedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly cookies?: string[];
  readonly body: Readable | string;
}

/** Rebuilds the web Request a Function URL received (the app is `(Request) => Response`). */
export function toRequest(event: LambdaFunctionURLEvent, correlationId: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers.set(name, value);
  headers.set('x-correlation-id', correlationId);
  const host = event.headers?.host ?? event.requestContext.domainName;
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const method = event.requestContext.http.method;
  const body =
    event.body === undefined || method === 'GET' || method === 'HEAD'
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64')
        : event.body;
  return new Request(`https://${host}${event.rawPath}${query}`, { method, headers, ...(body === undefined ? {} : { body }) });
}

/** Streams the app's Response back through the Function URL. */
export function fromResponse(response: Response): StreamedResponse {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  // Lambda sends cookies apart from the headers (one Set-Cookie line each): the console's session and CSRF cookies.
  const cookies = response.headers.getSetCookie();
  return {
    statusCode: response.status,
    headers,
    ...(cookies.length > 0 ? { cookies } : {}),
    body: response.body ? Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>) : '',
  };
}

/**
 * The requests a Function URL handler serves, each with its public base URL:
 * the configured one (a custom domain), else the Function URL domain Lambda
 * itself reports in the event (`requestContext.domainName`), never the
 * client's Host header.
 */
export class FunctionUrlRequests {
  private readonly bases = new WeakMap<Request, string>();

  constructor(private readonly configuredBase: string | undefined) {}

  /** The public base URL of a request this class made. */
  readonly publicUrl = (request: Request): string => {
    const base = this.configuredBase ?? this.bases.get(request);
    if (!base) throw new Error('no public base URL for this request');
    return base;
  };

  /** The event as a Request, with its correlation id: the caller's when well-formed, else Lambda's request id. */
  from(event: LambdaFunctionURLEvent): { request: Request; correlationId: string } {
    const correlationId = correlationIdOf(event.headers?.['x-correlation-id'], () => event.requestContext.requestId ?? randomUUID());
    const request = toRequest(event, correlationId);
    this.bases.set(request, `https://${event.requestContext.domainName}`);
    return { request, correlationId };
  }
}
