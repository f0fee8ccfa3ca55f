/** Callback and block ids of the App Home feature, in one place. */
export const VIEW_HOME = 'locksmith_home';
/** Prefix of the block that holds one request's Approve / Reject buttons; the approval id follows. */
export const BLOCK_HOME_DECISION = 'home_decision_';
