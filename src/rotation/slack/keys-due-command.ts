/**
 * The keys-due report in Slack: `/rotate-key due [--role R]` (made under the person's own role,
 * the reply only they see), the "Open" buttons on its lines (that user's keys read live, with
 * "Start rotation"), and the scheduled post in `rotation.due_report.channel`.
 *
 * The scheduled post runs with nobody at the keyboard, under `rotation.background_role`, as a
 * synthetic person `locksmith-scheduler`: RoleSessionName `slack-locksmith-scheduler` and
 * SourceIdentity `locksmith-scheduler` in CloudTrail. One store record (kind 'report', id
 * `keys-due`) holds the due time last posted; the job claims a due time by compare-and-set
 * before posting, so each due time is posted at most once, even with two replicas.
 */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AuditEvent } from '../../audit/audit-events.js';
import { audited } from '../../audit/audited.js';
import type { Deps } from '../../deps.js';
import { UserError } from '../../core/errors.js';
import type { Person } from '../../identity/access.js';
import type { Job } from '../../scheduling/scheduler.js';
import { notice, type SlackMessage } from '../../slack/block-kit.js';
import { safeWord } from '../../slack/command-text.js';
import { errorReply } from '../../slack/reply-errors.js';
import { inspectKeys } from '../core/aws-steps.js';
import { accountOfArn, getKeyHome, homeSummary, listKeyHomes } from '../core/key-homes.js';
import { buildKeysDueReport } from '../keys-due.js';
import { guardedPlaces } from '../core/guarded-places.js';
import { indexAccount } from '../core/locate.js';
import { FINAL_STATES, ROTATION_STATES, type RoleRef, type Rotation } from '../core/rotation.js';
import {
  type DueSchedule,
  describeDueSchedule,
  lastDueAt,
  parseDueSchedule,
} from '../../core/due-schedule.js';
import { decodeDueStart } from './ids.js';
import { buildDueUserMessage, buildKeysDueMessage, homeLines } from './keys-due-blocks.js';
import { buildIndexPrompt, buildIndexResult } from './index-blocks.js';
import type { RotationController } from './rotation-controller.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/** IAM user names: up to 64 of letters, digits and `+=,.@_-`. */
export const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

const ACTIVE_STATES = ROTATION_STATES.filter((s) => !FINAL_STATES.has(s));

/** The store record of the scheduled report. */
export const DUE_REPORT_RECORD = 'keys-due';

/** Who the scheduled report runs as (CloudTrail's SourceIdentity and session name). */
export const SCHEDULER_PERSON: Person = {
  slackId: 'locksmith-scheduler',
  teamId: 'locksmith',
  name: 'locksmith-scheduler',
  groups: [],
  deleted: false,
  guest: false,
  isBot: false,
};

interface DueReportRecord {
  /** The due time (epoch ms) last claimed. */
  lastDueAt: number;
  /** When it was claimed (epoch ms, injected clock). */
  ranAt: number;
}

export interface StartFor {
  userId: string;
  teamId: string;
  userName: string;
  roleName?: string;
}

/**
 * Starts a rotation as `/rotate-key USER --role R` does (the same checks, then the
 * controller's start); returns the reply for the person.
 */
export async function startRotationFor(
  deps: Deps,
  controller: RotationController,
  request: StartFor,
): Promise<SlackMessage> {
  const { userName } = request;
  if (!IAM_USER_NAME.test(userName)) {
    throw new UserError('bad_command', `\`${safeWord(userName)}\` is not an IAM user name.`);
  }
  // SES SMTP users (by name or tag) are recognised by the controller's start.
  return controller.start(request);
}

export interface KeysDue {
  /** `/rotate-key due [--role R]`: the report under the person's role. */
  command(request: { userId: string; teamId: string; roleName?: string }): Promise<SlackMessage>;
  /** A "Start rotation" click in an opened user's detail. */
  startButton(args: ButtonArgs): Promise<void>;
  /** An "Open" click on a line of a report: the user's keys read live. */
  openButton(args: ButtonArgs): Promise<void>;
  /** `/rotate-key index [--role R]`: what indexing does, and the button that starts it. */
  indexPrompt(request: { userId: string; teamId: string; roleName?: string }): Promise<SlackMessage>;
  /** "Index this account": reads every value once and tags each place that holds a key. */
  indexButton(args: ButtonArgs): Promise<void>;
  /** The scheduled post, when `rotation.due_report` is configured. */
  job?: Job;
}

