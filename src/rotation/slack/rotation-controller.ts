/**
 * The Slack side of a rotation, between the listeners and the rotation service
 * (../service/service.ts): the service does the work and tells people through the Slack notifier
 * (slack-notifier.ts); this turns what it returns into replies, and sends SES SMTP users to
 * their own feature (smtp-users/: replaced, not rotated), handed in by the composition root.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { Approval } from '../../approvals/approval.js';
import type { Deps } from '../../deps.js';
import type { Caller } from '../../identity/caller.js';
import { notice, type SlackMessage } from '../../slack/block-kit.js';
import { escapeMrkdwn } from '../../slack/mrkdwn.js';
import type { RotationRunner, RunResult } from '../core/runner.js';
import type { Rotation, RotationConfig } from '../core/workflow/index.js';
import type { RotationSection } from '../service/config.js';
import {
  type ActEvent,
  type ActResult,
  createRotationService,
  type RotationServiceOptions,
  type StartRequest,
} from '../service/service.js';
import { outcomeMessage } from './outcome-message.js';
import { escapeKeepingMentions } from './message-parts.js';
import { createSlackNotifier } from './slack-notifier.js';

export { rotationConfigByRole, type RotationSection, toRotationConfig } from '../service/config.js';
export type { ActEvent, StartRequest } from '../service/service.js';

/**
 * SES SMTP users are replaced by a new user, not rotated (smtp-users/). Handed in by the
 * composition root (features.ts), so rotation imports no smtp-users/.
 */
export interface SmtpUsersHandoff {
  /** Is `userName` an SES SMTP user (by name, or by tag read with the person's session)? */
  isSmtpUser(iam: IAMClient, userName: string): Promise<boolean>;
  /** Posts the replacement's status message in the requester's DM; returns the reply to the command. */
  start(caller: Caller, request: { userId: string; teamId: string; userName: string }): Promise<SlackMessage>;
  /**
   * A `delete-key` approval the replacement filed (detail.smtp) was decided: the approvals
   * service keeps one handler per kind, rotation's, which passes these on.
   */
  approvalDecided(approval: Approval): Promise<void>;
}

/** What a click came to: the runner's answer, and a sentence for the clicker when there is one. */
export interface ActOutcome {
  result?: RunResult;
  /** mrkdwn, already escaped; undefined when the status message says it all. */
  message?: string;
}

export interface RotationController {
  readonly runner: RotationRunner;
  readonly config: RotationConfig;
  /** The settings for rotations under one role (`approvals_by_role` applied). */
  configFor(rotation: Pick<Rotation, 'role'>): RotationConfig;
  readonly section: RotationSection;
  /** Starts a rotation; returns the reply to the command. Throws UserError for refusals. */
  start(request: StartRequest): Promise<SlackMessage>;
  /** A click or a modal by `clicker` (who must be the requester). */
  act(rotationId: string, event: ActEvent, clicker: { id: string; teamId: string }): Promise<ActOutcome>;
  /** Fresh record of a rotation, for modals. */
  load(rotationId: string): Promise<{ rotation: Rotation; version: number } | undefined>;
  /** An approval of a rotation step was decided (approved, rejected or expired). */
  approvalDecided(approval: Approval): Promise<void>;
  /** The scheduler job: polls, grace ends, stale steps, approvals lost in a crash. */
  resume(): Promise<number>;
  /**
   * A parked rotation taken over by `clicker` (who must be allowed to use its role now), or
   * resumed by its own requester allowed again; its steps then run under the clicker's session.
   */
  takeOver(rotationId: string, clicker: { id: string; teamId: string }): Promise<ActOutcome>;
}

export type RotationControllerOptions = RotationServiceOptions;

export function createRotationController(
  deps: Deps,
  section: RotationSection,
  options: RotationControllerOptions = {},
  smtp?: SmtpUsersHandoff,
): RotationController {
  const service = createRotationService(
    deps,
    section,
    (hooks) => createSlackNotifier(deps, section, hooks),
    options,
  );
  const { runner } = service;

  return {
    runner,
    config: service.config,
    configFor: service.configFor,
    section,

    async start(request) {
      const outcome = await service.start<SlackMessage>(request, async (caller) =>
        smtp && (await smtp.isSmtpUser(caller.session.clients.iam, request.userName))
          ? { note: 'smtp user: replaced, not rotated', run: () => smtp.start(caller, request) }
          : undefined,
      );
      switch (outcome.kind) {
        case 'diverted':
          return outcome.reply;
        case 'refused':
          return notice((outcomeMessage(outcome.result) ?? 'Refused.').replace(/^:\w+: /, ''));
        case 'error':
          return notice(escapeKeepingMentions(outcome.message), ':x:');
        case 'abandoned':
          return notice(
            escapeMrkdwn(outcome.notes?.join(' ') ?? 'Nothing to rotate.'),
            ':information_source:',
          );
        case 'started':
          return notice(
            `Started the rotation of \`${request.userName}\` under role \`${outcome.roleName}\`. Follow it in my DM: the message there updates as it goes.`,
            ':arrows_counterclockwise:',
          );
      }
    },

    async act(rotationId, event, clicker) {
      const done = await service.act(rotationId, event, clicker);
      return done.kind === 'ran'
        ? { result: done.result, message: outcomeMessage(done.result) }
        : refusal(done);
    },

    async takeOver(rotationId, clicker) {
      const done = await service.takeOver(rotationId, clicker);
      if (done.kind !== 'ran') return refusal(done);
      return {
        result: done.result,
        message: done.result.outcome === 'applied' ? undefined : outcomeMessage(done.result),
      };
    },

    async load(rotationId) {
      const rec = await runner.get(rotationId);
      return rec ? { rotation: rec.data, version: rec.version } : undefined;
    },

    approvalDecided: service.approvalDecided,
    resume: service.resume,
  };
}

/** Why a click never reached the runner, for the clicker. */
function refusal(done: Exclude<ActResult, { kind: 'ran' }>): ActOutcome {
  switch (done.kind) {
    case 'gone':
      return { message: ':warning: This rotation no longer exists.' };
    case 'not-requester':
      return {
        message: `:no_entry: Only <@${done.requester}>, who started this rotation, can act on it.`,
      };
    case 'not-parked':
      return {
        message: `:information_source: This rotation is not parked (any more): <@${done.requester}> acts on it.`,
      };
  }
}
