/**
 * The keys-due report as one Slack message: per section (keys older than the maximum age,
 * users with two keys, keys never used, inactive keys awaiting deletion, rotations in
 * progress) one line per entry, each with a "Start rotation" button, within Slack's 50 blocks
 * per message: a long section ends with "…and N more", and the footer points to the AWS
 * console or CLI for the full list. Pure: the report in, the message out.
 */
import type { SectionBlock } from '@slack/types';
import {
  type Block,
  button,
  context,
  header,
  LIMITS,
  section,
  type SlackMessage,
} from '../../slack/block-kit.js';
import { code, escapeMrkdwn } from '../../slack/mrkdwn.js';
import type { KeyFact } from '../key-facts.js';
import type { KeysDueReport } from '../keys-due.js';
import { ACTION_DUE_START, encodeDueStart } from './ids.js';

export interface KeysDueMessageOptions {
  /** The role the report was made under; the buttons start rotations under it. */
  roleName: string;
  /** A line under the summary, e.g. "Posted every Monday at 09:00 UTC". Already escaped mrkdwn. */
  note?: string;
}

interface Line {
  text: string;
  /** The IAM user a "Start rotation" button starts; none when a rotation is already running. */
  startUser?: string;
}

interface Category {
  title: string;
  lines: Line[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The full list lives in AWS; said whenever a section was cut short. */
export const FULL_LIST_HINT =
  'Not everything fits in one message. For the full list use the AWS console (IAM → Users → Security credentials) or the CLI: `aws iam generate-credential-report` then `aws iam get-credential-report`.';

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function lastUsed(key: KeyFact): string {
  if (key.lastUsed === 'never') return 'never used';
  return `last used ${day(key.lastUsed.at)} (${escapeMrkdwn(key.lastUsed.service)}, ${escapeMrkdwn(key.lastUsed.region)})`;
}

function keyText(key: KeyFact): string {
  return `${code(key.id)} ${key.status === 'Inactive' ? '_inactive_, ' : ''}${key.ageDays} days old, ${lastUsed(key)}`;
}

function inRotation(rotationId: string | undefined): string {
  return rotationId ? ' · :arrows_counterclockwise: rotation in progress' : '';
}

function categories(report: KeysDueReport): Category[] {
  const keyLine = (l: { userName: string; key: KeyFact; rotationId?: string }): Line => ({
    text: `${code(l.userName)} · ${keyText(l.key)}${inRotation(l.rotationId)}`,
    ...(l.rotationId ? {} : { startUser: l.userName }),
  });
  return [
    {
      title: `:hourglass: *Keys older than ${report.maxKeyAgeDays} days*`,
      lines: report.overdue.map(keyLine),
    },
    {
      title: ':two: *Users with two keys*',
      lines: report.twoKeys.map((t) => ({
        text: `${code(t.userName)} · ${t.keys.map(keyText).join(' and ')}${inRotation(t.rotationId)}`,
        ...(t.rotationId ? {} : { startUser: t.userName }),
      })),
    },
    {
      title: `:zzz: *Keys never used, older than ${report.unusedKeyDays} days*`,
      lines: report.unused.map(keyLine),
    },
    {
      title: ':no_entry_sign: *Inactive keys awaiting deletion*',
      lines: report.inactive.map(keyLine),
    },
    {
      title: ':arrows_counterclockwise: *Rotations in progress*',
      lines: report.inProgress.map((r) => ({
        text: [
          code(r.userName),
          `step \`${r.state}\``,
          ...(r.requestedBy ? [`started by <@${escapeMrkdwn(r.requestedBy)}>`] : []),
          ...(r.startedAt !== undefined
            ? [`${Math.max(0, Math.floor((report.generatedAt - r.startedAt) / DAY_MS))} days ago`]
            : []),
        ].join(' · '),
      })),
    },
  ];
}

function lineBlock(line: Line, index: number, roleName: string): SectionBlock {
  const block = section(line.text);
  if (line.startUser) {
    block.accessory = button(
      'Start rotation',
      `${ACTION_DUE_START}:${index}`,
      encodeDueStart({ u: line.startUser, r: roleName }),
    );
  }
  return block;
}

/** The report as a message of at most 50 blocks. */
export function buildKeysDueMessage(report: KeysDueReport, options: KeysDueMessageOptions): SlackMessage {
  const account = report.account?.accountId ? ` (account ${report.account.accountId})` : '';
  const total =
    report.counts.overdue +
    report.counts.twoKeys +
    report.counts.unused +
    report.counts.inactive +
    report.counts.inProgress;
  const blocks: Block[] = [
    header(`Keys due: role ${options.roleName}${account}`),
    context(
      [
        `${report.counts.users} IAM users, ${report.counts.keys} access keys read on ${day(report.generatedAt)}`,
        `maximum age ${report.maxKeyAgeDays} days`,
        ...(options.note ? [options.note] : []),
      ].join(' · '),
    ),
  ];
  const failureBlock =
    report.failures.length > 0
      ? context(
          `:warning: The keys of ${report.failures.length} user${report.failures.length === 1 ? '' : 's'} could not be read: ` +
            report.failures
              .slice(0, 5)
              .map((f) => escapeMrkdwn(f.message))
              .join(' ') +
            (report.failures.length > 5 ? ` …and ${report.failures.length - 5} more.` : ''),
        )
      : undefined;
  // The header, the summary, the failures and the footer are always there.
  let remaining = LIMITS.messageBlocks - blocks.length - (failureBlock ? 1 : 0) - 1;
  let cut = false;
  let hidden = 0;
  let buttonIndex = 0;
  if (total === 0) {
    blocks.push(section(':white_check_mark: No access key needs attention in this account.'));
    remaining--;
  }
  // Every section gets at least its title line, so a long first section cannot hide the rest.
  const shownCategories = categories(report).filter((c) => c.lines.length > 0);
  shownCategories.forEach((category, i) => {
    const n = category.lines.length;
    const later = shownCategories.length - i - 1;
    const room = remaining - later;
    if (room <= 0) {
      hidden += n;
      cut = true;
      return;
    }
    if (room >= 1 + n) {
      blocks.push(section(`${category.title} (${n})`));
      for (const line of category.lines) blocks.push(lineBlock(line, buttonIndex++, options.roleName));
      remaining -= 1 + n;
      return;
    }
    cut = true;
    if (room <= 2) {
      blocks.push(section(`${category.title} (${n}): not shown here.`));
      remaining -= 1;
      return;
    }
    const shown = room - 2;
    blocks.push(section(`${category.title} (${n})`));
    for (const line of category.lines.slice(0, shown)) {
      blocks.push(lineBlock(line, buttonIndex++, options.roleName));
    }
    blocks.push(context(`…and ${n - shown} more.`));
    remaining -= room;
  });
  if (failureBlock) blocks.push(failureBlock);
  blocks.push(
    context(
      cut
        ? `${hidden > 0 ? `…and ${hidden} more not shown. ` : ''}${FULL_LIST_HINT}`
        : `_Start rotation_ starts \`/rotate-key USER --role ${escapeMrkdwn(options.roleName)}\` for you; follow it in your DM with locksmith.`,
    ),
  );
  const text =
    total === 0
      ? `Keys due (${options.roleName}): nothing needs attention`
      : `Keys due (${options.roleName}): ${report.counts.overdue} overdue, ${report.counts.twoKeys} with two keys, ${report.counts.unused} never used, ${report.counts.inactive} inactive, ${report.counts.inProgress} rotating` +
        (report.failures.length > 0 ? `, ${report.failures.length} unreadable` : '');
  return { text, blocks };
}
