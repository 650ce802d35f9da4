import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../functions/contracts/events.js';
import { AGENT_ROLES, type EndpointId } from '../../functions/contracts/roles.js';
import { RoleClients, startTestConclave } from '../helpers/conclave.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;
interface DecisionView {
  decision_id: string;
  status: string;
  awaiting: string | null;
  consensus_score: number | null;
  outcome: string | null;
  escalations: { escalation_id: string; from: string; to: string }[];
  votes: { voter: string }[];
}

describe('decisions, votes and authority over MCP', () => {
  let conclave: Conclave;
  let roles: RoleClients<DecisionView>;
  let other: RoleClients<DecisionView>;
  const events: BusEvent[] = [];

  beforeAll(async () => {
    conclave = await startTestConclave();
    roles = await RoleClients.of(conclave, 'acme');
    other = await RoleClients.of(conclave, 'globex');
    conclave.bus.tap((e) => events.push(e));
  });
  afterAll(async () => {
    await roles.close();
    await other.close();
    await conclave.close();
  });

  describe('authority', () => {
    it('approves exactly at the limit and escalates one cent above, with an escalation id', async () => {
      const at = await roles.ok('cto', 'propose_decision', { decision_type: 'purchase', mode: 'autonomous', context: 'Build servers', amount: 500_000 });
      expect(at).toMatchObject({ status: 'approved', awaiting: null, escalations: [] });
      const above = await roles.ok('cto', 'propose_decision', { decision_type: 'purchase', mode: 'autonomous', context: 'More servers', amount: 500_000.01 });
      expect(above).toMatchObject({ status: 'escalated', awaiting: 'ceo' });
      expect(above.escalations[0]).toMatchObject({ from: 'cto', to: 'ceo' });
      expect(above.escalations[0]?.escalation_id).toMatch(/^[0-9a-z]{26}$/);
    });

    it('skips superiors whose authority is too small and ends at the board', async () => {
      const mid = await roles.ok('senior_developer', 'propose_decision', { decision_type: 'tooling', mode: 'autonomous', context: 'IDE licences', amount: 60_000 });
      expect(mid.awaiting).toBe('cto');
      const huge = await roles.ok('senior_developer', 'propose_decision', { decision_type: 'acquisition', mode: 'autonomous', context: 'Buy a company', amount: 5_000_000 });
      expect(huge.awaiting).toBe('board');
    });

    it('lets the awaiting superior rule, and escalates again when the ruling exceeds its own authority', async () => {
      const d = await roles.ok('senior_developer', 'propose_decision', { decision_type: 'tooling', mode: 'autonomous', context: 'Cluster', amount: 600_000 });
      expect(d.awaiting).toBe('ceo');
      expect(await roles.refused('cto', 'rule_on_decision', { decision_id: d.decision_id, ruling: 'approve', rationale: 'fine' })).toContain('awaits ceo');
      const approved = await roles.ok('ceo', 'rule_on_decision', { decision_id: d.decision_id, ruling: 'approve', rationale: 'Worth it' });
      expect(approved).toMatchObject({ status: 'approved', outcome: 'approved by ceo: Worth it' });
      expect(await roles.refused('ceo', 'rule_on_decision', { decision_id: d.decision_id, ruling: 'reject', rationale: 'changed my mind' })).toContain('already approved');
    });
  });

  describe('modes', () => {
    it('hierarchical: the superior rules; approving above its authority escalates to the board, which decides', async () => {
      const d = await roles.ok('ceo', 'propose_decision', { decision_type: 'strategy', mode: 'hierarchical', context: 'Enter Europe', amount: 2_000_000 });
      expect(d.awaiting).toBe('board');
      const ruled = await roles.ok('board', 'rule_on_decision', { decision_id: d.decision_id, ruling: 'approve', rationale: 'Go' });
      expect(ruled.status).toBe('approved');

      const small = await roles.ok('test_lead', 'propose_decision', { decision_type: 'tooling', mode: 'hierarchical', context: 'Load test rig', amount: 30_000 });
      expect(small.awaiting).toBe('cto');
      const rejected = await roles.ok('cto', 'rule_on_decision', { decision_id: small.decision_id, ruling: 'reject', rationale: 'Use the existing rig' });
      expect(rejected.status).toBe('rejected');
    });

    it('human: waits for the board, which sees it in list_decisions awaiting_me', async () => {
      const d = await roles.ok('chro', 'propose_decision', { decision_type: 'policy', mode: 'human', context: 'Four-day week' });
      const waiting = (await roles.call('board', 'list_decisions', { awaiting_me: true })).structuredContent as { decisions: DecisionView[] };
      expect(waiting.decisions.map((x) => x.decision_id)).toContain(d.decision_id);
      const ruled = await roles.ok('board', 'rule_on_decision', { decision_id: d.decision_id, ruling: 'reject', rationale: 'Not this year' });
      expect(ruled.status).toBe('rejected');
      const after = (await roles.call('board', 'list_decisions', { awaiting_me: true })).structuredContent as { decisions: DecisionView[] };
      expect(after.decisions.map((x) => x.decision_id)).not.toContain(d.decision_id);
    });

    it('collaborative: approved on the confidence-weighted score, closing when all have voted', async () => {
      const d = await roles.ok('cto', 'propose_decision', {
        decision_type: 'technology_adoption',
        mode: 'collaborative',
        context: 'Adopt Postgres 17',
        participants: ['cto', 'senior_architect', 'senior_developer'],
      });
      expect(d.status).toBe('pending');
      await roles.ok('cto', 'vote', { decision_id: d.decision_id, vote: 'approve', confidence: 0.9, rationale: 'mature' });
      expect(await roles.refused('cto', 'vote', { decision_id: d.decision_id, vote: 'reject', confidence: 1 })).toContain('already voted');
      expect(await roles.refused('test_lead', 'vote', { decision_id: d.decision_id, vote: 'approve', confidence: 1 })).toContain('not a participant');
      await roles.ok('senior_architect', 'vote', { decision_id: d.decision_id, vote: 'reject', confidence: 0.3 });
      const closed = await roles.ok('senior_developer', 'vote', { decision_id: d.decision_id, vote: 'abstain', confidence: 0.5 });
      expect(closed.status).toBe('approved');
      expect(closed.consensus_score).toBe(0.75);
      expect(closed.votes).toHaveLength(3);
      expect(await roles.refused('senior_developer', 'vote', { decision_id: d.decision_id, vote: 'approve', confidence: 1 })).toMatch(/already voted|closed/);
    });

    it('collaborative: a tie escalates to the initiator’s superior; below threshold is rejected', async () => {
      const tie = await roles.ok('senior_architect', 'propose_decision', { decision_type: 'design', mode: 'collaborative', context: 'REST or gRPC', participants: ['senior_developer', 'uiux_engineer'] });
      await roles.ok('senior_developer', 'vote', { decision_id: tie.decision_id, vote: 'approve', confidence: 0.7 });
      const tied = await roles.ok('uiux_engineer', 'vote', { decision_id: tie.decision_id, vote: 'reject', confidence: 0.7 });
      expect(tied).toMatchObject({ status: 'escalated', awaiting: 'cto' });
      expect(tied.outcome).toContain('tie');

      const low = await roles.ok('product_manager', 'propose_decision', { decision_type: 'scope', mode: 'collaborative', context: 'Cut feature X', participants: ['uiux_engineer', 'senior_developer'], threshold: 0.8 });
      await roles.ok('uiux_engineer', 'vote', { decision_id: low.decision_id, vote: 'approve', confidence: 0.6 });
      const rejected = await roles.ok('senior_developer', 'vote', { decision_id: low.decision_id, vote: 'reject', confidence: 0.4 });
      expect(rejected).toMatchObject({ status: 'rejected', consensus_score: 0.6 });
    });

    it('collaborative: an approved commitment above the initiator’s authority goes up for ratification', async () => {
      const d = await roles.ok('test_lead', 'propose_decision', { decision_type: 'tooling', mode: 'collaborative', context: 'Device farm', participants: ['senior_developer'], amount: 40_000 });
      const closed = await roles.ok('senior_developer', 'vote', { decision_id: d.decision_id, vote: 'approve', confidence: 1 });
      expect(closed).toMatchObject({ status: 'escalated', awaiting: 'cto' });
    });
  });

  it('fires 50 concurrent votes with duplicates: tally = distinct valid votes, exactly one Completed event', async () => {
    const participants = AGENT_ROLES.filter((r) => r !== 'ceo');
    const d = await roles.ok('ceo', 'propose_decision', { decision_type: 'offsite', mode: 'collaborative', context: 'Lisbon offsite', participants });
    const voters: EndpointId[] = [];
    for (let i = 0; i < 50; i++) voters.push(i < 45 ? (participants[i % participants.length] as EndpointId) : 'ceo');
    const results = await Promise.all(voters.map((v, i) => roles.call(v, 'vote', { decision_id: d.decision_id, vote: i % 3 === 0 ? 'reject' : 'approve', confidence: 0.8 })));
    const accepted = results.filter((r) => !r.isError);
    expect(accepted).toHaveLength(participants.length);
    await conclave.bus.drain();
    const final = await roles.ok('ceo', 'get_decision', { decision_id: d.decision_id });
    expect(final.votes.map((v) => v.voter).sort()).toEqual([...participants].sort());
    expect(['approved', 'rejected']).toContain(final.status);
    const completed = events.filter((e) => e['detail-type'] === 'Decision.Completed.v1' && (e.detail as { decision_id: string }).decision_id === d.decision_id);
    expect(completed).toHaveLength(1);
    const voted = events.filter((e) => e['detail-type'] === 'Decision.Voted.v1' && (e.detail as { decision_id: string }).decision_id === d.decision_id);
    expect(voted).toHaveLength(participants.length);
    const required = events.filter((e) => e['detail-type'] === 'Decision.VoteRequired.v1' && (e.detail as { decision_id: string }).decision_id === d.decision_id);
    expect(required).toHaveLength(participants.length);
  });

  it('notifies each participant by inbox when a vote is required', async () => {
    const d = await roles.ok('cto', 'propose_decision', { decision_type: 'design', mode: 'collaborative', context: 'Event sourcing?', participants: ['senior_architect'] });
    await conclave.bus.drain();
    const inbox = (await roles.call('senior_architect', 'read_inbox', { unread_only: true })).structuredContent as { threads: { thread_id: string; messages: { subject: string }[] }[] };
    expect(inbox.threads.find((t) => t.thread_id === d.decision_id)?.messages[0]?.subject).toContain(d.decision_id);
  });

  it('refuses bad arguments with a clear error and changes nothing', async () => {
    const before = ((await roles.call('ceo', 'list_decisions', { limit: 50 })).structuredContent as { decisions: unknown[] }).decisions.length;
    expect(await roles.refused('ceo', 'propose_decision', { decision_type: 'x', mode: 'autonomous', context: 'y', amount: -5 })).toContain('amount');
    expect(await roles.refused('ceo', 'propose_decision', { decision_type: 'x', mode: 'autonomous', context: 'y', amount: '100' })).toContain('amount');
    expect(await roles.refused('ceo', 'propose_decision', { decision_type: 'x', mode: 'sideways', context: 'y' })).toContain('mode');
    expect(await roles.refused('ceo', 'propose_decision', { decision_type: 'x', mode: 'collaborative', context: 'y' })).toContain('participant');
    expect(await roles.refused('ceo', 'propose_decision', { decision_type: 'x', mode: 'human', context: 'y', deadline: '2001-01-01T00:00:00Z' })).toContain('past');
    expect(await roles.refused('ceo', 'vote', { decision_id: 'nope', vote: 'approve', confidence: 0.5 })).toContain('not_found');
    expect(await roles.refused('ceo', 'vote', { decision_id: 'nope', vote: 'approve', confidence: 1.5 })).toContain('confidence');
    expect(await roles.refused('ceo', 'get_decision', { decision_id: 'nope' })).toContain('not_found');
    const after = ((await roles.call('ceo', 'list_decisions', { limit: 50 })).structuredContent as { decisions: unknown[] }).decisions.length;
    expect(after).toBe(before);
  });

  it('refuses cross-tenant access to decisions', async () => {
    const d = await roles.ok('ceo', 'propose_decision', { decision_type: 'secret', mode: 'human', context: 'Tenant A only' });
    expect(await other.refused('ceo', 'get_decision', { decision_id: d.decision_id })).toContain('not_found');
    expect(await other.refused('board', 'rule_on_decision', { decision_id: d.decision_id, ruling: 'approve', rationale: 'x' })).toContain('not_found');
    const listed = (await other.call('board', 'list_decisions', { limit: 50 })).structuredContent as { decisions: DecisionView[] };
    expect(listed.decisions.map((x) => x.decision_id)).not.toContain(d.decision_id);
  });

  it('pages through list_decisions with filters', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await roles.call('ceo', 'list_decisions', { status: 'approved', limit: 2, ...(cursor ? { cursor } : {}) })).structuredContent as { decisions: DecisionView[]; next_cursor: string | null };
      expect(page.decisions.every((x) => x.status === 'approved')).toBe(true);
      seen.push(...page.decisions.map((x) => x.decision_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });
});
