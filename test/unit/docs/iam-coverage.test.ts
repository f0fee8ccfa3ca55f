/**
 * docs/iam.md is what an operator pastes into IAM. An AWS operation the bot calls but the
 * policies there do not grant works in the sandbox (whose roles allow it) and fails for the
 * first real user (issue 18: PutSecretValue, UpdateSecretVersionStage and iam:ListUsers were
 * missing). So the operations are read from the code, never listed by hand here.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '../../..');

/** The IAM action prefix of each AWS SDK v3 client package the bot uses. */
const SERVICE_PREFIX: Record<string, string> = {
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-cloudtrail': 'cloudtrail',
  '@aws-sdk/client-dynamodb': 'dynamodb',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every `new XxxCommand(` in `code`, as `service:Xxx`, the service found from the package the
 * command class is imported from.
 */
export function operationsIn(code: string, file = '(code)'): string[] {
  const packageOf = new Map<string, string>();
  for (const m of code.matchAll(
    /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[a-z0-9-]+)'/g,
  )) {
    for (const name of m[1]!.split(',')) {
      const local = name
        .trim()
        .split(/\s+as\s+/)
        .pop()!;
      if (local) packageOf.set(local, m[2]!);
    }
  }
  const ops: string[] = [];
  for (const m of code.matchAll(/new\s+([A-Z][A-Za-z0-9]*)Command\s*\(/g)) {
    const pkg = packageOf.get(`${m[1]}Command`);
    assert.ok(pkg, `${file}: ${m[1]}Command is not imported from an @aws-sdk client package`);
    const prefix = SERVICE_PREFIX[pkg];
    assert.ok(prefix, `${file}: ${pkg} has no IAM prefix in this test: add it`);
    ops.push(`${prefix}:${m[1]}`);
  }
  return ops;
}

/** Every action named in the JSON policies of a markdown text (```json blocks only). */
export function actionsInPolicies(markdown: string): string[] {
  const actions: string[] = [];
  for (const block of markdown.matchAll(/```json\n([\s\S]*?)```/g)) {
    for (const m of block[1]!.matchAll(/"([a-z0-9-]+:[A-Za-z0-9*?]+)"/g)) actions.push(m[1]!);
  }
  return actions;
}

function granted(op: string, actions: string[]): boolean {
  return actions.some((a) => {
    // IAM action names are case-insensitive and may use * and ? wildcards.
    const pattern = new RegExp(
      `^${a
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      'i',
    );
    return a !== '*' && pattern.test(op);
  });
}

describe('docs/iam.md grants every AWS operation the bot calls', () => {
  // src/ is the bot's own code; the devkit and the sandbox sit outside it and are not deployed.
  const files = sourceFiles(join(ROOT, 'src'));
  const operations = new Map<string, string[]>();
  for (const file of files) {
    for (const op of operationsIn(readFileSync(file, 'utf8'), file)) {
      operations.set(op, [...(operations.get(op) ?? []), file.slice(ROOT.length + 1)]);
    }
  }
  const actions = actionsInPolicies(readFileSync(join(ROOT, 'docs/iam.md'), 'utf8'));

  it('finds the operations in the code (the reader works)', () => {
    // A broken reader would find nothing and pass everything.
    for (const op of [
      'secretsmanager:GetSecretValue',
      'sts:AssumeRole',
      'iam:ListUsers',
      'dynamodb:PutItem',
    ]) {
      assert.ok(operations.has(op), `${op} not found in src/`);
    }
    assert.ok(operations.size >= 40, `only ${operations.size} operations found`);
  });

  it('every operation appears in a policy of docs/iam.md', () => {
    const missing = [...operations]
      .filter(([op]) => !granted(op, actions))
      .map(([op, where]) => `${op} (called in ${[...new Set(where)].join(', ')})`);
    assert.deepEqual(missing, [], `docs/iam.md's policies lack:\n${missing.join('\n')}`);
  });

  it('fails for an operation the docs do not name', () => {
    const code =
      "import { ListSecretsCommand, FrobnicateCommand } from '@aws-sdk/client-secrets-manager';\nnew FrobnicateCommand({}); new ListSecretsCommand({});";
    const ops = operationsIn(code);
    assert.deepEqual(ops, ['secretsmanager:Frobnicate', 'secretsmanager:ListSecrets']);
    assert.equal(granted('secretsmanager:Frobnicate', actions), false);
    assert.equal(granted('secretsmanager:ListSecrets', actions), true);
  });
});
