/**
 * Fetches OAuth Client ID Metadata Documents (the MCP authorization spec's
 * URL-formatted client ids): the document a client publishes at its client
 * id URL. The adapter is the only code that makes an outbound request on a
 * client's behalf, so it owns the SSRF guards: https only, public addresses
 * only (checked on the address actually connected to), no redirects, a size
 * limit, a time limit, and a cache.
 */
export interface ClientMetadataFetcher {
  /**
   * The parsed JSON document at `url`. Throws ClientMetadataError when the
   * URL is refused or the fetch fails, is too large, too slow, redirects or
   * is not JSON.
   */
  fetch(url: string): Promise<unknown>;
}

/** Why a metadata document could not be used; the message is safe to show to the client. */
export class ClientMetadataError extends Error {
  override name = 'ClientMetadataError';
}
