/**
 * "Where this key lives…": the window that edits the record of where an IAM user's key lives
 * (key-homes.ts) by hand: the places outside AWS it is typed into, and a free-text note. Opened
 * from a user opened in the keys-due report, or from a rotation's status message (then the
 * rotation looks for its places again, so the checklist shows the new places at once).
 *
 * Anyone who may use the role (in the policy file, under Slack's rules) may edit the record of
 * that role's account; the edit is audited. A record holds names and links only, never a value.
 */
import type { View } from '@slack/types';
import type { Deps } from '../../deps.js';
import { section } from '../../slack/block-kit.js';
import { code, escapeMrkdwn } from '../../slack/mrkdwn.js';
import { errorReply } from '../../slack/reply-errors.js';
import {
  accountOfArn,
  getKeyHome,
  type KeyHome,
  parseThirdPartyLines,
  updateKeyHome,
} from '../core/key-homes.js';
import { decodeHomeMeta, decodeHomeRef, encodeHomeRef, type HomeRef, VIEW_HOME } from './ids.js';
import type { RotationController } from './rotation-controller.js';
import { type ButtonArgs, teamOf, type ViewArgs } from '../../slack/interaction-kit.js';

const BLOCK_PLACES = 'rotation_home_places';
const BLOCK_NOTE = 'rotation_home_note';
const INPUT = 'value';

/** The window, filled with the record as it is. */
export function buildHomeView(ref: HomeRef, home: KeyHome | undefined): View {
  const places = (home?.thirdParty ?? []).map((p) => (p.link ? `${p.name} ${p.link}` : p.name)).join('\n');
  const inAws = (home?.places ?? []).map((p) => code(p.name));
  return {
    type: 'modal',
    callback_id: VIEW_HOME,
    private_metadata: encodeHomeRef(ref),
    title: { type: 'plain_text', text: 'Where the key lives' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(
        `Where the access key of ${code(ref.u)} is kept, for the next rotation's checklist.` +
          (inAws.length ? ` In AWS, from earlier rotations: ${inAws.join(', ')}.` : ''),
      ),
      {
        type: 'input',
        block_id: BLOCK_PLACES,
        optional: true,
        label: { type: 'plain_text', text: 'Places outside AWS, one a line' },
        hint: {
          type: 'plain_text',
          text: 'A name, or a name and a link: "Fastly https://manage.fastly.com"',
        },
        element: {
          type: 'plain_text_input',
          action_id: INPUT,
          multiline: true,
          max_length: 2000,
          ...(places ? { initial_value: places } : {}),
        },
      },
      {
        type: 'input',
        block_id: BLOCK_NOTE,
        optional: true,
        label: { type: 'plain_text', text: 'Note' },
        element: {
          type: 'plain_text_input',
          action_id: INPUT,
          multiline: true,
          max_length: 1000,
          ...(home?.note ? { initial_value: home.note } : {}),
        },
      },
    ],
  };
}

export function createKeyHomeHandlers(deps: Deps, controller: RotationController) {
  const { store, clock, callers, logger, audit } = deps;

  const button = async (args: ButtonArgs): Promise<void> => {
    const { ack, action, body, client } = args;
    await ack();
    const ref = decodeHomeRef(action.value);
    try {
      if (!ref) throw new Error('bad button value');
      const role = deps.config.roles[ref.r];
      const home = role ? await getKeyHome(store, accountOfArn(role), ref.u) : undefined;
      await client.views.open({ trigger_id: body.trigger_id, view: buildHomeView(ref, home) });
    } catch (err) {
      const reply = errorReply(err, logger, 'key home window');
      await args
        .respond({ response_type: 'ephemeral', replace_original: false, ...reply.message })
        .catch(() => {});
    }
  };

  const submit = async ({ ack, view, body }: ViewArgs): Promise<void> => {
    const ref = decodeHomeMeta(view.private_metadata);
    const placesText = view.state.values[BLOCK_PLACES]?.[INPUT]?.value ?? '';
    const note = (view.state.values[BLOCK_NOTE]?.[INPUT]?.value ?? '').trim();
    const teamId = teamOf(body);
    let message: string;
    try {
      if (!ref) throw new Error('bad window metadata');
      // The person may use the role now (policy file, Slack state), or nothing is saved.
      const caller = await callers.resolve(body.user.id, teamId, ref.r);
      const account = accountOfArn(caller.role.arn);
      const now = clock.now();
      const thirdParty = parseThirdPartyLines(placesText);
      await updateKeyHome(
        store,
        account,
        ref.u,
        (home) => ({
          ...home,
          thirdParty: thirdParty.map((p) => {
            const before = home.thirdParty.find((x) => x.name.toLowerCase() === p.name.toLowerCase());
            return { ...p, ...(before?.ticked ? { ticked: before.ticked } : {}) };
          }),
          ...(note ? { note } : { note: undefined }),
          editedBy: { by: body.user.id, at: now },
        }),
        now,
      );
      audit.record({
        action: 'rotation.action',
        outcome: 'ok',
        person: {
          slack_id: body.user.id,
          team_id: teamId,
          ...(caller.person.email ? { email: caller.person.email } : {}),
        },
        role: caller.role,
        target: ref.u,
        note: 'key home edited',
        ...(ref.rot ? { rotation_id: ref.rot } : {}),
      });
      message = `:white_check_mark: Saved where the key of ${code(ref.u)} lives: ${thirdParty.length} place${thirdParty.length === 1 ? '' : 's'} outside AWS${note ? ' and a note' : ''}.`;
      if (ref.rot) {
        const loaded = await controller.load(ref.rot);
        if (
          loaded?.rotation.state === 'confirm-places' &&
          loaded.rotation.requester.slackId === body.user.id
        ) {
          // The checklist comes from the record: look again, so it shows what was just saved.
          await ack({
            response_action: 'update',
            view: infoView(`${message} Updating the rotation's checklist…`),
          });
          await controller.act(ref.rot, { type: 'rescan', by: body.user.id }, { id: body.user.id, teamId });
          return;
        }
      }
    } catch (err) {
      message = escapeMrkdwn(errorReply(err, logger, 'key home save').message.text);
    }
    await ack({ response_action: 'update', view: infoView(message) });
  };

  return { button, submit };
}

function infoView(mrkdwn: string): View {
  return {
    type: 'modal',
    callback_id: 'rotation_info',
    title: { type: 'plain_text', text: 'Where the key lives' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [section(mrkdwn)],
  };
}
