import * as z from 'zod';
import { AGENT_ROLES, ENDPOINTS } from '../../contracts/roles.js';

/** Schemas shared by the decision tools (SPEC "Decisions"). */
export const decisionMode = z.enum(['autonomous', 'collaborative', 'hierarchical', 'human']);
export const decisionStatus = z.enum(['pending', 'approved', 'rejected', 'escalated', 'expired']);
export const decisionId = z.string().min(1).max(64);
/** A USD amount: non-negative, at most two decimals. */
export const usdAmount = z
  .number()
  .nonnegative()
  .max(1e12)
  .refine((n) => Math.round(n * 100) === n * 100 || Math.abs(Math.round(n * 100) - n * 100) < 1e-6, 'at most two decimals (cents)');

export const decision = z.object({
  decision_id: z.string(),
  decision_type: z.string(),
  initiator: z.enum(AGENT_ROLES),
  participants: z.array(z.enum(ENDPOINTS)),
  mode: decisionMode,
  context: z.string(),
  status: decisionStatus,
  amount: z.number().nullable(),
  threshold: z.number(),
  quorum: z.number(),
  consensus_score: z.number().nullable(),
  outcome: z.string().nullable(),
  awaiting: z.enum(ENDPOINTS).nullable(),
  escalations: z.array(z.object({ escalation_id: z.string(), from: z.enum(ENDPOINTS), to: z.enum(ENDPOINTS), reason: z.string(), at: z.string() })),
  votes: z.array(
    z.object({ voter: z.enum(ENDPOINTS), vote: z.enum(['approve', 'reject', 'abstain']), confidence: z.number(), rationale: z.string(), cast_at: z.string() }),
  ),
  created_at: z.string(),
  completed_at: z.string().nullable(),
  deadline: z.string().nullable(),
  commitment: z
    .object({ kind: z.string(), params: z.record(z.string(), z.unknown()) })
    .nullable()
    .describe('What approving the decision commits the organization to; Conclave applies it once when the decision is approved.'),
});
