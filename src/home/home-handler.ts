/**
 * Slack glue for the App Home tab: build a person's Home from config, the user directory and
 * the approvals store, and publish it with views.publish. No AWS call: roles come from the
 * access policy, not from STS, so a refused person costs nothing and sees why.
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Approval } from '../approvals/approval.js';
import { decisionReasonMeta } from '../approvals/approval-blocks.js';
import { ACTION_APPROVE, VIEW_DECISION_REASON } from '../approvals/ids.js';
import type { Deps } from '../deps.js';
import { isUserError, toUserMessage } from '../core/errors.js';
import { allowedRoles, type Person } from '../identity/access.js';
import { FINAL_STATES, type Rotation, ROTATION_STATES } from '../rotation/core/rotation.js';
import { statusMessageOfRotation } from '../rotation/slack/ids.js';
import type { EventArgs } from '../slack/interaction-kit.js';
import { errorReply } from '../slack/reply-errors.js';
import {
  buildHomeView,
  HOME_CAPS,
  type HomeAccess,
  type HomeApprovals,
  type HomeModel,
  type HomeRotation,
} from './home-blocks.js';

export type HomeDeps = Pick<Deps, 'config' | 'directory' | 'approvals' | 'slack' | 'clock' | 'logger'> &
  Partial<Pick<Deps, 'store'>>;

const ACTIVE_ROTATION_STATES: string[] = ROTATION_STATES.filter((s) => !FINAL_STATES.has(s));

export interface HomePublisher {
  /** What the person's Home shows now. */
  model(userId: string, teamId?: string, notice?: string): Promise<HomeModel>;
  /** Builds and publishes the person's Home. Never throws: a failure is logged. */
  refreshHome(userId: string, teamId?: string, notice?: string): Promise<void>;
}

function byExpiry(a: Approval, b: Approval): number {
  return a.expiresAt - b.expiresAt;
}

export function createHomePublisher(deps: HomeDeps): HomePublisher {
  const { config, directory, approvals, slack, clock, logger } = deps;

  function refusal(err: unknown): string {
    const { ref } = errorReply(err, logger, 'home');
    return isUserError(err) ? err.message : toUserMessage(err, ref ?? 'unknown');
  }

  async function approvalsFor(person: Person, now: number): Promise<HomeApprovals | undefined> {
    if (!approvals || person.deleted || person.guest || person.isBot) return undefined;
    // A request past its expiry is still "pending" until the scheduler's next sweep; it can
    // no longer be decided, so the Home leaves it out.
    const pending = (await approvals.pending()).filter((a) => a.expiresAt > now).sort(byExpiry);
    let approver = false;
    try {
      approver = await approvals.isApproverNow(person.slackId, person.teamId);
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'home: approver check failed');
    }
    return {
      channel: approvals.config.channel,
      mine: pending.filter((a) => a.requester.slackId === person.slackId),
      toDecide: approver ? pending.filter((a) => a.requester.slackId !== person.slackId) : undefined,
    };
  }

  /** The person's rotations in progress, newest first; one more than shown, for "and N more". */
  async function rotationsFor(person: Person): Promise<HomeRotation[] | undefined> {
    const store = deps.store;
    if (!config.rotation || !store) return undefined;
    try {
      const records = await store.query<Rotation>({
        kind: 'rotation',
        states: ACTIVE_ROTATION_STATES,
        owner: person.slackId,
      });
      return records
        .filter((r) => r.data.requester.slackId === person.slackId)
        .sort((a, b) => b.data.createdAt - a.data.createdAt)
        .slice(0, HOME_CAPS.rotations * 5)
        .map((r) => {
          const message = statusMessageOfRotation(r.data);
          return {
            userName: r.data.userName,
            role: r.data.role,
            state: r.data.state,
            startedAt: r.data.createdAt,
            ...(message ? { message } : {}),
            ...(r.data.requester.teamId ? { teamId: r.data.requester.teamId } : {}),
          };
        });
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'home: rotations not read');
      return undefined;
    }
  }

  async function model(userId: string, teamId = '', notice?: string): Promise<HomeModel> {
    const now = clock.now();
    let person: Person | undefined;
    let access: HomeAccess;
    try {
      person = await directory.lookup(userId, teamId);
      access = { ok: true, roles: allowedRoles(config, person) };
    } catch (err) {
      access = { ok: false, message: refusal(err) };
    }
    const rotations = person && access.ok ? await rotationsFor(person) : undefined;
    return {
      userId,
      access,
      ...(rotations ? { rotations } : {}),
      approvals: person ? await approvalsFor(person, now) : undefined,
      revealSeconds: config.reveal.ttl_seconds,
      now,
      ...(notice ? { notice } : {}),
    };
  }

  return {
    model,
    async refreshHome(userId, teamId, notice) {
      try {
        const view = buildHomeView(await model(userId, teamId, notice));
        await slack.views.publish({ user_id: userId, view });
      } catch (err) {
        errorReply(err, logger, 'home publish');
      }
    },
  };
}

/** `app_home_opened`: publish a fresh Home whenever the person opens the Home tab. */
export function createHomeOpenedHandler(home: HomePublisher) {
  return async ({ event, body }: EventArgs<'app_home_opened'>) => {
    // The Messages tab raises the same event; only the Home tab shows this view.
    if (event.tab !== 'home') return;
    await home.refreshHome(event.user, body.team_id);
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * The person whose Home a request decides on, if the request is a decision made from the
 * Home: an Approve click inside the Home view, or the submitted reason modal of a Reject
 * clicked there (the approvals feature marks that modal with `home: true`).
 */
export function homeDecisionBy(body: unknown): { userId: string; teamId?: string } | undefined {
  if (!isRecord(body) || !isRecord(body['user']) || !isRecord(body['view'])) return undefined;
  const user = body['user'];
  const view = body['view'];
  const userId = typeof user['id'] === 'string' ? user['id'] : undefined;
  if (!userId) return undefined;
  const teamId = typeof user['team_id'] === 'string' ? user['team_id'] : undefined;
  const who = teamId ? { userId, teamId } : { userId };
  if (body['type'] === 'block_actions') {
    const clicked = Array.isArray(body['actions']) ? body['actions'] : [];
    const approve = clicked.some((a) => isRecord(a) && a['action_id'] === ACTION_APPROVE);
    return view['type'] === 'home' && approve ? who : undefined;
  }
  if (body['type'] === 'view_submission' && view['callback_id'] === VIEW_DECISION_REASON) {
    const meta = decisionReasonMeta.decode(String(view['private_metadata'] ?? ''));
    return meta?.home === true ? who : undefined;
  }
  return undefined;
}

/**
 * Global middleware: after a decision made from the Home has run (the approvals feature's
 * own listeners decide it), republish that person's Home so the decided request leaves it.
 * Bolt resolves `next()` only once every listener has finished, so the store is current.
 */
export function createHomeRefreshMiddleware(home: HomePublisher): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    const who = homeDecisionBy(body);
    if (!who) {
      await next();
      return;
    }
    try {
      await next();
    } finally {
      await home.refreshHome(who.userId, who.teamId);
    }
  };
}
