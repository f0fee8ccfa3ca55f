/**
 * The Web API methods the stand-in answers, each a function from (workspace, arguments) to the
 * JSON Slack would send back. Shapes and error codes follow Slack's method reference; auth,
 * recording and injected failures are the server's business, not these handlers'.
 */
import { checkMessageContent, checkView } from './block-kit-limits.js';
import { boolArg, stringArg } from './standin-http.js';
import type { StandinUser, StandinUsergroup, StandinView } from './standin-types.js';
import { contentFrom, type StandinWorkspace, VIEW_STACK_LIMIT } from './standin-workspace.js';

/** A Web API answer: always HTTP 200 JSON with `ok`. */
export type WebApiAnswer = { ok: boolean } & Record<string, unknown>;

/** One Web API method. */
export type WebApiHandler = (ws: StandinWorkspace, args: Record<string, unknown>) => WebApiAnswer;

/** Slack's error answer; detail lines go where Slack puts them. */
export function webApiError(error: string, messages?: readonly string[]): WebApiAnswer {
  const answer: WebApiAnswer = { ok: false, error };
  if (messages && messages.length > 0) answer['response_metadata'] = { messages: [...messages] };
  return answer;
}

function userPayload(ws: StandinWorkspace, user: StandinUser): Record<string, unknown> {
  const realName = user.real_name ?? user.name;
  const displayName = user.display_name ?? '';
  const profile: Record<string, unknown> = {
    real_name: realName,
    real_name_normalized: realName,
    display_name: displayName,
    display_name_normalized: displayName,
    team: ws.config.teamId,
  };
  if (user.email !== undefined) profile['email'] = user.email;
  const payload: Record<string, unknown> = {
    id: user.id,
    team_id: user.team_id ?? ws.config.teamId,
    name: user.name,
    deleted: user.deleted === true,
    real_name: realName,
    tz: user.tz ?? 'Europe/London',
    profile,
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: user.is_restricted === true,
    is_ultra_restricted: user.is_ultra_restricted === true,
    is_bot: user.is_bot === true,
    is_app_user: false,
    updated: Math.floor(ws.now() / 1000),
  };
  // docs.slack.dev user object: is_email_confirmed sits beside the profile's email.
  if (user.email !== undefined) payload['is_email_confirmed'] = user.is_email_confirmed ?? true;
  // Sent only when true, as in Slack's examples of users seen through shared channels.
  if (user.is_stranger === true) payload['is_stranger'] = true;
  // Enterprise Grid only (docs.slack.dev user object: enterprise_user).
  if (user.enterprise_user) {
    payload['enterprise_user'] = {
      id: user.id,
      enterprise_id: user.enterprise_user.enterprise_id,
      enterprise_name: user.enterprise_user.enterprise_name ?? 'Stand-in Org',
      is_admin: false,
      is_owner: false,
      is_primary_owner: false,
      teams: [...(user.enterprise_user.teams ?? [user.team_id ?? ws.config.teamId])],
    };
  }
  return payload;
}

/** A user as the `user` field of user_change and team_join events carries it: as users.info does. */
export function userEventPayload(ws: StandinWorkspace, user: StandinUser): Record<string, unknown> {
  return userPayload(ws, user);
}

function usergroupPayload(
  ws: StandinWorkspace,
  group: StandinUsergroup,
  options: { includeUsers: boolean; includeCount: boolean },
): Record<string, unknown> {
  const createdAt = Math.floor(ws.now() / 1000);
  const payload: Record<string, unknown> = {
    id: group.id,
    team_id: ws.config.teamId,
    is_usergroup: true,
    is_subteam: true,
    name: group.name ?? group.handle,
    description: '',
    handle: group.handle,
    is_external: false,
    date_create: createdAt,
    date_update: createdAt,
    date_delete: group.disabled ? createdAt : 0,
    auto_type: null,
    created_by: ws.config.botUserId,
    updated_by: ws.config.botUserId,
    deleted_by: null,
    prefs: { channels: [], groups: [] },
  };
  if (options.includeUsers) payload['users'] = [...group.users];
  if (options.includeCount) payload['user_count'] = group.users.length;
  return payload;
}

// docs.slack.dev auth.test: enterprise_id only for a workspace of an Enterprise Grid org.
const authTest: WebApiHandler = (ws) => ({
  ok: true,
  url: `https://${ws.config.teamDomain}.slack.com/`,
  team: ws.config.teamName,
  user: ws.config.botName,
  team_id: ws.config.teamId,
  user_id: ws.config.botUserId,
  bot_id: ws.config.botId,
  ...(ws.config.enterpriseId !== undefined ? { enterprise_id: ws.config.enterpriseId } : {}),
  is_enterprise_install: false,
});

const usersInfo: WebApiHandler = (ws, args) => {
  const user = ws.users.get(stringArg(args['user']) ?? '');
  return user ? { ok: true, user: userPayload(ws, user) } : webApiError('user_not_found');
};

