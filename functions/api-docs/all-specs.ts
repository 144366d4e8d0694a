import { postContact } from '../contact-policy/spec';
import { customerFileRoutes } from '../customer-file/spec';
import { reviewRoutes } from '../fee-review/spec';
import { runRoutes } from '../runs/spec';
import { getSettings, putSetting } from '../settings/spec';
import type { RouteSpec } from '../shared/http';
import { getOpenApi } from './spec';

/** Every route of the API, for the OpenAPI document. A capability adds its spec module here. */
export const allRouteSpecs: readonly RouteSpec[] = [
  getOpenApi,
  getSettings,
  putSetting,
  ...customerFileRoutes,
  postContact,
  ...reviewRoutes,
  ...runRoutes,
];
