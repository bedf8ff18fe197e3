// Where settings come from: a `replicaAlerts` object in cdk.json's context (or `-c replicaAlerts='{...}'`), or a
// JSON settings file (`-c replicaAlerts:settingsFile=path`, default replica-alerts.settings.json at the root).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Node } from 'constructs';
import { parseSettings, SettingsError } from './index.ts';
import type { StackSettings } from './types.ts';

export const SETTINGS_CONTEXT = 'replicaAlerts';
export const SETTINGS_FILE_CONTEXT = 'replicaAlerts:settingsFile';
export const DEFAULT_SETTINGS_FILE = 'replica-alerts.settings.json';
export const EXAMPLE_SETTINGS_FILE = 'replica-alerts.settings.example.json';

/** The stack's settings; `example` when none were given and the example stands in (synth only, never deploy). */
export function loadSettings(node: Node, rootDir: string): StackSettings & { example?: boolean } {
  const inline: unknown = node.tryGetContext(SETTINGS_CONTEXT);
  const file: unknown = node.tryGetContext(SETTINGS_FILE_CONTEXT);
  if (inline !== undefined && file !== undefined) {
    throw new SettingsError('cdk context', [
      `${SETTINGS_CONTEXT} and ${SETTINGS_FILE_CONTEXT} are both set: keep one of them.`,
    ]);
  }
  if (inline !== undefined) {
    const source = `context "${SETTINGS_CONTEXT}"`;
    return parseSettings(typeof inline === 'string' ? parseJson(inline, source) : inline, source, rootDir);
  }
  const path = resolve(rootDir, typeof file === 'string' ? file : DEFAULT_SETTINGS_FILE);
  if (!existsSync(path) && file === undefined) {
    // A fresh clone synthesises the example, so `cdk synth` shows the whole stack; the app guards its deploy.
    const example = resolve(rootDir, EXAMPLE_SETTINGS_FILE);
    return {
      ...parseSettings(parseJson(readFileSync(example, 'utf8'), example), example, dirname(example)),
      example: true,
    };
  }
  if (!existsSync(path)) {
    throw new SettingsError(path, [
      `no settings: copy replica-alerts.settings.example.json to ${DEFAULT_SETTINGS_FILE} and fill it in, or put ` +
        `the same object under "context": {"${SETTINGS_CONTEXT}": {...}} in cdk.json.`,
    ]);
  }
  return parseSettings(parseJson(readFileSync(path, 'utf8'), path), path, dirname(path));
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SettingsError(source, [`not valid JSON: ${(error as Error).message}`]);
  }
}
