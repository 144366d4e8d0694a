import { ValidationError } from '../shared/errors';
import { httpHandler, ok, route, zodIssues } from '../shared/http';
import { logger } from '../shared/observability';
import { settingsSchema } from '../shared/settings';
import { loadSettings, saveSetting } from '../shared/settings-store';
import { getSettings, putSetting } from './spec';

export const handler = httpHandler([
  route(getSettings, async () => ok(await loadSettings())),

  route(putSetting, async ({ params, body, caller }) => {
    const parsed = settingsSchema.shape[params.name].safeParse(body.value);
    if (!parsed.success) throw new ValidationError(zodIssues(parsed.error, 'body.value'));
    await saveSetting(params.name, parsed.data, caller.userId);
    logger.info('setting changed', { setting: params.name });
    return ok(await loadSettings());
  }),
]);
