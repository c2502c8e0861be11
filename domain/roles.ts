/** Roles and token claims (API.md "Conventions"). */
export const ROLES = ['institution', 'prefecture-reviewer', 'province-reviewer', 'expert', 'center', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  sub: string;
  name: string;
  role: Role;
  /** 2-digit GB/T 2260 province code */
  province?: string;
  /** 6-digit prefecture region code (prefecture roles) */
  prefecture?: string;
  /** institution role: the institution's unified social credit code */
  institutionId?: string;
}
