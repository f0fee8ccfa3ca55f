/**
 * The /totp listeners: ack at once, parse, then a reveal window (reveal/reveal-flow.ts): read
 * the secret under the person's role, find and parse the seed, compute codes with the injected
 * clock, show them in a modal only the asker sees, which hides itself when the next code's
 * period ends. The window's buttons ("Refresh", and the seed picker's) do the same again at
 * click time and put the result in the same window; its hide moves with it.
 */
import type { GrantConsumer } from '../approvals/approval-handlers.js';
import type { AuditEvent } from '../audit/audit-events.js';
import { audited } from '../audit/audited.js';
import type { Deps } from '../deps.js';
import { isUserError, UserError } from '../core/errors.js';
import { revealInWindow, type Revealed } from '../reveal/reveal-flow.js';
import { windowKeys, type WindowRef } from '../reveal/reveal-windows.js';
import { buildNoticeView } from '../reveal/window-views.js';
import { callerForApprovedSecret } from '../secrets/approved-session.js';
import { assertNotGuarded, requestApprovalIfGuarded } from '../secrets/guard.js';
import { isReadableName, readSecretText } from '../secrets/secret-reader.js';
import { notice } from '../slack/block-kit.js';
import { parseCommandText } from '../slack/command-text.js';
import { code } from '../slack/mrkdwn.js';
import { type ButtonArgs, onButton, onCommand, teamOf } from '../slack/interaction-kit.js';
import { noticeOnView } from '../trail/notify-on-view.js';
import { totpCodes } from './codes.js';
import { parseSeed, type TotpSeed } from './otpauth.js';
import { findSeed } from './seed-finder.js';
import {
  buildCodesView,
  buildPickView,
  buildTotpHelpMessage,
  CODES_TITLE,
  codesHideSubject,
  codesOpenButton,
  decodeTarget,
  type HiddenTotp,
  type TotpTarget,
} from './totp-blocks.js';

/** Who asked, as Slack names them. */
interface Asker {
  slackId: string;
  teamId: string;
}

/**
 * One /totp request: resolve the person's role, read, find the seed, make codes. Returns the
 * window's content and its hide; throws UserErrors for the person. Fills in `event` (otp.code),
 * which the caller records once it knows whether the codes were shown.
 * `approved`: an approved request's window, which may show a guarded secret and has no Refresh;
 * every other path refuses guarded secrets.
 */
function createTotpProducer(deps: Deps) {
  const { config, callers, clock } = deps;
  return async function produce(
    asker: Asker,
    target: TotpTarget,
    event: AuditEvent,
    approved = false,
  ): Promise<Revealed> {
    if (target.field !== undefined) event.field = target.field;
    if (!approved) assertNotGuarded(deps, target.secretName);
    // An approved request reads under a session scoped to its one secret.
    const caller = approved
      ? await callerForApprovedSecret(deps, asker, target.roleName, target.secretName, 'read')
      : await callers.resolve(asker.slackId, asker.teamId, target.roleName);
    event.person.email = caller.person.email;
    event.role = caller.role;
    const secret = await readSecretText(caller.session, target.secretName).catch((err: unknown) => {
      if (isUserError(err) && err.code === 'binary_secret') {
        throw new UserError(
          'binary_secret',
          `${code(target.secretName)} holds a binary value, so it has no 2FA seed locksmith can read.`,
        );
      }
      throw err;
    });
    if (!approved) assertNotGuarded(deps, secret.name);
    event.target = secret.name;
    event.version_id = secret.versionId;
    const found = findSeed(
      { name: secret.name, text: secret.text },
      { seedFields: config.otp.seed_fields },
      target.field,
    );
    // A list of seeds to pick from generates no code, yet the secret was read: audited as a
    // read that showed field names only (issue 14, item 8).
    if (found.kind === 'choose') {
      event.action = 'secret.read';
      event.note = '/totp seed picker: which fields hold seeds (names only)';
      return { view: buildPickView(secret.name, found.fields, caller.role.name) };
    }
    if (found.field !== undefined) event.field = found.field;
    const seed = parseFound(found.seed, secret.name, found.field);
    const now = clock.now();
    const codes = totpCodes(seed, now);
    // Hide once the next code's period ends: after that, nothing on screen is usable.
    const hideInMs = codes.periodStart + 2 * codes.period * 1000 - now;
    const hidden: HiddenTotp = { secretName: secret.name };
    if (found.field !== undefined) hidden.field = found.field;
    noticeOnView(deps, caller, target.secretName, { secretName: secret.name, kind: 'one-time code' });
    return {
      view: buildCodesView({
        secretName: secret.name,
        field: found.field,
        roleName: caller.role.name,
        issuer: seed.issuer,
        account: seed.account,
        codes,
        hidesInSeconds: Math.ceil(hideInMs / 1000),
        refresh: !approved,
      }),
      hide: { subject: codesHideSubject(hidden, caller.role), ttlMs: hideInMs },
    };
  };
}

