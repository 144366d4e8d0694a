import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { ConflictError } from '../../../functions/shared/errors';
import { httpHandler, ok, parseGroups, route } from '../../../functions/shared/http';
import { logger } from '../../../functions/shared/observability';
import { apiEvent, call } from '../../support/api';

const createThing = {
  method: 'POST',
  path: '/things/{id}',
  summary: 'test route',
  access: ['marketer'],
  params: z.object({ id: z.string().regex(/^t-\d+$/) }),
  query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
  body: z.object({ name: z.string().min(1), amount: z.number().positive() }),
  responses: { 200: { description: 'ok' } },
} as const;

const handler = httpHandler([
  route(createThing, async ({ params, body, caller }) => {
    if (body.name === 'boom') throw new Error('database exploded at row 42 with secret details');
    if (body.name === 'taken') throw new ConflictError('thing already exists');
    return ok({ id: params.id, name: body.name, by: caller.userId });
  }),
]);

const request = (overrides: Partial<Parameters<typeof apiEvent>[0]> = {}) =>
  apiEvent({
    method: 'POST',
    resource: '/things/{id}',
    pathParameters: { id: 't-1' },
    body: { name: 'lamp', amount: 3 },
    groups: ['marketer'],
    ...overrides,
  });

describe('the API edge', () => {
  it('answers 200 with the handler result for a caller in the right group', async () => {
    const res = await call(handler, request());
    expect(res).toMatchObject({ status: 200, body: { id: 't-1', name: 'lamp', by: 'user-1' } });
  });

  it('answers 401 without a token (no authorizer claims)', async () => {
    const res = await call(handler, request({ groups: null }));
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('Unauthorized');
  });

  it('answers 403 for a caller without the right group', async () => {
    const res = await call(handler, request({ groups: ['ops', 'service_rep'] }));
    expect(res.status).toBe(403);
    expect(res.body.message).toContain('marketer');
  });

  it('answers 400 naming each bad field of path, query and body', async () => {
    const res = await call(
      handler,
      request({ pathParameters: { id: 'x' }, query: { dryRun: 'maybe' }, body: { name: '', amount: -1 } }),
    );
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body.amount',
      'body.name',
      'path.id',
      'query.dryRun',
    ]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await call(handler, request({ body: '{not json' }));
    expect(res).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'body', message: 'the body is not valid JSON' }] },
    });
  });

  it('maps a typed error to its status with its message', async () => {
    const res = await call(handler, request({ body: { name: 'taken', amount: 1 } }));
    expect(res).toMatchObject({ status: 409, body: { message: 'thing already exists' } });
  });

  it('answers a generic 500 with the request id and no detail of the failure', async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const event = request({ body: { name: 'boom', amount: 1 } });
    const res = await call(handler, event);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ message: 'Internal server error', requestId: event.requestContext.requestId });
    expect(JSON.stringify(res)).not.toMatch(/exploded|secret|at row|\.ts:/);
    expect(logged).toHaveBeenCalledWith(
      'unexpected error',
      expect.objectContaining({ requestId: event.requestContext.requestId }),
    );
    logged.mockRestore();
  });

  it('answers 404 for an unknown route and 405 for a wrong method on a known path', async () => {
    expect((await call(handler, request({ resource: '/nope' }))).status).toBe(404);
    expect((await call(handler, request({ method: 'DELETE' }))).status).toBe(405);
  });
});

describe('cognito:groups claim', () => {
  it.each([
    ['marketer,ops', ['marketer', 'ops']],
    ['[marketer ops]', ['marketer', 'ops']],
    [['admin'], ['admin']],
    ['admin', ['admin']],
    ['unknown-group', []],
    [undefined, []],
  ])('reads %j as %j', (claim, groups) => {
    expect(parseGroups(claim)).toEqual(groups);
  });
});
