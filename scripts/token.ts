/**
 * Mints a local API token (HS256 with AUTH_JWT_SECRET, or the development secret):
 *   npm run token -- --role province-reviewer --province 22
 *   npm run token -- --role institution --province 22 --institution 91220101MA14XXXXX0
 *   npm run token -- --role expert --sub expert-zhang --name 张专家 --province 22
 */
import { parseArgs } from 'node:util';
import { loadSettings } from '../config';
import { claimsSchema, signToken, tokenAddressing } from '../api/tokens';

async function main() {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      province: { type: 'string' },
      prefecture: { type: 'string' },
      institution: { type: 'string' },
      sub: { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string', default: '12h' },
    },
  });
  // a tool for local use: like `npm start`, development unless APP_MODE says otherwise
  const settings = loadSettings({ ...process.env, APP_MODE: process.env.APP_MODE || 'development' });
  const role = values.role ?? '';
  const claims = claimsSchema.safeParse({
    sub: values.sub ?? `${role}-${values.institution ?? values.prefecture ?? values.province ?? 'local'}`,
    name: values.name ?? role,
    role,
    province: values.province ?? (values.prefecture ? values.prefecture.slice(0, 2) : undefined),
    prefecture: values.prefecture,
    institutionId: values.institution,
  });
  if (!claims.success) {
    console.error(`bad claims: ${claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    console.error(
      'usage: npm run token -- --role <institution|prefecture-reviewer|province-reviewer|expert|center|supervisor|admin> [--province 22] [--prefecture 220100] [--institution <USCC>] [--sub id] [--name 名字]',
    );
    process.exit(2);
  }
  if (claims.data.role === 'institution' && !claims.data.institutionId) {
    console.error('an institution token needs --institution <unified social credit code>');
    process.exit(2);
  }
  process.stdout.write(`${await signToken(settings.AUTH_JWT_SECRET!, claims.data, values.expires, tokenAddressing(settings))}\n`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
