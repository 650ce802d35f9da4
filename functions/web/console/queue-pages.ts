import type { AwaitingQueue, DecisionContext } from '../../core/console/awaiting.js';
import type { Decision } from '../../core/decisions/model.js';
import type { TaskView } from '../../core/workflows/model.js';
import { badge, usd, when, type Viewer } from './layout.js';
import { html, type SafeHtml } from '../html.js';

/** The largest rationale accepted (the same bound as the `rule_on_decision` tool). */
export const RATIONALE_MAX = 5000;

/** The live part of "What awaits me": decisions to rule on and tasks. */
export function queueRegion(queue: AwaitingQueue, viewer: Viewer): SafeHtml {
  const count = queue.decisions.length + queue.tasks.length;
  return html`<p><strong data-testid="awaiting-count">${count === 0 ? 'Nothing awaits you.' : `${count} item${count === 1 ? '' : 's'} await${count === 1 ? 's' : ''} you.`}</strong></p>
<h2 id="decisions-heading">Decisions awaiting your ruling (${queue.decisions.length})</h2>
${queue.decisions.length === 0 ? html`<p class="muted">No decision awaits ${viewer.actingAs}.</p>` : html`<ul class="plain" aria-labelledby="decisions-heading">${queue.decisions.map(decisionCard)}</ul>`}
<h2 id="tasks-heading">Tasks (${queue.tasks.length})</h2>
${queue.tasks.length === 0 ? html`<p class="muted">No open task.</p>` : html`<ul class="plain" aria-labelledby="tasks-heading">${queue.tasks.map((t) => taskCard(t, viewer))}</ul>`}`;
}

function decisionCard(d: Decision): SafeHtml {
  const last = d.escalations[d.escalations.length - 1];
  return html`<li class="card" data-decision="${d.decision_id}"><h3><a href="/console/decisions/${d.decision_id}">${title(d)}</a></h3>
<p>${badge(d.status)} ${d.mode} decision proposed by <strong>${d.initiator}</strong> · amount <strong>${usd(d.amount)}</strong> · ${when(d.created_at)}</p>
${last ? html`<p class="muted">Last escalation: ${last.from} → ${last.to}: ${last.reason}</p>` : ''}
<p class="pre">${clip(d.context, 280)}</p></li>`;
}

function taskCard(t: TaskView, viewer: Viewer): SafeHtml {
  const approval = t.allowed_outcomes.includes('approve');
  const id = `task-${t.task_id}`;
  return html`<li class="card"><h3 id="${id}-title">${t.title}</h3>
<p>${badge(t.status)} ${t.kind} task · workflow <a href="/console/runs/${t.run_id}">${t.workflow.replace(/_/g, ' ')}</a>, stage <strong>${t.stage}</strong> · due ${when(t.due_at)}${t.decision_id ? html` · about <a href="/console/decisions/${t.decision_id}">decision ${t.decision_id}</a>` : ''}</p>
${t.instructions ? html`<p class="pre">${clip(t.instructions, 600)}</p>` : ''}
<form method="post" action="/console/tasks/${t.task_id}/complete" aria-labelledby="${id}-title">
<input type="hidden" name="csrf" value="${viewer.csrf}">
<label for="${id}-note">${approval ? 'Rationale' : 'Result note'} (required)</label>
<textarea id="${id}-note" name="note" required maxlength="${RATIONALE_MAX}"></textarea>
<div class="actions">${t.allowed_outcomes.map(
    (o, i) => html`<button type="submit" name="outcome" value="${o}" class="${i === 0 ? 'primary' : 'danger'}">${o === 'approve' ? 'Approve' : o === 'reject' ? 'Reject' : o === 'done' ? 'Mark done' : 'Mark failed'}</button>`,
  )}</div></form></li>`;
}

