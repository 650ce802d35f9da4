import { createHash } from 'node:crypto';
import { BOARD, ENDPOINTS, type EndpointId } from '../../contracts/roles.js';
import type { Item } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { field, type Codec } from '../versioned.js';

/**
 * The table-held mapping from the people of an upstream OpenID Connect
 * provider (the stack's Cognito user pool or a trusted issuer) to a Conclave
 * tenant and roles. A mapping names one user (by the ID token's `sub`, or by
 * a verified `email`) or one group (a name in the ID token's groups claim).
 *
 * A signed-in person gets the tenant and roles of their user mapping (by
 * subject, else by email); without one, of the mappings of their groups,
 * which must all name one tenant (the roles are the union). The board comes
 * only from a mapping marked human. An OAuth grant approved this way names
 * the mappings it came from, and every use of its tokens re-reads them: a
 * removed mapping ends the grant (within the auth cache window), a narrowed
 * one narrows it.
 */
export type MappingKind = 'subject' | 'email' | 'group';

export interface IdentityMapping {
  /** `<kind>:<value>`, e.g. `email:alice@example.com` or `group:engineering`: what `remove` takes. */
  readonly id: string;
  readonly kind: MappingKind;
  readonly value: string;
  readonly tenantId: string;
  readonly roles: readonly EndpointId[];
  readonly human: boolean;
  readonly createdAt: string;
  readonly label?: string;
}

/** Who the upstream provider says signed in (from a verified ID token). */
export interface UpstreamClaims {
  readonly subject: string;
  readonly email?: string;
  /** Only a verified email is matched against email mappings. */
  readonly emailVerified: boolean;
  readonly groups: readonly string[];
}

/** The principal an upstream sign-in maps to, and the mappings it came from. */
export interface MappedIdentity {
  readonly tenantId: string;
  readonly roles: readonly EndpointId[];
  readonly human: boolean;
  /** Mapping ids; the grant dies when any of them is removed. */
  readonly mappings: readonly string[];
}

export type IdentityResolution = { readonly ok: true; readonly identity: MappedIdentity } | { readonly ok: false; readonly reason: string };

const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MAX_VALUE = 256;
/** Groups beyond this many in one ID token are ignored (one BatchGet reads the rest). */
export const MAX_GROUPS = 90;
const INDEX = 'IDMAPS';

export interface MapInput {
  readonly kind: MappingKind;
  readonly value: string;
  readonly tenantId: string;
  readonly roles: readonly string[];
  readonly human: boolean;
  readonly label?: string;
}

/** Creates or replaces one mapping. Board without `human` is refused. */
export async function mapIdentity(deps: Pick<Deps, 'store' | 'clock'>, input: MapInput): Promise<IdentityMapping> {
  const value = normalize(input.kind, input.value);
  if (!TENANT_PATTERN.test(input.tenantId)) throw new ValidationError(`tenant id "${input.tenantId}" must be 1-63 lowercase letters, digits or dashes`);
  const roles = parseRoles(input.roles);
  if (roles.includes(BOARD) && !input.human) throw new ValidationError('the board is for humans only: add --human to map the board');
  if (input.label !== undefined && input.label.length > 200) throw new ValidationError('label is longer than 200 characters');
  const id = `${input.kind}:${value}`;
  const mapping: IdentityMapping = {
    id,
    kind: input.kind,
    value,
    tenantId: input.tenantId,
    roles,
    human: input.human,
    createdAt: new Date(deps.clock.now()).toISOString(),
    ...(input.label ? { label: input.label } : {}),
  };
  await deps.store.put(mappingCodec.encode(mapping));
  return mapping;
}

/** Every mapping, or one tenant's, sorted by tenant then id. */
export async function listIdentityMappings(deps: Pick<Deps, 'store'>, tenantId?: string): Promise<IdentityMapping[]> {
  const out: IdentityMapping[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ index: 'gsi1', pk: INDEX, ...(tenantId ? { skPrefix: `${tenantId}#` } : {}), ...(cursor ? { cursor } : {}) });
    out.push(...page.items.map(toMapping));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Reads one mapping by id (`kind:value`). */
export async function getIdentityMapping(deps: Pick<Deps, 'store'>, id: string): Promise<IdentityMapping | undefined> {
  const parsed = parseMappingId(id);
  const item = await deps.store.get(keys.identityMapping(`${parsed.kind}:${parsed.value}`));
  return item ? toMapping(item) : undefined;
}

/** Removes one mapping; grants approved through it stop working within the auth cache window. */
export async function removeIdentityMapping(deps: Pick<Deps, 'store'>, id: string): Promise<IdentityMapping> {
  const parsed = parseMappingId(id);
  const key = keys.identityMapping(`${parsed.kind}:${parsed.value}`);
  const item = await deps.store.get(key);
  if (!item) throw new NotFoundError(`no identity mapping ${parsed.kind}:${parsed.value} (see list)`);
  await deps.store.delete(key);
  return toMapping(item);
}

