/**
 * `/secret info`'s reply: what Secrets Manager knows about a secret, never its value. An
 * ephemeral message; everything from AWS is escaped (a description or a tag is anyone's text).
 */
import type { SectionBlock } from '@slack/types';
import { context, LIMITS, section, type SlackMessage } from '../slack/block-kit.js';
import { code, escapeMrkdwn, slackDate, splitEscaped } from '../slack/mrkdwn.js';
import { plural } from '../core/text.js';
import type { InfoAnswer, ParameterInfo, SecretInfo } from './secret-info.js';

/** Tags shown; a secret may carry 50, which would crowd the reply. */
const TAGS_SHOWN = 20;
/** Of a description (up to 2,048 characters, more once escaped), the part shown. */
const DESCRIPTION_SHOWN = 1500;

function description(text: string | undefined): string {
  if (!text) return '_No description._';
  const [shown, ...rest] = splitEscaped(escapeMrkdwn(text), DESCRIPTION_SHOWN);
  return rest.length > 0 ? `${shown}…` : shown!;
}

/** The tags as lines of `key` = `value`, in as few sections as Slack's size limit allows. */
function tagSections(tags: SecretInfo['tags']): SectionBlock[] {
  const lines = tags.slice(0, TAGS_SHOWN).map((t) => `• ${code(t.key)} = ${code(t.value)}`);
  if (tags.length > TAGS_SHOWN) lines.push(`_and ${plural(tags.length - TAGS_SHOWN, 'more tag')}_`);
  const sections: SectionBlock[] = [];
  let text = '*Tags*';
  for (const line of lines) {
    if (text.length + 1 + line.length > LIMITS.sectionText) {
      sections.push(section(text));
      text = '';
    }
    text = text ? `${text}\n${line}` : line;
  }
  sections.push(section(text));
  return sections;
}

const day = (d: Date) => slackDate(d, '{date_short_pretty}');

function secretFacts(info: SecretInfo): string[] {
  return [
    [
      info.createdAt ? `Created ${slackDate(info.createdAt)}` : undefined,
      info.changedAt ? `changed ${slackDate(info.changedAt)}` : undefined,
      info.accessedOn ? `last read ${day(info.accessedOn)}` : 'never read (as far as AWS records)',
    ]
      .filter(Boolean)
      .join(' · '),
    info.rotation.enabled
      ? `Rotated by Secrets Manager${info.rotation.last ? `, last ${slackDate(info.rotation.last)}` : ''}${info.rotation.next ? `, next by ${day(info.rotation.next)}` : ''}.`
      : 'Not rotated by Secrets Manager.',
    `${plural(info.versions, 'labelled version')}${info.hasPrevious ? '; the previous value is kept (an edit can be undone)' : ''}. Encrypted with ${info.customerKey ? 'a customer managed KMS key' : 'the AWS managed key `aws/secretsmanager`'}.`,
    ...(info.managedBy ? [`Managed by ${code(info.managedBy)}: change it there, not here.`] : []),
    ...(info.deletingOn ? [`:warning: Scheduled for deletion on ${day(info.deletingOn)}.`] : []),
  ];
}

function parameterFacts(info: ParameterInfo): string[] {
  return [
    [
      info.type ? code(info.type) : undefined,
      info.version !== undefined ? `version ${info.version}` : undefined,
      info.tier ? `${info.tier} tier` : undefined,
    ]
      .filter(Boolean)
      .join(' · '),
    info.changedAt
      ? `Changed ${slackDate(info.changedAt)}${info.changedBy ? ` by ${code(info.changedBy)}` : ''}.`
      : undefined,
    info.type === 'SecureString'
      ? `Encrypted with ${info.customerKey ? 'a customer managed KMS key' : 'the AWS managed key `aws/ssm`'}.`
      : undefined,
  ].filter((line): line is string => Boolean(line));
}

export function buildInfoMessage({ info, roleName, guarded }: InfoAnswer): SlackMessage {
  const facts = [
    ...(info.kind === 'secret' ? secretFacts(info) : parameterFacts(info)),
    ...(guarded ? [':lock: Guarded: showing it needs an approval.'] : []),
  ];
  const call = info.kind === 'secret' ? 'DescribeSecret' : 'DescribeParameters';
  return {
    text: `${info.name}: details`,
    blocks: [
      section(`*${code(info.name)}*\n${description(info.description)}`),
      section(facts.join('\n')),
      ...(info.kind === 'secret' && info.tags.length > 0 ? tagSections(info.tags) : []),
      context(
        `Read as role ${code(roleName)} with ${call}, which returns no value.${info.arn ? ` ARN ${code(info.arn)}` : ''}`,
      ),
    ],
  };
}
