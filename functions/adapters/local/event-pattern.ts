/**
 * Amazon EventBridge event-pattern matching, for running rules locally.
 *
 * The semantics follow the EventBridge user guide ("Event patterns", "Content
 * filtering in Amazon EventBridge event patterns", "Arrays in event patterns",
 * "Matching null values and empty strings") and, where the guide is silent,
 * the behaviour of aws/event-ruler, the open-source engine EventBridge uses.
 * Validation mirrors the service's InvalidEventPatternException cases so that a
 * pattern accepted here is also accepted by the service, and vice versa.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** A parsed EventBridge event pattern (the JSON object given to `PutRule`). */
export type EventPattern = Record<string, unknown>;

/**
 * Thrown by {@link validatePattern} (and by {@link matchesPattern}, which
 * validates first) when a pattern would be rejected by EventBridge. The message
 * names the offending path inside the pattern.
 */
export class InvalidPatternError extends Error {
  override readonly name = 'InvalidPatternError';

  constructor(message: string) {
    super(message);
  }
}

/** The JSON scalars an event leaf can hold; objects are never leaves. */
type Leaf = string | number | boolean | null;

/** One alternative of a pattern leaf, judged against every leaf value at that path. */
type Alternative = (values: readonly Leaf[]) => boolean;

type CompiledNode =
  | { readonly kind: 'leaf'; readonly alternatives: readonly Alternative[] }
  | { readonly kind: 'object'; readonly object: CompiledObject };

interface CompiledObject {
  readonly fields: ReadonlyArray<readonly [key: string, node: CompiledNode]>;
  /** Each entry is one `$or`: at least one of its branches must match. */
  readonly ors: ReadonlyArray<readonly CompiledObject[]>;
}

const OR_KEY = '$or';

/**
 * Operator names cannot be field names inside a `$or` branch, because the
 * service could not tell `{"$or": [{"prefix": ...}]}` from a misplaced operator.
 */
const OPERATOR_NAMES: ReadonlySet<string> = new Set([
  'anything-but',
  'cidr',
  'equals-ignore-case',
  'exists',
  'numeric',
  'prefix',
  'suffix',
  'wildcard',
]);

/** Compiled form of each validated pattern object; patterns are configuration, so they are compiled once. */
const compiledCache = new WeakMap<object, CompiledObject>();

/**
 * Checks that `pattern` is a well-formed EventBridge event pattern and returns
 * it typed as {@link EventPattern}.
 *
 * Rejected, with an {@link InvalidPatternError} naming the path: a pattern that
 * is not an object; empty objects or empty arrays; a field whose value is
 * neither an object nor an array (leaves must always be arrays of
 * alternatives); alternatives that are not a string, number, boolean, null or
 * a one-key operator object; unknown operators; operator values of the wrong
 * type (`prefix`/`suffix`/`equals-ignore-case`/`wildcard`/`cidr` need strings,
 * `exists` a boolean, `numeric` an array of the form `[op, n]` or
 * `[">"|">=", n, "<"|"<=", m]` with n < m); `anything-but` lists that are empty
 * or mix strings and numbers; malformed wildcards (`**`, or a backslash
 * escaping anything but `*` or `\`); malformed CIDR blocks (EventBridge accepts
 * IPv4 masks /0–/31 and IPv6 masks /0–/127 only); and a `$or` that is not an
 * array of at least two objects.
 */
export function validatePattern(pattern: unknown): EventPattern {
  if (!isPlainObject(pattern)) {
    throw new InvalidPatternError('Event pattern must be a JSON object');
  }
  compile(pattern);
  return pattern;
}

/**
 * Decides whether `event` matches `pattern`, as EventBridge would.
 *
 * - Every field named in the pattern must match (AND); fields of the event
 *   that the pattern does not name are ignored. Nested pattern objects must
 *   line up with nested event objects.
 * - A pattern leaf is an array of alternatives; the field matches when any
 *   alternative does (OR).
 * - Event arrays are flattened: a leaf matches when any element matches. When
 *   an event array holds objects, all fields of one pattern object must be
 *   satisfied by the same element.
 * - Exact values match by JSON type and value: strings character by
 *   character, numbers numerically, `null` only `null`, `""` only `""`.
 *   String alternatives that are IP addresses match any spelling of the same
 *   address.
 * - `prefix`, `suffix` (both optionally `{"equals-ignore-case": s}`),
 *   `equals-ignore-case`, `wildcard` (`*` is any run of characters, `\*` a
 *   literal star, `\\` a literal backslash) and `cidr` (IPv4 or IPv6) match
 *   string values only; `numeric` matches JSON numbers only.
 * - `anything-but` matches a present value that is not excluded; it never
 *   matches an absent field. String exclusions (values, `prefix`, `suffix`,
 *   `equals-ignore-case`, `wildcard`) never exclude non-strings, and numeric
 *   exclusions never exclude non-numbers.
 * - `exists` concerns leaf values only: an object-valued field, or an empty
 *   array, counts as absent. A pattern field missing from the event fails
 *   every alternative except `{"exists": false}`.
 * - `$or` (at any level) needs at least one of its branches to match the same
 *   object as its siblings.
 *
 * The pattern is validated and compiled on first use and the result is kept
 * for that object, so a pattern must not be mutated after it has been used.
 *
 * @throws InvalidPatternError when the pattern is malformed (see {@link validatePattern}).
 */
