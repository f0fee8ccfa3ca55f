/** The `/secret who` reply: who read or changed a secret, from CloudTrail. Pure Block Kit. */
import { type Block, context, section, type SlackMessage } from '../slack/block-kit.js';
import { code, escapeMrkdwn, slackDate } from '../slack/mrkdwn.js';
import type { Actor } from './cloudtrail-record.js';
import type { SecretAccess, SecretTrail } from './secret-who.js';
import { coverageNote, fitLines, plural } from './trail-text.js';
import { describeAgent } from './user-agent.js';

/** "alice@example.com", "ci-deploy (IAM user)", "reader/slack-U123 (role session)". */
export function actorText(actor: Actor): string {
  const name = `*${escapeMrkdwn(actor.label)}*`;
  switch (actor.kind) {
    case 'iam-user':
      return `${name} (IAM user)`;
    case 'role-session':
      return `${name} (role session)`;
    case 'root':
      return `${name} (the account's root user)`;
    case 'aws-service':
      return `${name} (AWS service)`;
    default:
      return name;
  }
}

function whatText(a: SecretAccess): string {
  const verb = a.kind === 'read' ? 'read' : a.eventName === 'DeleteSecret' ? 'deleted' : 'changed';
  const detail = a.kind === 'change' && verb === 'changed' ? ` (${escapeMrkdwn(a.eventName)})` : '';
  return a.errorCode ? `*${verb} – refused* (${escapeMrkdwn(a.errorCode)})${detail}` : `*${verb}*${detail}`;
}

function accessLine(a: SecretAccess): string {
  const role =
    a.actor.kind === 'source-identity' && a.actor.roleName ? ` (role ${code(a.actor.roleName)})` : '';
  const from = a.sourceIp ? ` from ${escapeMrkdwn(a.sourceIp)}` : '';
  return `• ${slackDate(a.time)}: ${whatText(a)} by ${actorText(a.actor)}${role}, ${escapeMrkdwn(describeAgent(a.agent))}${from}`;
}

interface Group {
  actor: Actor;
  how: string;
  reads: number;
  changes: number;
  refused: number;
  last: Date;
}

/** Accesses by person and tool, busiest first. */
function groups(accesses: SecretAccess[]): Group[] {
  const byKey = new Map<string, Group>();
  for (const a of accesses) {
    const how = describeAgent(a.agent);
    const key = `${a.actor.kind}\u0000${a.actor.label}\u0000${how}`;
    const g = byKey.get(key) ?? { actor: a.actor, how, reads: 0, changes: 0, refused: 0, last: a.time };
    if (a.errorCode) g.refused++;
    else if (a.kind === 'read') g.reads++;
    else g.changes++;
    if (a.time > g.last) g.last = a.time;
    byKey.set(key, g);
  }
  return [...byKey.values()].sort(
    (x, y) => y.reads + y.changes + y.refused - (x.reads + x.changes + x.refused) || +y.last - +x.last,
  );
}

function groupLine(g: Group): string {
  const counts = [
    g.reads ? plural(g.reads, 'read') : '',
    g.changes ? plural(g.changes, 'change') : '',
    g.refused ? `${g.refused} refused` : '',
  ].filter(Boolean);
  return `• ${actorText(g.actor)}, ${escapeMrkdwn(g.how)}: ${counts.join(', ')}; last ${slackDate(g.last)}`;
}

function coverageLines(trail: SecretTrail, budgetSeconds: number): string[] {
  if (trail.complete) return [];
  const cause =
    trail.stopped === 'throttled'
      ? 'CloudTrail kept throttling the look-ups (other tools use the same allowance)'
      : `CloudTrail answers 2 look-ups a second, and the rest did not fit in ${budgetSeconds} s`;
  if (trail.asOf < trail.until) {
    return [
      `:hourglass: Showing what locksmith read from CloudTrail up to ${slackDate(new Date(trail.asOf))}: ${cause}. Ask again for newer events.`,
    ];
  }
  const parts: string[] = [];
  if (trail.readsFrom > trail.since) parts.push(`reads back to ${slackDate(new Date(trail.readsFrom))}`);
  if (trail.changesFrom > trail.since)
    parts.push(`changes back to ${slackDate(new Date(trail.changesFrom))}`);
  return [
    `:hourglass: Showing ${parts.join(' and ') || 'part of the window'} only: ${cause}. Ask again for more: locksmith continues where it stopped.`,
  ];
}

/** The reply to `/secret who NAME`. */
export function buildSecretWhoMessage(
  trail: SecretTrail,
  options: { days: number; shown: number; roleName: string; budgetSeconds: number },
): SlackMessage {
  const name = code(trail.secret.name);
  const window = `the last ${plural(options.days, 'day')}`;
  const blocks: Block[] = [
    section(
      `:mag: *Who read or changed* ${name} in ${window}: CloudTrail in ${escapeMrkdwn(trail.region)}, account ${escapeMrkdwn(trail.accountId)}, looked up as role ${code(options.roleName)}.`,
    ),
  ];
  const coverage = coverageLines(trail, options.budgetSeconds);
  if (trail.accesses.length === 0) {
    blocks.push(
      section(
        trail.complete
          ? `:white_check_mark: Nobody read or changed ${name} in ${window}.`
          : `Nothing found in the part CloudTrail answered in time.`,
      ),
    );
  } else {
    const summary = fitLines(groups(trail.accesses).map(groupLine));
    blocks.push(section(`*By whom*\n${summary.text}`));
    const latest = fitLines(trail.accesses.slice(0, options.shown).map(accessLine));
    blocks.push(section(`*Latest, newest first*\n${latest.text}`));
    const listed = Math.min(trail.accesses.length, options.shown) - latest.left;
    blocks.push(
      context(
        `Listed ${listed} of ${plural(trail.accesses.length, 'access', 'accesses')}` +
          (summary.left
            ? `; ${plural(summary.left, 'more person or tool', 'more people and tools')} not listed`
            : '') +
          '.',
      ),
    );
  }
  for (const line of coverage) blocks.push(section(line));
  blocks.push(context(coverageNote([trail.region])));
  return {
    text: `Who read or changed ${trail.secret.name}: ${plural(trail.accesses.length, 'access', 'accesses')} in ${window}`,
    blocks,
  };
}

/** Shown while a slow look-up is still running. */
export function buildSearchingMessage(name: string, budgetSeconds: number): SlackMessage {
  return {
    text: `Looking through CloudTrail for ${name}…`,
    blocks: [
      section(
        `:hourglass_flowing_sand: Looking through CloudTrail for ${code(name)}: it answers 2 look-ups a second, so this takes up to ${budgetSeconds} s.`,
      ),
    ],
  };
}
