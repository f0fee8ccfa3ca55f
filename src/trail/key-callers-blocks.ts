/** Key callers in Slack: blocks for the rotation's status message and the 2ndline notice. Pure. */
import { type Block, context, section } from '../slack/block-kit.js';
import { code, escapeMrkdwn, slackDate } from '../slack/mrkdwn.js';
import type { KeyCaller, KeyUsage } from './key-callers.js';
import { coverageNote, fitLines, plural } from './trail-text.js';
import { describeAgent } from './user-agent.js';

/** Callers listed per key; the rest are counted. */
const CALLERS_SHOWN = 4;

/** What CloudTrail cannot show about a key's use, said plainly under the evidence. */
export function blindSpots(regions: string[]): string {
  return (
    `Not in CloudTrail's event history: data events (S3 object reads and writes, DynamoDB items, Lambda invocations), ` +
    `Regions other than ${regions.map(escapeMrkdwn).join(', ')} (add them in \`trail.key_regions\`), ` +
    'calls of the last few minutes, and calls made with temporary credentials the key obtained.'
  );
}

function agentText(c: KeyCaller): string {
  return c.agent.product && c.agent.via !== 'console' ? c.agent.product : describeAgent(c.agent);
}

function callerLine(c: KeyCaller): string {
  const where = `${c.services.map(escapeMrkdwn).join(', ')}${c.regions.length ? ` in ${c.regions.map(escapeMrkdwn).join(', ')}` : ''}`;
  const ops = c.operations.length ? ` (${c.operations.map(escapeMrkdwn).join(', ')})` : '';
  const counts = `${plural(c.count, 'call')}${c.failed ? `, ${c.failed} refused` : ''}`;
  const span = c.count === 1 ? slackDate(c.last) : `first ${slackDate(c.first)}, last ${slackDate(c.last)}`;
  return `• ${escapeMrkdwn(c.sourceIp)}, ${escapeMrkdwn(describeAgent(c.agent))}: ${where}${ops}; ${counts}, ${span}`;
}

function windowText(days: number): string {
  return `the last ${plural(days, 'day')}`;
}

/** One key's headline: still used, or no calls seen, or why it could not be checked. */
function headline(usage: KeyUsage, label: string, days: number): string {
  const name = `*${escapeMrkdwn(label)}* ${code(usage.keyId)}`;
  if (usage.calls > 0) {
    return `${name}: :eyes: ${plural(usage.calls, 'call')} from ${plural(usage.callers.length, 'caller')} in ${windowText(days)}`;
  }
  if (usage.error) return `${name}: :x: ${escapeMrkdwn(usage.error)}`;
  return usage.complete
    ? `${name}: :zzz: no calls in ${windowText(days)}`
    : `${name}: no calls found back to ${slackDate(new Date(usage.coveredFrom))}`;
}

/**
 * "Who uses the keys": per key, its callers from CloudTrail (address, user agent, services and
 * Regions, first and last seen, counts), with what CloudTrail does not cover.
 */
export function buildKeyCallersBlocks(
  keys: Array<{ usage: KeyUsage; label: string }>,
  options: { days: number },
): Block[] {
  if (keys.length === 0) return [];
  const lines: string[] = [`*Who uses the keys* (CloudTrail, ${windowText(options.days)})`];
  for (const { usage, label } of keys) {
    lines.push(headline(usage, label, options.days));
    const shown = usage.callers.slice(0, CALLERS_SHOWN).map(callerLine);
    lines.push(...shown);
    if (usage.callers.length > shown.length) {
      lines.push(`• and ${plural(usage.callers.length - shown.length, 'more caller')}`);
    }
    if (usage.calls > 0 && usage.error) lines.push(`:x: ${escapeMrkdwn(usage.error)}`);
    if (usage.asOf < usage.until) {
      lines.push(
        `:hourglass: As of ${slackDate(new Date(usage.asOf))}: CloudTrail had no room for a fresh look (2 look-ups a second); the next check tries again.`,
      );
    } else if (!usage.complete && usage.calls > 0) {
      lines.push(
        `:hourglass: Complete back to ${slackDate(new Date(usage.coveredFrom))} only: CloudTrail answers 2 look-ups a second; the next check continues.`,
      );
    }
  }
  const regions = [...new Set(keys.flatMap((k) => k.usage.regions))];
  return [section(fitLines(lines).text), context(`${coverageNote(regions)} ${blindSpots(regions)}`)];
}

/**
 * The 2ndline notice's evidence on the key about to be deactivated or deleted, with what
 * CloudTrail cannot see: "no calls" is not "unused" when the key reads S3 objects, say.
 */
export function buildKeyEvidenceLine(usage: KeyUsage, days: number): string {
  const regions = usage.regions.map(escapeMrkdwn).join(', ');
  const key = code(usage.keyId);
  if (usage.calls === 0 && usage.error)
    return `*CloudTrail:* could not be checked: ${escapeMrkdwn(usage.error)}`;
  const caveat = `\n${blindSpots(usage.regions)}`;
  if (usage.calls === 0) {
    return (
      (usage.complete
        ? `*CloudTrail (${regions}):* no calls with ${key} in ${windowText(days)}.`
        : `*CloudTrail (${regions}):* no calls with ${key} found back to ${slackDate(new Date(usage.coveredFrom))}.`) +
      caveat
    );
  }
  const latest = usage.callers[0]!;
  const others = usage.callers.length > 1 ? `, and ${plural(usage.callers.length - 1, 'other caller')}` : '';
  return (
    `*CloudTrail (${regions}):* last call with ${key} from ${escapeMrkdwn(latest.sourceIp)} by ${escapeMrkdwn(agentText(latest))} at ${slackDate(latest.last)} ` +
    `(${plural(usage.calls, 'call')} in ${windowText(days)}${others}).` +
    caveat
  );
}