export function matchesPattern(pattern: EventPattern, event: Record<string, unknown>): boolean {
  return matchObject(compile(pattern), event);
}

// ---------------------------------------------------------------------------
// Matching

function matchObject(compiled: CompiledObject, node: unknown): boolean {
  const candidates = objectCandidates(node);
  if (candidates.length === 0) {
    // Nothing to descend into: only absence-tolerant leaves can still match.
    return matchFields(compiled, undefined);
  }
  return candidates.some((candidate) => matchFields(compiled, candidate));
}

function matchFields(compiled: CompiledObject, obj: Record<string, unknown> | undefined): boolean {
  for (const [key, node] of compiled.fields) {
    const value = obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
    if (node.kind === 'leaf') {
      const values = leafValues(value);
      if (!node.alternatives.some((alternative) => alternative(values))) return false;
    } else if (!matchObject(node.object, value)) {
      return false;
    }
  }
  return compiled.ors.every((branches) => branches.some((branch) => matchFields(branch, obj)));
}

function objectCandidates(node: unknown): Record<string, unknown>[] {
  if (Array.isArray(node)) return node.flatMap((element: unknown) => objectCandidates(element));
  return isPlainObject(node) ? [node] : [];
}

function leafValues(value: unknown): Leaf[] {
  if (Array.isArray(value)) return value.flatMap((element: unknown) => leafValues(element));
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  ) {
    return [value];
  }
  return [];
}

// ---------------------------------------------------------------------------
// Compilation (validation + building matchers)

function compile(pattern: EventPattern): CompiledObject {
  const cached = compiledCache.get(pattern);
  if (cached !== undefined) return cached;
  const compiled = compileObject(pattern, [], false);
  compiledCache.set(pattern, compiled);
  return compiled;
}

function compileObject(obj: Record<string, unknown>, path: readonly string[], insideOr: boolean): CompiledObject {
  const keys = Object.keys(obj);
  if (keys.length === 0) fail(path, 'empty objects are not allowed');

  const fields: Array<readonly [string, CompiledNode]> = [];
  const ors: CompiledObject[][] = [];
  for (const key of keys) {
    const value = obj[key];
    const fieldPath = [...path, key];
    if (key === OR_KEY) {
      ors.push(compileOr(value, fieldPath));
      continue;
    }
    if (insideOr && OPERATOR_NAMES.has(key)) {
      fail(fieldPath, `"${key}" is an operator name and cannot be used as a field name inside "$or"`);
    }
    if (Array.isArray(value)) {
      fields.push([key, { kind: 'leaf', alternatives: compileLeaf(value, fieldPath) }]);
    } else if (isPlainObject(value)) {
      fields.push([key, { kind: 'object', object: compileObject(value, fieldPath, insideOr) }]);
    } else {
      fail(fieldPath, `must be an object or an array of values, got ${describe(value)}`);
    }
  }
  return { fields, ors };
}

function compileOr(value: unknown, path: readonly string[]): CompiledObject[] {
  if (!Array.isArray(value)) fail(path, `"$or" must be an array of pattern objects, got ${describe(value)}`);
  if (value.length < 2) fail(path, `"$or" needs at least 2 pattern objects, got ${value.length}`);
  return value.map((branch: unknown, index) => {
    const branchPath = [...path.slice(0, -1), `$or[${index}]`];
    if (!isPlainObject(branch)) {
      fail(branchPath, `every element of "$or" must be a pattern object, got ${describe(branch)}`);
    }
    return compileObject(branch, branchPath, true);
  });
}

