/** Command, action and block ids of the /totp feature, in one place so a typo is a compile error. */
export const COMMAND_TOTP = '/totp';

/** "Refresh" on a codes message: new codes for the same secret, field and role, in place. */
export const ACTION_REFRESH = 'totp_refresh';

/**
 * The buttons of the "pick a seed" message. Slack wants action ids unique within a message, so
 * each button gets `totp_pick:<n>`; the listener matches them all with {@link ACTION_PICK_PATTERN}.
 */
export const ACTION_PICK_PREFIX = 'totp_pick:';
export const ACTION_PICK_PATTERN = /^totp_pick:\d+$/;

/**
 * The actions block of a codes message is `totp_codes:<message id>:<iteration>`. The message id
 * stays the same across refreshes, so a refresh can find and replace the pending auto-hide of
 * the message it came from; the iteration changes because Slack asks for a new block_id
 * whenever a message is updated.
 */
export const BLOCK_CODES_ACTIONS_PREFIX = 'totp_codes:';

/** The actions blocks of the "pick a seed" message: `totp_pick_actions:<n>`. */
export const BLOCK_PICK_ACTIONS_PREFIX = 'totp_pick_actions:';

export function pickActionId(index: number): string {
  return `${ACTION_PICK_PREFIX}${index}`;
}
