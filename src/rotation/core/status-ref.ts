/** Where a rotation's status message is: its id names it, a take-over moves it. */
/**
 * A rotation's id names its status message (the requester's DM channel and the message ts), so
 * the message can always be found again from the record alone, with no second record to keep
 * in step. The message is posted first, then the rotation is started under this id.
 */
export function rotationIdFor(channel: string, ts: string): string {
  return `rot_${channel}_${ts}`;
}

const ROTATION_ID = /^rot_([A-Z0-9]+)_(\d+\.\d+)$/;

/** The status message of a rotation started from Slack, or undefined for other ids. */
export function statusMessageOf(rotationId: string): { channel: string; ts: string } | undefined {
  const m = ROTATION_ID.exec(rotationId);
  return m ? { channel: m[1]!, ts: m[2]! } : undefined;
}

/** Where a rotation's status message is now: moved by a take-over, else the one its id names. */
export function statusMessageOfRotation(rotation: {
  id: string;
  statusRef?: { channel: string; ts: string };
}): { channel: string; ts: string } | undefined {
  return rotation.statusRef ?? statusMessageOf(rotation.id);
}