function compileLeaf(values: readonly unknown[], path: readonly string[]): Alternative[] {
  if (values.length === 0) fail(path, 'empty arrays are not allowed; list at least one value to match');
  return values.map((value) => compileAlternative(value, path));
}

function compileAlternative(value: unknown, path: readonly string[]): Alternative {
  if (typeof value === 'string') return anyValue(exactString(value));
  if (typeof value === 'number') {
    const n = requireFiniteNumber(value, path, 'match value');
    return anyValue((v) => v === n);
  }
  if (typeof value === 'boolean' || value === null) return anyValue((v) => v === value);
  if (!isPlainObject(value)) {
    fail(path, `match values must be strings, numbers, booleans, null or operator objects, got ${describe(value)}`);
  }

  const [operator, operand] = singleEntry(value, path);
  switch (operator) {
    case 'prefix': {
      const { text, ignoreCase } = affixOperand(operand, path, 'prefix');
      return anyValue(ignoreCase ? stringTest((v) => fold(v).startsWith(fold(text))) : stringTest((v) => v.startsWith(text)));
    }
    case 'suffix': {
      const { text, ignoreCase } = affixOperand(operand, path, 'suffix');
      return anyValue(ignoreCase ? stringTest((v) => fold(v).endsWith(fold(text))) : stringTest((v) => v.endsWith(text)));
    }
    case 'equals-ignore-case': {
      const text = requireString(operand, path, '"equals-ignore-case"');
      return anyValue(stringTest((v) => fold(v) === fold(text)));
    }
    case 'wildcard': {
      const matcher = compileWildcard(requireString(operand, path, '"wildcard"'), path);
      return anyValue(stringTest(matcher));
    }
    case 'anything-but':
      return anyValue(compileAnythingBut(operand, path));
    case 'numeric':
      return anyValue(compileNumeric(operand, path));
    case 'cidr':
      return anyValue(compileCidr(requireString(operand, path, '"cidr"'), path));
    case 'exists': {
      if (typeof operand !== 'boolean') fail(path, `"exists" must be true or false, got ${describe(operand)}`);
      return operand ? (values) => values.length > 0 : (values) => values.length === 0;
    }
    default:
      return fail(path, `unrecognized match operator "${operator}"`);
  }
}

/** Exact string match; IP literals compare by address so that equivalent spellings agree. */
function exactString(expected: string): (v: Leaf) => boolean {
  const expectedIp = parseIp(expected);
  return (v) => {
    if (typeof v !== 'string') return false;
    if (v === expected) return true;
    if (expectedIp === undefined) return false;
    const actualIp = parseIp(v);
    return actualIp !== undefined && actualIp.family === expectedIp.family && actualIp.value === expectedIp.value;
  };
}

function affixOperand(operand: unknown, path: readonly string[], operator: string): { text: string; ignoreCase: boolean } {
  if (typeof operand === 'string') return { text: operand, ignoreCase: false };
  if (isPlainObject(operand)) {
    const [inner, text] = singleEntry(operand, path);
    if (inner !== 'equals-ignore-case') {
      fail(path, `unsupported "${operator}" option "${inner}"; only "equals-ignore-case" is allowed`);
    }
    return { text: requireString(text, path, `"${operator}": {"equals-ignore-case"}`), ignoreCase: true };
  }
  return fail(path, `"${operator}" must be a string or {"equals-ignore-case": string}, got ${describe(operand)}`);
}

function compileAnythingBut(operand: unknown, path: readonly string[]): (v: Leaf) => boolean {
  if (typeof operand === 'string') return (v) => v !== operand;
  if (typeof operand === 'number') {
    const n = requireFiniteNumber(operand, path, '"anything-but" value');
    return (v) => v !== n;
  }
  if (Array.isArray(operand)) {
    if (operand.length === 0) fail(path, '"anything-but" list must not be empty');
    if (operand.every((item) => typeof item === 'string')) {
      const excluded = new Set<unknown>(operand);
      return (v) => !excluded.has(v);
    }
    if (operand.every((item) => typeof item === 'number')) {
      const excluded = new Set<unknown>(operand.map((item: number) => requireFiniteNumber(item, path, '"anything-but" value')));
      return (v) => !excluded.has(v);
    }
    return fail(path, '"anything-but" list must contain only strings or only numbers');
  }
  if (isPlainObject(operand)) {
    const [inner, innerOperand] = singleEntry(operand, path);
    if (!ANYTHING_BUT_OPERATORS.has(inner)) {
      fail(path, `unsupported "anything-but" operator "${inner}"; expected prefix, suffix, equals-ignore-case or wildcard`);
    }
    const texts = anythingButTexts(innerOperand, path, inner);
    let excludes: (v: string) => boolean;
    switch (inner) {
      case 'prefix':
      case 'suffix': {
        if (texts.some((text) => text === '')) fail(path, `"anything-but" ${inner} must not be empty`);
        excludes = inner === 'prefix'
          ? (v) => texts.some((text) => v.startsWith(text))
          : (v) => texts.some((text) => v.endsWith(text));
        break;
      }
      case 'equals-ignore-case': {
        const folded = new Set(texts.map(fold));
        excludes = (v) => folded.has(fold(v));
        break;
      }
      default: {
        // "wildcard", the only operator left after the check above.
        const matchers = texts.map((text) => compileWildcard(text, path));
        excludes = (v) => matchers.some((matcher) => matcher(v));
      }
    }
    // String-only exclusions leave numbers, booleans and null matching.
    return (v) => typeof v !== 'string' || !excludes(v);
  }
  return fail(path, `"anything-but" must be a string, a number, a list, or an operator object, got ${describe(operand)}`);
}

