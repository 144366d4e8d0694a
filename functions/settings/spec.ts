import * as z from 'zod';
import type { RouteSpec } from '../shared/http';
import { settingsSchema } from '../shared/settings';

export const SETTING_NAMES = Object.keys(settingsSchema.shape) as [
  keyof typeof settingsSchema.shape,
  ...(keyof typeof settingsSchema.shape)[],
];

export const getSettings = {
  method: 'GET',
  path: '/settings',
  summary: 'The policy settings in force (product.md defaults merged with saved changes)',
  access: 'any',
  responses: { 200: { description: 'Settings', schema: settingsSchema } },
} as const satisfies RouteSpec;

export const putSetting = {
  method: 'PUT',
  path: '/settings/{name}',
  summary: 'Change one policy setting',
  access: ['admin'],
  params: z.object({ name: z.enum(SETTING_NAMES) }),
  body: z.object({ value: z.unknown() }),
  responses: {
    200: { description: 'Settings after the change', schema: settingsSchema },
    400: { description: 'Unknown setting or invalid value' },
  },
} as const satisfies RouteSpec;
