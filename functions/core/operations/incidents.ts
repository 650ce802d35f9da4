import type { EndpointId, RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { rememberRecord } from '../memory/remember.js';
import { sendMessage, type Priority } from '../messages/messages.js';
import { updateRecord } from '../versioned.js';
import { INCIDENT, incidentCodec, type IncidentRecord, type IncidentStatus, type Severity } from './incident-record.js';
import { allRecords, iso, listRecords, uniqueNames } from './records.js';

export { INCIDENT, type IncidentStatus, type Severity } from './incident-record.js';

/**
 * An incident as stored and shown. Other capabilities (organizational
 * health, deployment approval, change windows) read this shape.
 */
export interface Incident extends Omit<IncidentRecord, 'tenant_id' | 'version'> {
  /** Minutes from declaration to resolution (whole minutes, rounded), null while open. */
  readonly duration_minutes: number | null;
}

/**
 * Who hears of an incident. Severity 1 goes at once to the leadership
 * channel (ceo, cto, chro, operations_head; the declarer is not notified of
 * its own message) as an urgent escalation; severities 2–4 go to the CTO,
 * with priority high (2), normal (3) or low (4).
 */
export function incidentAudience(severity: Severity): { to: 'leadership' | 'cto'; type: 'escalation' | 'notification'; priority: Priority } {
  if (severity === 1) return { to: 'leadership', type: 'escalation', priority: 'urgent' };
  return { to: 'cto', type: 'notification', priority: severity === 2 ? 'high' : severity === 3 ? 'normal' : 'low' };
}

export interface DeclareInput {
  readonly tenantId: string;
  readonly declaredBy: RoleId;
  readonly title: string;
  readonly severity: number;
  readonly description: string;
  readonly affectedServices: readonly string[];
}

/**
 * Declares an incident: stores it open, then notifies its audience
 * (`incidentAudience`). Returns the incident and who was notified.
 */
export async function declareIncident(deps: Deps, ctx: RequestContext, input: DeclareInput): Promise<{ incident: Incident; notified: EndpointId[] }> {
  const severity = input.severity;
  if (!Number.isInteger(severity) || severity < 1 || severity > 4) throw new ValidationError('severity must be an integer from 1 (critical) to 4 (minor)');
  const services = uniqueNames(input.affectedServices, 'affected_services');
  const now = iso(deps.clock.now());
  const incidentId = deps.ids.next();
  const record = incidentRecord(input, incidentId, services, now);
  await deps.store.put(incidentCodec.encode(record), { kind: 'absent' });
  const audience = incidentAudience(severity as Severity);
  const sent = await sendMessage(deps, ctx, {
    tenantId: input.tenantId,
    from: input.declaredBy,
    to: audience.to,
    type: audience.type,
    priority: audience.priority,
    subject: `[SEV${severity}] ${input.title}`.slice(0, 200),
    content:
      `Incident ${incidentId} declared by ${input.declaredBy} at ${now}: severity ${severity}.\n` +
      `Affected services: ${services.join(', ')}.\n\n${input.description}`,
  });
  const incident = toIncident(record);
  await rememberIncident(deps, ctx, input.tenantId, incident);
  return { incident, notified: sent.recipients };
}

function incidentRecord(input: DeclareInput, incidentId: string, services: string[], now: string): IncidentRecord {
  return {
    tenant_id: input.tenantId,
    incident_id: incidentId,
    title: input.title,
    severity: input.severity as Severity,
    status: 'open',
    description: input.description,
    affected_services: services,
    declared_by: input.declaredBy,
    declared_at: now,
    resolved_at: null,
    resolved_by: null,
    resolution: null,
    version: 1,
  };
}

/**
 * The incident record of an incident-response run (its id is the run id):
 * opened when the run begins, so deployment approval and organizational
 * health see the incident, and resolved when its postmortem is stored.
 * Both are idempotent (steps may run again) and notify nobody: the run
 * does its own notifying.
 */
export async function openRunIncident(deps: Deps, input: DeclareInput & { runId: string }): Promise<void> {
  try {
    // An alert may name no service; the record keeps what the run was given.
    const services = [...new Set(input.affectedServices.map((s) => s.trim()).filter(Boolean))];
    await deps.store.put(incidentCodec.encode(incidentRecord(input, input.runId, services, iso(deps.clock.now()))), { kind: 'absent' });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
  }
}

/** Resolves a run's incident record if it is still open (see openRunIncident). */
export async function resolveRunIncident(deps: Deps, input: { tenantId: string; runId: string; resolvedBy: RoleId; resolution: string }): Promise<void> {
  const at = iso(deps.clock.now());
  await updateRecord(deps.store, keys.record(input.tenantId, INCIDENT, input.runId), incidentCodec, (current) =>
    current.status !== 'open' ? undefined : { ...current, status: 'resolved' as const, resolved_at: at, resolved_by: input.resolvedBy, resolution: input.resolution },
  );
}

/**
 * Resolves an open incident. The write is conditional on the incident still
 * being open, so resolving twice (even concurrently) is a conflict, not a
 * second resolution. The declaration's audience is told.
 */
export async function resolveIncident(
  deps: Deps,
  ctx: RequestContext,
  input: { tenantId: string; resolvedBy: RoleId; incidentId: string; resolution: string },
): Promise<{ incident: Incident; notified: EndpointId[] }> {
  const now = iso(deps.clock.now());
  // Conditional on the incident still being open: a lost race re-reads it and finds it resolved (a conflict, not a second resolution).
  const updated = await updateRecord(
    deps.store,
    keys.record(input.tenantId, INCIDENT, input.incidentId),
    incidentCodec,
    (current) => {
      if (current.status !== 'open') throw new ConflictError(`incident ${input.incidentId} is already resolved (at ${current.resolved_at ?? 'an unknown time'})`);
      return { ...current, status: 'resolved' as const, resolved_at: now, resolved_by: input.resolvedBy, resolution: input.resolution };
    },
    { what: `incident ${input.incidentId}` },
  );
  if (!updated) throw new NotFoundError(`no incident ${input.incidentId}`);
  const incident = toIncident(updated.record);
  const audience = incidentAudience(incident.severity);
  const sent = await sendMessage(deps, ctx, {
    tenantId: input.tenantId,
    from: input.resolvedBy,
    to: audience.to,
    type: 'notification',
    priority: audience.priority === 'urgent' ? 'high' : audience.priority,
    subject: `[RESOLVED SEV${incident.severity}] ${incident.title}`.slice(0, 200),
    content: `Incident ${incident.incident_id} resolved by ${input.resolvedBy} at ${now} after ${incident.duration_minutes} min.\n\n${input.resolution}`,
  });
  await rememberIncident(deps, ctx, input.tenantId, incident);
  return { incident, notified: sent.recipients };
}

/** The incident as a memory (`incident/<id>`), updated when it is resolved. */
async function rememberIncident(deps: Deps, ctx: RequestContext, tenantId: string, incident: Incident): Promise<void> {
  await rememberRecord(deps, ctx, {
    tenantId,
    kind: 'incident',
    id: incident.incident_id,
    author: incident.declared_by,
    content:
      `Incident ${incident.incident_id} (severity ${incident.severity}): ${incident.title}. Declared by ${incident.declared_by} at ` +
      `${incident.declared_at}; affected services: ${incident.affected_services.join(', ')}.\n${incident.description}` +
      (incident.status === 'resolved'
        ? `\nResolved by ${incident.resolved_by} at ${incident.resolved_at} after ${incident.duration_minutes} min: ${incident.resolution}`
        : '\nStatus: open.'),
    tags: [`sev${incident.severity}`, incident.status, ...incident.affected_services.slice(0, 10)],
    metadata: { severity: incident.severity, status: incident.status },
  });
}

/** Reads one incident of the tenant. */
export async function getIncident(deps: Deps, tenantId: string, incidentId: string): Promise<Incident> {
  const item = await deps.store.get(keys.record(tenantId, INCIDENT, incidentId));
  if (!item) throw new NotFoundError(`no incident ${incidentId}`);
  return toIncident(incidentCodec.decode(item));
}

/** Lists incidents newest first, optionally only one status and/or severities up to `maxSeverity` (1 = most severe). */
export async function listIncidents(
  deps: Deps,
  input: { tenantId: string; status?: IncidentStatus; maxSeverity?: number; limit: number; cursor?: string },
): Promise<{ incidents: Incident[]; next_cursor: string | null }> {
  const page = await listRecords(deps, {
    indexPk: keys.recordIndex(input.tenantId, INCIDENT),
    limit: input.limit,
    ...(input.cursor ? { cursor: input.cursor } : {}),
    decode: incidentCodec.decode,
    matches: (r) => (input.status === undefined || r.status === input.status) && (input.maxSeverity === undefined || r.severity <= input.maxSeverity),
  });
  return { incidents: page.items.map(toIncident), next_cursor: page.next_cursor };
}

/**
 * Every open incident of the tenant with severity ≤ `maxSeverity`, oldest
 * first. Reads the whole incident index (re-reading each hit), so an
 * incident resolved a moment ago is not reported open.
 */
export async function openIncidents(deps: Deps, tenantId: string, maxSeverity: number): Promise<Incident[]> {
  const records = await allRecords(deps, keys.recordIndex(tenantId, INCIDENT), incidentCodec.decode, (r) => r.status === 'open' && r.severity <= maxSeverity);
  return records.map(toIncident).sort((a, b) => a.declared_at.localeCompare(b.declared_at));
}

function toIncident(r: IncidentRecord): Incident {
  return {
    incident_id: r.incident_id,
    title: r.title,
    severity: r.severity,
    status: r.status,
    description: r.description,
    affected_services: r.affected_services,
    declared_by: r.declared_by,
    declared_at: r.declared_at,
    resolved_at: r.resolved_at,
    resolved_by: r.resolved_by,
    resolution: r.resolution,
    duration_minutes: r.resolved_at === null ? null : Math.round((Date.parse(r.resolved_at) - Date.parse(r.declared_at)) / 60_000),
  };
}
