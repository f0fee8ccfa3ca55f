/** Action, callback and block ids of the approvals feature, in one place. */
export const ACTION_APPROVE = 'approval_approve';
export const ACTION_REJECT = 'approval_reject';
export const ACTION_BREAK_GLASS = 'approval_break_glass';
export const ACTION_USE_GRANT = 'approval_use_grant';
export const VIEW_DECISION_REASON = 'approval_decision_reason';
export const VIEW_REQUEST_REASON = 'approval_request_reason';
export const VIEW_GRANT = 'approval_grant_view';
export const BLOCK_DECISION = 'approval_decision';
export const BLOCK_REASON = 'approval_reason';
export const INPUT_REASON = 'reason';