// Slack answers users_not_found (plural) here, unlike users.info.
const usersLookupByEmail: WebApiHandler = (ws, args) => {
  const email = stringArg(args['email'])?.toLowerCase();
  const user = [...ws.users.values()].find((u) => email !== undefined && u.email?.toLowerCase() === email);
  return user ? { ok: true, user: userPayload(ws, user) } : webApiError('users_not_found');
};

const usergroupsList: WebApiHandler = (ws, args) => {
  const includeDisabled = boolArg(args['include_disabled']);
  const options = {
    includeUsers: boolArg(args['include_users']),
    includeCount: boolArg(args['include_count']),
  };
  const usergroups = [...ws.usergroups.values()]
    .filter((group) => includeDisabled || !group.disabled)
    .map((group) => usergroupPayload(ws, group, options));
  return { ok: true, usergroups };
};

const usergroupsUsersList: WebApiHandler = (ws, args) => {
  const group = ws.usergroups.get(stringArg(args['usergroup']) ?? '');
  if (!group || (group.disabled && !boolArg(args['include_disabled']))) return webApiError('no_such_subteam');
  return { ok: true, users: [...group.users] };
};

const chatPostMessage: WebApiHandler = (ws, args) => {
  const target = stringArg(args['channel']);
  if (!target) return webApiError('channel_not_found');
  const invalid = checkMessageContent(args);
  if (invalid) return webApiError(invalid.error, invalid.messages);
  const channel = ws.resolveChannel(target);
  const message = ws.postMessage(channel, contentFrom(args), {
    user: ws.config.botUserId,
    botId: ws.config.botId,
    via: 'chat.postMessage',
    threadTs: stringArg(args['thread_ts']),
  });
  return { ok: true, channel, ts: message.ts, message: ws.messagePayload(message) };
};

const chatPostEphemeral: WebApiHandler = (ws, args) => {
  const target = stringArg(args['channel']);
  if (!target) return webApiError('channel_not_found');
  const user = stringArg(args['user']);
  if (!user) return webApiError('user_not_in_channel');
  const invalid = checkMessageContent(args);
  if (invalid) return webApiError(invalid.error, invalid.messages);
  const channel = ws.resolveChannel(target);
  // Only to members of the channel: docs.slack.dev/reference/methods/chat.postEphemeral
  if (!ws.isMember(channel, user)) return webApiError('user_not_in_channel');
  const message = ws.postEphemeral(channel, user, contentFrom(args), 'chat.postEphemeral');
  return { ok: true, message_ts: message.ts };
};

/** The app's own live message at (channel, ts), or the error chat.update / chat.delete give. */
function ownMessage(ws: StandinWorkspace, args: Record<string, unknown>, notOwnError: string) {
  const channel = ws.resolveChannel(stringArg(args['channel']) ?? '');
  const ts = stringArg(args['ts']);
  // Ephemeral messages are not found here on purpose: chat.update / chat.delete can't touch them
  // (docs.slack.dev/messaging/modifying-messages: "Ephemeral messages can't be updated in this way").
  const message = ws.messages.find((m) => m.channel === channel && m.ts === ts && !m.deleted);
  if (!message) return { error: webApiError('message_not_found') };
  if (message.user !== ws.config.botUserId) return { error: webApiError(notOwnError) };
  return { message };
}

const chatUpdate: WebApiHandler = (ws, args) => {
  const found = ownMessage(ws, args, 'cant_update_message');
  if (found.error) return found.error;
  const invalid = checkMessageContent(args);
  if (invalid) return webApiError(invalid.error, invalid.messages);
  const { message } = found;
  const update = contentFrom(args);
  // Slack keeps the blocks (and attachments) of the old message unless new ones are given.
  const content = {
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(message.blocks !== undefined ? { blocks: message.blocks } : {}),
    ...(message.attachments !== undefined ? { attachments: message.attachments } : {}),
    ...update,
  };
  ws.replace({ kind: 'channel', message }, content);
  return {
    ok: true,
    channel: message.channel,
    ts: message.ts,
    text: message.text ?? '',
    message: ws.messagePayload(message),
  };
};

const chatDelete: WebApiHandler = (ws, args) => {
  const found = ownMessage(ws, args, 'cant_delete_message');
  if (found.error) return found.error;
  found.message.deleted = true;
  return { ok: true, channel: found.message.channel, ts: found.message.ts };
};

/** A view argument that passed `checkView`, or the error to answer with. */
function viewArg(args: Record<string, unknown>, types: readonly string[]) {
  const invalid = checkView(args['view'], types);
  if (invalid) return { error: webApiError(invalid.error, invalid.messages) };
  return { view: args['view'] as Record<string, unknown> };
}

