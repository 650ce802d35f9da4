import * as z from 'zod';
import { ENDPOINTS } from '../../../../contracts/roles.js';
import { declareIncident } from '../../../../core/operations/incidents.js';
import { defineTool } from '../../../tool.js';
import { serviceNames } from './schemas.js';

export const declareIncidentTool = defineTool({
  name: 'declare_incident',
  title: 'Declare an incident',
  description:
    'Declares a production incident and records it open. Severity 1 (critical: outage, data loss) notifies leadership at once ' +
    '(ceo, cto, chro) with an urgent escalation; severities 2 (major), 3 (minor) and 4 (cosmetic) notify the CTO (priority high, ' +
    'normal, low). While a severity-1 incident is open the CTO cannot approve deployments; open severity-1 and -2 incidents block ' +
    'change windows. Resolve it with resolve_incident. No spending: no authority limit applies.',
  input: z.object({
    title: z.string().trim().min(1).max(200),
    severity: z.number().int().min(1).max(4).describe('1 critical, 2 major, 3 minor, 4 cosmetic.'),
    description: z.string().trim().min(1).max(5000).describe('What is happening, since when, and the impact.'),
    affected_services: serviceNames.describe('The services affected, each distinct.'),
  }),
  output: z.object({
    incident_id: z.string(),
    status: z.literal('open'),
    severity: z.number().int(),
    title: z.string(),
    affected_services: z.array(z.string()),
    declared_at: z.string(),
    notified: z.array(z.enum(ENDPOINTS)),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['operations_head'],
  run: async (input, { deps, actor, correlationId }) => {
    const { incident, notified } = await declareIncident(deps, { correlationId }, {
      tenantId: actor.tenantId,
      declaredBy: 'operations_head',
      title: input.title,
      severity: input.severity,
      description: input.description,
      affectedServices: input.affected_services,
    });
    return {
      incident_id: incident.incident_id,
      status: 'open' as const,
      severity: incident.severity,
      title: incident.title,
      affected_services: incident.affected_services,
      declared_at: incident.declared_at,
      notified,
    };
  },
});
