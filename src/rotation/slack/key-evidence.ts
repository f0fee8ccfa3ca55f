/**
 * The key callers of a rotation: which keys a rotation's state is about, looking their calls up
 * in CloudTrail under the rotation's background session (the requester's SourceIdentity), and
 * keeping the answer per rotation so the status message can be re-rendered at any time without
 * waiting for CloudTrail. A stale answer is refreshed in the background (after each switch-over
 * poll, or once for the inspect steps) and the message re-rendered when it lands.
 */
import type { Logger } from '../../audit/logger.js';
import type { Clock } from '../../core/clock.js';
import type { Config } from '../../config.js';
import { isUserError } from '../../core/errors.js';
import type { PersonSession } from '../../identity/sessions.js';
import type { Rotation } from '../core/rotation.js';
import { type Block, context, LIMITS, section, type SlackMessage } from '../../slack/block-kit.js';
import { escapeMrkdwn } from '../../slack/mrkdwn.js';
import { type KeyUsage, keyUsage } from '../../trail/key-callers.js';
import { buildKeyCallersBlocks, buildKeyEvidenceLine } from '../../trail/key-callers-blocks.js';
import type { TrailService, TrailTarget } from '../../trail/trail-service.js';

const DAY_MS = 86_400_000;

export interface KeyEvidence {
  /**
   * Blocks for the status message: the answer for the rotation's keys. When it is stale a
   * refresh starts, and the answer is waited for up to `waitMs`, so a poll makes one update of
   * the message; a refresh that takes longer leaves the last answer (or a "looking" line) up
   * and calls `onReady` when it lands.
   */
  blocksFor(rotation: Rotation, waitMs?: number): Promise<Block[]>;
  /** The evidence line for a notice about `keyId`, looked up now. Never throws. */
  noticeLine(rotation: Rotation, keyId: string): Promise<string>;
}

export interface KeyEvidenceDeps {
  trail: TrailService;
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
  config: Pick<Config, 'trail'>;
}

export interface KeyEvidenceOptions {
  /** The session the rotation's background work runs under. */
  sessionFor(rotation: Rotation): Promise<PersonSession>;
  /** The answer for a rotation changed: re-render its status message. */
  onReady(rotationId: string): void;
}

interface ShownKey {
  keyId: string;
  label: string;
}

/**
 * The keys a rotation's state is about: both keys while one of two is chosen; the old key while
 * the places are found and the new key made (the inspect evidence); old and new during the
 * switch-over and the approval before deactivation. None before inspect and after deactivation.
 */
export function keysToShow(r: Rotation): ShownKey[] {
  const old = r.oldKeyId ? [{ keyId: r.oldKeyId, label: 'Old key' }] : [];
  switch (r.state) {
    case 'resolve-extra-key':
      return r.keys.map((k) => ({ keyId: k.id, label: 'Key' }));
    case 'locate':
    case 'confirm-places':
    case 'create':
      return old;
    case 'switch-over':
    case 'notify-and-approve':
      return [...old, ...(r.newKeyId ? [{ keyId: r.newKeyId, label: 'New key' }] : [])];
    default:
      return [];
  }
}

/** When the evidence is due again: once for the inspect steps, after every poll in the switch-over. */
function stampOf(r: Rotation, keys: ShownKey[]): string {
  const phase =
    r.state === 'switch-over' || r.state === 'notify-and-approve' ? `poll:${r.lastPolledAt ?? 0}` : 'inspect';
  return `${phase}|${keys.map((k) => k.keyId).join(',')}`;
}

function accountOf(roleArn: string): string {
  return /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(roleArn)?.[1] ?? 'unknown';
}

