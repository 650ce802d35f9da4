import * as z from 'zod';
import { ENDPOINTS, isRoleId } from '../../../../contracts/roles.js';
import { ValidationError } from '../../../../core/errors.js';
import { collectRequirements, startRequirements } from '../../../../core/product/requirements.js';
import { pollWithProgress } from '../../../progress.js';
import { defineTool } from '../../../tool.js';

/** The longest collect wait: well inside the MCP function's 30 s timeout. */
export const MAX_WAIT_SECONDS = 20;

const answer = z.object({ message_id: z.string(), content: z.string(), sent_at: z.string() });

export const gatherRequirementsTool = defineTool({
  name: 'gather_requirements',
  title: 'Gather requirements from stakeholders',
  description:
    'Asks stakeholders for requirements by message and later collects their answers. Two uses: (1) start — pass feature and ' +
    'stakeholders (and optionally questions): each stakeholder gets a "request" message, all in one new thread; returns ' +
    'request_id and thread_id. Stakeholders answer with the reply tool on that message. (2) collect — pass only request_id: ' +
    'reads the replies in that thread from your inbox and returns requirements_doc (answers by stakeholder, answered, pending) ' +
    'and acceptance_criteria: every answer line starting with "must", "should", "shall" or "Given" (a Given line joined with ' +
    'the When/Then/And lines after it), duplicates removed. status is "complete" once every stakeholder has answered. Call ' +
    'collect again to pick up later answers. Passing both request_id and feature/stakeholders, or neither, is an error. ' +
    'Commits nothing, so no authority check applies.',
  input: z
    .object({
      feature: z.string().trim().min(1).max(200).optional().describe('Start: the feature to gather requirements for.'),
      stakeholders: z.array(z.enum(ENDPOINTS)).min(1).max(10).optional().describe('Start: the roles (or board) to ask.'),
      questions: z.array(z.string().trim().min(1).max(1000)).min(1).max(20).optional().describe('Start: what to ask (defaults to three standard questions).'),
      request_id: z.string().min(1).max(64).optional().describe('Collect: the request_id returned when starting.'),
      wait_seconds: z
        .number()
        .int()
        .min(0)
        .max(MAX_WAIT_SECONDS)
        .optional()
        .describe('Collect: wait up to this long for the remaining answers, reporting progress as they arrive (default 0: no wait).'),
    })
    .superRefine((v, issue) => {
      const starting = v.feature !== undefined || v.stakeholders !== undefined || v.questions !== undefined;
      if (v.request_id !== undefined && starting) {
        issue.addIssue({ code: 'custom', path: ['request_id'], message: 'pass either request_id (collect) or feature and stakeholders (start), not both' });
      } else if (v.request_id === undefined) {
        if (v.feature === undefined) issue.addIssue({ code: 'custom', path: ['feature'], message: 'required to start (or pass request_id to collect)' });
        if (v.stakeholders === undefined) issue.addIssue({ code: 'custom', path: ['stakeholders'], message: 'required to start (or pass request_id to collect)' });
      }
      if (v.wait_seconds !== undefined && v.request_id === undefined) issue.addIssue({ code: 'custom', path: ['wait_seconds'], message: 'only a collect (request_id) waits' });
    }),
  output: z.object({
    request_id: z.string(),
    thread_id: z.string(),
    status: z.enum(['collecting', 'complete']),
    asked: z.array(z.enum(ENDPOINTS)),
    requirements_doc: z.object({
      feature: z.string(),
      questions: z.array(z.string()),
      answers: z.record(z.string(), z.array(answer)),
      answered: z.array(z.enum(ENDPOINTS)),
      pending: z.array(z.enum(ENDPOINTS)),
    }),
    acceptance_criteria: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['product_manager'],
  run: async (input, { deps, actor, correlationId, progress }) => {
    const requester = actor.actingAs;
    if (!isRoleId(requester)) throw new ValidationError('only a role gathers requirements');
    if (input.request_id !== undefined) {
      const collect = () => collectRequirements(deps, { tenantId: actor.tenantId, requester, requestId: input.request_id as string });
      if (!input.wait_seconds) return collect();
      return pollWithProgress(collect, {
        waitMs: input.wait_seconds * 1000,
        intervalMs: 250,
        report: progress ?? (async () => {}),
        measure: (r) => ({
          done: r.requirements_doc.answered.length,
          total: r.asked.length,
          message: `${r.requirements_doc.answered.length} of ${r.asked.length} stakeholders answered`,
          complete: r.status === 'complete',
        }),
      });
    }
    return startRequirements(deps, { correlationId }, {
      tenantId: actor.tenantId,
      requester,
      feature: input.feature as string,
      stakeholders: input.stakeholders ?? [],
      ...(input.questions ? { questions: input.questions } : {}),
    });
  },
});
