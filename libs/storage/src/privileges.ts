import { privilegeNames, type FolderRule, type Privilege } from '@tessera/contracts';
import { isAtOrBelow, segmentsOf } from './paths';

/** What privilege evaluation needs of a user: plain data, so user-auth can call it too. */
export interface PrivilegeSubject {
  /** The user's own privileges: they apply wherever no folder rule matches. */
  readonly privileges: readonly Privilege[];
  readonly folderSet: { readonly rules: readonly FolderRule[] } | null;
}

export interface EffectivePrivileges {
  /** In the canonical order of `privilegeNames`, without duplicates. */
  privileges: Privilege[];
  /** The rule that decided ("/a/b"), or null when the user's own privileges apply. */
  rulePath: string | null;
}

/**
 * The privileges that hold at a (normalised) virtual path. The most specific rule wins: the one
 * whose path is the longest segment-wise prefix of `virtualPath` ("/a" covers "/a" and "/a/b/c",
 * never "/ab"; "/" covers everything). Rules replace, never add to, the user's own privileges.
 * Of two rules for the same folder the first one counts.
 */
export function privilegesAt(subject: PrivilegeSubject, virtualPath: string): EffectivePrivileges {
  const rule = mostSpecificRule(subject.folderSet?.rules ?? [], virtualPath);
  const granted = rule ? rule.privileges : subject.privileges;
  return {
    privileges: privilegeNames.filter((p) => granted.includes(p)),
    rulePath: rule ? canonical(rule.path) : null,
  };
}

export function hasPrivilege(
  subject: PrivilegeSubject,
  virtualPath: string,
  privilege: Privilege,
): boolean {
  return privilegesAt(subject, virtualPath).privileges.includes(privilege);
}

/** True when some rule governs `virtualPath` or anything below it (moving it would change rules). */
export function hasRulesAtOrBelow(subject: PrivilegeSubject, virtualPath: string): boolean {
  return (subject.folderSet?.rules ?? []).some((rule) => isAtOrBelow(rule.path, virtualPath));
}

function mostSpecificRule(rules: readonly FolderRule[], virtualPath: string): FolderRule | null {
  let best: FolderRule | null = null;
  let bestDepth = -1;
  for (const rule of rules) {
    const depth = segmentsOf(rule.path).length;
    if (depth > bestDepth && isAtOrBelow(virtualPath, rule.path)) {
      best = rule;
      bestDepth = depth;
    }
  }
  return best;
}

function canonical(rulePath: string): string {
  return '/' + segmentsOf(rulePath).join('/');
}