const ANYTHING_BUT_OPERATORS: ReadonlySet<string> = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard']);

function anythingButTexts(operand: unknown, path: readonly string[], inner: string): string[] {
  if (typeof operand === 'string') return [operand];
  if (Array.isArray(operand) && operand.length > 0 && operand.every((item) => typeof item === 'string')) {
    return operand;
  }
  return fail(path, `"anything-but": {"${inner}"} must be a string or a non-empty list of strings, got ${describe(operand)}`);
}

const LOWER_BOUNDS: ReadonlySet<string> = new Set(['>', '>=']);
const UPPER_BOUNDS: ReadonlySet<string> = new Set(['<', '<=']);

function compileNumeric(operand: unknown, path: readonly string[]): (v: Leaf) => boolean {
  const shape = 'expected ["<op>", number] or [">" | ">=", number, "<" | "<=", number]';
  if (!Array.isArray(operand)) fail(path, `"numeric" must be an array; ${shape}`);
  if (operand.length !== 2 && operand.length !== 4) {
    fail(path, `"numeric" must have 2 or 4 elements, got ${operand.length}; ${shape}`);
  }
  const terms: Array<{ op: string; bound: number }> = [];
  for (let i = 0; i < operand.length; i += 2) {
    const op: unknown = operand[i];
    const bound: unknown = operand[i + 1];
    if (typeof op !== 'string' || !['=', '<', '<=', '>', '>='].includes(op)) {
      fail(path, `"numeric" operator must be one of =, <, <=, >, >=, got ${describe(op)}`);
    }
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      fail(path, `"numeric" bound after "${op}" must be a number, got ${describe(bound)}`);
    }
    terms.push({ op, bound });
  }
  const [first, second] = terms;
  if (first === undefined) return fail(path, `"numeric" is empty; ${shape}`);
  if (second !== undefined) {
    if (!LOWER_BOUNDS.has(first.op) || !UPPER_BOUNDS.has(second.op)) {
      fail(path, `"numeric" range must give the lower bound (> or >=) first and the upper bound (< or <=) second; ${shape}`);
    }
    if (!(first.bound < second.bound)) {
      fail(path, `"numeric" lower bound ${first.bound} must be less than upper bound ${second.bound}`);
    }
  }
  return (v) => typeof v === 'number' && terms.every(({ op, bound }) => compare(v, op, bound));
}

function compare(value: number, op: string, bound: number): boolean {
  switch (op) {
    case '=':
      return value === bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    default:
      return value >= bound;
  }
}

function compileCidr(cidr: string, path: readonly string[]): (v: Leaf) => boolean {
  const parts = cidr.split('/');
  const [address, bits] = parts;
  if (parts.length !== 2 || address === undefined || bits === undefined) {
    return fail(path, `malformed CIDR "${cidr}": exactly one "/" is required`);
  }
  if (!/^\d+$/.test(bits)) fail(path, `malformed CIDR "${cidr}": mask bits must be a non-negative integer`);
  const ip = parseIp(address);
  if (ip === undefined) fail(path, `malformed CIDR "${cidr}": "${address}" is not an IPv4 or IPv6 address`);
  const width = ip.family === 4 ? 32 : 128;
  const maskBits = Number(bits);
  // EventBridge rejects full-length masks; an exact IP string matches a single address instead.
  if (maskBits >= width) fail(path, `malformed CIDR "${cidr}": IPv${ip.family} mask bits must be < ${width}`);

  const hostBits = BigInt(width - maskBits);
  const low = (ip.value >> hostBits) << hostBits;
  const high = low | ((1n << hostBits) - 1n);
  return (v) => {
    if (typeof v !== 'string') return false;
    const candidate = parseIp(v);
    return candidate !== undefined && candidate.family === ip.family && candidate.value >= low && candidate.value <= high;
  };
}