/** parseSeed, with the secret and field named in its refusal (which never holds the seed). */
function parseFound(seed: string, secretName: string, field: string | undefined): TotpSeed {
  try {
    return parseSeed(seed);
  } catch (err) {
    if (isUserError(err)) {
      const where =
        field === undefined ? code(secretName) : `the ${code(field)} field of ${code(secretName)}`;
      throw new UserError(err.code, `No codes from ${where}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

function codesEvent(asker: Asker, target: TotpTarget): AuditEvent {
  return {
    action: 'otp.code',
    outcome: 'ok',
    person: { slack_id: asker.slackId, team_id: asker.teamId },
    target: target.secretName,
  };
}

/** Where the codes go: a new window from a trigger, with the command's reply places. */
interface WindowPlace {
  triggerId: string;
  responseUrl?: string;
  channel?: string;
}

/** Codes in a new window (the command, and the "Open" button when the window could not open). */
function revealCodes(deps: Deps, asker: Asker, target: TotpTarget, place: WindowPlace) {
  const produce = createTotpProducer(deps);
  const event = codesEvent(asker, target);
  const what = code(target.secretName);
  return revealInWindow(
    deps,
    {
      user: asker.slackId,
      team: asker.teamId,
      ...place,
      title: CODES_TITLE,
      opening: `Reading ${what}${target.roleName ? ` as role ${code(target.roleName)}` : ''}…`,
      reopen: { button: codesOpenButton(target), what: `the codes of ${what}` },
    },
    event,
    () => produce(asker, target, event),
  );
}

/** /totp NAME [FIELD] [--role ROLE]; bare or `help`: usage. */
export function createTotpCommandHandler(deps: Deps) {
  const { config } = deps;
  return onCommand(deps, '/totp', async ({ command, client }, i) => {
    const { args, flags } = parseCommandText(command.text, ['role']);
    const [name, ...rest] = args;
    if (name === undefined || (name.toLowerCase() === 'help' && rest.length === 0)) {
      await i.reply(buildTotpHelpMessage(config.otp.seed_fields));
      return;
    }
    // Field names may hold spaces; the command text splits on them, so the rest is rejoined.
    const field = rest.length > 0 ? rest.join(' ') : undefined;
    // A name that cannot be read never reaches the guard: the codes' window below refuses it,
    // audited (assertNotGuarded).
    const guarded =
      isReadableName(name) &&
      (await requestApprovalIfGuarded(deps, client, {
        userId: command.user_id,
        teamId: command.team_id,
        triggerId: command.trigger_id,
        responseUrl: command.response_url,
        secretName: name,
        roleName: flags.role,
        via: 'totp',
        field,
      }));
    if (guarded) return; // the reason modal took over
    const target: TotpTarget = { secretName: name };
    if (field !== undefined) target.field = field;
    if (flags.role !== undefined) target.roleName = flags.role;
    await revealCodes(deps, { slackId: command.user_id, teamId: command.team_id }, target, {
      triggerId: command.trigger_id,
      responseUrl: command.response_url,
      channel: command.channel_id,
    });
  });
}

/**
 * "Refresh" and the seed picker's buttons, inside a codes window: new codes for the button's
 * secret, field and role, read again under the clicker's role now, put into the same window,
 * whose hide moves to the new codes' time.
 */
export function createTotpButtonHandler(deps: Deps) {
  const produce = createTotpProducer(deps);
  const { reveals } = deps;
  const askerOf = (body: ButtonArgs['body']): Asker => ({ slackId: body.user.id, teamId: teamOf(body) });
  return onButton(
    deps,
    'totp button',
    async ({ action, body }, i) => {
      const view = body.view;
      const key = view ? windowKeys(view)[0] : undefined;
      if (!view || !key) {
        i.unaudited(); // these buttons only live in windows
        return;
      }
      const ref: WindowRef = { key, viewId: view.id };
      if (view.external_id && key === view.external_id) ref.externalId = view.external_id;
      const asker = askerOf(body);
      const target = decodeTarget(action.value);
      const event = i.event;
      let revealed: Revealed | undefined;
      try {
        if (!target || !event) {
          throw new UserError('bad_command', 'This button no longer works. Run `/totp NAME` again.');
        }
        revealed = await produce(asker, target, event);
      } catch (err) {
        await reveals.update(ref, buildNoticeView(CODES_TITLE, i.fail(err).message.blocks));
      }
      if (revealed) {
        const shown = revealed.hide
          ? await reveals.show(ref, revealed.view, {
              ...revealed.hide,
              user: asker.slackId,
              team: asker.teamId,
            })
          : await reveals.update(ref, revealed.view);
        if (shown !== 'shown' && event) {
          event.outcome = 'error';
          event.reason = 'not_shown';
          event.note =
            shown === 'closed'
              ? 'read, but the person closed the window before the codes came'
              : 'read, but Slack did not confirm the window: its hide is stored all the same';
        }
      }
      if (revealed?.audited === false) i.unaudited();
    },
    {
      audit: ({ action, body }) => {
        const target = decodeTarget(action.value);
        return target ? codesEvent(askerOf(body), target) : undefined;
      },
    },
  );
}

/**
 * "Open" on the message offered when the codes window could not open: its click brings a fresh
 * trigger_id; the message (a button, no code) is removed through the click's response_url.
 */
export function createTotpOpenHandler(deps: Deps) {
  return onButton(deps, 'totp open', async ({ action, body, respond }, i) => {
    const target = decodeTarget(action.value);
    if (!target) {
      await i.reply(notice('That button was not understood. Run `/totp NAME`.'));
      return;
    }
    const asker: Asker = { slackId: body.user.id, teamId: teamOf(body) };
    const place: WindowPlace = { triggerId: body.trigger_id };
    if (body.response_url) place.responseUrl = body.response_url;
    if (body.channel?.id) place.channel = body.channel.id;
    await revealCodes(deps, asker, target, place);
    if (body.response_url) await respond({ delete_original: true }).catch(() => undefined);
  });
}

/** What an approved /totp request's button opens: the codes, computed at the click, in a window. */
export function createTotpGrantConsumer(deps: Deps): GrantConsumer {
  const produce = createTotpProducer(deps);
  return async (grant) => {
    const target: TotpTarget = { secretName: grant.approval.target, roleName: grant.approval.role.name };
    if (grant.approval.detail.field !== undefined) target.field = grant.approval.detail.field;
    const asker = { slackId: grant.requester.slackId, teamId: grant.requester.teamId };
    const event = codesEvent(asker, target);
    event.approval_id = grant.approvalId;
    return audited(deps.audit, event, async () => {
      const revealed = await produce(asker, target, event, true);
      return revealed.hide ? { view: revealed.view, hide: revealed.hide } : { view: revealed.view };
    });
  };
}
