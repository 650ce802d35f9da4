import type { EndpointId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { field } from '../versioned.js';
import { fromItem, normalizeTags, toView, type MemoryRecord, type MemoryView } from './model.js';

const PREVIEW_CHARS = 200;

export interface ListMemoriesInput {
  readonly tenantId: string;
  readonly tag?: string;
  readonly author?: EndpointId;
  readonly limit?: number;
  readonly cursor?: string;
}

export type MemorySummary = Omit<MemoryView, 'content' | 'metadata'> & { readonly preview: string };

export interface ListMemoriesResult {
  readonly memories: MemorySummary[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly next_cursor: string | null;
}

interface Position {
  /** The change-index sort key of the last memory returned. */
  readonly c: string;
  readonly tag: string | null;
  readonly author: string | null;
}

/** Change-index items read per page; a filtered listing reads at most this many pages per call and returns a cursor to continue. */
const PAGE = 100;
const MAX_PAGES = 10;

/**
 * Lists a tenant's memories, most recently written first, optionally only
 * those with a tag or last written by a role. Reads the tenant's change
 * index (GSI1: one entry per memory, ordered by its last write) a page at a
 * time, so a listing costs the same at any tenant size; a filtered listing
 * that finds fewer matches than asked within its read budget returns them
 * with a cursor to read on. A cursor continues after the last memory of the
 * previous page and only with the same filters. Like any GSI read it is
 * eventually consistent (normally well under a second).
 */
export async function listMemories(deps: Deps, input: ListMemoriesInput): Promise<ListMemoriesResult> {
  const limit = input.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ValidationError('limit must be 1 to 100');
  const tag = input.tag === undefined ? null : (normalizeTags([input.tag])[0] as string);
  const author = input.author ?? null;
  const after = input.cursor === undefined ? undefined : decode(input.cursor, tag, author);
  const page: { record: MemoryRecord; change: string }[] = [];
  let cursor: string | undefined;
  let more = false;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const result = await deps.store.query({
      pk: keys.memoryChanges(input.tenantId),
      index: 'gsi1',
      descending: true,
      limit: PAGE,
      ...(after ? { skBetween: ['', after.c] as const } : {}),
      ...(cursor ? { cursor } : {}),
    });
    for (const item of result.items) {
      // The change-index sort key (`<changed at>#<key>`): the listing's position.
      const change = field.reqStr(item, 'gsi1sk');
      if (after && change >= after.c) continue;
      const record = fromItem(item);
      if (record.state !== 'active' || (tag !== null && !record.tags.includes(tag)) || (author !== null && record.author !== author)) continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push({ record, change });
    }
    cursor = result.cursor;
    if (more || !cursor) break;
    // Out of read budget with a full page still possible: let the caller continue.
    if (pages === MAX_PAGES - 1) more = page.length > 0;
  }
  const last = page.at(-1);
  return {
    memories: page.map((p) => summary(p.record, deps)),
    next_cursor: more && last ? Buffer.from(JSON.stringify({ c: last.change, tag, author } satisfies Position)).toString('base64url') : null,
  };
}

function summary(record: MemoryRecord, deps: Deps): MemorySummary {
  const { content, metadata: _metadata, ...view } = toView(record, deps.embedder.modelId, deps.embedder.dimensions);
  return { ...view, preview: content.length > PREVIEW_CHARS ? `${content.slice(0, PREVIEW_CHARS - 1)}…` : content };
}

function decode(cursor: string, tag: string | null, author: string | null): Position {
  let position: Partial<Position> | undefined;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Position>;
  } catch {
    position = undefined;
  }
  if (!position || typeof position.c !== 'string') {
    throw new ValidationError('invalid cursor: pass back the next_cursor of the previous page unchanged');
  }
  if (position.tag !== tag || position.author !== author) throw new ValidationError('the cursor belongs to a listing with other filters');
  return position as Position;
}
