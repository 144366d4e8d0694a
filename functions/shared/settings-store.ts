import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db } from './clients/dynamodb';
import { getTableName } from './config';
import { keys } from './keys';
import { defaultSettings, type Settings, settingsSchema } from './settings';

/** Settings in force: the defaults of product.md with the changes admins saved, one item each. */
export async function loadSettings(): Promise<Settings> {
  const { Items = [] } = await db().send(
    new QueryCommand({
      TableName: getTableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.settingsPk },
      ConsistentRead: true,
    }),
  );
  return mergeSettings(Object.fromEntries(Items.map((i) => [i.sk as string, i.value])));
}

export async function saveSetting(name: keyof Settings, value: unknown, by: string): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: getTableName(),
      Item: { ...keys.setting(name), value, updatedBy: by, updatedAt: new Date().toISOString() },
    }),
  );
  cached = undefined;
}

export function mergeSettings(overrides: Record<string, unknown>): Settings {
  // A stored value that no longer fits the schema (after an upgrade) falls back to the default
  // for that one setting rather than breaking every workflow.
  const merged: Record<string, unknown> = { ...defaultSettings };
  for (const [name, value] of Object.entries(overrides)) {
    const field = settingsSchema.shape[name as keyof Settings];
    if (field?.safeParse(value).success) merged[name] = value;
  }
  return merged as Settings;
}

let cached: { at: number; settings: Settings } | undefined;
/** Settings change rarely; a minute of staleness per function instance saves a read per event. */
export async function cachedSettings(now = Date.now()): Promise<Settings> {
  if (!cached || now - cached.at > 60_000) cached = { at: now, settings: await loadSettings() };
  return cached.settings;
}
