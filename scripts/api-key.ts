// `npm run api-key -- create --name "Door tablet" --scope device --camera 3` prints a new key once;
// `npm run api-key -- create --name "SIS" --scope sis`; `npm run api-key -- revoke <id>`; `npm run api-key -- list`.
// Scopes and what each may call: README, "Threat model". Only the key's hash is stored.
import { parseArgs } from 'node:util';
import { API_KEY_ROUTES, ApiKey, createApiKey, loadConfig, openDatabase, revokeApiKey } from '@attendance/shared';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, scope: { type: 'string' }, camera: { type: 'string' } },
});
const [command, arg] = positionals;
const actor = { id: null, name: `cli:${process.env.USER ?? 'unknown'}` };
const config = loadConfig();
const { dataSource } = await openDatabase(config, { migrate: false });
try {
  if (command === 'create') {
    const k = await createApiKey(dataSource, { name: values.name ?? '', scope: values.scope ?? '', cameraId: values.camera ? Number(values.camera) : null }, actor);
    console.log(`API key ${k.id} "${k.name}" (scope ${k.scope}${k.cameraId ? `, camera ${k.cameraId}` : ''}): may call ${API_KEY_ROUTES[k.scope].join('; ')}`);
    console.log('Copy it now, it is not stored and will not be shown again:');
    console.log(k.key);
  } else if (command === 'revoke') {
    await revokeApiKey(dataSource, Number(arg), actor);
    console.log(`API key ${arg} revoked.`);
  } else if (command === 'list') {
    for (const k of await dataSource.getRepository(ApiKey).find({ order: { id: 'ASC' } })) {
      console.log(`${k.id}\t${k.prefix}…\t${k.scope}\tcamera=${k.cameraId ?? '-'}\t${k.active ? 'active' : 'revoked'}\t${k.name}`);
    }
  } else {
    console.error('usage: npm run api-key -- create --name NAME --scope device|sis [--camera ID] | revoke ID | list');
    process.exitCode = 2;
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
} finally {
  await dataSource.destroy();
}
