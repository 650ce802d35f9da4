import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError, ResourceTemplate, type McpServer, type Variables } from '@modelcontextprotocol/server';
import { ConclaveError } from '../../core/errors.js';
import { completer } from '../completions.js';
import type { ListedResource, ResourceDefinition } from '../resource.js';
import type { ToolContext } from '../tool.js';

/** How many resources one `resources/list` page holds at most. */
export const RESOURCE_PAGE_SIZE = 50;
/** How many of a template's concrete resources one page takes (newest first). */
const TEMPLATE_PAGE = 25;
/** How many template listings one page reads at most. */
const MAX_READS_PER_PAGE = 4;

const isTemplate = (uri: string) => /\{[^}]+\}/.test(uri);

/**
 * Registers an endpoint's resources and templates on one request's server,
 * each read for the caller (ctx) with its domain errors mapped to protocol
 * errors, template variables completing from the tenant's own ids, and a
 * paged `resources/list` in place of the SDK's all-at-once one.
 */
export function registerResources(server: McpServer, resources: readonly ResourceDefinition[], ctx: ToolContext): void {
  for (const resource of resources) {
    const metadata = { title: resource.title, description: resource.description, mimeType: resource.mimeType, ...(resource.meta ? { _meta: { ...resource.meta } } : {}) };
    if (isTemplate(resource.uri)) {
      const complete = Object.fromEntries(Object.entries(resource.complete ?? {}).map(([variable, kind]) => [variable, completer(kind, ctx)]));
      server.registerResource(resource.name, new ResourceTemplate(resource.uri, { list: undefined, complete }), metadata, (uri, variables) =>
        read(resource, uri, decode(variables), ctx),
      );
    } else {
      server.registerResource(resource.name, resource.uri, metadata, (uri) => read(resource, uri, {}, ctx));
    }
  }
  if (resources.length === 0) return;
  server.server.setRequestHandler('resources/list', async (request) => listPage(resources, ctx, request.params?.cursor));
}

async function read(resource: ResourceDefinition, uri: URL, variables: Record<string, string>, ctx: ToolContext) {
  let value: unknown;
  try {
    value = await resource.read(variables, ctx, uri);
  } catch (error) {
    throw toProtocolError(error, uri, ctx);
  }
  const text = resource.mimeType === 'application/json' ? JSON.stringify(value, null, 2) : String(value);
  return { contents: [{ uri: uri.href, mimeType: resource.mimeType, text, ...(resource.meta ? { _meta: { ...resource.meta } } : {}) }] };
}

function toProtocolError(error: unknown, uri: URL, ctx: ToolContext): Error {
  if (error instanceof ConclaveError && error.code === 'not_found') return new ResourceNotFoundError(uri.href);
  if (error instanceof ConclaveError && error.code !== 'dependency_failed') {
    return new ProtocolError(ProtocolErrorCode.InvalidParams, `${error.code}: ${error.message}`, { uri: uri.href, code: error.code });
  }
  ctx.deps.log.error('resource read failed', { correlation_id: ctx.correlationId, uri: uri.href, error: String(error) });
  return new ProtocolError(ProtocolErrorCode.InternalError, `the read failed; quote correlation id ${ctx.correlationId} when reporting it`);
}

/** Template variables percent-decoded (a memory key may hold `/` or spaces); a malformed escape is refused. */
function decode(variables: Variables): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    const raw = Array.isArray(value) ? value.join(',') : value;
    try {
      out[name] = decodeURIComponent(raw);
    } catch {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `invalid_input: ${name} is not a valid percent-encoded value`);
    }
  }
  return out;
}

/** Where a listing continues: the template's position in the registry and that template's own cursor. */
interface ListCursor {
  readonly t: number;
  readonly c?: string;
}

function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(cursor: string): ListCursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as ListCursor;
    if (Number.isInteger(parsed.t) && parsed.t >= 0 && (parsed.c === undefined || typeof parsed.c === 'string')) return parsed;
  } catch {
    // falls through to the error below
  }
  throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'invalid cursor: pass back the nextCursor of the previous resources/list page');
}

/**
 * One page of `resources/list`: the first page holds the fixed resources,
 * then each listing template's newest concrete resources in registry order,
 * up to a template that has more (a page of it); each next page continues
 * from there.
 */
async function listPage(resources: readonly ResourceDefinition[], ctx: ToolContext, cursor: string | undefined) {
  const fixed = resources.filter((r) => !isTemplate(r.uri));
  const listing = resources.filter((r) => isTemplate(r.uri) && r.list);
  const at = cursor === undefined ? { t: 0 } : decodeCursor(cursor);
  const page: (ListedResource & { mimeType: string; _meta?: Record<string, unknown> })[] = [];
  if (cursor === undefined) {
    for (const r of fixed) page.push({ uri: r.uri, name: r.name, title: r.title, description: r.description, mimeType: r.mimeType, ...(r.meta ? { _meta: { ...r.meta } } : {}) });
  }
  let position: ListCursor | undefined = at;
  // Each page reads at most a few template pages, so a page stays a bounded number of reads.
  for (let reads = 0; position && position.t < listing.length && page.length < RESOURCE_PAGE_SIZE && reads < MAX_READS_PER_PAGE; reads++) {
    const template = listing[position.t] as ResourceDefinition;
    const room = Math.min(TEMPLATE_PAGE, RESOURCE_PAGE_SIZE - page.length);
    let listed;
    try {
      listed = await (template.list as NonNullable<ResourceDefinition['list']>)(ctx, room, position.c);
    } catch (error) {
      throw toProtocolError(error, new URL(template.uri.replace(/\{[^}]+\}/g, '_')), ctx);
    }
    for (const item of listed.resources) page.push({ ...item, mimeType: template.mimeType });
    position = listed.next ? { t: position.t, c: listed.next } : { t: position.t + 1 };
    // A template with more to list continues on the next page.
    if (listed.next) break;
  }
  const more = position && position.t < listing.length;
  return { resources: page, ...(more ? { nextCursor: encodeCursor(position as ListCursor) } : {}) };
}
