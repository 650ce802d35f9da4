import type { EndpointId, RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { sendMessage, type Priority } from '../messages/messages.js';
import { iso, listRecords } from '../operations/records.js';
import { field, type Codec } from '../versioned.js';
import { checkReleaseName } from './release.js';

/** The record kind of defects. */
export const DEFECT = 'DEFECT';

export type DefectSeverity = 'critical' | 'major' | 'minor' | 'trivial';
export type DefectPriority = 'P1' | 'P2' | 'P3' | 'P4';

/**
 * A defect's priority from its severity and reach, pure:
 * critical → P1; major → P1 when ≥ 25 % of users are affected, else P2;
 * minor → P2 when ≥ 50 % are affected, else P3; trivial → P4.
 * An unknown reach counts as 0 %.
 */
export function defectPriority(severity: DefectSeverity, affectedUsersPct = 0): DefectPriority {
  switch (severity) {
    case 'critical':
      return 'P1';
    case 'major':
      return affectedUsersPct >= 25 ? 'P1' : 'P2';
    case 'minor':
      return affectedUsersPct >= 50 ? 'P2' : 'P3';
    case 'trivial':
      return 'P4';
  }
}

const MESSAGE_PRIORITY: Readonly<Record<DefectPriority, Priority>> = { P1: 'urgent', P2: 'high', P3: 'normal', P4: 'low' };

export interface Defect {
  readonly defect_id: string;
  readonly release: string;
  readonly title: string;
  readonly severity: DefectSeverity;
  readonly priority: DefectPriority;
  readonly status: 'open';
  readonly component: string | null;
  readonly affected_users_pct: number | null;
  readonly reported_at: string;
  /** Who was asked to act: the senior developer always; the CTO too for a P1. */
  readonly notified: EndpointId[];
}

/** A defect as stored (report_defect); the quality gate counts the open critical and major ones of a release. */
export interface DefectRecord {
  readonly tenant_id: string;
  readonly defect_id: string;
  readonly release: string;
  readonly title: string;
  readonly description: string;
  readonly severity: DefectSeverity;
  readonly priority: DefectPriority;
  readonly status: 'open';
  readonly component: string | null;
  readonly affected_users_pct: number | null;
  readonly reported_by: RoleId;
  readonly reported_at: string;
  readonly version: number;
}

export const defectCodec: Codec<DefectRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    defect_id: field.reqStr(i, 'defect_id'),
    release: field.reqStr(i, 'release'),
    title: field.str(i, 'title'),
    description: field.str(i, 'description'),
    severity: field.oneOf<DefectSeverity>(i, 'severity', 'minor', ['critical', 'major', 'minor', 'trivial']),
    priority: field.oneOf<DefectPriority>(i, 'priority', 'P3', ['P1', 'P2', 'P3', 'P4']),
    status: field.oneOf(i, 'status', 'open', ['open'] as const),
    component: field.strOrNull(i, 'component'),
    affected_users_pct: field.numOrNull(i, 'affected_users_pct'),
    reported_by: field.oneOf<RoleId>(i, 'reported_by', 'test_lead'),
    reported_at: field.str(i, 'reported_at'),
    version: field.num(i, 'version', 1),
  }),
  encode: (d) => ({
    ...keys.record(d.tenant_id, DEFECT, d.defect_id),
    gsi1pk: keys.recordIndex(d.tenant_id, DEFECT),
    gsi1sk: `${d.reported_at}#${d.defect_id}`,
    type: 'defect',
    ...d,
  }),
};

/**
 * Records a defect against a release and asks the senior developer to fix
 * it (a request, message priority by defect priority); a P1 also notifies
 * the CTO, who approves deployments.
 */
export async function reportDefect(
  deps: Deps,
  ctx: RequestContext,
  input: {
    tenantId: string;
    reportedBy: RoleId;
    release: string;
    title: string;
    description: string;
    severity: DefectSeverity;
    component?: string;
    affectedUsersPct?: number;
  },
): Promise<Defect> {
  const release = checkReleaseName(input.release);
  const reach = input.affectedUsersPct;
  if (reach !== undefined && !(reach >= 0 && reach <= 100)) throw new ValidationError('affected_users_pct must be a percentage from 0 to 100');
  const priority = defectPriority(input.severity, reach);
  const defectId = deps.ids.next();
  const at = iso(deps.clock.now());
  await deps.store.put(
    defectCodec.encode({
      tenant_id: input.tenantId,
      defect_id: defectId,
      release,
      title: input.title,
      description: input.description,
      severity: input.severity,
      priority,
      status: 'open',
      component: input.component ?? null,
      affected_users_pct: reach ?? null,
      reported_by: input.reportedBy,
      reported_at: at,
      version: 1,
    }),
    { kind: 'absent' },
  );
  const subject = `[${priority} ${input.severity}] ${release}: ${input.title}`.slice(0, 200);
  const content =
    `Defect ${defectId} in release ${release}${input.component ? ` (${input.component})` : ''}, reported by ${input.reportedBy}: ` +
    `severity ${input.severity}, priority ${priority}${reach !== undefined ? `, ${reach}% of users affected` : ''}.\n\n${input.description}`;
  const notified = new Set<EndpointId>();
  const audience: RoleId[] = priority === 'P1' ? ['senior_developer', 'cto'] : ['senior_developer'];
  for (const to of audience) {
    if (to === input.reportedBy) continue;
    const sent = await sendMessage(deps, ctx, {
      tenantId: input.tenantId,
      from: input.reportedBy,
      to,
      type: to === 'senior_developer' ? 'request' : 'notification',
      priority: MESSAGE_PRIORITY[priority],
      subject,
      content,
    });
    for (const r of sent.recipients) notified.add(r);
  }
  return {
    defect_id: defectId,
    release,
    title: input.title,
    severity: input.severity,
    priority,
    status: 'open',
    component: input.component ?? null,
    affected_users_pct: reach ?? null,
    reported_at: at,
    notified: [...notified],
  };
}

/**
 * The open critical and major defects recorded against a release
 * (report_defect): what the quality gate counts, never a caller's figures.
 */
export async function openDefectCounts(deps: Deps, tenantId: string, release: string): Promise<{ critical: number; major: number; defect_ids: string[] }> {
  const page = await listRecords(deps, {
    indexPk: keys.recordIndex(tenantId, DEFECT),
    limit: 1000,
    decode: defectCodec.decode,
    matches: (d) => d.release === release && d.status === 'open' && (d.severity === 'critical' || d.severity === 'major'),
  });
  return {
    critical: page.items.filter((d) => d.severity === 'critical').length,
    major: page.items.filter((d) => d.severity === 'major').length,
    defect_ids: page.items.map((d) => d.defect_id),
  };
}
