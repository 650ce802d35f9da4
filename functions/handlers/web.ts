/**
 * Lambda entry point for the web function: the board's console (`/console`)
 * and the OAuth authorization server (`/.well-known/oauth-authorization-server`,
 * `/oauth/*`), behind their own Function URL (and, with a custom domain, the
 * same CloudFront distribution as the MCP endpoints). The same
 * `(Request) => Response` routes `npm start` serves on its one listener
 * (functions/web/app.ts); kept out of the MCP function so its bundle carries
 * only what MCP calls need.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { GuardedClientMetadataFetcher } from '../adapters/http/client-metadata-fetcher.js';
import { DEFAULT_CLIENT_LIMITS } from '../core/oauth/clients.js';
import { buildAwsDeps } from '../runtime/aws.js';
import { loadAwsConfig } from '../runtime/config.js';
import { secretsManagerCredentials, upstreamIdentityProvider } from '../runtime/identity-provider.js';
import { createLogger } from '../runtime/log.js';
import { hostMatcher } from '../mcp/host-check.js';
import { createWebApp } from '../web/app.js';
import { fromResponse, FunctionUrlRequests, type StreamedResponse } from './function-url.js';

// Built once per cold start.
const config = loadAwsConfig();
const logger = createLogger();
// The issuer: the configured custom domain, else the Function URL domain Lambda reports, never the Host header.
const requests = new FunctionUrlRequests(config.publicUrl);
const allowedResourceHost = hostMatcher(config.allowedHosts);
const app = createWebApp(buildAwsDeps(config, logger), {
  oauth: {
    publicUrl: requests.publicUrl,
    // Deployed: https-only public metadata documents, never loopback (the config refuses the local flag).
    fetcher: new GuardedClientMetadataFetcher({ allowLoopback: false }),
    limits: DEFAULT_CLIENT_LIMITS,
    // The consent page's "Sign in with …" (Cognito or a trusted OpenID Connect issuer), when the stack configures one.
    ...(config.upstreamIdentity ? { identityProvider: upstreamIdentityProvider(config.upstreamIdentity, secretsManagerCredentials(config.upstreamIdentity)) } : {}),
    // With a custom domain the MCP endpoints share it (the default: this server's own base). Without one they are the MCP
    // Function URL, which this function cannot be told (the MCP function is told this one's, and a stack cannot have both
    // references): resources of the deployment's allowed hosts (*.lambda-url.<region>.on.aws) are accepted. A token is
    // honoured only by the endpoint whose own URL is its audience, and only this deployment's MCP function reads its table.
    ...(config.publicUrl ? {} : { resourceOrigin: (origin: string) => origin.startsWith('https://') && config.allowedHosts.length > 0 && allowedResourceHost(origin.slice('https://'.length)) }),
  },
  allowedHosts: config.allowedHosts,
  ...(config.originSecret ? { originSecret: config.originSecret } : {}),
});

export const handler = middy<LambdaFunctionURLEvent, StreamedResponse>({ streamifyResponse: true })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use({
    onError: async (request) => {
      logger.error('unhandled error', { error: String(request.error) });
      request.response = {
        statusCode: 500,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: { code: 'internal_error', message: 'Internal error' } }),
      };
    },
  })
  .handler(async (event) => {
    const { request, correlationId } = requests.from(event);
    logger.appendKeys({ correlation_id: correlationId, path: event.rawPath });
    return fromResponse(await app(request));
  });
