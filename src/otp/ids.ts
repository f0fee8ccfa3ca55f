/** Command, action and block ids of the /totp feature, in one place so a typo is a compile error. */
export const COMMAND_TOTP = '/totp';

/** "Refresh" in a codes window: new codes for the same secret, field and role, in place. */
export const ACTION_REFRESH = 'totp_refresh';

/**
 * The buttons of the "pick a seed" window. Slack wants action ids unique within a message, so
 * each button gets `totp_pick:<n>`; the listener matches them all with {@link ACTION_PICK_PATTERN}.
 */
export const ACTION_PICK_PREFIX = 'totp_pick:';
export const ACTION_PICK_PATTERN = /^totp_pick:\d+$/;

/** "Open" on the message offered when Slack would not open the codes window in time. */
export const ACTION_TOTP_OPEN = 'totp_open';

/** The actions blocks of the "pick a seed" message: `totp_pick_actions:<n>`. */
export const BLOCK_PICK_ACTIONS_PREFIX = 'totp_pick_actions:';

export function pickActionId(index: number): string {
  return `${ACTION_PICK_PREFIX}${index}`;
}
