import { UserError } from '../../core/errors.js';
import type { FeatureManifest } from '../../core/manifest.js';
import type { Deps } from '../../deps.js';
import { notice, type SlackMessage } from '../../slack/block-kit.js';
import { type CommandTable, commandManifestOf, type CommandRequest } from '../../slack/command-table.js';
import { safeWord } from '../../slack/command-text.js';
import { IAM_USER_NAME } from '../core/iam-users.js';
import { buildHelpMessage } from './help-message.js';
import type { AccountIndex } from './index-command.js';
import type { RotationController } from './rotation-controller.js';
import type { UserPicker } from './user-picker.js';
import {
  ACTION_CANCEL_PARKED,
  ACTION_DUE_START,
  ACTION_EDIT_HOME,
  ACTION_INDEX_START,
  ACTION_PICK_USER,
  ACTION_TAKE_OVER,
  COMMAND_ROTATE_KEY,
  STATUS_ACTIONS,
  VIEW_HOME,
  VIEW_INFO,
  VIEW_PICK_USER,
  VIEW_PLACES,
  VIEW_PROCEED,
} from './ids.js';

/** A request for the keys-due report, which keys-due/ answers (handed in by features.ts). */
export type KeysDueAnswer = (request: {
  userId: string;
  teamId: string;
  roleName?: string;
}) => Promise<SlackMessage>;

/** What /rotate-key's sub-commands run with; without a `rotation` section only `deps`. */
export interface RotateKeyContext {
  deps: Deps;
  controller?: RotationController;
  index?: AccountIndex;
  picker?: UserPicker;
  /** `due`: the keys-due report (keys-due/), so rotation imports none of it. */
  due?: KeysDueAnswer;
}

const ROLE = '[--role ROLE]';

/** The controller, or the refusal that says rotation is not set up. */
function controllerOf(context: RotateKeyContext): RotationController {
  if (context.controller) return context.controller;
  throw new UserError(
    'bad_command',
    `Key rotation is not set up here: locksmith's config has no \`rotation\` section. Ask ${context.deps.config.access.contact}.`,
  );
}

/** The person and role a request names. */
function asker({ command, flags }: CommandRequest) {
  return {
    userId: command.user_id,
    teamId: command.team_id,
    ...(flags.role ? { roleName: flags.role } : {}),
  };
}

const help = async (_context: RotateKeyContext, request: CommandRequest) => buildHelpMessage(request.help);

/**
 * A sub-command answered by a part that may be missing: refused where rotation is not set up,
 * "not available" where the part is not (e.g. keys-due/ not handed in).
 */
function byPart(
  part: (context: RotateKeyContext) => KeysDueAnswer | undefined,
  missing: string,
): (context: RotateKeyContext, request: CommandRequest) => Promise<SlackMessage> {
  return async (context, request) => {
    controllerOf(context);
    const answer = part(context);
    return answer ? answer(asker(request)) : notice(missing, ':construction:');
  };
}

/** /rotate-key, sub-command by sub-command (slack/command-table.ts); `/rotate-key USER` is `other`. */
export const rotateKeyCommand: CommandTable<RotateKeyContext> = {
  command: COMMAND_ROTATE_KEY,
  flags: ['role'],
  subcommands: {
    due: {
      usage: `due ${ROLE}`,
      help: "keys older than the maximum age, users with two keys, unused and inactive keys, and rotations in progress, from IAM's credential report; *Open* reads a user's keys and offers *Start rotation*.",
      words: 'none',
      run: byPart((c) => c.due, 'The keys-due report is not available here.'),
    },
    index: {
      usage: `index ${ROLE}`,
      help: 'once per account, read every secret and parameter and tag those that hold a key, so rotations find their places without reading anything.',
      words: 'none',
      run: byPart((c) => c.index?.indexPrompt, 'Indexing is not available here.'),
    },
    help: { usage: 'help', help: 'this help.', words: 'none', run: help },
  },
  // Bare /rotate-key: the modal to choose the role and the IAM user (help where there is none).
  bare: {
    usage: '',
    help: 'pick the role and the IAM user in a window.',
    words: 'none',
    async run(context, request) {
      if (!context.picker) return help(context, request);
      const { command } = request;
      await context.picker.open({
        userId: command.user_id,
        teamId: command.team_id,
        triggerId: command.trigger_id,
      });
      return undefined;
    },
  },
  other: {
    usage: `USER ${ROLE}`,
    help: 'rotate the access key of IAM user `USER`, step by step, under your role.',
    words: 'none',
    async run(context, request) {
      const controller = controllerOf(context);
      const name = request.word!;
      if (!IAM_USER_NAME.test(name))
        throw new UserError(
          'bad_command',
          `\`${safeWord(name)}\` is not an IAM user name. Usage: \`/rotate-key USER ${ROLE}\`.`,
        );
      return controller.start({ ...asker(request), userName: name });
    },
  },
};

/**
 * /rotate-key: the status message's buttons (each also as `<id>:<n>`), the places and reason
 * modals, the user picker, where-the-key-lives, parked rotations, the keys-due report's "Start
 * rotation", the index; the resume job. `due` is routed to keys-due/ and SES SMTP users to
 * smtp-users/ (features.ts).
 */
export const manifest: FeatureManifest = {
  name: 'rotation',
  // `/rotate-key USER` names an IAM user: only the table's fixed words are labels.
  commands: [commandManifestOf(rotateKeyCommand)],
  actions: [
    ...STATUS_ACTIONS,
    ACTION_EDIT_HOME,
    ACTION_INDEX_START,
    ACTION_TAKE_OVER,
    ACTION_CANCEL_PARKED,
    ACTION_DUE_START,
    ACTION_PICK_USER,
  ],
  views: [VIEW_PLACES, VIEW_PROCEED, VIEW_HOME, VIEW_INFO, VIEW_PICK_USER],
  jobs: ['rotation.resume'],
};
