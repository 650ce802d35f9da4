/**
 * The approval card: the browser half of Conclave's MCP App (runs inside the
 * host's sandboxed iframe, never on the server). It renders the result of
 * `board_queue` (the board's queue) or `get_decision` (one decision) and
 * rules through the server's own `rule_on_decision` tool, so the card is one
 * more driving adapter over the same use case. Built into card-bundle.ts by
 * `npm run build:card` (esbuild, IIFE): the resource is one HTML file with
 * no external origin.
 */
import type { CallToolRequest, CallToolResult } from '@modelcontextprotocol/client';
import type {
  LATEST_PROTOCOL_VERSION,
  McpUiInitializeRequest,
  McpUiInitializedNotification,
  McpUiToolResultNotification,
} from '@modelcontextprotocol/ext-apps';

/**
 * The View side of the MCP Apps protocol, written against the extension's
 * own types (type-only imports: no runtime bytes). The extension's `App`
 * class would bring zod and the MCP core into the card (~690 KB minified,
 * shipped inside the MCP function, whose bundle has a 1 MB budget); the card
 * needs four messages: `ui/initialize`, `ui/notifications/initialized`,
 * `ui/notifications/tool-result` and `tools/call`, as JSON-RPC 2.0 over
 * postMessage with the host. The test drives it with the extension's own
 * AppBridge, which validates every message with the extension's schemas.
 */
const PROTOCOL_VERSION: typeof LATEST_PROTOCOL_VERSION = '2026-01-26';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
const pending = new Map<number, Pending>();
let nextId = 1;
let onToolResult: (params: McpUiToolResultNotification['params']) => void = () => undefined;

function send(message: object): void {
  window.parent.postMessage({ jsonrpc: '2.0', ...message }, '*');
}

function request<R>(method: string, params: unknown): Promise<R> {
  const id = nextId++;
  return new Promise<R>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    send({ id, method, params });
  });
}

window.addEventListener('message', (event: MessageEvent) => {
  if (event.source !== window.parent) return;
  const message = event.data as { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } };
  if (typeof message?.id === 'number' && message.method === undefined) {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiter?.reject(new Error(message.error.message));
    else waiter?.resolve(message.result);
    return;
  }
  if (message?.method === 'ui/notifications/tool-result') onToolResult(message.params as McpUiToolResultNotification['params']);
  else if (typeof message?.id === 'number') send({ id: message.id, result: {} }); // pings and teardown: acknowledge
});

const app = {
  async connect(): Promise<void> {
    const initialize: McpUiInitializeRequest = {
      method: 'ui/initialize',
      params: { appInfo: { name: 'conclave-approval-card', version: '1.0.0' }, appCapabilities: {}, protocolVersion: PROTOCOL_VERSION },
    };
    await request(initialize.method, initialize.params);
    const initialized: McpUiInitializedNotification = { method: 'ui/notifications/initialized', params: {} };
    send(initialized);
  },
  callServerTool(params: CallToolRequest['params']): Promise<CallToolResult> {
    return request<CallToolResult>('tools/call', params);
  },
  set ontoolresult(callback: (params: McpUiToolResultNotification['params']) => void) {
    onToolResult = callback;
  },
};

interface ChainLink {
  role: string;
  title: string;
  authority_usd: number | null;
  covers_amount: boolean | null;
}
interface Vote {
  voter: string;
  vote: string;
  confidence: number;
  rationale: string;
}
interface CardDecision {
  decision_id: string;
  decision_type: string;
  context: string;
  amount: number | null;
  initiator: string;
  status: string;
  mode: string;
  awaiting: string | null;
  outcome: string | null;
  votes?: Vote[];
  chain?: ChainLink[];
}

const root = document.getElementById('root') as HTMLElement;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}

function usd(amount: number | null): string {
  return amount === null ? '—' : `$${amount.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
}

function card(d: CardDecision): HTMLElement {
  const id = `d-${d.decision_id}`;
  const section = el('section', { class: 'card', 'aria-labelledby': `${id}-h`, 'data-decision': d.decision_id });
  section.append(el('h2', { id: `${id}-h` }, `${d.decision_type.replace(/_/g, ' ')} · ${usd(d.amount)}`));
  section.append(el('p', {}, `${d.mode} decision proposed by ${d.initiator}; `, el('strong', { 'data-status': '' }, d.status), d.awaiting ? ` (awaiting ${d.awaiting})` : ''));
  section.append(el('p', { class: 'context' }, d.context));
  if (d.chain?.length) {
    const rows = d.chain.map((l) =>
      el('tr', {}, el('th', { scope: 'row' }, l.title), el('td', {}, l.authority_usd === null ? 'unlimited' : usd(l.authority_usd)), el('td', {}, l.covers_amount === null ? '—' : l.covers_amount ? 'covers it' : 'exceeds')),
    );
    section.append(el('table', {}, el('caption', {}, 'Chain of authority'), el('tbody', {}, ...rows)));
  }
  if (d.votes?.length) {
    section.append(el('ul', { class: 'votes' }, ...d.votes.map((v) => el('li', {}, `${v.voter}: ${v.vote} (${Math.round(v.confidence * 100)}%) ${v.rationale}`))));
  }
  const status = el('p', { role: 'status', class: 'result' });
  if (d.awaiting === 'board' && (d.status === 'escalated' || d.status === 'pending')) {
    const label = el('label', { for: `${id}-r` }, 'Rationale');
    const text = el('textarea', { id: `${id}-r`, maxlength: '5000', required: '' });
    const rule = (ruling: 'approve' | 'reject') => async () => {
      const rationale = text.value.trim();
      if (!rationale) {
        status.textContent = 'Give a rationale first.';
        text.focus();
        return;
      }
      status.textContent = 'Sending…';
      const result = await app.callServerTool({ name: 'rule_on_decision', arguments: { decision_id: d.decision_id, ruling, rationale } });
      const out = result.structuredContent as Partial<CardDecision> & { error?: { message: string } };
      if (result.isError) {
        status.textContent = `Not recorded: ${out?.error?.message ?? 'refused'}`;
        return;
      }
      status.textContent = `Decision ${out.status ?? ''}.`;
      section.querySelector('[data-status]')!.textContent = String(out.status ?? '');
      section.querySelectorAll("button").forEach((b: HTMLButtonElement) => b.setAttribute('disabled', ''));
    };
    const approve = el('button', { type: 'button', class: 'primary' }, 'Approve');
    const reject = el('button', { type: 'button' }, 'Reject');
    approve.addEventListener('click', () => void rule('approve')());
    reject.addEventListener('click', () => void rule('reject')());
    section.append(label, text, el('div', { class: 'actions' }, approve, reject));
  } else if (d.outcome) {
    section.append(el('p', {}, `Outcome: ${d.outcome}`));
  }
  section.append(status);
  return section;
}

function render(content: unknown): void {
  const value = (content ?? {}) as { decisions?: CardDecision[]; decision_id?: string };
  const decisions = Array.isArray(value.decisions) ? value.decisions : value.decision_id ? [value as CardDecision] : [];
  root.replaceChildren(
    el('h1', {}, Array.isArray(value.decisions) ? `Awaiting the board (${decisions.length})` : 'Decision'),
    ...(decisions.length ? decisions.map(card) : [el('p', {}, 'Nothing awaits the board.')]),
  );
}

app.ontoolresult = (params) => render(params.structuredContent);
void app.connect();
