/**
 * Notify on view: a secret tagged `locksmith:notify` with a Slack channel ID as its value gets a
 * notice in that channel every time locksmith shows it (a reveal, an approved reveal, a one-time
 * code): who, when, under which role. Never the value. The tag is read under the person's own
 * role once the value has been read (DescribeSecret for a secret, ListTagsForResource for a
 * Parameter Store parameter, `ssm:` names), and the reveal does not wait for it; the notice is
 * audited (`secret.notify`), and one that cannot be delivered is logged and audited as an error
 * (the bot must be a member of the channel).
 */
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { ListTagsForResourceCommand } from '@aws-sdk/client-ssm';
import type { AuditEvent, AuditLog } from '../audit/audit-events.js';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../audit/logger.js';
import type { Clock } from '../core/clock.js';
import type { Caller } from '../identity/caller.js';
import { isParameterName, parameterNameOf } from '../aws/secret-names.js';
import { section, type SlackMessage } from '../slack/block-kit.js';
import { code, escapeMrkdwn, slackDate } from '../slack/mrkdwn.js';

/** The tag that asks for notices, and the form of its value: a channel ID. */
export const NOTIFY_TAG = 'locksmith:notify';
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

/** How the secret was shown. */
export type ViewKind = 'reveal' | 'approved reveal' | 'one-time code';

export interface ViewNotice {
  caller: Caller;
  /** The secret's name as AWS returned it. */
  secretName: string;
  kind: ViewKind;
  /** Slack user ID of the approver, for an approved reveal. */
  approvedBy?: string;
}

/** The channel a secret's tags ask notices for; undefined when none (or not a channel ID). */
export function notifyChannelOf(
  tags: Array<{ Key?: string; Value?: string }> | undefined,
): string | undefined {
  const value = tags?.find((t) => t.Key === NOTIFY_TAG)?.Value?.trim();
  return value && CHANNEL_ID.test(value) ? value : undefined;
}

/** The notice: who saw which secret, how, when, under which role. */
export function buildViewNotice(notice: ViewNotice, at: Date): SlackMessage {
  const who = notice.caller.person.email
    ? `<@${notice.caller.person.slackId}> (${escapeMrkdwn(notice.caller.person.email)})`
    : `<@${notice.caller.person.slackId}>`;
  const what =
    notice.kind === 'one-time code'
      ? `generated a one-time code from ${code(notice.secretName)}`
      : notice.kind === 'approved reveal'
        ? `revealed ${code(notice.secretName)} after an approval${notice.approvedBy ? ` by <@${notice.approvedBy}>` : ''}`
        : `revealed ${code(notice.secretName)}`;
  return {
    text: `<@${notice.caller.person.slackId}> ${notice.kind === 'one-time code' ? 'used' : 'revealed'} ${notice.secretName}`,
    blocks: [
      section(
        `:eye: ${who} ${what} under role ${code(notice.caller.role.name)}, ${slackDate(at)}. ` +
          `Only they saw it; this channel is told because the secret has the tag \`${NOTIFY_TAG}\`.`,
      ),
    ],
  };
}

/** What a view notice needs of the bot's dependencies (deps.ts's Deps has it). */
export interface ViewNoticeDeps {
  logger: Logger;
  clock: Clock;
  audit: AuditLog;
  /** Web API client for the notice, posted outside the request. */
  slack: WebClient;
}

/**
 * How long a secret's notify channel (or its having none) is remembered. Every reveal of a
 * popular secret would otherwise cost a second AWS call (DescribeSecret) for a tag that rarely
 * changes; a tag set, changed or removed takes effect within this time.
 */
export const NOTIFY_TAG_TTL_MS = 30_000;

/** Remembered notify channels per app (its dependencies), by the secret's name as AWS returned it. */
const remembered = new WeakMap<ViewNoticeDeps, Map<string, { channel: string | undefined; until: number }>>();

/**
 * A value read under `caller`'s session is being shown: posts the notice when the secret's
 * `locksmith:notify` tag asks for one. Returns at once: the value waits for neither AWS nor
 * Slack. The tag is read under the same session after the value, never alongside it (the
 * value's read has AWS and this process to itself; a failed read costs no second call), and
 * remembered for NOTIFY_TAG_TTL_MS. A tag read that fails is logged (and not remembered); a
 * notice that fails is logged and audited.
 */
export function noticeOnView(
  deps: ViewNoticeDeps,
  caller: Caller,
  typedName: string,
  view: Omit<ViewNotice, 'caller'>,
): void {
  let channels = remembered.get(deps);
  if (!channels) remembered.set(deps, (channels = new Map()));
  const post = (channel: string | undefined) =>
    channel ? postNotice(deps, channel, { ...view, caller }) : undefined;
  const now = deps.clock.now();
  const known = channels.get(view.secretName);
  if (known && known.until > now) {
    void post(known.channel);
    return;
  }
  // On the next turn of the event loop: the window carrying the value goes to Slack first.
  setImmediate(
    () =>
      void readTags(caller, typedName).then(
        (tags) => {
          const channel = notifyChannelOf(tags);
          if (channels.size >= 10_000) channels.clear(); // bounded: a cache, not a record
          channels.set(view.secretName, { channel, until: deps.clock.now() + NOTIFY_TAG_TTL_MS });
          return post(channel);
        },
        (err: unknown) => {
          deps.logger.warn(
            { secret: typedName, role: caller.role.name, err: { message: (err as Error).message } },
            isParameterName(typedName)
              ? 'notify-on-view: the parameter’s tags could not be read (the role needs ssm:ListTagsForResource)'
              : 'notify-on-view: the secret’s tags could not be read (the role needs secretsmanager:DescribeSecret)',
          );
        },
      ),
  );
}

/** A secret's tags (DescribeSecret) or a Parameter Store parameter's (ListTagsForResource). */
async function readTags(caller: Caller, typedName: string): Promise<Array<{ Key?: string; Value?: string }>> {
  const { clients } = caller.session;
  if (isParameterName(typedName)) {
    const res = await clients.ssm.send(
      new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: parameterNameOf(typedName) }),
    );
    return res.TagList ?? [];
  }
  const res = await clients.secretsManager.send(new DescribeSecretCommand({ SecretId: typedName }));
  return res.Tags ?? [];
}

/** Posts the notice in `channel` and audits it; logs a failure. Never throws. */
async function postNotice(deps: ViewNoticeDeps, channel: string, notice: ViewNotice): Promise<void> {
  const { caller, secretName } = notice;
  const event: AuditEvent = {
    action: 'secret.notify',
    outcome: 'ok',
    person: {
      slack_id: caller.person.slackId,
      team_id: caller.person.teamId,
      ...(caller.person.email ? { email: caller.person.email } : {}),
    },
    role: caller.role,
    target: secretName,
    note: `${notice.kind} notice to ${channel}`,
  };
  try {
    await deps.slack.chat.postMessage({ channel, ...buildViewNotice(notice, new Date(deps.clock.now())) });
  } catch (err) {
    event.outcome = 'error';
    event.reason = (err as { data?: { error?: string } }).data?.error ?? 'post_failed';
    deps.logger.warn(
      { secret: secretName, channel, err: { message: (err as Error).message } },
      'notify-on-view: the notice could not be posted (is locksmith a member of the channel?)',
    );
  }
  deps.audit.record(event);
}
