import type { EndpointId } from '../../contracts/roles.js';
import type { Item } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { keys } from '../keys.js';
import { decisionCodec, getDecision } from './decision-record.js';
import type { Decision, DecisionMode, DecisionStatus } from './model.js';

export interface ListInput {
  readonly tenantId: string;
  readonly status?: DecisionStatus;
  readonly mode?: DecisionMode;
  readonly awaiting?: EndpointId;
  readonly limit: number;
  readonly cursor?: string;
}

/** Lists decisions newest first, filtered, a page at a time. */
export async function listDecisions(deps: Deps, input: ListInput): Promise<{ decisions: Decision[]; next_cursor: string | null }> {
  const found: Item[] = [];
  let cursor = input.cursor;
  // Filters apply after reading: read pages until the page is full or the index is exhausted.
  for (let pages = 0; pages < 20 && found.length < input.limit; pages++) {
    const page = await deps.store.query({ index: 'gsi1', pk: keys.decisions(input.tenantId), descending: true, limit: 50, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) {
      if (found.length === input.limit) {
        cursor = encodeAfter(found[found.length - 1] as Item);
        break;
      }
      if (matches(item, input)) found.push(item);
    }
    if (found.length === input.limit && page.items.indexOf(found[found.length - 1] as Item) < page.items.length - 1) {
      cursor = encodeAfter(found[found.length - 1] as Item);
      break;
    }
    cursor = page.cursor;
    if (!cursor) break;
  }
  // Index entries may lag: read the decisions themselves.
  const decisions = await Promise.all(found.map((item) => getDecision(deps, input.tenantId, decisionCodec.decode(item).decision_id)));
  return { decisions: decisions.filter((d) => matches(d as unknown as Item, input)), next_cursor: cursor ?? null };
}

function matches(item: Item | Record<string, unknown>, input: ListInput): boolean {
  return (
    (input.status === undefined || item.status === input.status) &&
    (input.mode === undefined || item.mode === input.mode) &&
    (input.awaiting === undefined || item.awaiting === input.awaiting)
  );
}

function encodeAfter(item: Item): string {
  return Buffer.from(JSON.stringify({ pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk })).toString('base64url');
}

