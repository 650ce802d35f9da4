/**
 * Lambda entry point for the MCP endpoint: a Function URL in RESPONSE_STREAM
 * mode in front of the same `(Request) => Response` app the local server runs
 * (the MCP endpoints, `/healthz` and the protected-resource metadata; the
 * console and the OAuth authorization server are the web function's).
 *
 * Observability: Powertools logs with the request's correlation id (and the
 * X-Ray trace id Lambda's active tracing provides); per-tool-call metrics in
 * embedded metric format (EmfMetrics). No Powertools Tracer here: it and the
 * X-Ray SDK add ≈125 KB, which the bundle's 1,000,000-byte budget cannot
 * take; Lambda's active tracing still records every invocation's segment,
 * and the bus consumers and workflow steps, which trace the AWS calls, carry
 * the same correlation id.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { EmfMetrics } from '../adapters/aws/emf-metrics.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../contracts/observability.js';
import { createHttpApp } from '../mcp/http.js';
import { buildAwsDeps } from '../runtime/aws.js';
import { loadAwsConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/log.js';
import { fromResponse, FunctionUrlRequests, type StreamedResponse } from './function-url.js';

// Built once per cold start.
const config = loadAwsConfig();
const logger = createLogger();
const requests = new FunctionUrlRequests(config.publicUrl);
// The endpoints are OAuth protected resources; the authorization server (and the console) is the web function
// (functions/handlers/web.ts), named by configuration: its Function URL, or the custom domain both share.
const app = createHttpApp(buildAwsDeps(config, logger), {
  oauth: {
    publicUrl: requests.publicUrl,
    authorizationServerUrl: (request) => config.authorizationServerUrl ?? requests.publicUrl(request),
  },
  allowedOrigins: config.allowedOrigins,
  allowedHosts: config.allowedHosts,
  authCacheMs: config.authCacheMs,
  metrics: new EmfMetrics({ namespace: METRICS_NAMESPACE, service: SERVICE_NAME.mcp }),
  ...(config.originSecret ? { frontDoor: { originSecret: config.originSecret } } : {}),
});

export const handler = middy<LambdaFunctionURLEvent, StreamedResponse>({
  streamifyResponse: true,
  // After the response has streamed: finish the audit writes before the invocation ends.
  requestEnd: () => app.flush(),
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use({
    onError: async (request) => {
      // The one error mapper: anything that escaped the app becomes a JSON-RPC error without internals.
      logger.error('unhandled error', { error: String(request.error) });
      request.response = {
        statusCode: 500,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'Internal error' } }),
      };
    },
  })
  .handler(async (event) => {
    const { request, correlationId } = requests.from(event);
    logger.appendKeys({ correlation_id: correlationId, path: event.rawPath });
    return fromResponse(await app(request));
  });
