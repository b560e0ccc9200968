import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";

import {
  CRYPTO_SERVICE_ENCRYPTION_USER_ROLE_ID,
  SERVER_KEY_PERMISSIONS,
} from "../policy/lib/azure";
import { KeyVaultAuthorization } from "./settings";

export { CRYPTO_SERVICE_ENCRYPTION_USER_ROLE_ID, SERVER_KEY_PERMISSIONS };

export interface KeyGrantArgs {
  /** "accessPolicies" (a standalone access policy) or "rbac" (a role assignment on the key). */
  readonly authorization: KeyVaultAuthorization;
  /** Object ID of the identity's service principal. */
  readonly principalId: pulumi.Input<string>;
  /** Entra tenant of the identity. */
  readonly tenantId: pulumi.Input<string>;
  /** Resource group of the vault. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** Name of the vault, for an access policy. */
  readonly vaultName: pulumi.Input<string>;
  /** ARM ID of the key, the scope of a role assignment. */
  readonly keyId: pulumi.Input<string>;
  /** Subscription that holds the role definition. */
  readonly subscriptionId: pulumi.Input<string>;
  /** Protect the grant: removing it cuts the server off from its key. Defaults to true. */
  readonly protect?: boolean;
}

/**
 * Lets one identity use one key for wrapping: an access policy with exactly get, list, wrapKey
 * and unwrapKey, or the "Key Vault Crypto Service Encryption User" role scoped to the key.
 *
 * A grant is kept in Azure when removed from the program (`retainOnDelete`): after a switch to a
 * new key, backups taken under the old key still need the old grant.
 */
export class KeyGrant extends pulumi.ComponentResource {
  /** The resource that carries the grant, an access policy or a role assignment. */
  readonly grant: keyvault.AccessPolicy | authorization.RoleAssignment;

  constructor(name: string, args: KeyGrantArgs, opts?: pulumi.ComponentResourceOptions) {
    super("postgres-cmk:keyvault:KeyGrant", name, {}, opts);

    const childOpts = { parent: this, protect: args.protect ?? true, retainOnDelete: true };
    if (args.authorization === "rbac") {
      this.grant = new authorization.RoleAssignment(
        name,
        {
          principalId: args.principalId,
          principalType: "ServicePrincipal",
          roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${CRYPTO_SERVICE_ENCRYPTION_USER_ROLE_ID}`,
          scope: args.keyId,
        },
        childOpts,
      );
    } else {
      this.grant = new keyvault.AccessPolicy(
        name,
        {
          resourceGroupName: args.resourceGroupName,
          vaultName: args.vaultName,
          policy: {
            objectId: args.principalId,
            tenantId: args.tenantId,
            permissions: { keys: [...SERVER_KEY_PERMISSIONS] },
          },
        },
        childOpts,
      );
    }

    this.registerOutputs({});
  }
}
