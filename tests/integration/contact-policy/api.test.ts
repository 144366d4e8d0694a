import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler, requestContactHandler } from '../../../functions/contact-policy/api';
import { contactDecisionResponse } from '../../../functions/contact-policy/spec';
import { ValidationError } from '../../../functions/shared/errors';
import {
  busAccepts,
  contactLog,
  createCustomer,
  customerIdInControl,
  putEntries,
  setPreferences,
} from './fixtures';

const context = {
  awsRequestId: 'req-test',
  functionName: 'contact-policy-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:contact-policy-test',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

function post(body: unknown, groups = 'marketer'): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    resource: '/contacts',
    path: '/contacts',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    requestContext: {
      requestId: randomUUID(),
      authorizer: { claims: { sub: 'user-1', 'cognito:groups': groups } },
    },
  } as unknown as APIGatewayProxyEvent;
}

async function call(body: unknown, groups?: string) {
  const response = await handler(post(body, groups), context);
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

/** Quiet hours switched off (start = end), so these answers do not depend on when the suite runs. */
async function customerReachableAnyTime(): Promise<string> {
  const customerId = await createCustomer();
  await setPreferences(customerId, {
    preferences: [{ productLine: '*', channels: ['email', 'phone'] }],
    quietHours: { start: '00:00', end: '00:00' },
  });
  return customerId;
}

beforeEach(() => {
  busAccepts();
});

describe('POST /contacts', () => {
  it('answers a marketer with the decision in the documented shape', async () => {
    const customerId = await customerReachableAnyTime();

    const { status, body } = await call({
      customerId,
      productLine: 'mortgage',
      intent: 'cross_sell',
      channel: 'phone',
      department: 'mortgages',
    });

    expect(status).toBe(200);
    expect(contactDecisionResponse.parse(body)).toEqual({
      contactId: expect.any(String),
      status: 'sent',
      channel: 'phone',
    });
    expect(putEntries().map((e) => e.detail.contactId)).toEqual([body.contactId]);
  });

  it('answers a suppressed request with 200, its reason and the contact it conflicts with', async () => {
    const customerId = await customerReachableAnyTime();
    const first = await call({
      customerId,
      productLine: 'credit_card',
      intent: 'promote_credit',
      department: 'cards',
    });

    const { status, body } = await call({
      customerId,
      productLine: 'home_equity',
      intent: 'debt_consolidation',
      department: 'home equity',
    });

    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'suppressed',
      reason: 'intent_conflict',
      conflictsWith: first.body.contactId,
    });
  });

  it('names each bad field of the body with a 400 and logs nothing', async () => {
    const customerId = await customerReachableAnyTime();

    const { status, body } = await call({ customerId, productLine: 'boats', intent: 'spam', service: 'yes' });

    expect(status).toBe(400);
    const fields = (body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['body.department', 'body.intent', 'body.productLine', 'body.service']);
    expect(await contactLog(customerId)).toHaveLength(0);
  });

  it('answers 404 for a customer Rapport does not know', async () => {
    const { status, body } = await call({
      customerId: 'c-unknown-to-rapport',
      productLine: 'savings',
      intent: 'cross_sell',
      department: 'savings',
    });

    expect(status).toBe(404);
    expect(body.message).toMatch(/c-unknown-to-rapport/);
  });

  it('refuses callers outside the marketer group, as the contract says', async () => {
    const customerId = await customerReachableAnyTime();

    const { status } = await call(
      { customerId, productLine: 'savings', intent: 'cross_sell', department: 'ops' },
      'ops,service_rep',
    );

    expect(status).toBe(403);
    expect(await contactLog(customerId)).toHaveLength(0);
  });

  it('answers a retry with the same requestId with the same decision and one log entry', async () => {
    const customerId = await customerReachableAnyTime();
    const request = {
      customerId,
      productLine: 'savings',
      intent: 'cross_sell',
      department: 'savings',
      requestId: 'savings-spring-2026',
    };

    const first = await call(request);
    const again = await call(request);

    expect(again).toEqual(first);
    expect(await contactLog(customerId)).toHaveLength(1);
  });

  it('answers 409 when a requestId is reused for a different request', async () => {
    const customerId = await customerReachableAnyTime();
    const request = {
      customerId,
      productLine: 'savings',
      intent: 'cross_sell',
      department: 'savings',
      requestId: 'r',
    };
    await call(request);

    const { status } = await call({ ...request, intent: 'promote_credit' });

    expect(status).toBe(409);
  });
});

describe('the request-contact function that workflows invoke', () => {
  it('takes the request as its payload and returns the decision, with run and offer on the log and the event', async () => {
    const customerId = await createCustomer({ customerId: customerIdInControl('win-back', false) });
    await setPreferences(customerId, {
      preferences: [{ productLine: '*', channels: ['email'] }],
      quietHours: { start: '00:00', end: '00:00' },
    });

    const outcome = await requestContactHandler(
      {
        customerId,
        productLine: 'credit_card',
        intent: 'win_back_offer',
        department: 'win-back',
        workflow: 'win-back',
        runId: 'wb-run-1',
        offerId: 'offer-7',
        requestId: 'wb-run-1:offer-7',
      },
      context,
    );

    expect(outcome).toMatchObject({ status: 'sent', channel: 'email' });
    expect(await contactLog(customerId)).toMatchObject([
      { runId: 'wb-run-1', offerId: 'offer-7', workflow: 'win-back' },
    ]);
    expect(putEntries().map((e) => e.detail)).toEqual([
      expect.objectContaining({ contactId: outcome.contactId, runId: 'wb-run-1', offerId: 'offer-7' }),
    ]);
  });

  it('rejects an invalid payload with a ValidationError naming the fields, so a state machine can Catch it', async () => {
    const error = await requestContactHandler({ customerId: 'c-1', intent: 'cross_sell' }, context).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.field).sort()).toEqual([
      'payload.department',
      'payload.productLine',
    ]);
  });
});
