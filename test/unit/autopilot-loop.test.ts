import { describe, expect, it } from 'vitest';
import { runLoop, type LoopInput } from '../../functions/core/autopilot/agent.js';
import { endsActivation, wakesOf, type Wake } from '../../functions/core/autopilot/wake.js';
import type { AgentStep, AgentToolResult, AgentTools } from '../../functions/ports/agent-tools.js';
import type { Model, ModelMessage, ModelRequest, ModelResponse } from '../../functions/ports/model.js';

const WAKE: Wake = { trigger: 'task_assigned', tenantId: 't', role: 'cto', eventId: 'e1', eventTime: '2026-12-06T00:00:00.000Z', correlationId: 'c1', subject: 'task-1' };

/** A model that answers from a list of turns (a tool call, a text, or an error) and keeps what it was sent. */
function scripted(turns: (ModelResponse['content'] | Error)[]): Model & { requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  return {
    provider: 'scripted',
    requests,
    async converse(request) {
      requests.push({ ...request, messages: [...request.messages] });
      const turn = turns.shift() ?? [{ type: 'text', text: 'nothing more' }];
      if (turn instanceof Error) throw turn;
      return { content: turn, stopReason: turn.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn', usage: { inputTokens: 100, outputTokens: 10 } };
    },
  };
}

/** Tools that refuse `approve_deployment` and invalid `complete_task` calls, and record every call and step. */
function fakeTools(): AgentTools & { calls: string[]; steps: AgentStep[]; outcomes: string[] } {
  const calls: string[] = [];
  const steps: AgentStep[] = [];
  const outcomes: string[] = [];
  return {
    calls,
    steps,
    outcomes,
    list: async () => [],
    call: async (_agent, name, args): Promise<AgentToolResult> => {
      calls.push(name);
      if (name === 'approve_deployment') return { isError: true, structured: { error: { code: 'forbidden', message: 'not yours' } }, text: 'forbidden: not yours' };
      if (name === 'complete_task' && (args as { outcome?: string }).outcome !== 'approve') return { isError: true, structured: {}, text: 'invalid_input: outcome' };
      return { isError: false, structured: { ok: true }, text: '{"ok":true}' };
    },
    recordStep: (_agent, step) => void steps.push(step),
    recordOutcome: (_agent, outcome) => void outcomes.push(outcome),
  };
}

function input(overrides: Partial<LoopInput> = {}): LoopInput {
  let clock = 0;
  return {
    agent: { tenantId: 't', role: 'cto', modelId: 'm', correlationId: 'c1' },
    wake: WAKE,
    system: 'brief',
    opening: 'woken',
    tools: [],
    maxSteps: 5,
    maxTokensPerStep: 256,
    withinBudget: async () => true,
    meter: async () => undefined,
    maxFailures: 3,
    sleep: async () => undefined,
    now: () => (clock += 1),
    ...overrides,
  };
}

const use = (name: string, args: Record<string, unknown>, id = name) => [{ type: 'tool_use' as const, id, name, input: args }];

describe('autopilot loop (runLoop)', () => {
  it('feeds a refused call back as an error tool result and ends when the task is completed', async () => {
    const model = scripted([use('approve_deployment', { release: 'v1' }), use('complete_task', { task_id: 'task-1', outcome: 'approve' })]);
    const tools = fakeTools();
    const result = await runLoop(model, tools, input());
    expect(result).toMatchObject({ end: 'done', steps: 2, toolCalls: 2, inputTokens: 200, outputTokens: 20 });
    const fedBack = model.requests[1]?.messages.at(-1) as ModelMessage;
    expect(fedBack.content[0]).toEqual({ type: 'tool_result', toolUseId: 'approve_deployment', content: 'forbidden: not yours', isError: true });
    expect(tools.steps.map((s) => s.step)).toEqual([1, 2]);
  });

  it('does not end on a failed completion or on another task’s completion', async () => {
    const model = scripted([use('complete_task', { task_id: 'task-1', outcome: 'done' }), use('complete_task', { task_id: 'other', outcome: 'approve' })]);
    const result = await runLoop(model, fakeTools(), input({ maxSteps: 2 }));
    expect(result.end).toBe('max_steps');
  });

  it('stops at max steps, telling a model that stops talking what is left to do', async () => {
    const model = scripted([[{ type: 'text', text: 'I think it is fine.' }]]);
    const result = await runLoop(model, fakeTools(), input({ maxSteps: 3 }));
    expect(result).toMatchObject({ end: 'max_steps', steps: 3, toolCalls: 0 });
    const nudge = model.requests[1]?.messages.at(-1) as ModelMessage;
    expect(nudge.content[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/not finished/) });
  });

  it('stops before a model call once the budget is spent', async () => {
    let spent = 0;
    const model = scripted([use('list_agents', {}), use('list_agents', {}, 'b'), use('list_agents', {}, 'c')]);
    const result = await runLoop(model, fakeTools(), input({ withinBudget: async () => spent < 150, meter: async (tokens) => void (spent += tokens) }));
    expect(result).toMatchObject({ end: 'budget_exhausted', steps: 2 });
    expect(model.requests).toHaveLength(2);
  });

  it('gives up after repeated model failures, backing off between them', async () => {
    const sleeps: number[] = [];
    const model = scripted([new Error('throttled'), new Error('throttled'), new Error('throttled')]);
    const result = await runLoop(model, fakeTools(), input({ sleep: async (ms) => void sleeps.push(ms) }));
    expect(result).toMatchObject({ end: 'failed', steps: 0, error: 'throttled' });
    expect(sleeps).toEqual([400, 800]);
  });
});

