/** From an identity provider's claims to a console session: the mapping and every refusal (console/oidc-claims.ts), and its settings. */
import { randomBytes } from 'node:crypto';
import { callerFromClaims, claimsMapping, DEFAULT_CLAIMS_MAPPING } from '../../console/oidc-claims';
import { loadSettings } from '../../config';
import { makeCreditCode } from '../../domain/identifiers';

const CREDIT_CODE = makeCreditCode('91220101MA14XXXX0');

describe('OIDC claims mapping', () => {
  it('maps the default claims to the same caller a pasted token carries', () => {
    const r = callerFromClaims({ sub: 'u1', name: '李审核', role: 'prefecture-reviewer', prefecture: '220100' }, DEFAULT_CLAIMS_MAPPING);
    // the province comes from the prefecture when the provider sends none
    expect(r.caller).toEqual({ sub: 'u1', name: '李审核', role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
  });

  it('follows a configured mapping: other claim names, dotted paths, role values of the provider, numeric codes', () => {
    const mapping = claimsMapping({ role: 'groups', province: 'org.province', institutionId: 'org.credit_code', sub: 'uid' });
    expect(mapping.name).toBe('name');
    const claims = {
      sub: 'opaque',
      uid: 'inst-7',
      name: '某培训学校',
      groups: ['staff', 'ORG_ASSESSOR'],
      org: { province: 22, credit_code: CREDIT_CODE.toLowerCase() },
    };
    const r = callerFromClaims(claims, mapping, { ORG_ASSESSOR: 'institution' });
    expect(r.caller).toEqual({ sub: 'inst-7', name: '某培训学校', role: 'institution', province: '22', institutionId: CREDIT_CODE });
    // a claim whose own name has a dot wins over the path
    expect(callerFromClaims({ ...claims, 'org.province': '23' }, mapping, { ORG_ASSESSOR: 'institution' }).caller?.province).toBe('23');
  });

  it('keeps only the scope claims the role uses (a reviewer of a province has no institution)', () => {
    const r = callerFromClaims(
      { sub: 'p', name: 'P', role: 'province-reviewer', province: '22', prefecture: '220100', institution_id: CREDIT_CODE },
      DEFAULT_CLAIMS_MAPPING,
    );
    expect(r.caller).toEqual({ sub: 'p', name: 'P', role: 'province-reviewer', province: '22' });
  });

  it.each([
    [{ sub: 'x', role: 'superuser', province: '22' }, undefined, 'unmapped-role', '不是本系统的角色'],
    [{ sub: 'x', role: 'admin' }, { ADMIN: 'admin' as const }, 'unmapped-role', '不是本系统的角色'],
    [{ sub: 'x', province: '22' }, undefined, 'no-role', '未提供本系统的角色（role）'],
    [{ sub: 'x', role: ['admin', 'expert'] }, undefined, 'several-roles', '多个本系统角色'],
    [{ sub: 'x', role: 'province-reviewer', province: '99' }, undefined, 'bad-province', '省份代码无效'],
    [{ sub: 'x', role: 'expert', prefecture: '220102' }, undefined, 'bad-prefecture', '地市代码无效'],
    [{ sub: 'x', role: 'prefecture-reviewer', province: '23', prefecture: '220100' }, undefined, 'incomplete', '地市（prefecture）'],
    [
      { sub: 'x', role: 'institution', institution_id: `${CREDIT_CODE.slice(0, 17)}${CREDIT_CODE.endsWith('1') ? '2' : '1'}` },
      undefined,
      'bad-institution',
      '统一社会信用代码无效',
    ],
    [{ sub: 'x', role: 'institution' }, undefined, 'incomplete', '统一社会信用代码（institution_id）'],
    [{ sub: 'x', role: 'prefecture-reviewer' }, undefined, 'incomplete', '省份（province）、地市（prefecture）'],
    [{ role: 'admin' }, undefined, 'subject', '用户标识'],
  ])('refuses %j (roles %j): %s', (claims, roles, reason, words) => {
    const r = callerFromClaims(claims, DEFAULT_CLAIMS_MAPPING, roles);
    expect(r.caller).toBeUndefined();
    expect(r.refusal?.reason).toBe(reason);
    expect(r.refusal?.text).toContain(words);
  });
});

describe('OIDC settings', () => {
  const base = { APP_MODE: 'development', AUTH_OIDC_ISSUER: 'http://127.0.0.1:9/', AUTH_OIDC_CLIENT_ID: 'c' };

  it('parses the claims mapping and role values as JSON', () => {
    const s = loadSettings({ ...base, AUTH_OIDC_CLAIMS: '{"role":"groups"}', AUTH_OIDC_ROLES: '{"G1":"expert"}' });
    expect(s.AUTH_OIDC_CLAIMS).toEqual({ role: 'groups' });
    expect(s.AUTH_OIDC_ROLES).toEqual({ G1: 'expert' });
    expect(s.AUTH_OIDC_SCOPES).toBe('openid profile');
  });

  it.each([
    [{ AUTH_OIDC_CLAIMS: '{role:1}' }, 'AUTH_OIDC_CLAIMS: not JSON'],
    [{ AUTH_OIDC_CLAIMS: '{"group":"g"}' }, 'AUTH_OIDC_CLAIMS'],
    [{ AUTH_OIDC_ROLES: '{"G1":"boss"}' }, 'AUTH_OIDC_ROLES: G1'],
    [{ AUTH_OIDC_SCOPES: 'profile' }, 'AUTH_OIDC_SCOPES: must include openid'],
    [{ AUTH_OIDC_CLIENT_ID: '' }, 'AUTH_OIDC_CLIENT_ID: required with AUTH_OIDC_ISSUER'],
    [{ APP_MODE: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks' }, 'AUTH_JWT_SECRET: required with AUTH_OIDC_ISSUER'],
    [{ APP_MODE: 'production', AUTH_JWT_SECRET: randomBytes(32).toString('base64url') }, 'AUTH_OIDC_ISSUER: must be https in production'],
  ])('refuses %j', (env, message) => {
    expect(() => loadSettings({ ...base, ...env })).toThrow(message);
  });
});
