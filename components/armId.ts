/**
 * ARM resource IDs compare without regard to case: Azure itself returns some with
 * `resourcegroups` in lower case, and names are case-insensitive throughout ARM.
 */
export function normalizeArmId(id: string): string {
  return id.trim().replace(/\/+$/, "").toLowerCase();
}

/** True when `a` and `b` name the same ARM resource. */
export function sameArmId(a: string, b: string): boolean {
  return normalizeArmId(a) === normalizeArmId(b);
}
