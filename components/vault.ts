import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";

import { KeyVaultAuthorization, KeyVaultSku } from "./settings";

export interface KeyVaultArgs {
  /** Resource group that holds the vault. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** Azure region of the vault; Azure requires the server's region (or its pair, for geo keys). */
  readonly location: pulumi.Input<string>;
  /** Vault name, 3-24 characters and unique across Azure. */
  readonly vaultName: pulumi.Input<string>;
  /** Entra tenant of the vault; the server's identity must be in the same tenant. */
  readonly tenantId: pulumi.Input<string>;
  /** "standard" or "premium"; HSM keys need "premium". Defaults to "standard". */
  readonly sku?: KeyVaultSku;
  /** How access is granted: inline-free access policies or Azure RBAC. Defaults to "accessPolicies". */
  readonly authorization?: KeyVaultAuthorization;
  /** Soft-delete retention, 7-90 days, fixed once the vault exists. Defaults to 90. */
  readonly softDeleteRetentionDays?: number;
  /** IPv4 addresses or CIDR ranges let through the firewall besides trusted Azure services. Defaults to none. */
  readonly ipRules?: readonly string[];
  /** Tags for the vault. Defaults to none. */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Protect the vault from deletion. Defaults to true. */
  readonly protect?: boolean;
}

/**
 * A key vault fit to hold a customer-managed key: soft delete and purge protection on, a firewall
 * that denies by default yet lets trusted Azure services (the database service) through.
 *
 * It never sets inline `accessPolicies`, not even an empty list: every vault update would rewrite
 * that list and remove the standalone access policies that let the server reach its key.
 */
export class KeyVault extends pulumi.ComponentResource {
  readonly vault: keyvault.Vault;
  readonly id: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  /** The vault's data-plane address, `https://<name>.vault.azure.net/`. */
  readonly vaultUri: pulumi.Output<string>;

  constructor(name: string, args: KeyVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    super("postgres-cmk:keyvault:KeyVault", name, {}, opts);

    this.vault = new keyvault.Vault(
      name,
      {
        vaultName: args.vaultName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        tags: args.tags,
        properties: {
          tenantId: args.tenantId,
          sku: { family: "A", name: args.sku ?? "standard" },
          enableSoftDelete: true,
          softDeleteRetentionInDays: args.softDeleteRetentionDays ?? 90,
          enablePurgeProtection: true,
          enableRbacAuthorization: (args.authorization ?? "accessPolicies") === "rbac",
          networkAcls: {
            defaultAction: "Deny",
            bypass: "AzureServices",
            ipRules: (args.ipRules ?? []).map((value) => ({ value })),
            virtualNetworkRules: [],
          },
        },
      },
      { parent: this, protect: args.protect ?? true },
    );

    this.id = this.vault.id;
    this.name = this.vault.name;
    this.vaultUri = this.vault.properties.apply((p) => p.vaultUri ?? "");
    this.registerOutputs({ id: this.id, name: this.name, vaultUri: this.vaultUri });
  }
}
