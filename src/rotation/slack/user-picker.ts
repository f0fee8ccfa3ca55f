/**
 * Bare `/rotate-key`: a modal to choose the role (a static select of the person's roles, so the
 * AWS account) and the IAM user (an external select whose options come from ListUsers under
 * the chosen role, filtered by what the person types, at most 100 as Slack allows). Submitting
 * starts the rotation exactly as `/rotate-key USER --role R` does; the status message appears
 * in the person's DM, and the reply to the start is posted there too.
 */
import { type IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import type { PlainTextOption, View } from '@slack/types';
import { classifyAwsError } from '../../aws/aws-errors.js';
import type { Deps } from '../../deps.js';
import { isUserError, UserError } from '../../core/errors.js';
import { allowedRoles } from '../../identity/access.js';
import { context } from '../../slack/block-kit.js';
import { errorReply } from '../../slack/reply-errors.js';
import {
  ACTION_PICK_USER,
  BLOCK_PICK_ROLE,
  BLOCK_PICK_USER,
  INPUT_PICK_ROLE,
  VIEW_PICK_USER,
} from './ids.js';
import { IAM_USER_NAME, isIgnoredUser } from '../core/iam-users.js';
import { startRotationFor } from './start-rotation.js';
import type { RotationController } from './rotation-controller.js';
import { type OptionsArgs, teamOf, tryDm, type ViewArgs } from '../../slack/interaction-kit.js';

/** Slack shows at most 100 options from an external source. */
export const MAX_OPTIONS = 100;
/** Slack's static select takes at most 100 options too. */
const MAX_ROLES = 100;
/** ListUsers answers are reused this long per (person, role), so typing does not list again. */
const USER_CACHE_MS = 60_000;
/** Slack waits 3 s for options; listing stops in time to answer with what it has. */
const LIST_BUDGET_MS = 2000;
/**
 * How long the options answer waits for IAM at all. One ListUsers call can take up to the AWS
 * client's attempts × timeout (9 s by default), far past Slack's 3 s; the listing then goes on
 * in the background and fills the cache for the next keystroke.
 */
const OPTIONS_BUDGET_MS = 2000;
/** Values of options that only say something (an error); never a user name. */
const NOTE_PREFIX = '!';

/**
 * `work`'s result, or undefined when it takes longer than `ms`. The late result (or error) is
 * dropped here, not lost: usersFor caches what a late listing finds.
 */
async function withinBudget<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  work.catch(() => {}); // a late failure must not become an unhandled rejection
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function option(text: string, value: string): PlainTextOption {
  return { text: { type: 'plain_text', text: text.slice(0, 75), emoji: false }, value };
}

/** The modal; pure. */
export function buildPickerView(roles: readonly string[]): View {
  const roleOptions = roles.slice(0, MAX_ROLES).map((r) => option(r, r));
  return {
    type: 'modal',
    callback_id: VIEW_PICK_USER,
    title: { type: 'plain_text', text: 'Rotate an access key' },
    submit: { type: 'plain_text', text: 'Start rotation' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: BLOCK_PICK_ROLE,
        label: { type: 'plain_text', text: 'Role (AWS account)' },
        element: {
          type: 'static_select',
          action_id: INPUT_PICK_ROLE,
          options: roleOptions,
          ...(roleOptions[0] ? { initial_option: roleOptions[0] } : {}),
        },
      },
      {
        type: 'input',
        block_id: BLOCK_PICK_USER,
        label: { type: 'plain_text', text: 'IAM user' },
        element: {
          type: 'external_select',
          action_id: ACTION_PICK_USER,
          min_query_length: 0,
          placeholder: { type: 'plain_text', text: 'Type to search the IAM users' },
        },
      },
      context(
        'The users are listed with IAM ListUsers under the role chosen above (choose the role first). The rotation is followed in your DM with locksmith.',
      ),
    ],
  };
}

interface StateValues {
  [blockId: string]: {
    [actionId: string]: { selected_option?: { value?: string } | null } | undefined;
  };
}

