import type { Item } from '../../ports/store.js';
import { keys } from '../keys.js';
import { field, malformed, type Codec } from '../versioned.js';

/** The record kind of designs (design_system writes them; review_architecture rules on them; technical specs read them). */
export const DESIGN_RECORD = 'DESIGN';

/** A component as stored in a design (design_system's Component; older or hand-made designs may lack the optional parts). */
export interface StoredComponent {
  readonly name: string;
  readonly type: string;
  readonly replicas?: number;
  readonly responsibility?: string;
  readonly rule?: string;
}

/**
 * A design as stored. The fields the use cases read are typed; the rest of
 * what design_system derived (requirements, constraints, the review's
 * outcome, …) is kept as written in `rest` and written back unchanged.
 */
export interface DesignRecord {
  readonly design_id: string;
  readonly name: string;
  /** `proposed`, then `approved` or `rejected` by review_architecture. */
  readonly status: string;
  /** null for a design stored without a version (then its status and update time guard a change). */
  readonly version: number | null;
  readonly created_at: string;
  readonly updated_at: string | null;
  readonly components: StoredComponent[];
  readonly architecture: Record<string, unknown>;
  readonly data_flow: string;
  readonly rest: Readonly<Record<string, unknown>>;
}

const TYPED = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'type', 'design_id', 'name', 'status', 'version', 'created_at', 'updated_at', 'components', 'architecture', 'data_flow']);

function component(item: Item, raw: unknown): StoredComponent {
  const c = (raw && typeof raw === 'object' ? raw : {}) as Item;
  const replicas = field.numOrNull(c, 'replicas');
  const responsibility = field.strOrNull(c, 'responsibility');
  const rule = field.strOrNull(c, 'rule');
  return { name: componentName(item, c), type: field.str(c, 'type'), ...(replicas !== null ? { replicas } : {}), ...(responsibility !== null ? { responsibility } : {}), ...(rule !== null ? { rule } : {}) };
}

function componentName(item: Item, c: Item): string {
  if (typeof c.name !== 'string') throw malformed(item, 'components', 'components with names', c.name);
  return c.name;
}

export function designCodec(tenantId: string): Codec<DesignRecord> {
  return {
    decode: (i) => ({
      design_id: field.reqStr(i, 'design_id'),
      name: field.str(i, 'name'),
      status: field.str(i, 'status', 'proposed'),
      version: field.numOrNull(i, 'version'),
      created_at: field.str(i, 'created_at'),
      updated_at: field.strOrNull(i, 'updated_at'),
      components: field.list<unknown>(i, 'components').map((c) => component(i, c)),
      architecture: field.obj(i, 'architecture'),
      data_flow: field.str(i, 'data_flow'),
      rest: Object.fromEntries(Object.entries(i).filter(([name]) => !TYPED.has(name))),
    }),
    encode: (d) => {
      const { rest, version, updated_at, ...typed } = d;
      return {
        ...keys.record(tenantId, DESIGN_RECORD, d.design_id),
        gsi1pk: keys.recordIndex(tenantId, DESIGN_RECORD),
        gsi1sk: `${d.created_at}#${d.design_id}`,
        type: 'design',
        ...rest,
        ...typed,
        ...(version !== null ? { version } : {}),
        ...(updated_at !== null ? { updated_at } : {}),
      };
    },
  };
}
