/** Action and block ids of the /secret feature, in one place so a typo is a compile error. */
export const COMMAND_SECRET = '/secret';
export const ACTION_HIDE = 'secret_hide';
export const BLOCK_REVEAL_ACTIONS = 'secret_reveal_actions';
