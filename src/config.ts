/**
 * The one place that reads the environment and the config file. Everything else gets a
 * validated {@link Config}. Errors name the field and what is wrong, in one line each, so an
 * operator can fix a policy file without reading a stack trace.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { explainIssue } from './config-errors.js';
import { guardSessionPolicy, guardsOf, MAX_SESSION_POLICY_CHARS } from './aws/session-policy.js';
import { DUE_SCHEDULE_HELP, parseDueSchedule } from './core/due-schedule.js';

/** `store`: the SQLite file under data_dir (default), or a DynamoDB table; exactly one. */
export type StoreConfig =
  | { data_dir: string; dynamodb?: undefined }
  | { dynamodb: { table: string; region?: string | undefined }; data_dir?: undefined };

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

const roleNames = z.array(z.string().min(1)).min(1, 'needs at least one role');

const minutes = (max: number) => z.number().int().min(1).max(max);

/**
 * A secret-name glob: the characters AWS allows in secret names, and `*`; `ssm:` before it for
 * Parameter Store names. IAM gets them as ARN patterns in a session policy, whose text STS takes
 * only in ASCII.
 */
const secretGlob = z
  .string()
  .regex(
    /^(ssm:)?[\w/+=.@*-]{1,512}$/,
    'a secret name glob (or ssm: and a parameter name glob): letters, digits, / _ + = . @ - and * only',
  );

/** Partitions whose ARNs are the longest: the session policy's length is checked for them. */
const SESSION_POLICY_PARTITIONS = ['aws', 'aws-us-gov', 'aws-iso-b'];

