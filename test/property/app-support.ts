/**
 * Shared pieces of the property tests that drive the running app over HTTP: a harness with
 * every feature switched on (secrets, edit, /totp, approvals, rotation, Home), a watch for
 * unhandled rejections and uncaught exceptions, signed posting of raw payloads with a 3-second
 * answer deadline, and the checks every run ends with (no ping in anything Slack shows, no
 * canary in any log line).
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { READ_ALL_SECRETS, roleArn } from '../../devkit/aws-seed.js';
import type { SentRequest } from '../../devkit/slack-request-sender.js';
import { type Harness, startHarness } from '../support/app-harness.js';
import {
  CANARY_PASSWORD,
  CANARY_SEED,
  CANARY_TOKEN,
  ROTATE_KEYS,
  editConfig,
  editSeed,
  usergroups,
  users,
} from '../support/fixtures.js';

export const APPROVALS = 'C0APPROVALS';
export const SECONDLINE = 'C0SECONDLINE';

/** Values that may reach the asker's own ephemeral reply or modal, and nothing else. */
export const CANARIES = [CANARY_PASSWORD, CANARY_TOKEN, CANARY_SEED];

/**
 * A harness with every feature on: the people of fixtures.ts, approvals and rotation.
 * `overrides` replace top-level config sections (e.g. `aws` timeouts).
 */
export function startFullHarness(overrides: Record<string, unknown> = {}): Promise<Harness> {
  return startHarness({
    config: {
      ...editConfig,
      ...overrides,
      roles: { ...editConfig.roles, rotator: roleArn('locksmith-rotator') },
      people: { ...editConfig.people, U0DAVE: ['rotator', 'editor'] },
      approvals: {
        channel: APPROVALS,
        approvers: { people: ['U0BOB'] },
        guarded_secrets: ['prod/*'],
        guarded_edits: ['prod/*'],
        break_glass: true,
      },
      rotation: { notify_channel: SECONDLINE },
    },
    seed: {
      ...editSeed,
      roles: [
        ...(editSeed.roles ?? []),
        { name: 'locksmith-rotator', policy: ROTATE_KEYS },
        { name: 'locksmith-reader', policy: READ_ALL_SECRETS },
      ],
    },
    users: [...users, { id: 'U0DAVE', name: 'dave', email: 'dave@example.com' }],
    usergroups,
    enforceIam: true,
  });
}

/**
 * Secrets Manager as Alice's `editor` role sees it (IAM is enforced in moto): how the tests
 * look at secrets and their versions without going through the bot's replies.
 */
export async function editorClient(h: Harness): Promise<SecretsManagerClient> {
  const person = await h.deps.directory.lookup('U0ALICE', 'T0STANDIN');
  const session = await h.deps.sessions.sessionFor(person, {
    name: 'editor',
    arn: h.seeded.roleArns['locksmith-editor']!,
  });
  return session.clients.secretsManager;
}

/**
 * Collects unhandled rejections and uncaught exceptions while a property runs. Node's test
 * runner would report them only as a vague failure of some later test, if at all.
 */
export function watchCrashes(): { problems: string[]; stop(): void } {
  const problems: string[] = [];
  const onRejection = (reason: unknown) => problems.push(`unhandledRejection: ${String(reason)}`);
  const onException = (err: unknown) => problems.push(`uncaughtException: ${String(err)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    problems,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/**
 * POSTs a raw form body to the bot, signed as Slack signs it, and fails if no HTTP answer
 * came within Slack's 3 seconds (the bot's own work is milliseconds; 3 s is Slack's limit).
 */
export async function postSigned(
  h: Harness,
  rawBody: string,
  contentType = 'application/x-www-form-urlencoded',
): Promise<SentRequest> {
  const res = await fetch(h.eventsUrl, {
    method: 'POST',
    headers: { 'content-type': contentType, ...h.sender.sign(rawBody) },
    body: rawBody,
    signal: AbortSignal.timeout(3000),
  });
  const body = await res.text();
  return { status: res.status, body };
}

/** Signs and posts an interaction payload (`payload=<json>`), as Slack sends interactions. */
export function postPayload(h: Harness, payload: unknown): Promise<SentRequest> {
  return postSigned(h, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
}

/** Waits until Slack-facing activity stops for `quietMs`, so late replies are checked too. */
export async function settle(h: Harness, quietMs = 150, maxMs = 5000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let seen = -1;
  while (Date.now() < deadline) {
    const now = h.slack.calls.length + h.slack.responseUrlPosts.length + h.logs.length;
    if (now === seen) return;
    seen = now;
    await delay(quietMs);
  }
}

/** Where a text pings people or forges a link: `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>`. */
export function pingIn(text: string): string | undefined {
  const m = /<!(channel|here|everyone|subteam\^)/i.exec(text);
  return m ? text.slice(Math.max(0, m.index - 30), m.index + 30) : undefined;
}

/**
 * Everything the bot sent to Slack since index `from` of each record: Web API arguments and
 * response_url bodies, as JSON text.
 */
export function slackOutput(h: Harness, from = { calls: 0, posts: 0 }): string[] {
  return [
    ...h.slack.calls.slice(from.calls).map((c) => `${c.method} ${shown(c.args)}`),
    ...h.slack.responseUrlPosts.slice(from.posts).map((p) => `response_url ${shown(p.body)}`),
  ];
}

/** Fields Slack never displays: the bot's own bookkeeping carried through a view or a button. */
const NOT_DISPLAYED = new Set([
  'private_metadata',
  'value',
  'action_id',
  'block_id',
  'callback_id',
  'external_id',
]);

/**
 * JSON of what Slack would parse for mentions in a call's arguments: `plain_text` objects are
 * shown as typed (a `<!channel>` there pings nobody), so they are left out with the bookkeeping.
 */
function shown(args: unknown): string {
  return JSON.stringify(args, (key, v: unknown) =>
    NOT_DISPLAYED.has(key) ||
    (typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'plain_text')
      ? undefined
      : v,
  );
}

/** A mark to check only what happened after it with {@link assertCleanOutput}. */
export function mark(h: Harness): { calls: number; posts: number; logs: number } {
  return { calls: h.slack.calls.length, posts: h.slack.responseUrlPosts.length, logs: h.logs.length };
}

/**
 * Log lines since `from` of errors nobody handled: a listener that threw (Bolt's error
 * handler logs those as "unexpected error" with an incident ref). A forged payload must meet a
 * clear refusal, not a bug.
 */
export function unexpectedErrors(h: Harness, from: { logs: number }): string[] {
  return h.logs
    .slice(from.logs)
    .filter((l) => /"msg":"unexpected error"|"level":50/.test(l))
    .map((l) => l.slice(0, 400));
}

/**
 * Nothing the bot sent to Slack since `from` pings anyone, and no log line since then holds a
 * canary value (the seeded ones, or `extra`).
 */
export function assertCleanOutput(
  h: Harness,
  from: { calls: number; posts: number; logs: number },
  extra: readonly string[] = [],
): void {
  for (const out of slackOutput(h, from)) {
    const ping = pingIn(out);
    assert.equal(ping, undefined, `the bot sent a ping to Slack: …${ping}… in ${out.slice(0, 300)}`);
  }
  const canaries = [...CANARIES, ...extra].filter((c) => c.length >= 8);
  for (const line of h.logs.slice(from.logs)) {
    for (const canary of canaries) {
      assert.ok(!line.includes(canary), `a log line holds a secret value: ${line.slice(0, 300)}`);
    }
  }
}
