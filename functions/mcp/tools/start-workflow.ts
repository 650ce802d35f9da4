import * as z from 'zod';
import { AGENT_ROLES } from '../../contracts/roles.js';
import { WORKFLOWS } from '../../contracts/workflows.js';
import { startWorkflow } from '../../core/workflows/runs.js';
import { defineTool } from '../tool.js';
import { run } from './workflow-schemas.js';
import { boundedJson } from './bounded.js';

export const startWorkflowTool = defineTool({
  name: 'start_workflow',
  title: 'Start a workflow',
  description:
    'Starts a long-running workflow on Step Functions; each stage is a task in a role’s list (my_tasks), and the run ' +
    'waits days if it must, with reminders and timeouts. workflow and input: feature_development {title, description, ' +
    'requirements?, priority?} — define (product_manager) → design (senior_architect) → architecture review (cto) → ' +
    'implement (senior_developer) → quality gate (test_lead) → deploy approval (cto or operations_head); ' +
    'incident_response {title, severity 1-4, description?, affected_services?, alert_id?} — severity 1 alerts the ' +
    'leadership at once; triage (operations_head) → fix (senior_developer) → verify (test_lead) → postmortem stored as ' +
    'a memory; strategic_planning {initiative, objective, period?, allocations: [{department, amount, owner, ' +
    'objective?}], vote_deadline_hours?} — CEO proposal → leadership vote → budget allocation → a task per department. ' +
    'Returns the run; follow it with workflow_status. Clients that support MCP tasks may call it task-augmented: the ' +
    'task id is the run id, tasks/get follows the run, tasks/result gives the run as it ended, tasks/cancel stops it.',
  input: z.object({
    workflow: z.enum(WORKFLOWS),
    input: boundedJson(64_000).describe('The workflow’s input (fields above); validated per workflow.'),
  }),
  output: run,
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: AGENT_ROLES,
  taskSupport: 'optional',
  run: async (input, { deps, actor, correlationId }) =>
    startWorkflow(deps, { correlationId }, { tenantId: actor.tenantId, initiator: actor.actingAs, workflow: input.workflow, input: input.input }),
});
