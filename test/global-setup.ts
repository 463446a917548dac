import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Tests run against a real PostgreSQL. CI passes TEST_DATABASE_URL; on a developer machine with
 * the PostgreSQL package installed, the local cluster is started here so `npm test` alone works.
 */
export default function globalSetup(): void {
  if (process.env.TEST_DATABASE_URL) return;
  try {
    const url = execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'start-postgres.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
    process.env.TEST_DATABASE_URL = url;
  } catch {
    // Left unset: the PostgreSQL suites then fail with a message naming TEST_DATABASE_URL.
  }
}