const approvalsSchema = z
  .object({
    /** Channel ID (C…) where requests are posted; the bot must be a member. */
    channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'expected a Slack channel ID like C0123ABCD'),
    approvers: z
      .object({
        people: z
          .array(
            z
              .string()
              .refine((k) => SLACK_USER_ID.test(k) || EMAIL.test(k), 'expected a Slack user ID or an email'),
          )
          .default([]),
        groups: z.array(z.string().regex(/^[\w.-]+$/, 'user-group handles, without "@"')).default([]),
      })
      .strict()
      .refine((a) => a.people.length + a.groups.length > 0, 'name at least one approver (people or groups)'),
    /** How long a request stays open, per kind of request. */
    expiry_minutes: z
      .object({
        reveal: minutes(1440).default(30),
        edit: minutes(1440).default(60),
        default: minutes(10080).default(60),
      })
      .strict()
      .default({ reveal: 30, edit: 60, default: 60 }),
    /** Let a requester approve their own request with a reason; every approver is told at once. */
    break_glass: z.boolean().default(false),
    /** Secret name globs whose reveal (and /totp) needs an approval first. */
    guarded_secrets: z.array(secretGlob).default([]),
    /** How long the Reveal button of an approved request stays usable. */
    reveal_grant_minutes: minutes(120).default(10),
    /** Secret name globs whose /secret edit needs an approval first. */
    guarded_edits: z.array(secretGlob).default([]),
    /**
     * A resource tag that guards a secret for reveals and edits alike, in IAM: ordinary
     * sessions' session policy denies reading or changing any secret that carries it.
     */
    guarded_tag: z
      .object({
        key: z.string().regex(/^[\w.:/=+@-]{1,128}$/, 'a tag key: letters, digits and _ . : / = + - @'),
        value: z
          .string()
          .regex(/^[\w.:/=+@ -]{0,256}$/, 'a tag value: letters, digits, spaces and _ . : / = + - @'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((approvals, ctx) => {
    // IAM enforces the guards through a session policy, which STS limits to 2,048 characters.
    const longest = Math.max(
      ...SESSION_POLICY_PARTITIONS.map(
        (partition) => guardSessionPolicy(guardsOf(approvals), partition)?.length ?? 0,
      ),
    );
    if (longest > MAX_SESSION_POLICY_CHARS) {
      ctx.addIssue({
        code: 'custom',
        path: ['guarded_secrets'],
        message: `the guards make a session policy of ${longest} characters, and AWS allows ${MAX_SESSION_POLICY_CHARS}: use fewer, broader globs (e.g. "prod/*" instead of each prod secret), or a guarded_tag`,
      });
    }
  });

const SLACK_CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

/** `/rotate-key`: the access-key rotation workflow (docs/rotation.md). */
const rotationSchema = z
  .object({
    /** A key this old (days) is overdue; two weeks before, it is due. */
    max_key_age_days: z.number().int().min(1).max(3650).default(90),
    /** How often the switch-over wait reads GetAccessKeyLastUsed (minutes). */
    poll_minutes: z.number().int().min(1).max(1440).default(15),
    /** How long the old key must be unused before it may be deactivated (hours). */
    quiet_hours: z
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(24),
    /** Days between deactivating the old key and asking to delete it. */
    grace_days: z.number().int().min(0).max(365).default(7),
    /** Channel ID (C…) of 2ndline, told before a key is deactivated. The bot must be a member. */
    notify_channel: z.string().regex(SLACK_CHANNEL_ID, 'expected a Slack channel ID like C0123ABCD'),
    /** Places outside AWS that hold keys: a checklist ticked off by hand after the new key is made. */
    third_party_places: z
      .array(
        z
          .object({
            name: z.string().min(1).max(80),
            link: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
          })
          .strict(),
      )
      .max(20)
      .default([]),
    /** Which steps need an approval in the approvals channel (the `approvals` section). */
    approvals: z
      .object({
        require_for_delete_extra: z.boolean().default(true),
        require_for_deactivate: z.boolean().default(true),
        require_for_delete: z.boolean().default(true),
      })
      .strict()
      .default({ require_for_delete_extra: true, require_for_deactivate: true, require_for_delete: true }),
    /**
     * Role (a name under `roles`) for work nobody clicked for: scheduled polls, approved steps.
     * It is assumed with the requester's SourceIdentity. Default: the role the rotation runs under.
     */
    background_role: z.string().min(1).optional(),
    /**
     * Per role (a name under `roles`), overrides of `approvals`: a field left out keeps the
     * global value. Lets a sandbox account deactivate without an approver.
     */
    approvals_by_role: z
      .record(
        z.string().min(1),
        z
          .object({
            require_for_delete_extra: z.boolean().optional(),
            require_for_deactivate: z.boolean().optional(),
            require_for_delete: z.boolean().optional(),
          })
          .strict(),
      )
      .default({}),
    /**
     * IAM user-name globs left out of `/rotate-key due` and the user picker: users that are part
     * of the set-up (locksmith's own user, a console's), not things to rotate from Slack.
     */
    ignore_users: z.array(z.string().min(1).max(128)).max(100).default([]),
    /** IAM user-name globs of SES SMTP users: they are replaced (new user), not rotated. */
    smtp_users: z.array(z.string().min(1)).default([]),
    /** An IAM user tag that also marks an SES SMTP user (read with ListUserTags). */
    smtp_user_tag: z
      .object({ key: z.string().min(1).max(128), value: z.string().max(256) })
      .strict()
      .optional(),
    /**
     * The scheduled keys-due report: posted in `channel` (the bot must be a member) at each
     * `schedule` time, UTC: "09:00" (daily) or "mon 09:00" (weekly). Runs under
     * `background_role`, which is then required.
     */
    due_report: z
      .object({
        channel: z.string().regex(SLACK_CHANNEL_ID, 'expected a Slack channel ID like C0123ABCD'),
        schedule: z.string().refine((text) => {
          try {
            parseDueSchedule(text);
            return true;
          } catch {
            return false;
          }
        }, DUE_SCHEDULE_HELP),
      })
      .strict()
      .optional(),
  })
  .strict();

/** CloudTrail look-ups: `/secret who` and the key callers of `/rotate-key` (docs/iam.md). */
const TRAIL_DEFAULTS = {
  budget_seconds: 10,
  cache_seconds: 60,
  who_days: 30,
  who_shown: 12,
  requests_per_second: 2,
  key_days: 7,
  key_regions: [] as string[],
};
const trailSchema = z
  .object({
    /** Longest time one answer may take. CloudTrail allows 2 look-ups a second per account and Region. */
    budget_seconds: z.number().int().min(2).max(60).default(TRAIL_DEFAULTS.budget_seconds),
    /** How long an answer is reused before CloudTrail is asked for newer events. */
    cache_seconds: z.number().int().min(0).max(3600).default(TRAIL_DEFAULTS.cache_seconds),
    /** `/secret who` looks this many days back unless `--days` says otherwise (at most 90). */
    who_days: z.number().int().min(1).max(90).default(TRAIL_DEFAULTS.who_days),
    /** Accesses `/secret who` lists one by one; the rest are counted. */
    who_shown: z.number().int().min(1).max(30).default(TRAIL_DEFAULTS.who_shown),
    /** Look-ups per second per account and Region; CloudTrail's limit is 2. Lower it to leave room. */
    requests_per_second: z.number().min(0.1).max(2).default(TRAIL_DEFAULTS.requests_per_second),
    /** How many days back the rotation's key callers look. */
    key_days: z.number().int().min(1).max(90).default(TRAIL_DEFAULTS.key_days),
    /** Regions the key callers look in besides the bot's own (CloudTrail answers per Region). */
    key_regions: z
      .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected a Region like us-east-1'))
      .max(5)
      .default(TRAIL_DEFAULTS.key_regions),
  })
  .strict()
  .default(TRAIL_DEFAULTS);

const fileSchema = z
  .object({
    roles: z
      .record(
        z.string().regex(/^[\w.-]+$/, 'role names may use letters, digits, "_", "-" and "."'),
        z.string().regex(ROLE_ARN, 'expected an IAM role ARN like arn:aws:iam::123456789012:role/NAME'),
      )
      .refine((r) => Object.keys(r).length > 0, 'define at least one role'),
    people: z
      .record(
        z
          .string()
          .refine((k) => SLACK_USER_ID.test(k) || EMAIL.test(k), 'keys must be a Slack user ID or an email'),
        roleNames,
      )
      .default({}),
    groups: z
      .record(z.string().regex(/^[\w.-]+$/, 'keys are Slack user-group handles, without "@"'), roleNames)
      .default({}),
    access: z
      .object({
        contact: z.string().min(1).default('the platform team'),
        /**
         * Enterprise Grid: the org (E…) whose members may use locksmith from any of its
         * workspaces. Without it, only members of the workspace locksmith is installed in may.
         */
        enterprise_id: z
          .string()
          .regex(/^E[A-Z0-9]{2,}$/, 'expected an Enterprise Grid org ID like E0123ABCD')
          .optional(),
      })
      .strict()
      .default({ contact: 'the platform team' }),
    aws: z
      .object({
        region: z.string().min(1).optional(),
        session_duration_seconds: z.number().int().min(900).max(43200).default(3600),
        // The SDK waits forever for a hung endpoint unless told otherwise; these bound each
        // attempt, and max_attempts bounds the retries, so a person always gets an answer.
        request_timeout_ms: z.number().int().min(50).max(60_000).default(3000),
        connect_timeout_ms: z.number().int().min(50).max(60_000).default(1000),
        max_attempts: z.number().int().min(1).max(10).default(3),
      })
      .strict()
      .default({
        session_duration_seconds: 3600,
        request_timeout_ms: 3000,
        connect_timeout_ms: 1000,
        max_attempts: 3,
      }),
    reveal: z
      .object({
        ttl_seconds: z.number().int().min(1).max(900).default(60),
        // A new key pair or SMTP password is shown once (nothing can show it again): more time to
        // copy it into the places that need it by hand.
        one_time_ttl_seconds: z.number().int().min(30).max(1800).default(600),
      })
      .strict()
      .default({ ttl_seconds: 60, one_time_ttl_seconds: 600 }),
    otp: z
      .object({ seed_fields: z.array(z.string().min(1)).default(['2fa-seed']) })
      .strict()
      .default({ seed_fields: ['2fa-seed'] }),
    secrets: z
      .object({ list_limit: z.number().int().min(1).max(45).default(40) })
      .strict()
      .default({ list_limit: 40 }),
    slack: z
      .object({
        user_cache_seconds: z.number().int().min(0).max(3600).default(60),
        // The Web API client waits forever for an answer unless told otherwise.
        api_timeout_ms: z.number().int().min(50).max(60_000).default(5000),
      })
      .strict()
      .default({ user_cache_seconds: 60, api_timeout_ms: 5000 }),
    // Either a SQLite file under data_dir (the default, one replica) or a DynamoDB table
    // shared by several replicas; never both.
    store: z
      .object({
        data_dir: z.string().min(1).optional(),
        dynamodb: z
          .object({ table: z.string().min(1), region: z.string().min(1).optional() })
          .strict()
          .optional(),
      })
      .strict()
      .refine((s) => s.data_dir === undefined || s.dynamodb === undefined, {
        message: 'set either store.data_dir (SQLite) or store.dynamodb (DynamoDB), not both',
      })
      .transform((s): StoreConfig =>
        s.dynamodb !== undefined ? { dynamodb: s.dynamodb } : { data_dir: s.data_dir ?? './data' },
      )
      .default({ data_dir: './data' }),
    // The periodic jobs (expiries, hides, rotation polls, the keys-due report). With several
    // replicas each job runs under a lease: a replica that dies holding one is replaced after
    // lease_ms. Tests shorten both to keep replica tests fast.
    scheduler: z
      .object({
        /** Time between ticks. */
        interval_ms: z.number().int().min(100).max(300_000).default(5000),
        /** How long a job's lease lasts without renewal; at least twice interval_ms. */
        lease_ms: z.number().int().min(500).max(3_600_000).default(30_000),
      })
      .strict()
      .refine((s) => s.lease_ms >= 2 * s.interval_ms, {
        message: 'lease_ms must be at least twice interval_ms, so that the holder renews it in time',
        path: ['lease_ms'],
      })
      .default({ interval_ms: 5000, lease_ms: 30_000 }),
    approvals: approvalsSchema.optional(),
    rotation: rotationSchema.optional(),
    trail: trailSchema,
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const rotation = cfg.rotation;
    if (rotation?.background_role !== undefined && !Object.hasOwn(cfg.roles, rotation.background_role)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rotation', 'background_role'],
        message: `role "${rotation.background_role}" is not defined under roles`,
      });
    }
    if (rotation?.due_report && rotation.background_role === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['rotation', 'due_report'],
        message:
          'the scheduled keys-due report runs with nobody at the keyboard, under rotation.background_role: set background_role to a role under roles',
      });
    }
    if (rotation && !cfg.approvals && Object.values(rotation.approvals).some(Boolean)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rotation', 'approvals'],
        message:
          'rotation steps need approvals, but there is no `approvals` section (channel and approvers); add one, or set rotation.approvals.require_for_* to false',
      });
    }
    for (const [role, overrides] of Object.entries(rotation?.approvals_by_role ?? {})) {
      if (!Object.hasOwn(cfg.roles, role)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rotation', 'approvals_by_role', role],
          message: `role "${role}" is not defined under roles`,
        });
      } else if (!cfg.approvals && Object.values(overrides).some(Boolean)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rotation', 'approvals_by_role', role],
          message: 'this role needs approvals, but there is no `approvals` section (channel and approvers)',
        });
      }
    }
    const known = new Set(Object.keys(cfg.roles));
    for (const section of ['people', 'groups'] as const) {
      for (const [who, names] of Object.entries(cfg[section])) {
        names.forEach((name, i) => {
          if (!known.has(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [section, who, i],
              message: `role "${name}" is not defined under roles`,
            });
          }
        });
      }
    }
  });

