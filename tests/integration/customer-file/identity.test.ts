import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../../functions/customer-file/ingest';
import { customerItems } from '../../../functions/customer-file/merge';
import { findCustomer } from '../../../functions/customer-file/store';
import { db } from '../../../functions/shared/clients/dynamodb';
import { getTableName } from '../../../functions/shared/config';
import { DetailTypes } from '../../../functions/shared/events';
import { keys } from '../../../functions/shared/keys';
import { envelope, uid } from '../../support/events';

const interaction = (customer: Record<string, string>, channel = 'web') =>
  envelope(DetailTypes.InteractionRecorded, {
    eventId: uid('e'),
    occurredAt: '2026-10-01T10:00:00Z',
    channel,
    customer,
    interactionId: uid('i'),
    kind: 'web_session',
  });

const applied = async (event: ReturnType<typeof envelope>) => {
  const result = await ingest(event);
  if (result.outcome === 'quarantined') throw new Error(`quarantined: ${JSON.stringify(result.reasons)}`);
  return result.customerId;
};

describe('identity resolution', () => {
  it('recognises the same person arriving through two channels as one customer', async () => {
    const email = `${uid('ann')}@Example.com`;
    const phone = `+1415${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
    const viaWeb = await applied(interaction({ email: email.toUpperCase() }, 'web'));
    const viaCallCenter = await applied(interaction({ email, phone }, 'call_center'));
    const viaSms = await applied(interaction({ phone: `${phone.slice(0, 5)} ${phone.slice(5)}` }, 'sms'));
    expect(viaCallCenter).toBe(viaWeb);
    expect(viaSms).toBe(viaWeb);
    const profile = await findCustomer(viaWeb);
    expect(profile?.identities).toEqual([`email:${email.toLowerCase()}`, `phone:${phone}`]);
  });

  it('merges two customers an event ties together, keeping lineage and the old id', async () => {
    const email = `${uid('bo')}@example.com`;
    const phone = `+1212${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
    const byEmail = await applied(interaction({ email }));
    const byPhone = await applied(interaction({ phone }));
    expect(byEmail).not.toBe(byPhone);

    const survivor = await applied(interaction({ email, phone }));
    const loser = survivor === byEmail ? byPhone : byEmail;
    expect([byEmail, byPhone]).toContain(survivor);
    expect((await findCustomer(loser))?.customerId).toBe(survivor);

    const items = await customerItems(survivor);
    expect(items.filter((i) => i.kind === 'interaction')).toHaveLength(3);
    expect(items.find((i) => i.sk === `MERGE#${loser}`)).toMatchObject({
      kind: 'merge',
      mergedCustomerId: loser,
    });
    expect(await customerItems(loser)).toEqual([
      expect.objectContaining({ sk: 'PROFILE', mergedInto: survivor }),
    ]);
    const { Item } = await db().send(
      new GetCommand({ TableName: getTableName(), Key: keys.identity('phone', phone) }),
    );
    expect(Item?.customerId).toBe(survivor);
  });

  it('merges a customer known only by email into the core-banking customer it turns out to be', async () => {
    const email = `${uid('cy')}@example.com`;
    const core = uid('core');
    const generated = await applied(interaction({ email }));
    expect(generated.startsWith('r-')).toBe(true);
    expect(await applied(interaction({ customerId: core, email }))).toBe(core);
    expect((await findCustomer(generated))?.customerId).toBe(core);
  });

  it('never merges two different core-banking customers and records the conflict on both', async () => {
    const email = `${uid('shared')}@example.com`;
    const first = uid('core');
    const second = uid('core');
    await applied(interaction({ customerId: first, email }));
    expect(await applied(interaction({ customerId: second, email }))).toBe(second);

    const { Item: emailOwner } = await db().send(
      new GetCommand({ TableName: getTableName(), Key: keys.identity('email', email) }),
    );
    expect(emailOwner?.customerId).toBe(first);
    for (const [a, b] of [
      [first, second],
      [second, first],
    ]) {
      const items = await customerItems(a as string);
      expect(items.find((i) => i.kind === 'identity_conflict')).toMatchObject({
        otherCustomerId: b,
        status: 'open',
      });
    }
    expect((await findCustomer(second))?.mergedInto).toBeUndefined();
  });
});