/** Maps verified upstream claims to a tenant and roles, or says why not (a message safe to show the person). */
export async function resolveUpstreamIdentity(deps: Pick<Deps, 'store'>, claims: UpstreamClaims): Promise<IdentityResolution> {
  const ids: string[] = [];
  const subjectId = safeId('subject', claims.subject);
  const emailId = claims.email && claims.emailVerified ? safeId('email', claims.email) : undefined;
  if (subjectId) ids.push(subjectId);
  if (emailId) ids.push(emailId);
  const groupIds = [...new Set(claims.groups)].slice(0, MAX_GROUPS).map((g) => safeId('group', g)).filter((g): g is string => g !== undefined);
  ids.push(...groupIds);
  const found = ids.length > 0 ? await deps.store.getMany(ids.map((id) => keys.identityMapping(id))) : [];
  const byId = new Map(found.map(toMapping).map((m) => [m.id, m]));
  const user = (subjectId && byId.get(subjectId)) || (emailId && byId.get(emailId));
  const used = user ? [user] : groupIds.map((id) => byId.get(id)).filter((m): m is IdentityMapping => m !== undefined);
  if (used.length === 0) {
    const who = claims.email ? `${claims.email}${claims.emailVerified ? '' : ' (unverified)'}` : `subject ${claims.subject}`;
    return { ok: false, reason: `Your account (${who}) is not mapped to a Conclave tenant. Ask an administrator to map your user or one of your groups (npm run identities -- map-user / map-group).` };
  }
  const combined = combine(used);
  if (!combined) return { ok: false, reason: `Your groups map to more than one tenant (${[...new Set(used.map((m) => m.tenantId))].join(', ')}). Ask an administrator to map your user to one.` };
  return { ok: true, identity: combined };
}

/**
 * The roles a grant approved through `mappingIds` for `tenantId` may still
 * use: the current mappings' roles (the board only from a human mapping), or
 * undefined when any mapping is gone or names another tenant.
 */
export async function currentMappedRoles(deps: Pick<Deps, 'store'>, tenantId: string, mappingIds: readonly string[]): Promise<{ roles: readonly EndpointId[]; human: boolean } | undefined> {
  if (mappingIds.length === 0) return undefined;
  const items = await deps.store.getMany(mappingIds.map((id) => keys.identityMapping(id)));
  if (items.length !== mappingIds.length) return undefined;
  const combined = combine(items.map(toMapping));
  return combined && combined.tenantId === tenantId ? { roles: combined.roles, human: combined.human } : undefined;
}

/** A stable 16-hex id for an upstream person (issuer and subject), standing where a key id stands in grants and the audit trail. */
export function upstreamSignerId(issuer: string, subject: string): string {
  return createHash('sha256').update(`${issuer}\n${subject}`).digest('hex').slice(0, 16);
}

function combine(mappings: readonly IdentityMapping[]): MappedIdentity | undefined {
  const tenants = new Set(mappings.map((m) => m.tenantId));
  if (tenants.size !== 1) return undefined;
  const roles = new Set<EndpointId>();
  for (const m of mappings) for (const r of m.roles) if (r !== BOARD || m.human) roles.add(r);
  return {
    tenantId: [...tenants][0] as string,
    roles: ENDPOINTS.filter((r) => roles.has(r)),
    human: mappings.some((m) => m.human),
    mappings: mappings.map((m) => m.id),
  };
}

function parseMappingId(id: string): { kind: MappingKind; value: string } {
  const at = id.indexOf(':');
  const kind = id.slice(0, at);
  if (at < 0 || !isKind(kind)) throw new ValidationError(`mapping id "${id.slice(0, 100)}" must be subject:<sub>, email:<address> or group:<name> (see list)`);
  return { kind, value: normalize(kind, id.slice(at + 1)) };
}

function isKind(kind: string): kind is MappingKind {
  return kind === 'subject' || kind === 'email' || kind === 'group';
}

function normalize(kind: MappingKind, raw: string): string {
  const value = kind === 'email' ? raw.trim().toLowerCase() : raw;
  if (value.length === 0 || value.length > MAX_VALUE) throw new ValidationError(`the ${kind} must be 1-${MAX_VALUE} characters`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new ValidationError(`the ${kind} contains control characters`);
  if (kind === 'email' && !/^[^@\s]+@[^@\s]+$/.test(value)) throw new ValidationError(`"${value}" is not an email address`);
  return value;
}

/** The mapping id of a claim value, or undefined when the value could never be mapped (too long, control characters). */
function safeId(kind: MappingKind, raw: string): string | undefined {
  try {
    return `${kind}:${normalize(kind, raw)}`;
  } catch {
    return undefined;
  }
}

function parseRoles(input: readonly string[]): EndpointId[] {
  const expanded = input.flatMap((r) => (r === 'all' ? [...ENDPOINTS] : [r]));
  if (expanded.length === 0) throw new ValidationError('a mapping needs at least one role');
  const unknown = expanded.filter((r) => !(ENDPOINTS as readonly string[]).includes(r));
  if (unknown.length > 0) throw new ValidationError(`unknown role(s): ${unknown.join(', ')}; known: ${ENDPOINTS.join(', ')}, all`);
  return ENDPOINTS.filter((r) => expanded.includes(r));
}

/** A mapping as stored (its id, `<kind>:<value>`, is its key). */
export const mappingCodec: Codec<IdentityMapping> = {
  decode: (i) => {
    const kind = field.oneOf<MappingKind>(i, 'kind', 'subject', ['subject', 'email', 'group']);
    const value = field.reqStr(i, 'value');
    const label = field.strOrNull(i, 'label');
    return {
      id: `${kind}:${value}`,
      kind,
      value,
      tenantId: field.reqStr(i, 'tenantId'),
      roles: field.strs(i, 'roles') as EndpointId[],
      human: field.bool(i, 'human'),
      createdAt: field.str(i, 'createdAt'),
      ...(label !== null ? { label } : {}),
    };
  },
  encode: (m) => {
    const { id, ...stored } = m;
    return { ...keys.identityMapping(id), gsi1pk: INDEX, gsi1sk: `${m.tenantId}#${id}`, type: 'identity-mapping', ...stored };
  },
};

function toMapping(item: Item): IdentityMapping {
  return mappingCodec.decode(item);
}
