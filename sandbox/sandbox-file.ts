/**
 * The sandbox's world (examples/sandbox.yml): the Slack people, groups and channels the page
 * offers, and what moto starts with — roles and their policies, IAM users whose keys have
 * chosen ages and last uses, and secrets, some holding those keys. Validated with one line per
 * problem, like the bot's own config, so an operator trying out a policy sees what is wrong.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^C[A-Z0-9]{2,}$/;
const GROUP_ID = /^S[A-Z0-9]{2,}$/;
const NAME = /^[\w+=,.@-]{1,64}$/;
/** `{{REF.id}}` or `{{REF.secret}}`: the id or the secret of a key the file creates. */
export const KEY_TEMPLATE = /\{\{\s*([\w.-]+)\.(id|secret)\s*\}\}/g;

const policySchema = z
  .object({
    Version: z.literal('2012-10-17'),
    Statement: z
      .array(
        z
          .object({
            Effect: z.enum(['Allow', 'Deny']),
            Action: z.union([z.string(), z.array(z.string()).min(1)]),
            Resource: z.union([z.string(), z.array(z.string()).min(1)]),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

const personSchema = z
  .object({
    id: z.string().regex(SLACK_USER_ID, 'expected a Slack user ID like U0123ABCD'),
    name: z.string().regex(/^[a-z0-9._-]+$/, 'a Slack handle: lower-case letters, digits, ".", "_", "-"'),
    real_name: z.string().min(1),
    email: z.string().regex(/^[^\s@]+@[^\s@]+$/, 'expected an email address'),
    /** One line shown in the page's "who are you" picker. */
    about: z.string().default(''),
  })
  .strict();

const keySchema = z
  .object({
    /** A name for the key, used by `{{REF.id}}` / `{{REF.secret}}` in secret values. */
    ref: z.string().regex(/^[\w.-]+$/, 'letters, digits, ".", "_", "-"'),
    age_days: z.number().min(0).max(3650).default(0),
    /** Omitted: never used. */
    last_used_hours_ago: z.number().min(0).max(87600).optional(),
    /**
     * The tool the key's consumer calls AWS with, as its User-Agent (CloudTrail records it, and
     * the rotation's key callers show it). Omitted: the AWS SDK for JavaScript's own.
     */
    user_agent: z.string().min(1).max(300).optional(),
    active: z.boolean().default(true),
  })
  .strict()
  .refine(
    (k) => k.last_used_hours_ago === undefined || k.last_used_hours_ago <= k.age_days * 24,
    'last_used_hours_ago is before the key was created (age_days)',
  );

const fileSchema = z
  .object({
    slack: z
      .object({
        people: z.array(personSchema).min(1, 'needs at least one person'),
        groups: z
          .array(
            z
              .object({
                id: z.string().regex(GROUP_ID, 'expected a user-group ID like S0123ABCD'),
                handle: z.string().regex(/^[\w.-]+$/, 'a handle without "@"'),
                users: z.array(z.string().regex(SLACK_USER_ID, 'expected a Slack user ID')),
              })
              .strict(),
          )
          .default([]),
        channels: z
          .array(
            z
              .object({
                id: z.string().regex(CHANNEL_ID, 'expected a channel ID like C0123ABCD'),
                name: z.string().regex(/^[a-z0-9_-]{1,80}$/, 'a channel name: lower-case, digits, "-", "_"'),
                /** Omitted: everyone (the bot included). */
                members: z.array(z.string().regex(SLACK_USER_ID, 'expected a Slack user ID')).optional(),
              })
              .strict(),
          )
          .min(1, 'needs at least one channel'),
      })
      .strict(),
    aws: z
      .object({
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region like eu-west-1')
          .default('eu-west-1'),
        roles: z
          .array(
            z.object({ name: z.string().regex(NAME, 'an IAM role name'), policy: policySchema }).strict(),
          )
          .min(1, 'needs at least one role'),
        users: z
          .array(
            z
              .object({
                name: z.string().regex(NAME, 'an IAM user name'),
                /** One line shown in the page's AWS panel. */
                about: z.string().default(''),
                keys: z.array(keySchema).max(2, 'IAM allows at most two access keys per user').default([]),
              })
              .strict(),
          )
          .default([]),
        secrets: z
          .array(
            z
              .object({
                name: z.string().regex(/^[\w/+=.@-]{1,512}$/, 'a Secrets Manager name'),
                description: z.string().optional(),
                /** A string, or a JSON object; `{{REF.id}}` / `{{REF.secret}}` put a key in. */
                value: z.union([z.string(), z.record(z.string(), z.unknown())]),
                /**
                 * Tags, e.g. `locksmith:notify: C0123ABCD` for a notice on every reveal, or
                 * `locksmith:access-key-id: '{{REF.id}}'` as an earlier rotation leaves it (a tag
                 * value may name a key's id, never its secret: tags are not secret).
                 */
                tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
              })
              .strict(),
          )
          .default([]),
      })
      .strict(),
  })
  .strict()
  .superRefine((file, ctx) => {
    const people = new Set(file.slack.people.map((p) => p.id));
    const unknownPerson = (path: (string | number)[], id: string) => {
      if (!people.has(id)) ctx.addIssue({ code: 'custom', path, message: `${id} is not under slack.people` });
    };
    file.slack.groups.forEach((g, i) =>
      g.users.forEach((u, j) => unknownPerson(['slack', 'groups', i, 'users', j], u)),
    );
    file.slack.channels.forEach((c, i) =>
      c.members?.forEach((u, j) => unknownPerson(['slack', 'channels', i, 'members', j], u)),
    );
    const refs = new Set<string>();
    file.aws.users.forEach((u, i) =>
      u.keys.forEach((k, j) => {
        if (refs.has(k.ref))
          ctx.addIssue({
            code: 'custom',
            path: ['aws', 'users', i, 'keys', j, 'ref'],
            message: `"${k.ref}" is used twice`,
          });
        refs.add(k.ref);
      }),
    );
    const checkRefs = (text: string, path: (string | number)[]) => {
      for (const match of text.matchAll(KEY_TEMPLATE)) {
        if (!refs.has(match[1] ?? ''))
          ctx.addIssue({
            code: 'custom',
            path,
            message: `{{${match[1]}.${match[2]}}} names no key: add a key with ref "${match[1]}" under aws.users`,
          });
      }
    };
    file.aws.secrets.forEach((s, i) => {
      checkRefs(typeof s.value === 'string' ? s.value : JSON.stringify(s.value), [
        'aws',
        'secrets',
        i,
        'value',
      ]);
      for (const [key, value] of Object.entries(s.tags ?? {})) {
        const path = ['aws', 'secrets', i, 'tags', key];
        checkRefs(value, path);
        if ([...value.matchAll(KEY_TEMPLATE)].some((m) => m[2] === 'secret'))
          ctx.addIssue({ code: 'custom', path, message: 'a tag may hold a key id, never its secret' });
      }
    });
  });

export type SandboxFile = z.infer<typeof fileSchema>;
export type SandboxPerson = SandboxFile['slack']['people'][number];

/** The sandbox file is missing, unreadable or invalid; the message is for the person running it. */
export class SandboxFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxFileError';
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** Validates a parsed sandbox file; throws SandboxFileError with one line per problem. */
export function parseSandboxFile(raw: unknown, source: string): SandboxFile {
  const result = fileSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`
        : issue.message;
    return `${source}: ${formatPath(issue.path) || '(top level)'}: ${message}`;
  });
  throw new SandboxFileError(lines.join('\n'));
}

/** Reads and validates a sandbox file. */
export function loadSandboxFile(path: string): SandboxFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SandboxFileError(
      code === 'ENOENT' ? `sandbox file ${path} not found` : `sandbox file ${path} cannot be read (${code})`,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      throw new SandboxFileError(
        `${path}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML (${err.code})`,
      );
    }
    throw err;
  }
  return parseSandboxFile(raw, path);
}
