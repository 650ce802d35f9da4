import { expiresAt, TABLE_SCHEMA } from '../../contracts/table.js';
import type { Deps } from '../context.js';
import { deliver, notificationId } from '../messages/messages.js';
import { keys } from '../keys.js';
import { field } from '../versioned.js';

/** One limit scope's counter for one window: who is counted and when the window ends. */
export interface UsageWindow {
  readonly tenantId: string;
  /** `tenant`, `key#<key id>` or `day` (tool calls). */
  readonly scope: string;
  /** The window's name, e.g. `m29611200` (a minute) or `d2026-12-06` (a UTC day). */
  readonly window: string;
  /** When the window ends (ms since the epoch); the counter expires after it. */
  readonly endsAt: number;
}

/**
 * Adds `count` requests to a window's shared counter (one atomic ADD, so
 * instances never lose each other's counts) and returns the window's total.
 */
export async function addUsage(deps: Pick<Deps, 'store'>, window: UsageWindow, count: number): Promise<number> {
  const item = await deps.store.increment({
    key: keys.rateWindow(window.tenantId, window.scope, window.window),
    add: { count },
    // Kept a little past its window, so a late reader still sees it; DynamoDB deletes it after.
    set: { type: 'rate-window', [TABLE_SCHEMA.ttlAttribute]: expiresAt(window.endsAt, 60_000) },
  });
  return field.num(item, 'count');
}

/**
 * Tells the tenant's CEO and board, once per day however many instances or
 * retries call it, that the tenant reached its daily tool-call ceiling.
 */
export async function notifyDailyCeiling(
  deps: Deps,
  input: { tenantId: string; day: string; ceiling: number; resetsAt: number; correlationId: string; now: number },
): Promise<void> {
  const dayStart = `${input.day}T00:00:00.000Z`;
  for (const recipient of ['ceo', 'board'] as const) {
    await deliver(deps, {
      tenantId: input.tenantId,
      messageId: notificationId(dayStart, `daily-ceiling:${input.day}`, recipient),
      from: 'conclave',
      to: recipient,
      recipients: [recipient],
      type: 'notification',
      priority: 'urgent',
      subject: `Daily tool-call ceiling reached (${input.ceiling})`,
      content:
        `The organization made ${input.ceiling} tool calls today, its daily ceiling. Further tool calls are refused with ` +
        `HTTP 429 until ${new Date(input.resetsAt).toISOString()}. Reading lists and resources still works. The board may ` +
        'raise the ceiling with set_rate_limits { daily_tool_calls }.',
      threadId: `daily-ceiling-${input.day}`,
      replyTo: null,
      correlationId: input.correlationId,
      sentAt: new Date(input.now).toISOString(),
    });
  }
}