function externalIdTaken(ws: StandinWorkspace, view: Record<string, unknown>, except?: StandinView): boolean {
  const externalId = stringArg(view['external_id']);
  if (!externalId) return false;
  return [...ws.views.values()].some((v) => v !== except && v.externalId === externalId);
}

const viewsOpen: WebApiHandler = (ws, args) => {
  const checked = viewArg(args, ['modal']);
  if (checked.error) return checked.error;
  const trigger = ws.exchangeTrigger(
    stringArg(args['trigger_id']) ?? stringArg(args['interactivity_pointer']),
  );
  if ('error' in trigger) return webApiError(trigger.error);
  if (externalIdTaken(ws, checked.view)) return webApiError('duplicate_external_id');
  const stored = ws.addView(trigger.user, checked.view, 'views.open');
  return { ok: true, view: ws.viewPayload(stored) };
};

const viewsPush: WebApiHandler = (ws, args) => {
  const checked = viewArg(args, ['modal']);
  if (checked.error) return checked.error;
  const trigger = ws.exchangeTrigger(
    stringArg(args['trigger_id']) ?? stringArg(args['interactivity_pointer']),
  );
  if ('error' in trigger) return webApiError(trigger.error);
  const top = ws.openModalOf(trigger.user);
  if (!top) return webApiError('not_found');
  if (ws.openStack(top.rootViewId).length >= VIEW_STACK_LIMIT) return webApiError('push_limit_reached');
  const stored = ws.addView(trigger.user, checked.view, 'views.push', top);
  return { ok: true, view: ws.viewPayload(stored) };
};

const viewsUpdate: WebApiHandler = (ws, args) => {
  const checked = viewArg(args, ['modal', 'home']);
  if (checked.error) return checked.error;
  const viewId = stringArg(args['view_id']);
  const externalId = stringArg(args['external_id']);
  const stored = viewId
    ? ws.views.get(viewId)
    : [...ws.views.values()].find((v) => externalId !== undefined && v.externalId === externalId);
  // A view the person closed is gone: the docs' not_found ("the given view_id or external_id
  // doesn't exist", docs.slack.dev/reference/methods/views.update); the conservative reading.
  if (!stored || stored.closed) return webApiError('not_found');
  const hash = stringArg(args['hash']);
  if (hash !== undefined && hash !== stored.hash) return webApiError('hash_conflict');
  if (externalIdTaken(ws, checked.view, stored)) return webApiError('duplicate_external_id');
  ws.updateView(stored, checked.view);
  return { ok: true, view: ws.viewPayload(stored) };
};

const viewsPublish: WebApiHandler = (ws, args) => {
  const user = stringArg(args['user_id']);
  if (!user || !ws.users.has(user)) return webApiError('user_not_found');
  const checked = viewArg(args, ['home']);
  if (checked.error) return checked.error;
  const existing = [...ws.views.values()].find((v) => v.user === user && v.type === 'home');
  const hash = stringArg(args['hash']);
  if (existing && hash !== undefined && hash !== existing.hash) return webApiError('hash_conflict');
  let stored: StandinView;
  if (existing) {
    ws.updateView(existing, checked.view);
    stored = existing;
  } else {
    stored = ws.addView(user, checked.view, 'views.publish');
  }
  return { ok: true, view: ws.viewPayload(stored) };
};

const conversationsOpen: WebApiHandler = (ws, args) => {
  const channel = stringArg(args['channel']);
  if (channel) return { ok: true, channel: { id: channel } };
  const raw = args['users'];
  const users = (Array.isArray(raw) ? raw.map(String) : (stringArg(raw) ?? '').split(','))
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  if (users.length === 0) return webApiError('users_list_not_supplied');
  // Multi-person DMs are not modelled: the bot only ever opens 1:1 DMs.
  if (users.length > 1) return webApiError('method_not_supported_for_channel_type');
  const user = users[0] ?? '';
  if (!ws.users.has(user)) return webApiError('user_not_found');
  const id = ws.dmChannelFor(user);
  if (!boolArg(args['return_im'])) return { ok: true, channel: { id } };
  return {
    ok: true,
    channel: { id, is_im: true, user, is_open: true, created: Math.floor(ws.now() / 1000) },
  };
};

/** Every Web API method the stand-in answers, by name. */
export const WEB_API_METHODS: Readonly<Record<string, WebApiHandler>> = {
  'auth.test': authTest,
  'users.info': usersInfo,
  'users.lookupByEmail': usersLookupByEmail,
  'usergroups.list': usergroupsList,
  'usergroups.users.list': usergroupsUsersList,
  'chat.postMessage': chatPostMessage,
  'chat.postEphemeral': chatPostEphemeral,
  'chat.update': chatUpdate,
  'chat.delete': chatDelete,
  'views.open': viewsOpen,
  'views.push': viewsPush,
  'views.update': viewsUpdate,
  'views.publish': viewsPublish,
  'conversations.open': conversationsOpen,
};
