/**
 * The keys-due report as one Slack message: per section (keys older than the maximum age,
 * users with two keys, keys never used, inactive keys awaiting deletion, rotations in
 * progress) one line per entry, each with an "Open" button (the user's keys read live, where the
 * key lives, and "Start rotation"), within Slack's 50 blocks per message: a long section ends
 * with "…and N more", and the footer points to the AWS console or CLI for the full list. The
 * summary says where the data came from: IAM's credential report and how old it is, or each
 * user read one by one (and why). Pure: the report in, the message out.
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
import type { KeyFact } from '../../rotation/core/key-facts.js';
import type { KeyHome } from '../../rotation/core/key-homes.js';
import {
  ACTION_DUE_START,
  ACTION_EDIT_HOME,
  encodeDueStart,
  encodeHomeRef,
} from '../../rotation/slack/ids.js';
import { ACTION_DUE_OPEN } from '../ids.js';
import type { DueKey, KeysDueReport } from '../report.js';
import { plural } from '../../core/text.js';

export interface KeysDueMessageOptions {
  /** The role the report was made under; the buttons start rotations under it. */
  roleName: string;
  /** A line under the summary, e.g. "Posted every Monday at 09:00 UTC". Already escaped mrkdwn. */
  note?: string;
  /**
   * Where each user's key lives, as remembered from earlier rotations (key-homes.ts), by
   * lower-cased user name: a short plain-text summary, escaped here.
   */
  homes?: ReadonlyMap<string, string>;
}

interface Line {
  text: string;
  /** The IAM user the line's "Open" button opens. */
  user?: string;
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

function lastUsed(key: DueKey): string {
  if (key.lastUsed === 'never') return 'never used';
  return `last used ${day(key.lastUsed.at)} (${escapeMrkdwn(key.lastUsed.service)}, ${escapeMrkdwn(key.lastUsed.region)})`;
}

/** The key's id when known; from the credential report, which has no ids, IAM's slot name. */
function keyName(key: DueKey): string {
  return key.id ? code(key.id) : `access key ${key.slot ?? '?'}`;
}

function keyText(key: DueKey): string {
  return `${keyName(key)}${key.status === 'Inactive' ? ' _inactive_' : ''}, ${plural(key.ageDays, 'day')} old, ${lastUsed(key)}`;
}

/** "as of 09:12 UTC" (today) or "as of 2026-11-22 09:12 UTC". */
function asOf(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `as of ${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}

function sourceText(report: KeysDueReport): string {
  const s = report.source;
  if (s.kind === 'credential-report') {
    return `From IAM's credential report ${asOf(s.generatedAt, report.generatedAt)}; IAM makes a new one at most every 4 hours. _Open_ reads a user's keys live.`;
  }
  return (
    (s.fallbackReason ? `:information_source: ${escapeMrkdwn(s.fallbackReason)} ` : 'Read user by user. ') +
    `${report.calls.calls} IAM calls.`
  );
}

function inRotation(rotationId: string | undefined): string {
  return rotationId ? ' · :arrows_counterclockwise: rotation in progress' : '';
}

function categories(report: KeysDueReport, homes: ReadonlyMap<string, string> | undefined): Category[] {
  const home = (userName: string): string => {
    const h = homes?.get(userName.toLowerCase());
    return h ? ` · lives in ${escapeMrkdwn(h)}` : '';
  };
  const keyLine = (l: { userName: string; key: DueKey; rotationId?: string }): Line => ({
    text: `${code(l.userName)} · ${keyText(l.key)}${inRotation(l.rotationId)}${home(l.userName)}`,
    user: l.userName,
  });
  return [
    {
      title: `:hourglass: *Keys older than ${plural(report.maxKeyAgeDays, 'day')}*`,
      lines: report.overdue.map(keyLine),
    },
    {
      title: ':two: *Users with two keys*',
      lines: report.twoKeys.map((t) => ({
        text: `${code(t.userName)} · ${t.keys.map(keyText).join(' and ')}${inRotation(t.rotationId)}${home(t.userName)}`,
        user: t.userName,
      })),
    },
    {
      title: `:zzz: *Keys never used, older than ${plural(report.unusedKeyDays, 'day')}*`,
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
            ? [`${plural(Math.max(0, Math.floor((report.generatedAt - r.startedAt) / DAY_MS)), 'day')} ago`]
            : []),
        ].join(' · '),
        user: r.userName,
      })),
    },
  ];
}

function lineBlock(line: Line, index: number, roleName: string): SectionBlock {
  const block = section(line.text);
  if (line.user) {
    block.accessory = button(
      'Open',
      `${ACTION_DUE_OPEN}:${index}`,
      encodeDueStart({ u: line.user, r: roleName }),
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
        `maximum age ${plural(report.maxKeyAgeDays, 'day')}`,
        ...(options.note ? [options.note] : []),
      ].join(' · '),
    ),
    context(sourceText(report)),
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
  const shownCategories = categories(report, options.homes).filter((c) => c.lines.length > 0);
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
        : `_Open_ shows a user's keys (read live) and where the key lives, with _Start rotation_: \`/rotate-key USER --role ${escapeMrkdwn(options.roleName)}\`, followed in your DM with locksmith.`,
    ),
  );
  const text =
    total === 0
      ? `Keys due (${options.roleName}): nothing needs attention`
      : `Keys due (${options.roleName}): ${report.counts.overdue} overdue, ${report.counts.twoKeys} with two keys, ${report.counts.unused} never used, ${report.counts.inactive} inactive, ${report.counts.inProgress} rotating` +
        (report.failures.length > 0 ? `, ${report.failures.length} unreadable` : '');
  return { text, blocks };
}

