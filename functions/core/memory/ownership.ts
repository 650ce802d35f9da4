import { BOARD, type EndpointId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { ForbiddenError } from '../errors.js';
import { escalationChain } from '../org/chart.js';
import { loadChart } from '../org/authority.js';
import type { MemoryRecord } from './model.js';

/** The tag (or metadata flag `shared_edit: true`) that opens a memory to every role, like a wiki page. */
export const SHARED_EDIT_TAG = 'shared_edit';

/** Who writes a memory: a role, the principal acting as it, and whether it is Conclave itself recording its own history. */
export interface MemoryWriter {
  readonly role: EndpointId;
  /** The principal's key id, or `system:<component>` for Conclave's own records. */
  readonly principal?: string;
}

export function isSharedEdit(record: Pick<MemoryRecord, 'tags' | 'metadata'>): boolean {
  return record.tags.includes(SHARED_EDIT_TAG) || record.metadata.shared_edit === true;
}

/**
 * May `writer` overwrite, forget or restore `record`? Its owner (the role
 * that first wrote it), the roles above the owner in the tenant's chart and
 * the board may; anyone may when it is marked shared_edit; Conclave's own
 * records (a `system:` principal) are written by the system. Anyone else gets
 * `forbidden` naming the owner.
 */
export async function assertMayEdit(deps: Deps, tenantId: string, record: MemoryRecord, writer: MemoryWriter, verb: string): Promise<void> {
  const owner = record.createdBy;
  if (writer.role === owner || writer.role === BOARD || isSharedEdit(record) || writer.principal?.startsWith('system:')) return;
  if (owner !== BOARD && escalationChain(await loadChart(deps, tenantId), owner).includes(writer.role)) return;
  const above = owner === BOARD ? [] : escalationChain(await loadChart(deps, tenantId), owner).filter((r) => r !== BOARD);
  throw new ForbiddenError(
    `memory "${record.key}" is owned by ${owner}${record.createdByPrincipal ? ` (key ${record.createdByPrincipal})` : ''}: only ${owner}` +
      `${above.length ? `, the roles above it (${above.join(', ')})` : ''} and the board may ${verb} it, unless it is tagged ${SHARED_EDIT_TAG}`,
  );
}
