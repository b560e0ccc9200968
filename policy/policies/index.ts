import { Policies } from "@pulumi/policy";

import { cmkIdentityCanUseKey } from "./cmkIdentityCanUseKey";
import { cmkKeyTypeAndSize } from "./cmkKeyTypeAndSize";
import { cmkKeyVaultSameRegion } from "./cmkKeyVaultSameRegion";
import { cmkResourcesProtected } from "./cmkResourcesProtected";
import { keyvaultAccessPolicyLeastPrivilege } from "./keyvaultAccessPolicyLeastPrivilege";
import { keyvaultNoMixedAccessPolicies } from "./keyvaultNoMixedAccessPolicies";
import { keyvaultPurgeProtectionEnabled } from "./keyvaultPurgeProtectionEnabled";
import { keyvaultSoftDeleteEnabled } from "./keyvaultSoftDeleteEnabled";
import { keyvaultTrustedServicesBypass } from "./keyvaultTrustedServicesBypass";
import { postgresFlexibleServerCmk } from "./postgresFlexibleServerCmk";
import { postgresGeoBackupCmk } from "./postgresGeoBackupCmk";
import { postgresSecureTransport } from "./postgresSecureTransport";

/** The pack's name, as `pulumi preview --policy-pack` reports it. */
export const PACK_NAME = "postgres-cmk";

/** Every policy of the pack, mandatory ones first. */
export const policies: Policies = [
  keyvaultSoftDeleteEnabled,
  keyvaultPurgeProtectionEnabled,
  cmkKeyVaultSameRegion,
  cmkKeyTypeAndSize,
  cmkIdentityCanUseKey,
  postgresFlexibleServerCmk,
  postgresGeoBackupCmk,
  keyvaultTrustedServicesBypass,
  keyvaultNoMixedAccessPolicies,
  keyvaultAccessPolicyLeastPrivilege,
  cmkResourcesProtected,
  postgresSecureTransport,
];
