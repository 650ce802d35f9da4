/**
 * The result a stage declares (`result_schema`, shown by `my_tasks`) is a
 * small JSON Schema: an object with `required` names and typed `properties`
 * (string, number, integer, boolean, array, object; `minLength`,
 * `minItems`, `minimum`). This checks a result against it and names every
 * problem, so `complete_task` can refuse with a clear reason.
 */
export type ResultSchema = Record<string, unknown>;

export function resultProblems(schema: ResultSchema, result: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  for (const name of required) {
    if (result[name] === undefined || result[name] === null || result[name] === '') problems.push(`result.${name} is required`);
  }
  for (const [name, spec] of Object.entries(properties)) {
    const value = result[name];
    if (value === undefined || value === null) continue;
    const problem = valueProblem(spec, value);
    if (problem) problems.push(`result.${name} ${problem}`);
  }
  return problems;
}

function valueProblem(spec: Record<string, unknown>, value: unknown): string | undefined {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return 'must be a string';
      if (typeof spec.minLength === 'number' && value.trim().length < spec.minLength) return `must have at least ${spec.minLength} character(s)`;
      return undefined;
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || Number.isNaN(value) || (spec.type === 'integer' && !Number.isInteger(value))) return `must be ${spec.type === 'integer' ? 'an integer' : 'a number'}`;
      if (typeof spec.minimum === 'number' && value < spec.minimum) return `must be at least ${spec.minimum}`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'array':
      if (!Array.isArray(value)) return 'must be an array';
      if (typeof spec.minItems === 'number' && value.length < spec.minItems) return `must have at least ${spec.minItems} item(s)`;
      return undefined;
    case 'object':
      return value && typeof value === 'object' && !Array.isArray(value) ? undefined : 'must be an object';
    default:
      return undefined;
  }
}
