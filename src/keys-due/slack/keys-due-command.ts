/**
 * The keys-due report in Slack: `/rotate-key due [--role R]` (made under the person's own role,
 * the reply only they see; /rotate-key's listener routes the word here), the "Open" buttons on
 * its lines (that user's keys read live, with rotation's "Start rotation"), and the scheduled
 * post in `rotation.due_report.channel` (keys-due/due-report-job.ts: who it runs as, the claim).
 * The reading is keys-due/'s domain modules; this file resolves the person, audits and replies.
 */
import type { Deps } from '../../deps.js';
import { describeDueSchedule, type DueSchedule, parseDueSchedule } from '../../core/due-schedule.js';
import { UserError } from '../../core/errors.js';
import { IAM_USER_NAME } from '../../rotation/core/iam-users.js';
import { accountOfArn, homeSummary, listKeyHomes } from '../../rotation/core/key-homes.js';
import type { RoleRef } from '../../rotation/core/rotation.js';
import { rotationConfigByRole, type RotationSection } from '../../rotation/service/config.js';
import type { Job } from '../../scheduling/scheduler.js';
import { notice, type SlackMessage } from '../../slack/block-kit.js';
import { safeWord } from '../../slack/command-text.js';
import type { ButtonArgs } from '../../slack/interaction-kit.js';
import { errorReply } from '../../slack/reply-errors.js';
import { createDueUserButton } from '../../rotation/slack/start-rotation.js';
import { claimDueReport, DUE_REPORT_JOB, SCHEDULER_PERSON } from '../due-report-job.js';
import { readDueUser } from '../due-user.js';
import { buildKeysDueReport } from '../report.js';
import { buildDueUserMessage, buildKeysDueMessage, homeLines } from './keys-due-blocks.js';

export interface DueCommandRequest {
  userId: string;
  teamId: string;
  roleName?: string;
}

export interface KeysDue {
  /** `/rotate-key due [--role R]`: the report under the person's role. */
  command(request: DueCommandRequest): Promise<SlackMessage>;
  /** An "Open" click on a line of a report: the user's keys read live. */
  openButton(args: ButtonArgs): Promise<void>;
  /** The scheduled post, when `rotation.due_report` is configured. */
  job?: Job;
}

export function createKeysDue(deps: Deps, section: RotationSection): KeysDue {
  const { logger, clock, store, callers, sessions } = deps;
  const configFor = rotationConfigByRole(section);

  async function report(iam: Parameters<typeof buildKeysDueReport>[0]['iam'], role: RoleRef, note?: string) {
    const data = await buildKeysDueReport({
      iam,
      store,
      clock,
      role,
      options: { maxKeyAgeDays: section.max_key_age_days, ignoreUsers: section.ignore_users },
    });
    // Where each key lives, as remembered from earlier rotations (no AWS call).
    const homes = await listKeyHomes(store, accountOfArn(role.arn));
    const summaries = new Map<string, string>();
    for (const [user, home] of homes) {
      const summary = homeSummary(home);
      if (summary) summaries.set(user, summary);
    }
    return buildKeysDueMessage(data, {
      roleName: role.name,
      ...(note ? { note } : {}),
      ...(summaries.size ? { homes: summaries } : {}),
    });
  }
  /** The person under the role they asked for, and the audit line of what they then read. */
  async function asPerson(request: DueCommandRequest) {
    const caller = await callers.resolve(request.userId, request.teamId, request.roleName);
    const role = { name: caller.role.name, arn: caller.role.arn };
    const audited = (target: string, note: string) =>
      deps.audit.record({
        action: 'rotation.action',
        outcome: 'ok',
        person: {
          slack_id: request.userId,
          team_id: request.teamId,
          ...(caller.person.email ? { email: caller.person.email } : {}),
        },
        role,
        target,
        note,
      });
    return { iam: caller.session.clients.iam, role, audited };
  }
  async function command(request: DueCommandRequest) {
    const { iam, role, audited } = await asPerson(request);
    const message = await report(iam, role);
    audited('keys-due', 'keys-due report');
    return message;
  }
  /** The user's keys read live under the clicker's role, and the rotation of the user in progress. */
  async function openUser(request: { userId: string; teamId: string; userName: string; roleName?: string }) {
    if (!IAM_USER_NAME.test(request.userName)) {
      throw new UserError('bad_command', `\`${safeWord(request.userName)}\` is not an IAM user name.`);
    }
    const { iam, role, audited } = await asPerson(request);
    const read = await readDueUser({
      iam,
      store,
      clock,
      role,
      userName: request.userName,
      config: configFor({ role }),
    });
    audited(request.userName, 'keys-due open');
    return buildDueUserMessage({
      userName: request.userName,
      roleName: role.name,
      keys: read.keys,
      ...(read.home ? { home: homeLines(read.home) } : {}),
      maxKeyAgeDays: section.max_key_age_days,
      readAt: read.readAt,
      ...(read.running ? { rotation: read.running } : {}),
    });
  }

  const openButton = createDueUserButton(deps, 'open', openUser);

  const dueReport = section.due_report;
  let job: Job | undefined;
  if (dueReport) {
    const schedule: DueSchedule = parseDueSchedule(dueReport.schedule);
    const roleName = section.background_role;
    job = {
      name: DUE_REPORT_JOB,
      async run() {
        if (!(await claimDueReport(store, schedule, clock.now()))) return 0;
        const arn = roleName ? deps.config.roles[roleName] : undefined;
        if (!roleName || !arn) {
          logger.error({ roleName }, 'keys-due report: rotation.background_role is not a configured role');
          return 0;
        }
        const role = { name: roleName, arn };
        let message: SlackMessage;
        try {
          const session = await sessions.sessionFor(SCHEDULER_PERSON, role);
          message = await report(session.clients.iam, role, `posted ${describeDueSchedule(schedule)}`);
        } catch (err) {
          message = errorReply(err, logger, 'scheduled keys-due report').message;
          message = notice(
            `The scheduled keys-due report (role \`${roleName}\`) could not be made. ${message.text}`,
            ':x:',
          );
        }
        await deps.slack.chat.postMessage({ channel: dueReport.channel, ...message });
        return 1;
      },
    };
  }

  return { command, openButton, ...(job ? { job } : {}) };
}
