import type { EndpointId } from '../contracts/roles.js';
import type { ToolContext } from './tool.js';

/** What a template variable or a prompt argument completes from (functions/mcp/completions.ts). */
export type CompletionKind = 'decision_id' | 'run_id' | 'memory_key' | 'role' | 'endpoint' | 'workflow';

/** One concrete resource a template lists in `resources/list`. */
export interface ListedResource {
  readonly uri: string;
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
}

/** One page of a template's concrete resources; `next` continues it. */
export interface ListedPage {
  readonly resources: readonly ListedResource[];
  readonly next?: string;
}

/**
 * One MCP resource or resource template: a read model served to the
 * endpoints in `availableTo`, scoped to the caller's tenant by `read`
 * (which receives the same ToolContext a tool does). A `uri` with
 * `{variables}` (RFC 6570) is a template. Registered in resources/index.ts;
 * other features add entries there (an audit day, an MCP Apps UI).
 */
export interface ResourceDefinition {
  /** Unique among the resources of an endpoint. */
  readonly name: string;
  readonly uri: string;
  readonly title: string;
  readonly description: string;
  /** `application/json` values are serialized by the server; any other type's `read` returns the text itself. */
  readonly mimeType: string;
  readonly availableTo: readonly EndpointId[];
  /** Extra `_meta` listed with the resource and returned with its contents (e.g. MCP Apps UI hints). */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** A template's variables and what each completes from. */
  readonly complete?: Readonly<Record<string, CompletionKind>>;
  /**
   * Reads the resource for the caller. `variables` are the template's,
   * percent-decoded; `uri` is the URI read (with any query parameters). Domain errors propagate: not_found becomes "resource
   * not found", others an invalid-params error naming the code.
   */
  readonly read: (variables: Readonly<Record<string, string>>, ctx: ToolContext, uri: URL) => Promise<unknown>;
  /** A template's concrete resources for `resources/list`, newest first, a page of at most `limit`. */
  readonly list?: (ctx: ToolContext, limit: number, cursor: string | undefined) => Promise<ListedPage>;
}

/** Declares a resource (keeps the registry's entries typed). */
export function defineResource(resource: ResourceDefinition): ResourceDefinition {
  return resource;
}
