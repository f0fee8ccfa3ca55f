/**
 * The states the store's approval and rotation records can be in: the vocabulary the features
 * that write them and the metrics that count them share. Here, in the bottom layer, so that
 * metrics/ counts them without importing the features (no folder cycle).
 */

/** Every rotation state, in workflow order; the last three are final. */
export const ROTATION_STATES = [
  'inspect',
  'resolve-extra-key',
  'locate',
  'confirm-places',
  'create',
  'switch-over',
  'notify-and-approve',
  'deactivate',
  'grace',
  'confirm-delete',
  'delete',
  'cancelling',
  'done',
  'cancelled',
  'abandoned',
] as const;

export type RotationState = (typeof ROTATION_STATES)[number];

/** Every approval state. */
export const APPROVAL_STATES = ['pending', 'approved', 'rejected', 'expired'] as const;

export type ApprovalState = (typeof APPROVAL_STATES)[number];
