import * as z from 'zod';
import { AGENT_ROLES, ENDPOINTS } from '../../contracts/roles.js';
import { setReportsTo } from '../../core/org/org-chart.js';
import { defineTool } from '../tool.js';
import { chartChange, editorOf } from './org-schemas.js';

export const setReportsToTool = defineTool({
  name: 'set_reports_to',
  title: 'Set whom a role reports to',
  description:
    'Board only (a human): changes a reporting line of your organization, e.g. the test lead reports to the senior architect. The CEO ' +
    'reports to the board and every other role to a role; a change that would make a cycle is refused. Escalation chains, the ' +
    'org chart and each role\'s brief follow it from the next request; audited and published as Org.ChartChanged.v1.',
  input: z.object({ role: z.enum(AGENT_ROLES), reports_to: z.enum(ENDPOINTS) }),
  output: chartChange,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  availableTo: ['board'],
  run: async (input, { deps, actor, correlationId }) => {
    const c = await setReportsTo(deps, { correlationId }, { tenantId: actor.tenantId, role: input.role, reportsTo: input.reports_to, by: editorOf(actor) });
    return { role: c.role, field: c.field, previous: c.previous, value: c.value, revision: c.revision };
  },
});
