/** Ids of the reveal windows, in one place so a typo is a compile error. */

/** The callback_id of every reveal window (a modal that shows a value and hides itself). */
export const VIEW_REVEAL_WINDOW = 'reveal_window';
/** "Hide now" inside a reveal window. */
export const ACTION_HIDE_WINDOW = 'reveal_hide';
/** The actions block holding "Hide now" (and a feature's own buttons beside it). */
export const BLOCK_WINDOW_ACTIONS = 'reveal_actions';
/** The store's record kind and state for a pending hide. */
export const HIDE_STATE = 'pending:window';
/** external_id prefix of the windows locksmith opens itself. */
export const EXTERNAL_ID_PREFIX = 'locksmith-reveal-';