export function createKeysDue(deps: Deps, controller: RotationController): KeysDue {
  const { logger, clock, store, callers, sessions } = deps;
  const section = controller.section;

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

  async function command(request: { userId: string; teamId: string; roleName?: string }) {
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
    const now = clock.now();
    let keys;
    try {
      keys = await inspectKeys(caller.session.clients.iam, request.userName, {
        now,
        config: controller.configFor({ role }),
      });
    } catch (err) {
      throw new UserError('access_denied', (err as Error).message, { cause: err });
    }
    const account = role.arn.split(':')[4];
    const active = await store.query<Rotation>({ kind: 'rotation', states: ACTIVE_STATES });
    const running = active.find(
      (r) =>
        r.data.userName.toLowerCase() === request.userName.toLowerCase() &&
        r.data.role.arn.split(':')[4] === account,
    );
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
    const home = await getKeyHome(store, account ?? '', request.userName);
    return buildDueUserMessage({
      userName: request.userName,
      roleName: role.name,
      keys,
      ...(home ? { home: homeLines(home) } : {}),
      maxKeyAgeDays: section.max_key_age_days,
      readAt: now,
      ...(running
        ? {
            rotation: {
              id: running.id,
              state: running.data.state,
              requestedBy: running.data.requester.slackId,
            },
          }
        : {}),
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

  async function startButton(args: ButtonArgs): Promise<void> {
    const { ack, body, action, respond } = args;
    await ack();
    let message: SlackMessage;
    try {
      const value = decodeDueStart(action.value);
      if (!value) throw new UserError('bad_command', 'That button is broken: run `/rotate-key due` again.');
      message = await startRotationFor(deps, controller, {
        userId: body.user.id,
        teamId: body.user.team_id ?? body.team?.id ?? '',
        userName: value.u,
        ...(value.r ? { roleName: value.r } : {}),
      });
    } catch (err) {
      message = errorReply(err, logger, 'rotation due start').message;
    }
    try {
      await respond({ response_type: 'ephemeral', replace_original: false, ...message });
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'keys-due start reply not delivered');
    }
  }

  const dueReport = section.due_report;
  let job: Job | undefined;
  if (dueReport) {
    const schedule: DueSchedule = parseDueSchedule(dueReport.schedule);
    const roleName = section.background_role;
    job = {
      name: 'rotation.due-report',
      async run() {
        const now = clock.now();
        const due = lastDueAt(schedule, now);
        const existing = await store.get<DueReportRecord>('report', DUE_REPORT_RECORD);
        if (!existing) {
          // First start: the schedule begins now; a due time already past is not posted.
          try {
            await store.create<DueReportRecord>(
              { kind: 'report', id: DUE_REPORT_RECORD, state: 'idle', data: { lastDueAt: due, ranAt: now } },
              now,
            );
          } catch {
            // Another replica created it first.
          }
          return 0;
        }
        if (existing.data.lastDueAt >= due) return 0;
        const claimed = await store.update<DueReportRecord>(
          'report',
          DUE_REPORT_RECORD,
          existing.version,
          { state: 'posted', data: { lastDueAt: due, ranAt: now } },
          now,
        );
        if (!claimed) return 0; // another replica claimed this due time
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

  async function indexPrompt(request: { userId: string; teamId: string; roleName?: string }) {
    // Checks the person may use the role before offering anything (no AWS call).
    const { role } = await callers.authorize(request.userId, request.teamId, request.roleName);
    return buildIndexPrompt(role.name, role.arn.split(':')[4] ?? '');
  }

  async function indexButton(args: ButtonArgs): Promise<void> {
    const { ack, body, action, respond } = args;
    await ack();
    const teamId = body.user.team_id ?? body.team?.id ?? '';
    const reply = async (message: SlackMessage) =>
      respond({ response_type: 'ephemeral', replace_original: true, ...message }).catch((err: unknown) =>
        logger.warn({ err: { message: (err as Error).message } }, 'index reply not delivered'),
      );
    let roleName: string | undefined;
    try {
      roleName = (JSON.parse(action.value ?? '{}') as { r?: unknown }).r as string | undefined;
    } catch {
      roleName = undefined;
    }
    const started = clock.now();
    await reply(
      notice(
        'Indexing: reading every secret and parameter your role can read, 20 secrets a call. I will replace this message with the result.',
        ':hourglass_flowing_sand:',
      ),
    );
    const event: AuditEvent = {
      action: 'rotation.action',
      outcome: 'ok',
      person: { slack_id: body.user.id, team_id: teamId },
      target: 'account index',
      note: 'index',
    };
    const message = await audited(deps.audit, event, async () => {
      const caller = await callers.resolve(
        body.user.id,
        teamId,
        typeof roleName === 'string' ? roleName : undefined,
      );
      event.person.email = caller.person.email;
      event.role = caller.role;
      const role = { name: caller.role.name, arn: caller.role.arn };
      // Secrets guarded for reveals are not asked for (the session's policy denies them anyway).
      const notRead = guardedPlaces(deps.config.approvals, 'read');
      const result = await indexAccount(caller.session.clients, {
        limits: controller.configFor({ role }).scan,
        now: started,
        ...(notRead ? { notRead } : {}),
      });
      event.count = result.tagged;
      return buildIndexResult(role.name, result, clock.now() - started);
    }).catch((err: unknown) => errorReply(err, logger, 'rotation index').message);
    await reply(message);
  }

  return { command, startButton, openButton, indexPrompt, indexButton, ...(job ? { job } : {}) };
}