/** `blocks` put in `message` before its buttons (or its last line), within Slack's 50 blocks. */
export function withBlocks(message: SlackMessage, blocks: Block[]): SlackMessage {
  if (blocks.length === 0) return message;
  const at = message.blocks.findIndex((b) => b.type === 'actions');
  const index = at >= 0 ? at : Math.max(0, message.blocks.length - 1);
  const merged = [...message.blocks.slice(0, index), ...blocks, ...message.blocks.slice(index)];
  return merged.length <= LIMITS.messageBlocks ? { ...message, blocks: merged } : message;
}

export function createKeyEvidence(deps: KeyEvidenceDeps, options: KeyEvidenceOptions): KeyEvidence {
  const { trail, clock, logger } = deps;
  const settings = deps.config.trail;
  const entries = new Map<
    string,
    { stamp: string; keys: string; blocks?: Block[]; refresh?: Promise<void>; awaited?: boolean }
  >();

  async function targetsFor(session: PersonSession): Promise<TrailTarget[]> {
    const home = session.clients.cloudTrail();
    const homeRegion = await home.config.region();
    const regions = [...new Set([homeRegion, ...settings.key_regions])];
    return regions.map((region) => ({
      client: region === homeRegion ? home : session.clients.cloudTrail(region),
      accountId: accountOf(session.role.arn),
      region,
      roleArn: session.role.arn,
      roleName: session.role.name,
    }));
  }

  async function lookUp(rotation: Rotation, keyIds: string[]): Promise<KeyUsage[]> {
    const session = await options.sessionFor(rotation);
    const now = clock.now();
    return keyUsage(
      trail,
      await targetsFor(session),
      keyIds,
      { since: now - settings.key_days * DAY_MS, until: now },
      settings.budget_seconds * 1000,
    );
  }

  function failure(err: unknown): string {
    if (isUserError(err)) return err.message;
    logger.warn({ err: { message: (err as Error).message } }, 'key callers not looked up');
    return 'CloudTrail could not be looked up; the logs say why.';
  }

  async function refresh(rotation: Rotation, keys: ShownKey[], stamp: string): Promise<void> {
    let blocks: Block[];
    try {
      const usages = await lookUp(
        rotation,
        keys.map((k) => k.keyId),
      );
      blocks = buildKeyCallersBlocks(
        usages.map((usage, i) => ({ usage, label: keys[i]!.label })),
        { days: settings.key_days },
      );
    } catch (err) {
      blocks = [section(`*Who uses the keys:* :x: ${escapeMrkdwn(failure(err))}`)];
    }
    const entry = entries.get(rotation.id);
    if (entry?.stamp !== stamp) return;
    entry.blocks = blocks;
    // A render waiting for this answer shows it; otherwise the message is rendered again.
    if (!entry.awaited) options.onReady(rotation.id);
  }

  return {
    async blocksFor(rotation, waitMs = 3000) {
      const keys = keysToShow(rotation);
      if (keys.length === 0) {
        entries.delete(rotation.id);
        return [];
      }
      const stamp = stampOf(rotation, keys);
      const keySet = keys.map((k) => k.keyId).join(',');
      let entry = entries.get(rotation.id);
      if (entry?.stamp !== stamp) {
        // While the refresh runs, the last answer for the same keys stays up.
        const previous = entry?.keys === keySet ? entry.blocks : undefined;
        entry = { stamp, keys: keySet, ...(previous ? { blocks: previous } : {}) };
        entries.set(rotation.id, entry);
        entry.refresh = refresh(rotation, keys, stamp);
        entry.awaited = true;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          entry.refresh,
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, waitMs);
          }),
        ]);
        clearTimeout(timer);
        entry.awaited = false;
      }
      return entry.blocks ?? [context(':mag: Looking up in CloudTrail who uses the keys…')];
    },

    async noticeLine(rotation, keyId) {
      try {
        const [usage] = await lookUp(rotation, [keyId]);
        return buildKeyEvidenceLine(usage!, settings.key_days);
      } catch (err) {
        return `*CloudTrail:* could not be checked: ${escapeMrkdwn(failure(err))}`;
      }
    },
  };
}
