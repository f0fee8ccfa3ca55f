/**
 * Config-file problems in an operator's words. zod's own messages ("Too big: expected number to
 * be <=43200", "Invalid input: expected record, received undefined") name neither the allowed
 * range nor an example; here each problem says the field, what was found, what is allowed and
 * an example, read from the schema itself (its bounds and defaults), so a new field needs no
 * wording of its own unless it is required and has no default.
 */
import type { z } from 'zod';

/** Examples for fields that have no default to show, by their path with `*` for any key or index. */
const EXAMPLES: Record<string, string> = {
  roles: 'roles: { 2ndline: "arn:aws:iam::111111111111:role/locksmith-2ndline" }',
  'roles.*': '2ndline: "arn:aws:iam::111111111111:role/locksmith-2ndline"',
  'people.*': 'U012AB3CD: [2ndline]',
  'groups.*': 'oncall: [2ndline]',
  'approvals.channel': 'channel: C0123ABCD',
  'approvals.approvers': 'approvers: { groups: [platform-leads] }',
  'rotation.notify_channel': 'notify_channel: C0123ABCD',
  'rotation.third_party_places.*':
    '{ name: Datadog, link: "https://app.datadoghq.com/organization-settings/api-keys" }',
  'rotation.third_party_places.*.name': 'name: Datadog',
  'rotation.third_party_places.*.link': 'link: "https://app.datadoghq.com/organization-settings/api-keys"',
  'rotation.due_report': 'due_report: { channel: C0123ABCD, schedule: "mon 09:00" }',
  'rotation.due_report.channel': 'channel: C0123ABCD',
  'rotation.due_report.schedule': 'schedule: "mon 09:00"',
  'store.dynamodb.table': 'dynamodb: { table: locksmith-state }',
  'approvals.guarded_tag.key': 'guarded_tag: { key: "locksmith:guarded", value: "true" }',
  'approvals.guarded_tag.value': 'guarded_tag: { key: "locksmith:guarded", value: "true" }',
};

/** The unit a number field counts in, from its name. */
function unitOf(field: string): [string, string] | undefined {
  const units: Array<[RegExp, [string, string]]> = [
    [/_ms$/, ['millisecond', 'milliseconds']],
    [/_seconds$/, ['second', 'seconds']],
    [/_minutes$|^minutes$/, ['minute', 'minutes']],
    [/_hours$/, ['hour', 'hours']],
    [/_days$/, ['day', 'days']],
  ];
  return units.find(([re]) => re.test(field))?.[1];
}

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  shape?: Record<string, AnySchema>;
  valueType?: AnySchema;
  element?: AnySchema;
  defaultValue?: unknown;
}

function defOf(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Through optional, default, pipe (transform) and the like, to the schema that checks. */
function unwrap(schema: AnySchema): { schema: AnySchema; defaultValue?: unknown } {
  let s = schema;
  let defaultValue: unknown;
  for (let i = 0; i < 10; i++) {
    const def = defOf(s);
    if (def.type === 'default' || def.type === 'prefault') {
      if (defaultValue === undefined) defaultValue = def.defaultValue;
      s = def.innerType!;
    } else if (def.type === 'optional' || def.type === 'nullable' || def.type === 'readonly') {
      s = def.innerType!;
    } else if (def.type === 'pipe') {
      s = def.in!;
    } else break;
  }
  return { schema: s, defaultValue };
}

/** The schema of the field at `path`, and its default; undefined where the path leaves the schema. */
function schemaAt(root: AnySchema, path: ReadonlyArray<PropertyKey>) {
  let current = unwrap(root);
  for (const key of path) {
    const def = defOf(current.schema);
    let next: AnySchema | undefined;
    if (def.type === 'object') next = def.shape?.[String(key)];
    else if (def.type === 'record') next = def.valueType;
    else if (def.type === 'array') next = def.element;
    if (!next) return undefined;
    current = unwrap(next);
  }
  return current;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = raw;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key as string];
  }
  return v;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}