describe('autopilot wakes (wakesOf, endsActivation)', () => {
  const base = { tenant_id: 't', correlation_id: 'c', occurred_at: '2026-12-06T00:00:00.000Z' };
  const event = (type: string, detail: Record<string, unknown>) => ({ id: 'ev', source: 'conclave', 'detail-type': type, time: base.occurred_at, detail: { ...base, ...detail } });

  it('wakes each request recipient but the sender and the board, and never on other message types', () => {
    const message = { message_id: 'm1', from: 'ceo', to: 'leadership', recipients: ['ceo', 'cto', 'board'], priority: 'normal', subject: 's', content: 'c', thread_id: 'm1', reply_to: null };
    expect(wakesOf(event('Message.Sent.v1', { ...message, type: 'request' })).map((w) => w.role)).toEqual(['cto']);
    expect(wakesOf(event('Message.Sent.v1', { ...message, type: 'notification' }))).toEqual([]);
  });

  it('never wakes the board for its tasks', () => {
    const task = { task_id: 'x', kind: 'approval', title: 't', run_id: null, due_at: null };
    expect(wakesOf(event('Task.Created.v1', { ...task, assignee: 'board' }))).toEqual([]);
    expect(wakesOf(event('Task.Created.v1', { ...task, assignee: 'cto' }))[0]).toMatchObject({ trigger: 'task_assigned', role: 'cto', subject: 'x', eventId: 'ev' });
  });

  it('ends a vote activation on its vote only, and a request on the reply to it only', () => {
    const ok: AgentToolResult = { isError: false, structured: {}, text: '' };
    const vote: Wake = { ...WAKE, trigger: 'vote_required', subject: 'd1' };
    expect(endsActivation(vote, 'vote', { decision_id: 'd1' }, ok)).toBe(true);
    expect(endsActivation(vote, 'vote', { decision_id: 'd2' }, ok)).toBe(false);
    expect(endsActivation(vote, 'vote', { decision_id: 'd1' }, { ...ok, isError: true })).toBe(false);
    const request: Wake = { ...WAKE, trigger: 'request_message', subject: 'm1' };
    expect(endsActivation(request, 'reply', { message_id: 'm1' }, ok)).toBe(true);
    expect(endsActivation(request, 'send_message', { to: 'ceo' }, ok)).toBe(false);
  });
});
