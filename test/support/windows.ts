/**
 * Reading reveal windows back from the Slack stand-in: the window a slash command (or a click)
 * opened from its trigger_id, what it showed once the value (or a refusal) came, and what is on
 * the person's screen now. Values are short-lived on screen (tests hide after 1 s), so what a
 * window *showed* is read from the Web API calls the stand-in recorded, not from its current state.
 */
import type { SlackStandin } from '../../devkit/slack-standin.js';
import type { RecordedCall, StandinView } from '../../devkit/standin-types.js';

/** What a window showed: its ids, the view the bot sent, and that view as JSON text. */
export interface ShownWindow {
  viewId: string;
  externalId?: string;
  view: Record<string, unknown>;
  json: string;
}

const OPENING = /:hourglass_flowing_sand: Reading /;

function viewIdOf(call: RecordedCall): string | undefined {
  const view = call.response['view'] as { id?: string } | undefined;
  return call.response['ok'] === true ? view?.id : undefined;
}

/** The view id of the window opened from `triggerId`, once Slack opened it. */
export function windowIdFrom(slack: SlackStandin, triggerId: string): string | undefined {
  const opened = slack.calls
    .filter(
      (c) => (c.method === 'views.open' || c.method === 'views.push') && c.args['trigger_id'] === triggerId,
    )
    .map(viewIdOf)
    .find((id) => id !== undefined);
  return opened;
}

/** Every view the bot sent to one window, in order (views.open/push, then views.update). */
export function viewsSentTo(slack: SlackStandin, viewId: string): Record<string, unknown>[] {
  const externalId = slack.view(viewId)?.externalId;
  return slack.calls
    .filter((c) => c.response['ok'] === true)
    .filter((c) =>
      c.method === 'views.update'
        ? c.args['view_id'] === viewId || (externalId !== undefined && c.args['external_id'] === externalId)
        : viewIdOf(c) === viewId,
    )
    .map((c) => c.args['view'] as Record<string, unknown>);
}

/**
 * Waits until the window opened from `triggerId` has shown something other than "Reading …":
 * the value, or a refusal. Returns that first content (it may be hidden again by now).
 */
export async function shownIn(
  slack: SlackStandin,
  triggerId: string,
  timeoutMs = 5000,
): Promise<ShownWindow> {
  return slack.waitFor(() => {
    const viewId = windowIdFrom(slack, triggerId);
    if (!viewId) return undefined;
    const view = viewsSentTo(slack, viewId).find((v) => !OPENING.test(JSON.stringify(v)));
    if (!view) return undefined;
    const shown: ShownWindow = { viewId, view, json: JSON.stringify(view) };
    const externalId = slack.view(viewId)?.externalId;
    if (externalId !== undefined) shown.externalId = externalId;
    return shown;
  }, timeoutMs);
}

/** The window now, as the person sees it (undefined when it is gone). */
export function windowNow(slack: SlackStandin, viewId: string): StandinView | undefined {
  const view = slack.view(viewId);
  return view && !view.closed ? view : undefined;
}

/** Waits until the window says it was hidden (or is closed); returns its current view, if open. */
export async function hiddenWindow(
  slack: SlackStandin,
  viewId: string,
  timeoutMs = 5000,
): Promise<StandinView | undefined> {
  const found = await slack.waitFor(() => {
    const view = slack.view(viewId);
    if (!view) return undefined;
    if (view.closed) return { gone: true as const };
    return /:lock: .*(hid itself|was hidden)/.test(JSON.stringify(view.view)) ? { view } : undefined;
  }, timeoutMs);
  return 'view' in found ? found.view : undefined;
}

/**
 * Waits until a slash command has been answered: a window showed its value or refusal, or a
 * reply came through its response_url (usage, refusals before any window, `list`).
 */
export async function answered(
  slack: SlackStandin,
  sent: { triggerId: string; responseUrl: string },
  timeoutMs = 5000,
): Promise<string> {
  return slack.waitFor(() => {
    const post = slack.responseUrlPosts.find((p) => p.url === sent.responseUrl);
    if (post) return JSON.stringify(post.body);
    const viewId = windowIdFrom(slack, sent.triggerId);
    const view = viewId && viewsSentTo(slack, viewId).find((v) => !OPENING.test(JSON.stringify(v)));
    return view ? JSON.stringify(view) : undefined;
  }, timeoutMs);
}
