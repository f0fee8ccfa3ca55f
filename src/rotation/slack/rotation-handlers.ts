/**
 * Listeners for the rotation's status message and modals. Each acks first, opens a modal at
 * once when it needs one (a trigger_id lapses in 3 s), then asks the controller, then answers:
 * the status message updates itself, a refusal goes to the clicker only, and the new key pair
 * goes into a modal, never into a message.
 */
import type { View } from '@slack/types';
import type { Deps } from '../../deps.js';
import { section, type SlackMessage } from '../../slack/block-kit.js';
import { errorReply } from '../../slack/reply-errors.js';
import type { PersonEvent } from '../core/workflow/index.js';
import {
  ACTION_ACK_SEARCH,
  ACTION_CANCEL,
  ACTION_FULL_SCAN,
  ACTION_CHOOSE_PLACES,
  ACTION_CONFIRM_DEACTIVATE,
  ACTION_CONFIRM_DELETE,
  ACTION_CONFIRM_PLACES,
  ACTION_DELETE_EXTRA,
  ACTION_PROCEED_ANYWAY,
  ACTION_REACTIVATE,
  ACTION_RESCAN,
  ACTION_RETIRE,
  ACTION_RETRY,
  ACTION_TICK_PLACE,
  baseAction,
  BLOCK_PLACES_CHECKLIST_PREFIX,
  BLOCK_PLACES_SECRETS_PREFIX,
  BLOCK_PROCEED_REASON,
  type ButtonValue,
  clickEventId,
  decodeModalMeta,
  decodeValue,
  encodeModalMeta,
  INPUT_PLACES,
  type ModalMeta,
  INPUT_REASON,
  VIEW_PLACES,
  VIEW_PROCEED,
} from './ids.js';
import {
  buildCreatedView,
  buildMessageView,
  buildPlacesView,
  buildProceedView,
  buildRevealView,
  buildWorkingView,
} from './rotation-modals.js';
import { showOnce } from '../../reveal/one-time-reveal.js';
import type { ActEvent, ActOutcome, RotationController } from './rotation-controller.js';
import { type ButtonArgs, teamOf, type ViewArgs } from '../../slack/interaction-kit.js';

