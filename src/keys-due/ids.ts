/**
 * Ids of the keys-due report. Their string values are those of before the report left
 * rotation/ (messages already posted in Slack carry them). The report's "Start rotation" button
 * and the value both buttons carry (IAM user, role) are rotation's (rotation/slack/ids.ts).
 */

/** "Open" on a line of the keys-due report: the user's keys read live, `rotation_due_open:<n>`. */
export const ACTION_DUE_OPEN = 'rotation_due_open';
export const ACTION_DUE_OPEN_PATTERN = /^rotation_due_open(:\d+)?$/;
