/**
 * Ids of the SES SMTP user replacement. Their string values are those of before it left
 * rotation/ (status messages already posted in Slack carry them, and metrics count by them).
 */

/** The status message's buttons: create the new user, delete the old one, cancel. */
export const ACTION_SMTP_CREATE = 'rotation_smtp_create';
export const ACTION_SMTP_DELETE_OLD = 'rotation_smtp_delete_old';
export const ACTION_SMTP_CANCEL = 'rotation_smtp_cancel';
export const SMTP_ACTIONS = [ACTION_SMTP_CREATE, ACTION_SMTP_DELETE_OLD, ACTION_SMTP_CANCEL] as const;
export const SMTP_ACTION_PATTERN = /^rotation_smtp_(create|delete_old|cancel)$/;
export const BLOCK_SMTP_ACTIONS = 'rotation_smtp_actions';
/** The working / message / one-time credentials window (no submit, so no listener). */
export const VIEW_SMTP_INFO = 'rotation_smtp_info';
