/**
 * A secret given either inline as NAME or as NAME_FILE, the path of a mounted secret (Docker,
 * Kubernetes): one reader, so every such setting refuses both at once and reports an unreadable
 * file the same way, without ever putting the secret itself in the message.
 */
import { readFileSync } from 'node:fs';

export interface SecretSetting {
  /** The secret as given (inline, or the file's content), not trimmed. */
  text: string;
  /** Where it came from, for messages: `NAME`, or `NAME_FILE <path>`. */
  source: string;
  /** True when read from NAME_FILE. */
  fromFile: boolean;
}

/** NAME or the content of NAME_FILE; undefined when neither is set. `fail` makes the caller's error. */
export function secretSetting(env: Record<string, string | undefined>, name: string, fail: (message: string) => Error): SecretSetting | undefined {
  const inline = env[name]?.trim() ? env[name] : undefined;
  const file = env[`${name}_FILE`]?.trim() || undefined;
  if (inline !== undefined && file !== undefined) throw fail(`set only one of ${name} and ${name}_FILE`);
  if (inline !== undefined) return { text: inline, source: name, fromFile: false };
  if (file === undefined) return undefined;
  try {
    return { text: readFileSync(file, 'utf8'), source: `${name}_FILE ${file}`, fromFile: true };
  } catch (err) {
    throw fail(`${name}_FILE ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
