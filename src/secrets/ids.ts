/** Action and block ids of the /secret feature, in one place so a typo is a compile error. */
export const COMMAND_SECRET = '/secret';
/** "Open" on the message offered when Slack would not open the reveal window in time. */
export const ACTION_REVEAL_OPEN = 'secret_reveal_open';

/** "Edit" on a reveal: opens the edit modal for the revealed secret, under the same role. */
export const ACTION_EDIT_OPEN = 'secret_edit_open';
/** "Undo" on an edit's confirmation: moves AWSCURRENT back to the version before the edit. */
export const ACTION_EDIT_UNDO = 'secret_edit_undo';
export const BLOCK_EDIT_CONFIRM_ACTIONS = 'secret_edit_confirm_actions';
/** The edit modal and its inputs. Existing fields are `secret_edit_field:<index>`. */
export const VIEW_EDIT = 'secret_edit';
export const BLOCK_EDIT_FIELD_PREFIX = 'secret_edit_field:';
export const BLOCK_EDIT_NEW_NAME = 'secret_edit_new_name';
export const BLOCK_EDIT_NEW_VALUE = 'secret_edit_new_value';
export const INPUT_EDIT_VALUE = 'value';
export const INPUT_EDIT_NAME = 'name';

export function editFieldBlockId(index: number): string {
  return `${BLOCK_EDIT_FIELD_PREFIX}${index}`;
}

/** "Did you mean…?" after a not-found: one button per suggested name (at most three). */
export const ACTION_SUGGEST_GET_0 = 'secret_suggest_get_0';
export const ACTION_SUGGEST_GET_1 = 'secret_suggest_get_1';
export const ACTION_SUGGEST_GET_2 = 'secret_suggest_get_2';
export const ACTIONS_SUGGEST_GET = [
  ACTION_SUGGEST_GET_0,
  ACTION_SUGGEST_GET_1,
  ACTION_SUGGEST_GET_2,
] as const;
export const BLOCK_SUGGEST_ACTIONS = 'secret_suggest_actions';