function selected(values: StateValues | undefined, block: string, action: string): string | undefined {
  const v = values?.[block]?.[action]?.selected_option?.value;
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function createUserPicker(deps: Deps, controller: RotationController) {
  const { logger, slack, directory, callers, clock, config } = deps;
  const cache = new Map<string, { at: number; names: string[]; complete: boolean }>();
  const ignoreUsers = config.rotation?.ignore_users ?? [];

  /** Opens the modal; throws UserError when the person may use no role. */
  async function open(request: { userId: string; teamId: string; triggerId: string }): Promise<void> {
    const person = await directory.lookup(request.userId, request.teamId);
    const roles = allowedRoles(config, person).map((r) => r.name);
    await slack.views.open({ trigger_id: request.triggerId, view: buildPickerView(roles) });
  }

  async function listUsers(iam: IAMClient): Promise<{ names: string[]; complete: boolean }> {
    const started = performance.now();
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListUsersCommand({ MaxItems: 1000, Marker: marker }));
      for (const u of page.Users ?? [])
        if (u.UserName && !isIgnoredUser(u.UserName, ignoreUsers)) names.push(u.UserName);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker && performance.now() - started < LIST_BUDGET_MS);
    return { names: names.sort(), complete: marker === undefined };
  }

  async function usersFor(userId: string, teamId: string, roleName: string | undefined) {
    const caller = await callers.resolve(userId, teamId, roleName);
    const key = `${userId}\u0000${caller.role.arn}`;
    const hit = cache.get(key);
    if (hit && clock.now() - hit.at < USER_CACHE_MS) return hit;
    const listed = await listUsers(caller.session.clients.iam);
    const entry = { at: clock.now(), ...listed };
    cache.set(key, entry);
    if (cache.size > 500) cache.delete(cache.keys().next().value!);
    return entry;
  }

  /** `app.options`: the IAM users matching what was typed, under the chosen role. */
  async function options(args: OptionsArgs): Promise<void> {
    const { body, ack } = args;
    const typed = (body.value ?? '').trim().toLowerCase();
    const values = body.view?.state?.values as StateValues | undefined;
    const roleName = selected(values, BLOCK_PICK_ROLE, INPUT_PICK_ROLE);
    let answer: PlainTextOption[];
    try {
      const listed = await withinBudget(usersFor(body.user.id, teamOf(body), roleName), OPTIONS_BUDGET_MS);
      if (listed === undefined) {
        await ack({ options: [option('IAM is slow to answer: type on to try again', `${NOTE_PREFIX}slow`)] });
        return;
      }
      const { names, complete } = listed;
      const matches = names.filter((n) => n.toLowerCase().includes(typed));
      answer = matches.slice(0, MAX_OPTIONS).map((n) => option(n, n));
      if (answer.length === 0) {
        answer = [
          option(
            complete ? 'No IAM user matches' : 'No match among the users listed so far',
            `${NOTE_PREFIX}none`,
          ),
        ];
      } else if (matches.length > MAX_OPTIONS) {
        // Keep Slack's limit: the last slot says there is more.
        answer = [
          ...answer.slice(0, MAX_OPTIONS - 1),
          option(`…${matches.length - MAX_OPTIONS + 1} more: type more of the name`, `${NOTE_PREFIX}more`),
        ];
      }
    } catch (err) {
      let text: string;
      if (isUserError(err)) text = err.message;
      else if (classifyAwsError(err) === 'access_denied') {
        text = 'IAM denied ListUsers under this role: type the name with /rotate-key USER';
      } else {
        text = errorReply(err, logger, 'rotation user options').message.text;
      }
      answer = [option(text.replace(/[`*_]/g, ''), `${NOTE_PREFIX}error`)];
    }
    await ack({ options: answer });
  }

  /** The modal's submit: checks the choice, closes the modal, starts the rotation. */
  async function submit(args: ViewArgs): Promise<void> {
    const { ack, body, view } = args;
    const values = view.state.values as StateValues;
    const roleName = selected(values, BLOCK_PICK_ROLE, INPUT_PICK_ROLE);
    const userName = selected(values, BLOCK_PICK_USER, ACTION_PICK_USER);
    if (!userName || userName.startsWith(NOTE_PREFIX) || !IAM_USER_NAME.test(userName)) {
      await ack({
        response_action: 'errors',
        errors: { [BLOCK_PICK_USER]: 'Choose an IAM user from the list.' },
      });
      return;
    }
    const userId = body.user.id;
    const teamId = teamOf(body);
    try {
      await callers.authorize(userId, teamId, roleName);
    } catch (err) {
      if (err instanceof UserError) {
        await ack({ response_action: 'errors', errors: { [BLOCK_PICK_ROLE]: err.message.slice(0, 150) } });
        return;
      }
      throw err;
    }
    await ack();
    let message;
    try {
      message = await startRotationFor(deps, controller, {
        userId,
        teamId,
        userName,
        ...(roleName ? { roleName } : {}),
      });
    } catch (err) {
      message = errorReply(err, logger, 'rotation picker').message;
    }
    await tryDm({ slack, logger }, userId, message, 'rotation picker reply not delivered');
  }

  return { open, options, submit };
}

export type UserPicker = ReturnType<typeof createUserPicker>;
