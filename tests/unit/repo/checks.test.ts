import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** `npm test` is what CI runs, so the linter and the type checker run as part of it. */
describe('repository checks', () => {
  const run = (command: string, args: string[]) => {
    try {
      execFileSync(command, args, { encoding: 'utf8', stdio: 'pipe' });
      return '';
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      return `${e.stdout ?? ''}${e.stderr ?? ''}`.slice(0, 4000) || 'failed';
    }
  };

  it('passes biome (lint and format)', () => {
    expect(run('npx', ['biome', 'check', '.'])).toBe('');
  }, 60_000);

  it('type-checks with tsc --noEmit', () => {
    expect(run('npx', ['tsc', '--noEmit'])).toBe('');
  }, 120_000);
});
