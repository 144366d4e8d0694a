import { httpHandler, ok, route } from '../shared/http';
import { allRouteSpecs } from './all-specs';
import { openApiDocument } from './openapi';
import { getOpenApi } from './spec';

// Built once per instance: the document depends only on code.
const document = openApiDocument(allRouteSpecs, { title: 'Rapport API', version: '0.1.0' });

export const handler = httpHandler([route(getOpenApi, async () => ok(document))]);
