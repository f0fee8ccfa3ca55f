/** Wording shared by the replies built from CloudTrail. Pure. */
import { LIMITS } from '../slack/block-kit.js';
import { escapeMrkdwn } from '../slack/mrkdwn.js';

/** What CloudTrail's event history does not show; said under every answer built from it. */
export function coverageNote(regions: string[]): string {
  return (
    `CloudTrail event history, ${regions.map(escapeMrkdwn).join(', ')}: management events of the last 90 days; ` +
    'events usually appear about 5 minutes after the call, so the newest may be missing.'
  );
}

export { plural } from '../core/text.js';

/** Lines joined into one section's text, as many as fit; and how many were left out. */
export function fitLines(lines: string[], max = LIMITS.sectionText - 100): { text: string; left: number } {
  const kept: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (length + line.length + 1 > max) break;
    kept.push(line);
    length += line.length + 1;
  }
  return { text: kept.join('\n'), left: lines.length - kept.length };
}