export interface DueUserDetail {
  userName: string;
  roleName: string;
  /** The user's keys as IAM says now (ListAccessKeys, GetAccessKeyLastUsed). */
  keys: KeyFact[];
  maxKeyAgeDays: number;
  /** A rotation of the user in progress: no second one is started. */
  rotation?: { id: string; state: string; requestedBy?: string };
  /** Where the key lives, one line each (already escaped mrkdwn), from the record of earlier rotations. */
  home?: string[];
  /** When the keys were read (epoch ms). */
  readAt: number;
}

/** The record of where a user's key lives, one mrkdwn line per place, escaped. */
export function homeLines(home: KeyHome): string[] {
  const lines = home.places.map(
    (p) =>
      `• ${code(p.name)}${p.writtenAt ? ` · written by locksmith ${day(p.writtenAt)}` : ' · updated by hand'}`,
  );
  for (const p of home.thirdParty) {
    lines.push(
      `• ${escapeMrkdwn(p.name)}${p.link ? ` (${escapeMrkdwn(p.link)})` : ''}${p.ticked ? ` · ticked off ${day(p.ticked.at)} by <@${escapeMrkdwn(p.ticked.by)}>` : ''}`,
    );
  }
  if (home.note) lines.push(`:memo: ${escapeMrkdwn(home.note.slice(0, 1000))}`);
  if (home.lastRotation) {
    lines.push(
      `_Last rotated with locksmith ${day(home.lastRotation.at)} by <@${escapeMrkdwn(home.lastRotation.by)}>._`,
    );
  }
  return lines;
}

/** The reply to "Open" on a line of the report: the user's keys read live, and Start rotation. */
export function buildDueUserMessage(detail: DueUserDetail): SlackMessage {
  const keyLines = detail.keys.length
    ? detail.keys.map(
        (k) =>
          `• ${code(k.id)} · ${k.status} · created ${day(k.createdAt)} (${plural(k.ageDays, 'day')} old) · ${lastUsed(k)}` +
          (k.ageDays >= detail.maxKeyAgeDays && k.status === 'Active' ? ' · :red_circle: overdue' : ''),
      )
    : ['_no access keys_'];
  const blocks: Block[] = [
    section(
      `*${code(detail.userName)}*: keys read from IAM at ${new Date(detail.readAt).toISOString().slice(11, 16)} UTC\n${keyLines.join('\n')}`,
    ),
  ];
  const where = section(
    (detail.home?.length
      ? `*Where the key lives* (from earlier rotations)\n${detail.home.join('\n')}`
      : '_No record yet of where this key lives: a rotation with locksmith makes one, or note it now._'
    ).slice(0, LIMITS.sectionText),
  );
  where.accessory = button(
    'Where it lives…',
    `${ACTION_EDIT_HOME}:0`,
    encodeHomeRef({ u: detail.userName, r: detail.roleName }),
  );
  blocks.push(where);
  if (detail.rotation) {
    blocks.push(
      context(
        `:arrows_counterclockwise: A rotation is in progress (step \`${escapeMrkdwn(detail.rotation.state)}\`` +
          (detail.rotation.requestedBy
            ? `, started by <@${escapeMrkdwn(detail.rotation.requestedBy)}>`
            : '') +
          '): follow it in the DM of the person who started it.',
      ),
    );
  } else if (detail.keys.length) {
    const start = section(`Rotate the key of ${code(detail.userName)} under role ${code(detail.roleName)}?`);
    start.accessory = button(
      'Start rotation',
      `${ACTION_DUE_START}:0`,
      encodeDueStart({ u: detail.userName, r: detail.roleName }),
    );
    blocks.push(start);
  }
  return { text: `Keys of ${detail.userName}`, blocks };
}
