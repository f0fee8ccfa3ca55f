/**
 * Single-use grants: what an approved reveal or edit turns into. The requester gets a DM with
 * one button; the click is checked (the requester, once, before it lapses) and claimed with a
 * compare-and-set, so a double click or a Slack retry opens one window only. The DM never
 * holds a value: the value is read at the moment of the click, under the requester's role.
 */
import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { dm } from '../slack/interaction-kit.js';
import type { Store } from '../store/store.js';
import type { Approval, ApprovalPerson } from './approval.js';
import { buildGrantMessage, buildGrantUsedMessage } from './approval-blocks.js';

export interface Grant {
  id: string;
  approvalId: string;
  approval: Pick<Approval, 'kind' | 'target' | 'role' | 'detail' | 'decision'>;
  requester: ApprovalPerson;
  validUntil: number;
  usedAt?: number;
  dm?: { channel: string; ts: string };
}

export type GrantUse = { ok: true; grant: Grant } | { ok: false; message: string };

export interface GrantService {
  issue(approval: Approval, validMinutes: number, verb: string): Promise<Grant>;
  /** Claims the grant for `clicker`; exactly one claim succeeds. */
  use(grantId: string, clicker: string): Promise<GrantUse>;
  /** Marks lapsed unused grants expired and updates their DMs. */
  expireDue(): Promise<number>;
}

export function createGrantService(deps: {
  store: Store;
  slack: WebClient;
  clock: Clock;
  logger: Logger;
}): GrantService {
  const { store, slack, clock, logger } = deps;

  function asApproval(g: Grant): Approval {
    return {
      id: g.approvalId,
      ...g.approval,
      requester: g.requester,
      reason: '',
      createdAt: 0,
      expiresAt: g.validUntil,
      state: 'approved',
    };
  }

  async function updateDm(g: Grant, text: string, blocks: unknown[]): Promise<void> {
    if (!g.dm) return;
    try {
      await slack.chat.update({ channel: g.dm.channel, ts: g.dm.ts, text, blocks: blocks as never });
    } catch (err) {
      logger.warn({ grant_id: g.id, err: { message: (err as Error).message } }, 'grant DM update failed');
    }
  }

  return {
    async issue(approval, validMinutes, verb) {
      const now = clock.now();
      const grant: Grant = {
        id: randomUUID(),
        approvalId: approval.id,
        approval: {
          kind: approval.kind,
          target: approval.target,
          role: approval.role,
          detail: approval.detail,
          decision: approval.decision,
        },
        requester: approval.requester,
        validUntil: now + validMinutes * 60_000,
      };
      let rec = await store.create<Grant>(
        {
          kind: 'grant',
          id: grant.id,
          state: 'open',
          dueAt: grant.validUntil,
          owner: grant.requester.slackId,
          data: grant,
        },
        now,
      );
      const { channel, ts } = await dm(
        { slack },
        grant.requester.slackId,
        buildGrantMessage(approval, grant.id, grant.validUntil, verb),
      );
      if (ts) {
        const withDm = { ...grant, dm: { channel, ts } };
        rec =
          (await store.update<Grant>(
            'grant',
            grant.id,
            rec.version,
            { state: 'open', dueAt: grant.validUntil, owner: grant.requester.slackId, data: withDm },
            clock.now(),
          )) ?? rec;
      }
      return rec.data;
    },

    async use(grantId, clicker) {
      const rec = await store.get<Grant>('grant', grantId);
      if (!rec) return { ok: false, message: 'That button no longer works. Ask again.' };
      const g = rec.data;
      if (clicker !== g.requester.slackId)
        return { ok: false, message: 'Only the person who asked can use this button.' };
      if (rec.state === 'used')
        return { ok: false, message: 'This button has already been used. Ask again to see it again.' };
      const now = clock.now();
      if (rec.state !== 'open' || now >= g.validUntil) {
        return { ok: false, message: 'This button has lapsed. Ask again to see it again.' };
      }
      const used = { ...g, usedAt: now };
      const saved = await store.update<Grant>(
        'grant',
        grantId,
        rec.version,
        { state: 'used', owner: g.requester.slackId, data: used },
        now,
      );
      if (!saved)
        return { ok: false, message: 'This button has already been used. Ask again to see it again.' };
      const msg = buildGrantUsedMessage(asApproval(g), now);
      await updateDm(g, msg.text, msg.blocks);
      return { ok: true, grant: saved.data };
    },

    async expireDue() {
      const due = await store.query<Grant>({ kind: 'grant', states: ['open'], dueBy: clock.now() });
      let count = 0;
      for (const rec of due) {
        const saved = await store.update<Grant>(
          'grant',
          rec.id,
          rec.version,
          { state: 'expired', owner: rec.owner, data: rec.data },
          clock.now(),
        );
        if (!saved) continue;
        count++;
        await updateDm(rec.data, 'This button has lapsed', [
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: ':hourglass: This button has lapsed unused. Ask again if you still need it.',
            },
          },
        ]);
      }
      return count;
    },
  };
}
