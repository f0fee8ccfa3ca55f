/**
 * The rotation service's notifier in Slack: the status message in the requester's DM (updated in
 * place, with CloudTrail's evidence on the keys), notes in its thread, the 2ndline post and the
 * post about a parked rotation in the approvers' channel.
 */
import { describeKind } from '../../approvals/approval.js';
import type { Deps } from '../../deps.js';
import { notice, section as slackSection, type SlackMessage } from '../../slack/block-kit.js';
import { dm } from '../../slack/interaction-kit.js';
import { code, escapeMrkdwn } from '../../slack/mrkdwn.js';
import { createKeyEvidence, withBlocks } from './key-evidence.js';
import { statusMessageOfRotation } from '../core/status-ref.js';
import type { Rotation } from '../core/workflow/index.js';
import type { NotifierHooks, RotationNotifier, StatusClosing, ThreadNote } from '../service/notifier.js';
import { rotationConfigByRole, type RotationSection, toRotationConfig } from '../service/config.js';
import { outcomeMessage } from './outcome-message.js';
import { buildParkedPost } from './parked-blocks.js';
import { buildNotifyPost, buildThreadNote } from './thread-notes.js';
import { buildStartingMessage, buildStatusMessage } from './status-message.js';

export function createSlackNotifier(
  deps: Deps,
  section: RotationSection,
  hooks: NotifierHooks,
): RotationNotifier {
  const { slack, logger, clock, approvals } = deps;
  const { graceDays } = toRotationConfig(section);
  const configFor = rotationConfigByRole(section);
  // Who uses the keys, from CloudTrail (trail/key-evidence.ts): shown in the status message.
  const evidence = createKeyEvidence(deps, {
    sessionFor: hooks.backgroundSession,
    onReady: (id) => hooks.refresh(id),
  });

  async function post(rotation: Rotation, message: SlackMessage): Promise<void> {
    const ref = statusMessageOfRotation(rotation);
    if (!ref) return;
    await slack.chat.postMessage({
      channel: ref.channel,
      thread_ts: ref.ts,
      text: message.text,
      blocks: message.blocks,
    });
  }

  function threadMessage(rotation: Rotation, note: ThreadNote): SlackMessage | undefined {
    switch (note.kind) {
      case 'notice':
        return buildThreadNote(rotation, note.notice, {
          notifyChannel: section.notify_channel,
          ...(approvals ? { approvalsChannel: approvals.config.channel } : {}),
          graceDays,
        });
      case 'no-approvals':
        return notice(
          'This step needs an approval, but locksmith has no `approvals` section in its config. Ask the operators, or cancel the rotation.',
          ':x:',
        );
      case 'key-unshown': {
        const written = note.writtenTo.map((name) => code(name));
        return notice(
          `The new key ${code(note.keyId)} was finished after an interruption, with nobody to show it to, so its secret was not shown. ` +
            (written.length
              ? `Read it from ${written.join(', ')} with \`/secret get\` to update the checklist places, or cancel and start again.`
              : 'Cancel and start again to get a key you can see once.'),
          ':warning:',
        );
      }
      case 'decision-not-applied': {
        const a = note.approval;
        return notice(
          `${a.decision ? `<@${a.decision.by}>'s decision` : 'The expired request'} (${describeKind(a.kind)} ${code(a.target)}) could not be applied: ${outcomeMessage(note.result) ?? ''}`,
          ':warning:',
        );
      }
    }
  }

  function closingMessage(closing: StatusClosing): SlackMessage {
    switch (closing.kind) {
      case 'start-failed':
        return notice('The rotation could not be started; the reply to your command says why.', ':x:');
      case 'refused':
        return notice(outcomeMessage(closing.result)?.replace(/^:\w+: /, '') ?? closing.fallback);
      case 'moved':
        return notice(
          `<@${closing.by}> took this rotation of \`${escapeMrkdwn(closing.userName)}\` over; it goes on in their DM.`,
          ':handshake:',
        );
    }
  }

  return {
    async openStatus(userId, opening) {
      const posted = await dm(
        { slack },
        userId,
        opening.kind === 'starting'
          ? buildStartingMessage(opening.userName, opening.roleName)
          : notice(
              `Taking over the rotation of \`${escapeMrkdwn(opening.userName)}\`…`,
              ':hourglass_flowing_sand:',
            ),
      );
      if (!posted.ts) throw new Error('the status message was not posted');
      return { channel: posted.channel, ts: posted.ts };
    },

    async closeStatus(ref, closing) {
      await slack.chat.update({ channel: ref.channel, ts: ref.ts, ...closingMessage(closing) });
    },

    async showStatus(rotation, version, progress) {
      const ref = statusMessageOfRotation(rotation);
      if (!ref) return;
      const message = withBlocks(
        buildStatusMessage(rotation, {
          now: clock.now(),
          version,
          config: configFor(rotation),
          notifyChannel: section.notify_channel,
          ...(approvals ? { approvalsChannel: approvals.config.channel } : {}),
          ...(progress ? { progress } : {}),
        }),
        await evidence.blocksFor(rotation),
      );
      try {
        await slack.chat.update({
          channel: ref.channel,
          ts: ref.ts,
          text: message.text,
          blocks: message.blocks,
        });
      } catch (err) {
        logger.warn(
          { rotationId: rotation.id, err: { message: (err as Error).message } },
          'rotation status update failed',
        );
      }
    },

    async threadNote(rotation, note) {
      const message = threadMessage(rotation, note);
      if (message) await post(rotation, message);
    },

    async tellSecondLine(rotation, n) {
      await slack.chat.postMessage({
        channel: section.notify_channel,
        ...withBlocks(
          buildNotifyPost(rotation, n, {
            ...(approvals ? { approvalsChannel: approvals.config.channel } : {}),
            graceDays,
          }),
          // The 2ndline notice quotes CloudTrail's evidence on the key.
          [slackSection(await evidence.noticeLine(rotation, n.keyId))],
        ),
      });
    },

    async tellParked(rotation, version) {
      await slack.chat.postMessage({
        channel: approvals?.config.channel ?? section.notify_channel,
        ...buildParkedPost(rotation, version),
      });
    },
  };
}