/** A one-section message from escaped mrkdwn; the notification text without markup. */
function sentence(mrkdwn: string): SlackMessage {
  const plain = mrkdwn
    .replace(/:[a-z0-9_+-]+:\s*/g, '')
    .replace(/[`*_]/g, '')
    .slice(0, 300);
  return { text: plain || 'locksmith', blocks: [section(mrkdwn)] };
}

/** The event a plain button stands for. */
function eventFor(actionId: string, value: ButtonValue, by: string): ActEvent | undefined {
  const eventId = clickEventId(actionId, value);
  switch (actionId) {
    case ACTION_DELETE_EXTRA:
      return value.k ? { type: 'delete-extra-key', keyId: value.k, by, eventId } : undefined;
    case ACTION_RETIRE:
      return value.k ? { type: 'retire-key', keyId: value.k, by, eventId } : undefined;
    case ACTION_RESCAN:
      return { type: 'rescan', by, eventId };
    case ACTION_TICK_PLACE:
      return value.p ? { type: 'tick-place', name: value.p, by, eventId } : undefined;
    case ACTION_CONFIRM_DEACTIVATE:
      return { type: 'confirm-deactivate', by, eventId };
    case ACTION_REACTIVATE:
      return { type: 'reactivate', by, eventId };
    case ACTION_CONFIRM_DELETE:
      return { type: 'confirm-delete', by, eventId };
    case ACTION_CANCEL:
      return { type: 'cancel', by, eventId };
    case ACTION_FULL_SCAN:
      return { type: 'full-scan', by, eventId };
    case ACTION_ACK_SEARCH:
      return { type: 'acknowledge-search', by, eventId };
    default:
      return undefined;
  }
}

export function createRotationHandlers(deps: Deps, controller: RotationController) {
  const { logger } = deps;

  /** A sentence for the clicker only: ephemeral through the click's response_url. */
  async function tell(args: ButtonArgs, text: string): Promise<void> {
    try {
      await args.respond({ response_type: 'ephemeral', replace_original: false, ...sentence(text) });
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'rotation reply not delivered');
    }
  }

  async function updateView(client: ButtonArgs['client'], viewId: string, view: View): Promise<boolean> {
    try {
      await client.views.update({ view_id: viewId, view });
      return true;
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'rotation modal update failed');
      return false;
    }
  }

  /**
   * After the create step: the one-time reveal when a place needs the pair by hand, else what
   * was done, else why nothing was.
   */
  async function showCreateOutcome(
    client: ButtonArgs['client'],
    viewId: string,
    outcome: ActOutcome,
    clicker: { id: string; teamId: string },
  ): Promise<void> {
    const result = outcome.result;
    const rotation = result?.rotation;
    if (result?.reveal && rotation) {
      await showOnce(deps, viewId, buildRevealView(rotation, result.reveal), {
        user: clicker.id,
        team: clicker.teamId,
        target: rotation.userName,
        role: rotation.role,
        title: 'New access key',
        rotationId: rotation.id,
        note: `new key ${result.reveal.accessKeyId}`,
      });
      return;
    }
    if (rotation && result?.outcome === 'applied' && !result.error && rotation.newKeyId) {
      await updateView(client, viewId, buildCreatedView(rotation));
      return;
    }
    if (rotation?.pendingApproval?.action === 'write-guarded') {
      // Guarded places (issue 14, item 5): nothing is created before an approver agrees.
      await updateView(
        client,
        viewId,
        buildMessageView(
          'Key rotation',
          ':hourglass_flowing_sand: A guarded place is among the chosen ones, so an approver is asked first, in the approvals channel. No key was created yet; the rotation goes on once approved, and the new key is then shown to nobody.',
        ),
      );
      return;
    }
    await updateView(
      client,
      viewId,
      buildMessageView('Key rotation', outcome.message ?? ':information_source: Nothing was done.'),
    );
  }

  async function confirmAllPlaces(args: ButtonArgs, value: ButtonValue): Promise<void> {
    const { body, client } = args;
    const clicker = { id: body.user.id, teamId: teamOf(body) };
    // The window opens first: the trigger lapses in 3 s and the step may take longer.
    const opened = await client.views.open({
      trigger_id: body.trigger_id,
      view: buildWorkingView('Creating the new key and writing it into the secrets…'),
    });
    const viewId = opened.view?.id;
    const loaded = await controller.load(value.r);
    const event: ActEvent | undefined = loaded && {
      type: 'confirm-places',
      by: clicker.id,
      eventId: clickEventId(ACTION_CONFIRM_PLACES, value),
      secrets: loaded.rotation.places.secrets.filter((s) => s.updatable).map((s) => s.name),
      checklist: loaded.rotation.places.checklist.map((p) => p.name),
    };
    const outcome: ActOutcome = event
      ? await controller.act(value.r, event, clicker)
      : { message: ':warning: This rotation no longer exists.' };
    if (viewId) await showCreateOutcome(client, viewId, outcome, clicker);
    else if (outcome.message) await tell(args, outcome.message);
  }

  /**
   * "Retry now". A create step being resumed may hand back the new pair for a place that needs
   * it by hand, so for that step a window is opened first, as for the first attempt.
   */
  async function retry(args: ButtonArgs, value: ButtonValue): Promise<void> {
    const { body, client } = args;
    const clicker = { id: body.user.id, teamId: teamOf(body) };
    const loaded = await controller.load(value.r);
    let viewId: string | undefined;
    if (loaded?.rotation.intent?.kind === 'create') {
      const opened = await client.views.open({
        trigger_id: body.trigger_id,
        view: buildWorkingView('Finishing the new key…'),
      });
      viewId = opened.view?.id;
    }
    const outcome = await controller.act(value.r, { type: 'retry', by: clicker.id }, clicker);
    if (viewId) await showCreateOutcome(client, viewId, outcome, clicker);
    else if (outcome.message) await tell(args, outcome.message);
  }

  async function openPlaces(args: ButtonArgs, value: ButtonValue): Promise<void> {
    const loaded = await controller.load(value.r);
    if (!loaded) return tell(args, ':warning: This rotation no longer exists.');
    if (loaded.rotation.requester.slackId !== args.body.user.id) {
      return tell(args, `:no_entry: Only <@${loaded.rotation.requester.slackId}> can act on this rotation.`);
    }
    if (loaded.rotation.state !== 'confirm-places') {
      return tell(args, ':information_source: The places were already chosen.');
    }
    const meta: ModalMeta = { r: value.r, v: loaded.version };
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: buildPlacesView(loaded.rotation, encodeModalMeta(meta)),
    });
  }

  async function openProceed(args: ButtonArgs, value: ButtonValue): Promise<void> {
    const loaded = await controller.load(value.r);
    const channel = deps.approvals?.config.channel;
    if (!loaded || !channel) return tell(args, ':warning: This does not apply any more.');
    if (loaded.rotation.requester.slackId !== args.body.user.id) {
      return tell(args, `:no_entry: Only <@${loaded.rotation.requester.slackId}> can act on this rotation.`);
    }
    const meta: ModalMeta = { r: value.r, v: loaded.version };
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: buildProceedView(loaded.rotation, encodeModalMeta(meta), channel),
    });
  }

  /** Every button of the status message. */
  const button = async (args: ButtonArgs): Promise<void> => {
    const { ack, action, body } = args;
    await ack();
    const value = decodeValue(action.value);
    if (!value) return tell(args, ':warning: This button is out of date. Look at the newest message.');
    const actionId = baseAction(action.action_id);
    try {
      switch (actionId) {
        case ACTION_CONFIRM_PLACES:
          return await confirmAllPlaces(args, value);
        case ACTION_CHOOSE_PLACES:
          return await openPlaces(args, value);
        case ACTION_PROCEED_ANYWAY:
          return await openProceed(args, value);
        case ACTION_RETRY:
          return await retry(args, value);
        default: {
          const event = eventFor(actionId, value, body.user.id);
          if (!event) return await tell(args, ':warning: This button is out of date.');
          const outcome = await controller.act(value.r, event, { id: body.user.id, teamId: teamOf(body) });
          if (outcome.message) await tell(args, outcome.message);
        }
      }
    } catch (err) {
      await tell(args, errorText(err));
    }
  };

  function errorText(err: unknown): string {
    const reply = errorReply(err, logger, 'rotation');
    const first = reply.message.blocks[0];
    return first && first.type === 'section' && first.text ? first.text.text : reply.message.text;
  }

  /** The places modal: the chosen secrets and checklist places, then the create step. */
  const placesSubmit = async ({ ack, view, body, client }: ViewArgs): Promise<void> => {
    const meta = decodeModalMeta(view.private_metadata);
    const chosen: string[] = [];
    let firstBlock: string | undefined;
    for (const [blockId, inputs] of Object.entries(view.state.values)) {
      if (
        !blockId.startsWith(BLOCK_PLACES_SECRETS_PREFIX) &&
        !blockId.startsWith(BLOCK_PLACES_CHECKLIST_PREFIX)
      )
        continue;
      firstBlock ??= blockId;
      for (const option of inputs[INPUT_PLACES]?.selected_options ?? []) chosen.push(option.value);
    }
    if (chosen.length === 0) {
      await ack({
        response_action: 'errors',
        errors: {
          [firstBlock ?? `${BLOCK_PLACES_SECRETS_PREFIX}0`]:
            'Choose at least one place, or the new key reaches nobody.',
        },
      });
      return;
    }
    await ack({
      response_action: 'update',
      view: buildWorkingView('Creating the new key and writing it into the secrets…'),
    });
    const clicker = { id: body.user.id, teamId: teamOf(body) };
    let outcome: ActOutcome;
    try {
      const loaded = meta && (await controller.load(meta.r));
      if (!meta || !loaded) outcome = { message: ':warning: This rotation no longer exists.' };
      else if (loaded.version !== meta.v) {
        outcome = {
          message:
            ':warning: The rotation changed since this window opened, so nothing was done. Open the places again from the message.',
        };
      } else {
        const { places } = loaded.rotation;
        const secrets = chosen
          .filter((v) => v.startsWith('s'))
          .map((v) => places.secrets[Number(v.slice(1))]?.name);
        const checklist = chosen
          .filter((v) => v.startsWith('c'))
          .map((v) => places.checklist[Number(v.slice(1))]?.name);
        const event: PersonEvent = {
          type: 'confirm-places',
          by: clicker.id,
          eventId: `${VIEW_PLACES}:${view.id}`,
          secrets: secrets.filter((n): n is string => n !== undefined),
          checklist: checklist.filter((n): n is string => n !== undefined),
        };
        outcome = await controller.act(meta.r, event, clicker);
      }
    } catch (err) {
      outcome = { message: errorText(err) };
    }
    await showCreateOutcome(client, view.id, outcome, clicker);
  };

  /** The "proceed anyway" reason: asks for the skip-wait approval. */
  const proceedSubmit = async ({ ack, view, body, client }: ViewArgs): Promise<void> => {
    const reason = view.state.values[BLOCK_PROCEED_REASON]?.[INPUT_REASON]?.value?.trim() ?? '';
    if (!reason) {
      await ack({
        response_action: 'errors',
        errors: { [BLOCK_PROCEED_REASON]: 'Say why the wait can be skipped.' },
      });
      return;
    }
    await ack({ response_action: 'update', view: buildWorkingView('Asking for approval…') });
    const meta = decodeModalMeta(view.private_metadata);
    let message: string;
    try {
      if (!meta) message = ':warning: This rotation no longer exists.';
      else {
        const outcome = await controller.act(
          meta.r,
          { type: 'proceed-anyway', reason, by: body.user.id, eventId: `${VIEW_PROCEED}:${view.id}` },
          { id: body.user.id, teamId: teamOf(body) },
        );
        const channel = deps.approvals?.config.channel;
        message =
          outcome.message ??
          `:hourglass_flowing_sand: Asked for approval${channel ? ` in <#${channel}>` : ''}; 2ndline was told. The message in my DM follows it.`;
      }
    } catch (err) {
      message = errorText(err);
    }
    await updateView(client, view.id, buildMessageView('Proceed anyway', message));
  };

  return { button, placesSubmit, proceedSubmit };
}
