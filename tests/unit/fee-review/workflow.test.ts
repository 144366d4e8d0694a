import { describe, expect, it } from 'vitest';
import { executionName } from '../../../functions/fee-review/workflow';

describe('fee review run ids', () => {
  it('are the same for the same fee, every time', () => {
    expect(executionName('F-2026-0001')).toBe(executionName('F-2026-0001'));
    expect(executionName('F-2026-0001')).toMatch(/^fee-F-2026-0001-[0-9a-f]{12}$/);
  });

  it('use only characters every Step Functions API and ARN accepts, at most 80 of them', () => {
    for (const feeId of [
      'a',
      'fee id with spaces/and:colons',
      'ü'.repeat(128),
      'x'.repeat(128),
      '#%&*?{}[]',
    ]) {
      const name = executionName(feeId);
      expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    }
  });

  it('keep fees apart that differ only in characters made safe or cut off', () => {
    expect(executionName('fee/1')).not.toBe(executionName('fee:1'));
    const long = 'y'.repeat(100);
    expect(executionName(`${long}a`)).not.toBe(executionName(`${long}b`));
  });
});
