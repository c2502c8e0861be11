/**
 * From an identity provider's claims to the caller a console session stands for (console/oidc.ts).
 * The provider says who someone is; which claim carries the role, province, prefecture and
 * institution is the province's choice (AUTH_OIDC_CLAIMS, AUTH_OIDC_ROLES). Whatever it sends is
 * checked here as strictly as a pasted token is checked by the API (api/tokens.ts claimsSchema),
 * with the reason of a refusal in Chinese for the person at the browser.
 */
import { z } from 'zod';
import { ROLES, type Caller, type Role } from '../domain/roles';
import { isPrefectureCode, isProvinceCode } from '../domain/regions';
import { isValidCreditCode } from '../domain/identifiers';
import { ROLE_LABELS } from '../domain/labels';
import { claimsSchema } from '../api/tokens';

export const SESSION_PARTS = ['sub', 'name', 'role', 'province', 'prefecture', 'institutionId'] as const;
export type SessionPart = (typeof SESSION_PARTS)[number];
export type ClaimsMapping = Record<SessionPart, string>;

/** Claim names: printable, no spaces; a dot reaches into an object claim when no claim has the whole name. */
const claimName = z.string().regex(/^[\x21-\x7E]{1,200}$/, 'a claim name (printable ASCII, no spaces)');

export const oidcClaimsMappingSchema = z.strictObject(
  Object.fromEntries(SESSION_PARTS.map((p) => [p, claimName.optional()])) as Record<SessionPart, z.ZodOptional<typeof claimName>>,
);

export const oidcRoleMapSchema = z.record(z.string().min(1).max(200), z.enum(ROLES)).refine((m) => Object.keys(m).length > 0, 'names at least one role');

export const DEFAULT_CLAIMS_MAPPING: ClaimsMapping = {
  sub: 'sub',
  name: 'name',
  role: 'role',
  province: 'province',
  prefecture: 'prefecture',
  institutionId: 'institution_id',
};

export function claimsMapping(partial: Partial<Record<SessionPart, string | undefined>> | undefined): ClaimsMapping {
  const m = { ...DEFAULT_CLAIMS_MAPPING };
  for (const p of SESSION_PARTS) if (partial?.[p]) m[p] = partial[p]!;
  return m;
}

export interface OidcRefusal {
  /** for the log: which check refused (never the claim's value, which may be personal data) */
  reason: string;
  /** for the person: what is wrong, in Chinese */
  text: string;
}

function claimOf(claims: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(claims, name)) return claims[name];
  if (!name.includes('.')) return undefined;
  let v: unknown = claims;
  for (const key of name.split('.')) {
    if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** A claim as one string: a number becomes its digits (region codes sometimes arrive as numbers), anything else is absent. */
function textClaim(claims: Record<string, unknown>, name: string): string | undefined {
  const v = claimOf(claims, name);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/**
 * The roles a role claim stands for: a string or a list of strings (providers often send groups),
 * each through `roleMap` when there is one, else taken as this system's role name.
 */
function rolesOf(value: unknown, roleMap: Record<string, Role> | undefined): { roles: Role[]; seen: boolean } {
  const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
  const roles = new Set<Role>();
  for (const v of values) {
    const role = roleMap
      ? Object.prototype.hasOwnProperty.call(roleMap, v)
        ? roleMap[v]
        : undefined
      : (ROLES as readonly string[]).includes(v)
        ? (v as Role)
        : undefined;
    if (role) roles.add(role);
  }
  return { roles: [...roles], seen: values.length > 0 };
}

const PREFECTURE_ROLES: readonly Role[] = ['prefecture-reviewer', 'center', 'expert', 'supervisor'];

/** The caller the claims stand for under `mapping`, or why they stand for none. */
export function callerFromClaims(
  claims: Record<string, unknown>,
  mapping: ClaimsMapping,
  roleMap?: Record<string, Role>,
): { caller: Caller; refusal?: undefined } | { caller?: undefined; refusal: OidcRefusal } {
  const refuse = (reason: string, text: string) => ({ refusal: { reason, text } });
  const sub = textClaim(claims, mapping.sub);
  if (!sub || sub.length > 128) return refuse('subject', `身份认证平台未提供有效的用户标识（${mapping.sub}）。`);

  const { roles, seen } = rolesOf(claimOf(claims, mapping.role), roleMap);
  if (!seen) return refuse('no-role', `身份认证平台未提供本系统的角色（${mapping.role}），无法登录。请联系管理员为账号分配角色。`);
  if (roles.length === 0) return refuse('unmapped-role', '身份认证平台提供的角色不是本系统的角色，无法登录。请联系管理员核对角色配置。');
  if (roles.length > 1)
    return refuse('several-roles', `账号同时具有多个本系统角色（${roles.map((r) => ROLE_LABELS[r]).join('、')}），无法确定以哪一身份登录。`);
  const role = roles[0];

  const prefecture = textClaim(claims, mapping.prefecture);
  if (prefecture !== undefined && !isPrefectureCode(prefecture))
    return refuse('bad-prefecture', `身份认证平台提供的地市代码无效（${mapping.prefecture}：应为6位地市级行政区划代码）。`);
  const province = textClaim(claims, mapping.province) ?? prefecture?.slice(0, 2);
  if (province !== undefined && !isProvinceCode(province))
    return refuse('bad-province', `身份认证平台提供的省份代码无效（${mapping.province}：应为2位省级行政区划代码）。`);
  const institution = textClaim(claims, mapping.institutionId)?.toUpperCase();
  if (role === 'institution' && institution !== undefined && !isValidCreditCode(institution))
    return refuse('bad-institution', `身份认证平台提供的统一社会信用代码无效（${mapping.institutionId}）。`);

  const name = (textClaim(claims, mapping.name) ?? textClaim(claims, 'preferred_username') ?? sub).slice(0, 128);
  const parsed = claimsSchema.safeParse({
    sub,
    name,
    role,
    province,
    prefecture: PREFECTURE_ROLES.includes(role) ? prefecture : undefined,
    institutionId: role === 'institution' ? institution : undefined,
  });
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => String(i.path[0] ?? '')).filter(Boolean);
    const words: Record<string, string> = {
      province: `省份（${mapping.province}）`,
      prefecture: `地市（${mapping.prefecture}）`,
      institutionId: `统一社会信用代码（${mapping.institutionId}）`,
    };
    const named = SESSION_PARTS.filter((p) => missing.includes(p))
      .map((p) => words[p] ?? p)
      .join('、');
    return refuse('incomplete', `以“${ROLE_LABELS[role]}”身份登录还需要身份认证平台提供${named || '完整的身份信息'}。`);
  }
  return { caller: parsed.data as Caller };
}
