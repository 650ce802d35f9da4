import type { EndpointId } from '../contracts/roles.js';

/**
 * Who is making a request: resolved from an API key at the edge and passed
 * to every use case. All data access is scoped by `tenantId`.
 */
export interface Principal {
  readonly tenantId: string;
  /** Public id of the key used (never the key itself). */
  readonly keyId: string;
  /** Endpoints this principal may act as. */
  readonly roles: readonly EndpointId[];
  /** Humans may act as the board; agents never. */
  readonly human: boolean;
  /**
   * Set for an OAuth access token: the resources (RFC 8707 resource URLs)
   * it was issued for. The edge refuses the token on any other endpoint.
   * Absent for an API key, which is valid on every endpoint its roles allow.
   */
  readonly audience?: readonly string[];
  /** Set for an OAuth access token: the grant it belongs to. */
  readonly grantId?: string;
}

/** A principal acting as one endpoint for one request. */
export interface Actor extends Principal {
  readonly actingAs: EndpointId;
}
