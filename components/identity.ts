import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";

import { identityName } from "./naming";

export interface EncryptionIdentityArgs {
  /** Resource group that holds the identity. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** Azure region of the identity. */
  readonly location: pulumi.Input<string>;
  /** Tags for the identity. Defaults to none. */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Protect the identity from deletion: the server loses its key without it. Defaults to true. */
  readonly protect?: boolean;
}

/**
 * A user-assigned managed identity that a Flexible Server uses to reach its key. Azure does not
 * accept the server's system-assigned identity for data encryption.
 */
export class EncryptionIdentity extends pulumi.ComponentResource {
  readonly identity: managedidentity.UserAssignedIdentity;
  /** ARM resource ID, as the server's `dataEncryption` expects it. */
  readonly id: pulumi.Output<string>;
  /** Object ID of the identity's service principal, the subject of key grants. */
  readonly principalId: pulumi.Output<string>;
  readonly clientId: pulumi.Output<string>;
  readonly tenantId: pulumi.Output<string>;

  constructor(name: string, args: EncryptionIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("postgres-cmk:identity:EncryptionIdentity", name, {}, opts);

    this.identity = new managedidentity.UserAssignedIdentity(
      name,
      {
        resourceName: identityName(name),
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        tags: args.tags,
      },
      { parent: this, protect: args.protect ?? true },
    );

    this.id = this.identity.id;
    this.principalId = this.identity.principalId;
    this.clientId = this.identity.clientId;
    this.tenantId = this.identity.tenantId;
    this.registerOutputs({ id: this.id, principalId: this.principalId, clientId: this.clientId });
  }
}