/** Splits a wildcard into literal segments around unescaped `*`, rejecting what EventBridge rejects. */
function compileWildcard(source: string, path: readonly string[]): (v: string) => boolean {
  const segments: string[] = [];
  let current = '';
  let previousWasStar = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source.charAt(i);
    if (ch === '*') {
      if (previousWasStar) fail(path, `wildcard "${source}" has consecutive "*" characters, which are not allowed`);
      segments.push(current);
      current = '';
      previousWasStar = true;
      continue;
    }
    previousWasStar = false;
    if (ch === '\\') {
      const next = source.charAt(i + 1);
      if (next !== '*' && next !== '\\') {
        fail(path, `wildcard "${source}" has a backslash that escapes neither "*" nor "\\"`);
      }
      current += next;
      i++;
    } else {
      current += ch;
    }
  }
  segments.push(current);
  return (v) => globMatches(segments, v);
}

/**
 * `segments` are the literal runs between stars. With stars present, the
 * first run anchors the start, the last anchors the end, and the middle runs
 * may be found leftmost-first: an earlier placement never blocks a later run.
 */
function globMatches(segments: readonly string[], value: string): boolean {
  const first = segments[0] ?? '';
  if (segments.length === 1) return value === first;
  const last = segments[segments.length - 1] ?? '';
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  const end = value.length - last.length;
  let cursor = first.length;
  for (const segment of segments.slice(1, -1)) {
    const found = value.indexOf(segment, cursor);
    if (found === -1 || found + segment.length > end) return false;
    cursor = found + segment.length;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Helpers

interface ParsedIp {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/**
 * Parses an IPv4 or IPv6 literal to its numeric value. IPv4-mapped IPv6
 * addresses (`::ffff:a.b.c.d`) are treated as the IPv4 address, as the service
 * does; zone-scoped IPv6 addresses are not IP literals for matching purposes.
 */
function parseIp(text: string): ParsedIp | undefined {
  if (isIPv4(text)) return { family: 4, value: ipv4Value(text) };
  if (!isIPv6(text) || text.includes('%')) return undefined;

  // Rewrite a dotted IPv4 tail (e.g. "::ffff:10.0.0.1") as two hex groups.
  let groupsText = text;
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = ipv4Value(maybeV4);
    groupsText = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = groupsText.split('::');
  const parseGroups = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const headGroups = parseGroups(head);
  const restGroups = rest === undefined ? [] : parseGroups(rest);
  const zeros = rest === undefined ? 0 : 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...new Array<number>(Math.max(zeros, 0)).fill(0), ...restGroups];
  if (groups.length !== 8 || groups.some((group) => Number.isNaN(group))) return undefined;

  const value = groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
  if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

/** Case folding for the ignore-case operators; both sides are folded the same way. */
function fold(text: string): string {
  return text.toLowerCase();
}

function anyValue(test: (v: Leaf) => boolean): Alternative {
  return (values) => values.some(test);
}

function stringTest(test: (v: string) => boolean): (v: Leaf) => boolean {
  return (v) => typeof v === 'string' && test(v);
}

function singleEntry(obj: Record<string, unknown>, path: readonly string[]): [string, unknown] {
  const entries = Object.entries(obj);
  const [entry] = entries;
  if (entries.length !== 1 || entry === undefined) {
    const keys = Object.keys(obj).join(', ') || 'none';
    return fail(path, `an operator object must have exactly one key, got ${entries.length} (${keys})`);
  }
  return entry;
}

function requireString(value: unknown, path: readonly string[], what: string): string {
  if (typeof value !== 'string') fail(path, `${what} must be a string, got ${describe(value)}`);
  return value;
}

function requireFiniteNumber(value: number, path: readonly string[], what: string): number {
  if (!Number.isFinite(value)) fail(path, `${what} must be a finite JSON number, got ${String(value)}`);
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value) ?? String(value)}`;
}

function fail(path: readonly string[], message: string): never {
  const where = path.length === 0 ? 'the pattern root' : `"${path.join('.')}"`;
  throw new InvalidPatternError(`Invalid event pattern at ${where}: ${message}`);
}