export type FileConfig = z.infer<typeof fileSchema>;

export type Transport =
  | { kind: 'socket'; appToken: string; healthPort: number }
  | { kind: 'http'; signingSecret: string; port: number };

export interface Config extends FileConfig {
  slackBotToken: string;
  transport: Transport;
  /** Only for tests and the sandbox: where the Slack Web API is. Unset means real Slack. */
  slackApiUrl?: string;
  /** The region AWS calls go to: `aws.region`, else AWS_REGION, else undefined (SDK default). */
  awsRegion?: string;
  logLevel: string;
  configPath: string;
}

/** A configuration problem, already worded for the operator. */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** Validates parsed YAML; throws ConfigError listing every problem, one per line. */
export function parseConfigFile(raw: unknown, source: string): FileConfig {
  if (raw === null || raw === undefined) {
    throw new ConfigError(
      `${source}: the file is empty: it needs at least a roles section, e.g.\nroles:\n  2ndline: arn:aws:iam::111111111111:role/locksmith-2ndline\n(locksmith.example.yml explains every field)`,
    );
  }
  const result = fileSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const field = formatPath(issue.path) || '(top level)';
    let message = explainIssue(issue, fileSchema, raw);
    if (issue.code === 'unrecognized_keys')
      message = `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    // zod reports a bad record key as "Invalid key in record"; the key's own rule says why.
    if (issue.code === 'invalid_key') message = issue.issues[0]?.message ?? message;
    return `${source}: ${field}: ${message}`;
  });
  throw new ConfigError(lines.join('\n'));
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError(
        `config file ${path} not found: set LOCKSMITH_CONFIG to its path, or copy locksmith.example.yml to ./locksmith.yml`,
      );
    }
    throw new ConfigError(`config file ${path} cannot be read (${code ?? 'unknown error'})`);
  }
  try {
    return parseYaml(text, { maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      throw new ConfigError(`${path}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML (${err.code})`);
    }
    // The yaml package refuses an alias bomb (aliases expanding to millions of nodes) with a
    // plain ReferenceError, not a YAMLParseError: without this it crashed start-up with a stack.
    if (err instanceof ReferenceError) {
      throw new ConfigError(
        /excessive alias/i.test(err.message)
          ? `${path}: not valid YAML (its aliases expand too far, as in an alias bomb: at most ${MAX_YAML_ALIASES} are allowed)`
          : `${path}: not valid YAML (an alias names an anchor that is not defined before it)`,
      );
    }
    throw err;
  }
}

/**
 * The yaml package's limit on alias expansion (its default too, stated here so that a library
 * upgrade cannot lift it): a policy file may reuse a role list with `*anchor`, but an alias bomb
 * (nested aliases that expand to millions of nodes) is refused instead of eating the heap.
 */
export const MAX_YAML_ALIASES = 100;

function parsePort(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name}="${value}" is not a port number (0-65535)`);
  }
  return port;
}

