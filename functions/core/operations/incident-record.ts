import type { EndpointId } from '../../contracts/roles.js';
import { keys } from '../keys.js';
import { field, malformed, type Codec } from '../versioned.js';

/** The record kind of incidents: `keys.record(tenant, INCIDENT, id)`, listed through `keys.recordIndex(tenant, INCIDENT)`. */
export const INCIDENT = 'INCIDENT';

export type Severity = 1 | 2 | 3 | 4;
export type IncidentStatus = 'open' | 'resolved';

/** An incident as stored (one record per incident; an incident-response run's has the run's id). */
export interface IncidentRecord {
  readonly tenant_id: string;
  readonly incident_id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly status: IncidentStatus;
  readonly description: string;
  readonly affected_services: string[];
  readonly declared_by: EndpointId;
  readonly declared_at: string;
  readonly resolved_at: string | null;
  readonly resolved_by: EndpointId | null;
  readonly resolution: string | null;
  readonly version: number;
}

export const incidentCodec: Codec<IncidentRecord> = {
  decode: (i) => {
    const severity = field.reqNum(i, 'severity');
    if (severity !== 1 && severity !== 2 && severity !== 3 && severity !== 4) {
      throw malformed(i, 'severity', 'a severity from 1 to 4', severity);
    }
    return {
      tenant_id: field.str(i, 'tenant_id'),
      incident_id: field.reqStr(i, 'incident_id'),
      title: field.str(i, 'title'),
      severity,
      status: field.oneOf<IncidentStatus>(i, 'status', 'open', ['open', 'resolved']),
      description: field.str(i, 'description'),
      affected_services: field.strs(i, 'affected_services'),
      declared_by: field.oneOf<EndpointId>(i, 'declared_by', 'operations_head'),
      declared_at: field.str(i, 'declared_at'),
      resolved_at: field.strOrNull(i, 'resolved_at'),
      resolved_by: field.strOrNull(i, 'resolved_by') as EndpointId | null,
      resolution: field.strOrNull(i, 'resolution'),
      version: field.num(i, 'version', 1),
    };
  },
  encode: (r) => ({
    ...keys.record(r.tenant_id, INCIDENT, r.incident_id),
    gsi1pk: keys.recordIndex(r.tenant_id, INCIDENT),
    gsi1sk: `${r.declared_at}#${r.incident_id}`,
    type: 'incident',
    ...r,
  }),
};