/** The live part of one decision's page: everything but the ruling form. */
export function decisionRegion(c: DecisionContext): SafeHtml {
  const d = c.decision;
  return html`<dl class="facts">
<dt>Status</dt><dd data-testid="decision-status">${badge(d.status)}</dd>
<dt>Amount</dt><dd data-testid="decision-amount">${usd(d.amount)}</dd>
<dt>Mode</dt><dd>${d.mode}</dd>
<dt>Proposed by</dt><dd>${d.initiator}, ${when(d.created_at)}</dd>
<dt>Awaiting</dt><dd>${d.awaiting ?? '—'}</dd>
<dt>Deadline</dt><dd>${when(d.deadline)}</dd>
<dt>Outcome</dt><dd data-testid="decision-outcome">${d.outcome ?? '—'}</dd>
</dl>
<h2>Context</h2><p class="pre">${d.context}</p>
<h2>Chain of authority</h2>
<table data-testid="chain"><caption>Each role's authority against ${usd(d.amount)}</caption>
<thead><tr><th scope="col">Role</th><th scope="col" class="num">Authority</th><th scope="col">Covers the amount?</th><th scope="col">Where the decision is</th></tr></thead>
<tbody>${c.chain.map(
    (l) => html`<tr><th scope="row">${l.title} <span class="muted">(${l.role})</span></th><td class="num">${l.authority_usd === null ? 'unlimited' : usd(l.authority_usd)}</td>
<td>${l.covers_amount === null ? '—' : l.covers_amount ? html`<span class="yes">Yes</span>` : html`<span class="no">No: exceeds by ${usd((d.amount ?? 0) - (l.authority_usd ?? 0))}</span>`}</td>
<td>${{ initiator: 'proposed it', passed: 'escalated it', awaiting: 'must rule now', above: '—' }[l.position]}</td></tr>`,
  )}</tbody></table>
${d.escalations.length ? html`<h3>Escalations</h3><ol class="timeline">${d.escalations.map((e) => html`<li>${when(e.at)}: ${e.from} → <strong>${e.to}</strong>. ${e.reason}</li>`)}</ol>` : ''}
<h2>Votes (${d.votes.length})</h2>
${d.votes.length === 0 ? html`<p class="muted">No votes were cast${d.mode === 'collaborative' ? ' yet' : ` (a ${d.mode} decision is ruled, not voted)`}.</p>` : html`<table data-testid="votes"><caption>Votes with confidence and rationale</caption>
<thead><tr><th scope="col">Voter</th><th scope="col">Vote</th><th scope="col" class="num">Confidence</th><th scope="col">Rationale</th><th scope="col">Cast</th></tr></thead>
<tbody>${d.votes.map((v) => html`<tr><th scope="row">${v.voter}</th><td>${badge(v.vote === 'approve' ? 'approved' : v.vote === 'reject' ? 'rejected' : 'abstain')}</td><td class="num">${Math.round(v.confidence * 100)}%</td><td class="pre">${v.rationale || '—'}</td><td>${when(v.cast_at)}</td></tr>`)}</tbody></table>
${d.consensus_score === null ? '' : html`<p>Consensus score ${d.consensus_score} against threshold ${d.threshold}.</p>`}`}
<h2>Where it came from</h2>
${c.run ? runSummary(c.run) : html`<p class="muted">Proposed directly by a tool call of ${d.initiator} (no workflow run).</p>`}
<h2>Related memories</h2>
${c.memories.length === 0 ? html`<p class="muted">No related memory.</p>` : html`<ul>${c.memories.map((m) => html`<li><strong>${m.key}</strong> <span class="muted">(${m.author}, score ${m.score.toFixed(2)})</span>: ${clip(m.content, 240)}</li>`)}</ul>`}`;
}

function runSummary(run: NonNullable<DecisionContext['run']>): SafeHtml {
  return html`<p>Workflow run <a href="/console/runs/${run.run_id}">${run.title || run.run_id}</a> (${run.workflow.replace(/_/g, ' ')}) ${badge(run.status)}, started by ${run.initiator} ${when(run.started_at)}.</p>
${stageTimeline(run)}`;
}

/** A run's stages and history as an ordered timeline. */
export function stageTimeline(run: NonNullable<DecisionContext['run']>): SafeHtml {
  return html`<table><caption>Stages</caption><thead><tr><th scope="col">Stage</th><th scope="col">Status</th><th scope="col">Assignees</th><th scope="col">Last outcome</th></tr></thead>
<tbody>${run.stages.map((s) => html`<tr><th scope="row">${s.stage}</th><td>${badge(s.status)}</td><td>${s.assignees.join(', ') || '—'}</td><td>${s.last_outcome ?? '—'}</td></tr>`)}</tbody></table>
<h3>Timeline</h3><ol class="timeline">${run.history.map((h) => html`<li>${when(h.at)} · <strong>${h.event.replace(/_/g, ' ')}</strong>${h.stage ? html` (${h.stage})` : ''}${h.actor ? html` by ${h.actor}` : ''}: ${h.detail}</li>`)}</ol>`;
}

/** The ruling form, or why there is none. */
export function rulingForm(c: DecisionContext, viewer: Viewer): SafeHtml {
  const d = c.decision;
  if (!c.awaits_viewer) {
    const why = ['approved', 'rejected', 'expired'].includes(d.status)
      ? `This decision was already ${d.status}${d.completed_at ? ` on ${d.completed_at.slice(0, 16).replace('T', ' ')} UTC` : ''}: nothing to rule.`
      : d.awaiting
        ? `This decision awaits ${d.awaiting}, not ${viewer.actingAs}.`
        : 'This decision is being voted on; nobody rules on it now.';
    return html`<p class="notice" data-testid="no-ruling">${why}</p>`;
  }
  return html`<form method="post" action="/console/decisions/${d.decision_id}/ruling" class="card" aria-labelledby="rule-heading">
<h2 id="rule-heading">Your ruling</h2>
<input type="hidden" name="csrf" value="${viewer.csrf}">
<p class="muted">Approving ${usd(d.amount)} as ${viewer.actingAs}${c.chain.find((l) => l.role === viewer.actingAs)?.covers_amount === false ? ' exceeds your authority: it escalates further instead' : ' settles it'}. Your rationale becomes the outcome the initiator receives.</p>
<label for="rationale">Rationale (required)</label>
<textarea id="rationale" name="rationale" required maxlength="${RATIONALE_MAX}" aria-describedby="rationale-hint"></textarea>
<p id="rationale-hint" class="muted">Up to ${RATIONALE_MAX.toLocaleString('en-US')} characters.</p>
<div class="actions"><button type="submit" name="ruling" value="approve" class="primary">Approve</button><button type="submit" name="ruling" value="reject" class="danger">Reject</button></div>
</form>`;
}

export function title(d: Decision): string {
  return `${d.decision_type.replace(/_/g, ' ')}: ${clip(d.context.split('\n')[0] ?? '', 90)}`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
