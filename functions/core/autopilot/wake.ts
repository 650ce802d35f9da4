import type { AutopilotTrigger } from '../../contracts/autopilot.js';
import { parseDetail, type BusEvent } from '../../contracts/events.js';
import { isRoleId, type RoleId } from '../../contracts/roles.js';
import type { AgentIdentity, AgentToolResult, AgentTools } from '../../ports/agent-tools.js';
import { MalformedEventError } from '../errors.js';

/** What woke a role's agent: one trigger event for one role. */
export interface Wake {
  readonly trigger: AutopilotTrigger;
  readonly tenantId: string;
  readonly role: RoleId;
  /** The bus event's id: activations are idempotent on it (with the role). */
  readonly eventId: string;
  readonly eventTime: string;
  readonly correlationId: string;
  /** The task (task_assigned), the decision (vote_required) or the message (request_message) to act on. */
  readonly subject: string;
}

/**
 * The wakes of one trigger event: a task created for a role, a vote a role
 * must cast, a request message addressed to roles (one wake per recipient
 * role, never the sender, never the board).
 */
export function wakesOf(event: BusEvent): Wake[] {
  const base = { eventId: event.id, eventTime: event.time };
  try {
    switch (event['detail-type']) {
      case 'Task.Created.v1': {
        const d = parseDetail('Task.Created.v1', event.detail);
        return isRoleId(d.assignee)
          ? [{ ...base, trigger: 'task_assigned', tenantId: d.tenant_id, role: d.assignee, correlationId: d.correlation_id, subject: d.task_id }]
          : [];
      }
      case 'Decision.VoteRequired.v1': {
        const d = parseDetail('Decision.VoteRequired.v1', event.detail);
        return isRoleId(d.participant)
          ? [{ ...base, trigger: 'vote_required', tenantId: d.tenant_id, role: d.participant, correlationId: d.correlation_id, subject: d.decision_id }]
          : [];
      }
      case 'Message.Sent.v1': {
        const d = parseDetail('Message.Sent.v1', event.detail);
        if (d.type !== 'request') return [];
        return d.recipients
          .filter((r): r is RoleId => isRoleId(r) && r !== d.from)
          .map((role) => ({ ...base, trigger: 'request_message' as const, tenantId: d.tenant_id, role, correlationId: d.correlation_id, subject: d.message_id }));
      }
      default:
        return [];
    }
  } catch (error) {
    throw new MalformedEventError(`event ${event.id} (${event['detail-type']}) does not match its contract`, { cause: error });
  }
}

/** What the agent is woken for, as gathered through its own read tools. */
export interface WakeContext {
  /** Nothing left to do (the task is no longer open, the vote is cast or closed, the message is gone). */
  readonly settled: boolean;
  /** One sentence: what ends the activation. */
  readonly goal: string;
  /** The task with its declared result schema, the decision and its votes, or the message thread. */
  readonly details: unknown;
  /** A query for relevant memories. */
  readonly topic: string;
}

type Rec = Record<string, unknown>;
const asRec = (v: unknown): Rec => (v && typeof v === 'object' ? (v as Rec) : {});
const asList = (v: unknown): Rec[] => (Array.isArray(v) ? v.map(asRec) : []);

async function read(tools: AgentTools, agent: AgentIdentity, name: string, args: Rec): Promise<AgentToolResult> {
  return tools.call(agent, name, args);
}

/** Gathers what woke the agent through the role's read tools (so it sees exactly what a client acting as the role would). */
export async function wakeContext(tools: AgentTools, agent: AgentIdentity, wake: Wake): Promise<WakeContext> {
  if (wake.trigger === 'task_assigned') {
    const result = await read(tools, agent, 'my_tasks', { status: 'open', limit: 100 });
    const task = asList(result.structured.tasks).find((t) => t.task_id === wake.subject);
    if (!task) return { settled: true, goal: '', details: null, topic: '' };
    const outcomes = Array.isArray(task.allowed_outcomes) ? task.allowed_outcomes.map(String) : [];
    return {
      settled: false,
      goal: `complete task ${wake.subject} with complete_task (outcome one of ${outcomes.join(', ') || 'the allowed outcomes'}, and a result matching the task's declared result schema if it has one)`,
      details: { task },
      topic: text(task.title),
    };
  }
  if (wake.trigger === 'vote_required') {
    const result = await read(tools, agent, 'get_decision', { decision_id: wake.subject });
    const decision = result.structured;
    const voted = asList(decision.votes).some((v) => v.voter === wake.role);
    if (result.isError || decision.status !== 'pending' || voted) return { settled: true, goal: '', details: null, topic: '' };
    return {
      settled: false,
      goal: `cast your vote on decision ${wake.subject} with vote (approve, reject or abstain, with your confidence and rationale)`,
      details: { decision },
      topic: text(decision.context).slice(0, 500),
    };
  }
  const result = await read(tools, agent, 'read_inbox', { limit: 50 });
  const thread = asList(result.structured.threads).find((t) => asList(t.messages).some((m) => m.message_id === wake.subject));
  if (!thread) return { settled: true, goal: '', details: null, topic: '' };
  const message = asList(thread.messages).find((m) => m.message_id === wake.subject) ?? {};
  return {
    settled: false,
    goal: `answer message ${wake.subject} with reply (message_id "${wake.subject}"), after doing what it asks if it is within your role and authority`,
    details: { message, thread },
    topic: `${text(message.subject)} ${text(message.content).slice(0, 300)}`,
  };
}

/** True when a successful tool call is the act that ends the activation. */
export function endsActivation(wake: Wake, tool: string, args: unknown, result: AgentToolResult): boolean {
  if (result.isError) return false;
  const a = asRec(args);
  switch (wake.trigger) {
    case 'task_assigned':
      return tool === 'complete_task' && a.task_id === wake.subject;
    case 'vote_required':
      return (tool === 'vote' && a.decision_id === wake.subject) || (tool === 'complete_task' && asRec(asRec(result.structured).task).decision_id === wake.subject);
    case 'request_message':
      return tool === 'reply' && a.message_id === wake.subject;
  }
}

/** A text field of a tool result (tool results are data: anything but a string reads as empty). */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
