/**
 * `/secret who NAME [--days N] [--role ROLE]`: the Slack side. Thin: parse, authorise, call the
 * domain (secret-who.ts), render (secret-who-blocks.ts). The /secret listener hands the
 * subcommand here; the reply is ephemeral like every /secret reply, and the look-up is audited.
 */
import type { AuditEvent } from '../audit/audit-events.js';
import { audited } from '../audit/audited.js';
import type { Deps } from '../deps.js';
import { UserError } from '../core/errors.js';
import { isParameterName } from '../aws/secret-names.js';
import { assertSecretName } from './secret-reader.js';
import type { SlackMessage } from '../slack/block-kit.js';
import { replyEphemeral } from '../slack/ephemeral-reply.js';
import { buildSearchingMessage, buildSecretWhoMessage } from '../trail/secret-who-blocks.js';
import { whoTouchedSecret } from '../trail/secret-who.js';
import { HISTORY_DAYS } from '../trail/trail-service.js';

/** The command fields `/secret who` uses. */
export interface WhoCommand {
  user_id: string;
  team_id: string;
  channel_id: string;
  response_url: string;
}

/** A look-up that takes longer than this gets a "looking…" message first. */
const SEARCHING_AFTER_MS = 1500;

function parseDays(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const days = Number(text);
  if (!/^\d+$/.test(text) || days < 1 || days > HISTORY_DAYS) {
    throw new UserError(
      'bad_command',
      `\`--days\` takes a whole number of days from 1 to ${HISTORY_DAYS} (CloudTrail keeps 90 days).`,
    );
  }
  return days;
}

/**
 * Answers `/secret who`: who read or changed the secret, from CloudTrail, under the person's
 * own role. Throws UserError for what the person can fix; the caller renders it.
 */
export async function secretWho(
  deps: Deps,
  cmd: WhoCommand,
  name: string,
  flags: { role?: string | undefined; days?: string | undefined },
): Promise<SlackMessage> {
  const { config, callers, audit, clock } = deps;
  if (isParameterName(name)) {
    // Parameter reads are other events (GetParameter, GetParameters, GetParametersByPath…),
    // not looked up here; say so rather than "not found" or "does not change them".
    throw new UserError(
      'bad_command',
      `\`/secret who\` looks up Secrets Manager secrets only, not Parameter Store parameters like \`${name.slice(0, 80)}\`. CloudTrail's event history in the AWS console shows their \`GetParameter\` events.`,
    );
  }
  assertSecretName(name);
  const days = parseDays(flags.days, config.trail.who_days);
  const event: AuditEvent = {
    action: 'secret.who',
    outcome: 'ok',
    person: { slack_id: cmd.user_id, team_id: cmd.team_id },
    target: name,
  };
  return audited(audit, event, async () => {
    const caller = await callers.resolve(cmd.user_id, cmd.team_id, flags.role);
    event.person.email = caller.person.email;
    event.role = caller.role;
    // The first answer can take seconds (2 look-ups a second): say so rather than stay silent.
    let searching: Promise<unknown> | undefined;
    const timer = setTimeout(() => {
      searching = replyEphemeral(
        deps,
        { responseUrl: cmd.response_url, channel: cmd.channel_id, user: cmd.user_id },
        buildSearchingMessage(name, config.trail.budget_seconds),
        { where: '/secret who' },
      );
    }, SEARCHING_AFTER_MS);
    try {
      const trail = await whoTouchedSecret(caller.session, deps.trail, { name, days, now: clock.now() });
      event.target = trail.secret.name;
      event.count = trail.accesses.length;
      if (!trail.complete) event.note = `partial: ${trail.stopped ?? 'budget'}`;
      return buildSecretWhoMessage(trail, {
        days,
        shown: config.trail.who_shown,
        roleName: caller.role.name,
        budgetSeconds: config.trail.budget_seconds,
      });
    } finally {
      clearTimeout(timer);
      // The answer must not overtake the "looking…" message.
      await searching;
    }
  });
}
