/**
 * `/secret get NAME` as a reveal window (reveal/reveal-flow.ts): read under the asker's own
 * role, shown in a modal only they see, hidden again after `reveal.ttl_seconds`. Also the
 * "Open" button offered when Slack would not open the window in time, which runs the same.
 */
import type { AuditEvent } from '../audit/audit-events.js';
import type { Deps } from '../deps.js';
import { revealInWindow, type RevealOutcome } from '../reveal/reveal-flow.js';
import type { WindowRef } from '../reveal/reveal-windows.js';
import { replyEphemeral } from '../slack/ephemeral-reply.js';
import { type ButtonArgs, teamOf } from '../slack/interaction-kit.js';
import { code } from '../slack/mrkdwn.js';
import { notice } from '../slack/block-kit.js';
import { assertNotGuarded } from './guard.js';
import {
  buildRevealView,
  parseRevealRef,
  REVEAL_TITLE,
  revealHideSubject,
  revealOpenButton,
} from './reveal-blocks.js';
import { readSecret } from './secret-reader.js';
import { parseSuggestRef } from './search-blocks.js';
import { suggestionsView } from './secret-suggestions.js';
import { noticeOnView } from '../trail/notify-on-view.js';

/** Who asks, and where from: the trigger opens the window, the rest is for messages. */
export interface Asker {
  user: string;
  team: string;
  triggerId: string;
  responseUrl?: string;
  channel?: string;
}

/**
 * Reads `name` under the asker's role (or `roleName`) and shows it in a reveal window (a new
 * one, or `into` a window of theirs that is open). A name that does not exist gets the closest
 * names the role can list, as buttons (secret-suggestions.ts).
 */
export function revealSecret(
  deps: Deps,
  asker: Asker,
  name: string,
  roleName: string | undefined,
  into?: WindowRef,
): Promise<RevealOutcome> {
  const { config, callers } = deps;
  const event: AuditEvent = {
    action: 'secret.reveal',
    outcome: 'ok',
    person: { slack_id: asker.user, team_id: asker.team },
    target: name,
  };
  const as = roleName ? ` as role ${code(roleName)}` : '';
  return revealInWindow(
    deps,
    {
      ...asker,
      title: REVEAL_TITLE,
      opening: `Reading ${code(name)}${as}…`,
      reopen: { button: revealOpenButton(name, roleName), what: code(name) },
      ...(into ? { into } : {}),
    },
    event,
    async () => {
      assertNotGuarded(deps, name);
      const caller = await callers.resolve(asker.user, asker.team, roleName);
      event.person.email = caller.person.email;
      event.role = caller.role;
      let secret;
      try {
        secret = await readSecret(caller.session, name, { seedFields: config.otp.seed_fields });
      } catch (err) {
        // Not found: "Did you mean…?" with the names the role can list (no value read).
        const suggested = await suggestionsView(caller, name, err, REVEAL_TITLE);
        if (!suggested) throw err;
        event.outcome = 'not_found';
        event.reason = 'secret_not_found';
        return { view: suggested };
      }
      // Guarded or not is decided on the name AWS returned too: an ARN or another spelling of a
      // guarded secret must not walk past the glob.
      assertNotGuarded(deps, secret.name);
      event.target = secret.name;
      event.version_id = secret.versionId;
      noticeOnView(deps, caller, name, { secretName: secret.name, kind: 'reveal' });
      return {
        view: buildRevealView(secret, { roleName: caller.role.name, ttlSeconds: config.reveal.ttl_seconds }),
        hide: {
          subject: revealHideSubject(secret.name, caller.role),
          ttlMs: config.reveal.ttl_seconds * 1000,
        },
      };
    },
  );
}

/**
 * "Open" on the message offered when the window could not open: its click brings a fresh
 * trigger_id. The message (a button, no value) is removed through the click's response_url.
 */
export function createRevealOpenHandler(deps: Deps) {
  return async ({ ack, action, body, respond }: ButtonArgs): Promise<void> => {
    await ack();
    const ref = parseRevealRef(action.value ?? '');
    const asker: Asker = {
      user: body.user.id,
      team: teamOf(body),
      triggerId: body.trigger_id,
      ...(body.response_url ? { responseUrl: body.response_url } : {}),
      ...(body.channel?.id ? { channel: body.channel.id } : {}),
    };
    if (!ref) {
      await replyEphemeral(deps, asker, notice('That button was not understood. Run `/secret get NAME`.'), {
        where: 'reveal open',
      });
      return;
    }
    await revealSecret(deps, asker, ref.s, ref.r);
    // The button has done its job: a window, or a fresh button, is in front of the person now.
    if (body.response_url) await respond({ delete_original: true }).catch(() => undefined);
  };
}

/** A click on "Show NAME" in the window: the reveal of NAME goes into that window. */
export function createSuggestionHandler(deps: Deps) {
  return async ({ ack, action, body }: ButtonArgs): Promise<void> => {
    await ack();
    const ref = parseSuggestRef(action.value);
    const view = body.view;
    if (!ref || !view?.id) {
      deps.logger.warn({ action: action.action_id }, 'suggestion click without its name or window');
      return;
    }
    await revealSecret(
      deps,
      { user: body.user.id, team: teamOf(body), triggerId: body.trigger_id },
      ref.n,
      ref.r,
      {
        key: view.external_id || view.id,
        viewId: view.id,
        ...(view.external_id ? { externalId: view.external_id } : {}),
      },
    );
  };
}
