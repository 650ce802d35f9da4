import { z } from 'zod';
import { AGENT_ROLES } from './roles.js';

/**
 * Event contracts: every event Conclave publishes on its bus. The detail-type
 * carries a major version (`Agent.Heartbeat.v1`); a breaking change adds a
 * new detail-type and keeps publishing the old one until consumers move.
 * Producers validate `detail` before publishing; consumers parse it with the
 * same schema.
 */
export const EVENT_SOURCE = 'conclave';

/** Fields every detail carries: who, for which tenant, and the correlation id of the request. */
const envelope = {
  tenant_id: z.string().min(1),
  correlation_id: z.string().min(1),
  occurred_at: z.iso.datetime(),
};

export const agentHeartbeatV1 = z.object({
  ...envelope,
  role: z.enum(AGENT_ROLES),
  status: z.enum(['running', 'idle', 'stale', 'error']),
  previous_status: z.enum(['running', 'idle', 'stale', 'error']).nullable(),
  version: z.string().nullable(),
  capabilities: z.array(z.string()),
});

/** Detail-type → schema. Extend this map; docs/events.md is generated from it. */
export const EVENT_CONTRACTS = {
  'Agent.Heartbeat.v1': agentHeartbeatV1,
} as const;

export type DetailType = keyof typeof EVENT_CONTRACTS;
export type EventDetail<T extends DetailType> = z.infer<(typeof EVENT_CONTRACTS)[T]>;

/** Validates a detail against its contract; throws a ZodError naming the bad fields. */
export function buildEvent<T extends DetailType>(detailType: T, detail: EventDetail<T>): { detailType: T; detail: EventDetail<T> } {
  return { detailType, detail: EVENT_CONTRACTS[detailType].parse(detail) as EventDetail<T> };
}