/**
 * Loads the whole configuration from the environment and the config file.
 * Tokens come only from the environment, never from the file, so the file can be reviewed
 * and committed like any policy.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const slackBotToken = env.SLACK_BOT_TOKEN;
  if (!slackBotToken) {
    throw new ConfigError('SLACK_BOT_TOKEN is not set: set it to the bot token (xoxb-…) from your Slack app');
  }
  if (!slackBotToken.startsWith('xoxb-')) {
    throw new ConfigError('SLACK_BOT_TOKEN does not look like a bot token: it starts with xoxb-');
  }
  let transport: Transport;
  if (env.SLACK_APP_TOKEN) {
    // A bot token here would make the Socket Mode client retry forever instead of failing.
    if (!env.SLACK_APP_TOKEN.startsWith('xapp-')) {
      throw new ConfigError(
        'SLACK_APP_TOKEN does not look like an app-level token: it starts with xapp- (Basic Information → App-Level Tokens)',
      );
    }
    transport = {
      kind: 'socket',
      appToken: env.SLACK_APP_TOKEN,
      healthPort: parsePort(env.PORT, 'PORT', 3000),
    };
  } else {
    if (!env.SLACK_SIGNING_SECRET) {
      throw new ConfigError(
        'neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is set: set one of them',
      );
    }
    transport = {
      kind: 'http',
      signingSecret: env.SLACK_SIGNING_SECRET,
      port: parsePort(env.PORT, 'PORT', 3000),
    };
  }
  const configPath = env.LOCKSMITH_CONFIG || './locksmith.yml';
  const file = parseConfigFile(readConfigFile(configPath), configPath);
  return {
    ...file,
    slackBotToken,
    transport,
    slackApiUrl: env.SLACK_API_URL || undefined,
    awsRegion: file.aws.region ?? (env.AWS_REGION || undefined),
    logLevel: env.LOG_LEVEL || 'info',
    configPath,
  };
}
