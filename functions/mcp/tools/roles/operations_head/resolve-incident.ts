import * as z from 'zod';
import { ENDPOINTS } from '../../../../contracts/roles.js';
import { resolveIncident } from '../../../../core/operations/incidents.js';
import { defineTool } from '../../../tool.js';
import { incident, incidentId } from './schemas.js';

export const resolveIncidentTool = defineTool({
  name: 'resolve_incident',
  title: 'Resolve an incident',
  description:
    'Marks an open incident resolved with its resolution, and tells the audience that was notified of it. An incident is ' +
    'resolved once: resolving it again is a conflict. Resolving the last open severity-1 incident lets deployments be approved ' +
    'again. No spending: no authority limit applies.',
  input: z.object({
    incident_id: incidentId,
    resolution: z.string().trim().min(1).max(5000).describe('What fixed it and what follows (postmortem, actions).'),
  }),
  output: incident.extend({ notified: z.array(z.enum(ENDPOINTS)) }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['operations_head'],
  run: async (input, { deps, actor, correlationId }) => {
    const { incident: resolved, notified } = await resolveIncident(deps, { correlationId }, {
      tenantId: actor.tenantId,
      resolvedBy: 'operations_head',
      incidentId: input.incident_id,
      resolution: input.resolution,
    });
    return { ...resolved, notified };
  },
});
