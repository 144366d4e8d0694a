import * as z from 'zod';
import type { RouteSpec } from '../shared/http';

export const getOpenApi = {
  method: 'GET',
  path: '/openapi.json',
  summary: 'The OpenAPI 3.1 document of this API',
  access: 'public',
  responses: { 200: { description: 'OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
} as const satisfies RouteSpec;
