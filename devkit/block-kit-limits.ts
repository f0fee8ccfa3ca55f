/**
 * The Block Kit limits Slack enforces on the server side, and the errors it answers with.
 * Slack reports each violation as `[ERROR] <problem> [json-pointer:<where>]` in
 * `response_metadata.messages`; messages fail with `invalid_blocks`, views with
 * `invalid_arguments`. Checking here lets tests catch a message that would render locally
 * but be refused by real Slack (a long secret list, a huge button value).
 */

/** Limits from Slack's Block Kit reference. */
export const BLOCK_KIT_LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  messageText: 40_000,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  inputLabel: 2000,
  viewTitle: 24,
  viewButtonText: 24,
  privateMetadata: 3000,
  callbackId: 255,
} as const;

/** A Slack error answer: `error` plus optional detail lines for `response_metadata.messages`. */
export interface SlackApiError {
  error: string;
  messages?: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tooLong(limit: number, pointer: string): string {
  return `must be less than ${limit + 1} characters [json-pointer:${pointer}]`;
}

function tooMany(limit: number, pointer: string): string {
  return `no more than ${limit} items allowed [json-pointer:${pointer}]`;
}

/** Adds a problem when `value` is a string longer than `limit`. */
function checkLength(problems: string[], value: unknown, limit: number, pointer: string): void {
  if (typeof value === 'string' && value.length > limit) problems.push(tooLong(limit, pointer));
}

/** The `text` of a text object (`{type, text}`), if it has one. */
function textOf(value: unknown): unknown {
  return isRecord(value) ? value['text'] : undefined;
}

function checkElement(problems: string[], element: unknown, pointer: string): void {
  if (!isRecord(element)) {
    problems.push(`failed to match all allowed schemas [json-pointer:${pointer}]`);
    return;
  }
  checkLength(problems, element['action_id'], BLOCK_KIT_LIMITS.actionId, `${pointer}/action_id`);
  if (element['type'] === 'button') {
    checkLength(problems, textOf(element['text']), BLOCK_KIT_LIMITS.buttonText, `${pointer}/text/text`);
    checkLength(problems, element['value'], BLOCK_KIT_LIMITS.buttonValue, `${pointer}/value`);
    checkLength(problems, element['url'], BLOCK_KIT_LIMITS.buttonUrl, `${pointer}/url`);
  }
}

function checkElementList(problems: string[], elements: unknown, limit: number, pointer: string): void {
  if (!Array.isArray(elements)) return;
  if (elements.length > limit) problems.push(tooMany(limit, pointer));
  elements.forEach((element, i) => {
    checkElement(problems, element, `${pointer}/${i}`);
  });
}

function checkBlock(problems: string[], block: unknown, pointer: string): void {
  if (!isRecord(block) || typeof block['type'] !== 'string') {
    problems.push(`failed to match all allowed schemas [json-pointer:${pointer}]`);
    return;
  }
  checkLength(problems, block['block_id'], BLOCK_KIT_LIMITS.blockId, `${pointer}/block_id`);
  switch (block['type']) {
    case 'section': {
      checkLength(problems, textOf(block['text']), BLOCK_KIT_LIMITS.sectionText, `${pointer}/text/text`);
      const fields = block['fields'];
      if (Array.isArray(fields)) {
        if (fields.length > BLOCK_KIT_LIMITS.sectionFields) {
          problems.push(tooMany(BLOCK_KIT_LIMITS.sectionFields, `${pointer}/fields`));
        }
        fields.forEach((field, i) => {
          checkLength(
            problems,
            textOf(field),
            BLOCK_KIT_LIMITS.sectionFieldText,
            `${pointer}/fields/${i}/text`,
          );
        });
      }
      if (block['accessory'] !== undefined)
        checkElement(problems, block['accessory'], `${pointer}/accessory`);
      break;
    }
    case 'header':
      checkLength(problems, textOf(block['text']), BLOCK_KIT_LIMITS.headerText, `${pointer}/text/text`);
      break;
    case 'actions':
      checkElementList(problems, block['elements'], BLOCK_KIT_LIMITS.actionsElements, `${pointer}/elements`);
      break;
    case 'context': {
      const elements = block['elements'];
      if (Array.isArray(elements) && elements.length > BLOCK_KIT_LIMITS.contextElements) {
        problems.push(tooMany(BLOCK_KIT_LIMITS.contextElements, `${pointer}/elements`));
      }
      break;
    }
    case 'input':
      checkLength(problems, textOf(block['label']), BLOCK_KIT_LIMITS.inputLabel, `${pointer}/label/text`);
      if (block['element'] !== undefined) checkElement(problems, block['element'], `${pointer}/element`);
      break;
    default:
      break;
  }
}

/**
 * Problems with a list of blocks, without the `[ERROR] ` prefix; empty when valid.
 * @param pointer JSON pointer of the list: `/blocks` for messages, `/view/blocks` for views.
 */
export function findBlockProblems(blocks: unknown, pointer: string, maxBlocks: number): string[] {
  if (!Array.isArray(blocks)) return [`failed to match all allowed schemas [json-pointer:${pointer}]`];
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(tooMany(maxBlocks, pointer));
  blocks.forEach((block, i) => {
    checkBlock(problems, block, `${pointer}/${i}`);
  });
  return problems;
}

function hasContent(value: unknown): boolean {
  if (typeof value === 'string') return value.length > 0;
  return Array.isArray(value) && value.length > 0;
}

/**
 * Checks message content (`text`, `blocks`, `attachments`) as chat.postMessage,
 * chat.postEphemeral, chat.update and response_url posts do.
 * @returns Slack's error, or undefined when Slack would accept it.
 */
export function checkMessageContent(args: Record<string, unknown>): SlackApiError | undefined {
  const { text, blocks, attachments } = args;
  if (!hasContent(text) && !hasContent(blocks) && !hasContent(attachments)) return { error: 'no_text' };
  if (blocks !== undefined) {
    if (!Array.isArray(blocks)) return { error: 'invalid_blocks_format' };
    const problems = findBlockProblems(blocks, '/blocks', BLOCK_KIT_LIMITS.messageBlocks);
    if (problems.length > 0)
      return { error: 'invalid_blocks', messages: problems.map((p) => `[ERROR] ${p}`) };
  }
  if (typeof text === 'string' && text.length > BLOCK_KIT_LIMITS.messageText)
    return { error: 'msg_too_long' };
  return undefined;
}

/**
 * Checks a view object as views.open / push / update / publish do.
 * @param allowedTypes the view types the method takes (`modal` for views.open, `home` for publish).
 */
export function checkView(view: unknown, allowedTypes: readonly string[]): SlackApiError | undefined {
  if (!isRecord(view) || typeof view['type'] !== 'string' || !allowedTypes.includes(view['type'])) {
    return {
      error: 'invalid_arguments',
      messages: ['[ERROR] failed to match all allowed schemas [json-pointer:/view]'],
    };
  }
  // Home tabs share the modal limit of 100 blocks.
  const problems = findBlockProblems(view['blocks'], '/view/blocks', BLOCK_KIT_LIMITS.modalBlocks);
  if (view['type'] === 'modal') {
    const title = textOf(view['title']);
    if (typeof title !== 'string') {
      problems.push('missing required field: title [json-pointer:/view/title]');
    }
    checkLength(problems, title, BLOCK_KIT_LIMITS.viewTitle, '/view/title/text');
    checkLength(problems, textOf(view['submit']), BLOCK_KIT_LIMITS.viewButtonText, '/view/submit/text');
    checkLength(problems, textOf(view['close']), BLOCK_KIT_LIMITS.viewButtonText, '/view/close/text');
  }
  checkLength(problems, view['private_metadata'], BLOCK_KIT_LIMITS.privateMetadata, '/view/private_metadata');
  checkLength(problems, view['callback_id'], BLOCK_KIT_LIMITS.callbackId, '/view/callback_id');
  if (problems.length > 0)
    return { error: 'invalid_arguments', messages: problems.map((p) => `[ERROR] ${p}`) };
  return undefined;
}