function exampleFor(path: ReadonlyArray<PropertyKey>): string | undefined {
  const exact = path.map(String).join('.');
  const wild = path.map((p, i) =>
    i > 0 && (typeof p === 'number' || defOfKeyIsDynamic(path, i)) ? '*' : String(p),
  );
  return EXAMPLES[exact] ?? EXAMPLES[wild.join('.')];
}

/** roles/people/groups keys are names the operator chose: match them as `*`. */
function defOfKeyIsDynamic(path: ReadonlyArray<PropertyKey>, i: number): boolean {
  return i === 1 && ['roles', 'people', 'groups'].includes(String(path[0]));
}

const KIND: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  record: 'a map',
  object: 'a map of fields',
};

interface NumberChecks {
  minValue?: number | null;
  maxValue?: number | null;
  isInt?: boolean;
}

/** "a whole number of minutes from 1 to 1440, e.g. 15" for the number field at `path`. */
function numberRule(root: AnySchema, path: ReadonlyArray<PropertyKey>): string | undefined {
  const at = schemaAt(root, path);
  if (!at) return undefined;
  const n = at.schema as unknown as NumberChecks;
  if (defOf(at.schema).type !== 'number') return undefined;
  const unit = unitOf(String(path.at(-1) ?? ''));
  const what = `${n.isInt ? 'a whole number' : 'a number'}${unit ? ` of ${unit[1]}` : ''}`;
  const min = Number.isFinite(n.minValue) ? n.minValue : undefined;
  const max = Number.isFinite(n.maxValue) ? n.maxValue : undefined;
  const range =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` of at least ${min}`
        : max !== undefined
          ? ` of at most ${max}`
          : '';
  const example = typeof at.defaultValue === 'number' ? at.defaultValue : (min ?? max);
  return `${what}${range}${example !== undefined ? `, e.g. ${String(path.at(-1))}: ${example}${typeof at.defaultValue === 'number' ? ' (the default)' : ''}` : ''}`;
}

/**
 * One problem of the config file, worded for the operator: what was found, what is allowed, and
 * an example. `raw` is the parsed YAML, to say what was found.
 */
export function explainIssue(issue: z.core.$ZodIssue, root: AnySchema, raw: unknown): string {
  const path = issue.path;
  const found = valueAt(raw, path);
  switch (issue.code) {
    case 'too_big':
    case 'too_small': {
      const rule = numberRule(root, path);
      if (rule) return `${shown(found)} is too ${issue.code === 'too_big' ? 'big' : 'small'}: ${rule}`;
      if (issue.origin === 'array') {
        const bound =
          issue.code === 'too_big' ? `at most ${String(issue.maximum)}` : `at least ${String(issue.minimum)}`;
        return `${issue.message.startsWith('Too') ? `${bound} entries are allowed` : issue.message}`;
      }
      if (issue.origin === 'string') {
        return issue.code === 'too_small'
          ? `must not be empty${exampleFor(path) ? `, e.g. ${exampleFor(path)}` : ''}`
          : `is too long: at most ${String(issue.maximum)} characters`;
      }
      return issue.message;
    }
    case 'invalid_type': {
      const expected = KIND[issue.expected] ?? issue.expected;
      const rule =
        issue.expected === 'number' || issue.expected === 'int' ? numberRule(root, path) : undefined;
      const example = rule ? undefined : exampleFor(path);
      const head =
        found === undefined ? `missing: expected ${expected}` : `expected ${expected}, found ${shown(found)}`;
      return `${head}${rule ? `: ${rule}` : ''}${example ? `, e.g. ${example}` : ''}`;
    }
    case 'invalid_value':
      return `${shown(found)} is not allowed: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default: {
      const example = exampleFor(path);
      // A rule written for this project already names what is allowed; add an example where known.
      return example && !/\be\.g\.|\blike\b/.test(issue.message)
        ? `${issue.message}, e.g. ${example}`
        : issue.message;
    }
  }
}
