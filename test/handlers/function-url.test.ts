import type { LambdaFunctionURLEvent } from 'aws-lambda';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fromResponse, toRequest } from '../../functions/handlers/function-url.js';

const event = (overrides: Partial<LambdaFunctionURLEvent> = {}): LambdaFunctionURLEvent =>
  ({
    version: '2.0',
    rawPath: '/mcp/ceo',
    rawQueryString: 'a=1',
    headers: { host: 'abc.lambda-url.eu-west-1.on.aws', 'content-type': 'application/json', authorization: 'Bearer k' },
    requestContext: { domainName: 'abc.lambda-url.eu-west-1.on.aws', http: { method: 'POST' }, requestId: 'r-1' },
    body: '{"jsonrpc":"2.0"}',
    isBase64Encoded: false,
    ...overrides,
  }) as unknown as LambdaFunctionURLEvent;

describe('Function URL adapter', () => {
  it('rebuilds the request with path, query, headers, body and the correlation id', async () => {
    const request = toRequest(event(), 'corr-1');
    expect(request.url).toBe('https://abc.lambda-url.eu-west-1.on.aws/mcp/ceo?a=1');
    expect(request.method).toBe('POST');
    expect(request.headers.get('authorization')).toBe('Bearer k');
    expect(request.headers.get('x-correlation-id')).toBe('corr-1');
    expect(await request.text()).toBe('{"jsonrpc":"2.0"}');
  });

  it('decodes a base64 body and drops the body of a GET', async () => {
    const encoded = toRequest(event({ body: Buffer.from('{"x":1}').toString('base64'), isBase64Encoded: true }), 'c');
    expect(await encoded.text()).toBe('{"x":1}');
    const get = toRequest(event({ requestContext: { domainName: 'h', http: { method: 'GET' } } as LambdaFunctionURLEvent['requestContext'] }), 'c');
    expect(get.body).toBeNull();
  });

  it('streams the response back with status and headers', async () => {
    const streamed = fromResponse(new Response('{"ok":true}', { status: 201, headers: { 'content-type': 'application/json', 'x-a': 'b' } }));
    expect(streamed.statusCode).toBe(201);
    expect(streamed.headers).toMatchObject({ 'content-type': 'application/json', 'x-a': 'b' });
    const chunks: Buffer[] = [];
    for await (const chunk of streamed.body as Readable) chunks.push(Buffer.from(chunk as Uint8Array));
    expect(Buffer.concat(chunks).toString()).toBe('{"ok":true}');
    expect(fromResponse(new Response(null, { status: 204 })).body).toBe('');
  });

  it('passes each Set-Cookie as its own cookie (the console session, the consent binding), not as a folded header', () => {
    const headers = new Headers({ 'content-type': 'text/html' });
    headers.append('set-cookie', 'conclave_session=a; Path=/console; HttpOnly; Secure; SameSite=Strict');
    headers.append('set-cookie', 'conclave_csrf=b; Path=/console; HttpOnly; Secure; SameSite=Strict');
    const streamed = fromResponse(new Response('<p>hi</p>', { status: 303, headers }));
    expect(streamed.cookies).toEqual(['conclave_session=a; Path=/console; HttpOnly; Secure; SameSite=Strict', 'conclave_csrf=b; Path=/console; HttpOnly; Secure; SameSite=Strict']);
    expect(streamed.headers['set-cookie']).toBeUndefined();
    expect(fromResponse(new Response('{}')).cookies).toBeUndefined();
  });
});
