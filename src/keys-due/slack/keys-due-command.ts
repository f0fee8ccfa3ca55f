/**
 * The keys-due report in Slack: `/rotate-key due [--role R]` (made under the person's own role,
 * the reply only they see; /rotate-key's listener routes the word here), the "Open" buttons on
 * its lines (that user's keys read live, with rotation's "Start rotation"), and the scheduled
 * post in `rotation.due_report.channel` (keys-due/due-report-job.ts: who it runs as, the claim).
 * The reading is keys-due/'s domain modules; this file resolves the person, audits and replies.
 */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
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
import { errorReply } from '../../slack/reply-errors.js';
import { decodeDueStart } from '../../rotation/slack/ids.js';
import { claimDueReport, DUE_REPORT_JOB, SCHEDULER_PERSON } from '../due-report-job.js';
import { readDueUser } from '../due-user.js';
import { buildKeysDueReport } from '../report.js';
import { buildDueUserMessage, buildKeysDueMessage, homeLines } from './keys-due-blocks.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

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
  async function command(request: DueCommandRequest) {
    const caller = await callers.resolve(request.userId, request.teamId, request.roleName);
    const role = { name: caller.role.name, arn: caller.role.arn };
    const message = await report(caller.session.clients.iam, role);
    deps.audit.record({
      action: 'rotation.action',
      outcome: 'ok',
      person: {
        slack_id: request.userId,
        team_id: request.teamId,
        ...(caller.person.email ? { email: caller.person.email } : {}),
      },
      role,
      target: 'keys-due',
      note: 'keys-due report',
    });
    return message;
  }
  /** The user's keys read live under the clicker's role, and the rotation of the user in progress. */
  async function openUser(request: { userId: string; teamId: string; userName: string; roleName?: string }) {
    if (!IAM_USER_NAME.test(request.userName)) {
      throw new UserError('bad_command', `\`${safeWord(request.userName)}\` is not an IAM user name.`);
    }
    const caller = await callers.resolve(request.userId, request.teamId, request.roleName);
    const role = { name: caller.role.name, arn: caller.role.arn };
    const read = await readDueUser({
      iam: caller.session.clients.iam,
      store,
      clock,
      role,
      userName: request.userName,
      config: configFor({ role }),
    });
    deps.audit.record({
      action: 'rotation.action',
      outcome: 'ok',
      person: {
        slack_id: request.userId,
        team_id: request.teamId,
        ...(caller.person.email ? { email: caller.person.email } : {}),
      },
      role,
      target: request.userName,
      note: 'keys-due open',
    });
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

  async function openButton(args: ButtonArgs): Promise<void> {
    const { ack, body, action, respond } = args;
    await ack();
    let message: SlackMessage;
    try {
      const value = decodeDueStart(action.value);
      if (!value) throw new UserError('bad_command', 'That button is broken: run `/rotate-key due` again.');
      message = await openUser({
        userId: body.user.id,
        teamId: body.user.team_id ?? body.team?.id ?? '',
        userName: value.u,
        ...(value.r ? { roleName: value.r } : {}),
      });
    } catch (err) {
      message = errorReply(err, logger, 'rotation due open').message;
    }
    try {
      await respond({ response_type: 'ephemeral', replace_original: false, ...message });
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'keys-due open reply not delivered');
    }
  }

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
