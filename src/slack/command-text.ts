/**
 * Parses a slash command's text into words and `--flag value` options. Slack sends &, < and >
 * as HTML entities in command text; they are decoded here so the rest of the code sees what
 * the person typed.
 */
import { UserError } from '../core/errors.js';

export interface ParsedCommand {
  args: string[];
  flags: Record<string, string>;
}

const FLAG_VALUE = /^[\w.-]{1,64}$/;

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * @param allowedFlags flags this command takes, without the leading dashes.
 * @throws UserError bad_command for an unknown flag, a flag without a value, or an odd value.
 */
export function parseCommandText(text: string, allowedFlags: readonly string[]): ParsedCommand {
  // Slack caps command text well below this; the cap protects us from whatever else sends it.
  const words = decodeEntities(text.slice(0, 4000)).trim().split(/\s+/).filter(Boolean);
  const args: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('--')) {
      args.push(word);
      continue;
    }
    const [rawName, inline] = word.slice(2).split('=', 2) as [string, string | undefined];
    if (!allowedFlags.includes(rawName)) {
      const known = allowedFlags.map((f) => `--${f}`).join(', ') || 'none';
      throw new UserError(
        'bad_command',
        `Unknown option \`--${safeWord(rawName)}\`. Options here: ${known}.`,
      );
    }
    const value = inline ?? words[++i];
    if (value === undefined || value.startsWith('--')) {
      throw new UserError('bad_command', `\`--${rawName}\` needs a value, e.g. \`--${rawName} NAME\`.`);
    }
    if (!FLAG_VALUE.test(value)) {
      throw new UserError(
        'bad_command',
        `\`--${rawName}\` takes a name of letters, digits, "_", "-" or ".".`,
      );
    }
    flags[rawName] = value;
  }
  return { args, flags };
}

/** A word from input made safe to quote back inside inline code. */
export function safeWord(word: string): string {
  return word.replace(/[^\w./@+=-]/g, '?').slice(0, 64);
}
