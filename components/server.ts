import * as pulumi from "@pulumi/pulumi";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";

import { sameArmId } from "./armId";
import { InvalidInputError } from "./errors";
import { EntraAdmin, FirewallRule } from "./settings";

/** A key and the identity that unwraps it. */
export interface ServerKeyBinding {
  /** Versionless key URI, so that the server follows new key versions. */
  readonly keyUri: pulumi.Input<string>;
  /** ARM ID of the user-assigned identity that has been granted the key. */
  readonly identityId: pulumi.Input<string>;
}

export interface FlexibleServerArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  /** Azure region of the server. */
  readonly location: string;
  /** Server name, unique across Azure. */
  readonly serverName: pulumi.Input<string>;
  /** PostgreSQL major version. */
  readonly version: string;
  readonly skuName: string;
  readonly skuTier: string;
  readonly storageSizeGB: number;
  readonly backupRetentionDays: number;
  /** Key and identity for the server's data. */
  readonly primaryKey: ServerKeyBinding;
  /** Key and identity in the paired region; turns geo-redundant backup on. Defaults to none (off). */
  readonly geoBackupKey?: ServerKeyBinding;
  /** Resources the server must wait for: the grants that let its identities use the keys. */
  readonly grants: pulumi.Input<pulumi.Resource>[];
  readonly administratorLogin: string;
  /** Administrator password; held as a secret. */
  readonly administratorPassword: pulumi.Input<string>;
  /** Turn on Entra ID authentication. Defaults to false. */
  readonly entraAuth?: boolean;
  /** Tenant for Entra ID authentication. */
  readonly tenantId: pulumi.Input<string>;
  /** Entra ID administrator. Defaults to none. */
  readonly entraAdmin?: EntraAdmin;
  /** Client ranges let through; none turns public network access off. Defaults to none. */
  readonly firewallRules?: readonly FirewallRule[];
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Protect the server from deletion. Defaults to true. */
  readonly protect?: boolean;
}

/** Server parameters that enforce TLS 1.2 or later for every client connection. */
export const TLS_PARAMETERS: ReadonlyArray<readonly [string, string]> = [
  ["require_secure_transport", "on"],
  ["ssl_min_protocol_version", "TLSv1.2"],
];

const ENTRA_PRINCIPAL_TYPE = {
  User: "user",
  Group: "group",
  ServicePrincipal: "servicePrincipal",
} as const;

/**
 * A Flexible Server whose data is encrypted with a customer-managed key from its first
 * deployment: Azure cannot turn customer-managed keys on for an existing server.
 */
export class FlexibleServer extends pulumi.ComponentResource {
  readonly server: dbforpostgresql.Server;
  readonly configurations: dbforpostgresql.Configuration[];
  readonly firewallRules: dbforpostgresql.FirewallRule[];
  readonly entraAdmin?: dbforpostgresql.AdministratorsMicrosoftEntra;
  readonly id: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  readonly fullyQualifiedDomainName: pulumi.Output<string>;

  constructor(name: string, args: FlexibleServerArgs, opts?: pulumi.ComponentResourceOptions) {
    const geo = args.geoBackupKey;
    // Azure refuses geo-backup encryption with the primary identity. IDs known now are checked
    // now; IDs of identities created in the same program differ by construction.
    const primaryId = args.primaryKey.identityId;
    if (
      geo &&
      typeof primaryId === "string" &&
      typeof geo.identityId === "string" &&
      sameArmId(primaryId, geo.identityId)
    ) {
      throw new InvalidInputError(`FlexibleServer "${name}"`, [
        {
          property: "geoBackupKey.identityId",
          value: geo.identityId,
          accepted:
            "a user-assigned identity other than primaryKey.identityId (IDs compare without case)",
        },
      ]);
    }
    super("postgres-cmk:postgres:FlexibleServer", name, {}, opts);

    const identityIds = geo
      ? [args.primaryKey.identityId, geo.identityId]
      : [args.primaryKey.identityId];
    const firewallRules = args.firewallRules ?? [];

    this.server = new dbforpostgresql.Server(
      name,
      {
        serverName: args.serverName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        createMode: "Create",
        version: args.version,
        sku: { name: args.skuName, tier: args.skuTier },
        storage: { storageSizeGB: args.storageSizeGB, autoGrow: "Enabled" },
        backup: {
          backupRetentionDays: args.backupRetentionDays,
          geoRedundantBackup: geo ? "Enabled" : "Disabled",
        },
        identity: {
          type: "UserAssigned",
          userAssignedIdentities: pulumi
            .all(identityIds)
            .apply((ids) => Object.fromEntries(ids.map((id) => [id, {}]))),
        },
        dataEncryption: {
          type: "AzureKeyVault",
          primaryKeyURI: args.primaryKey.keyUri,
          primaryUserAssignedIdentityId: args.primaryKey.identityId,
          ...(geo
            ? { geoBackupKeyURI: geo.keyUri, geoBackupUserAssignedIdentityId: geo.identityId }
            : {}),
        },
        administratorLogin: args.administratorLogin,
        administratorLoginPassword: pulumi.secret(args.administratorPassword),
        authConfig: {
          passwordAuth: "Enabled",
          activeDirectoryAuth: args.entraAuth ? "Enabled" : "Disabled",
          ...(args.entraAuth ? { tenantId: args.tenantId } : {}),
        },
        network: { publicNetworkAccess: firewallRules.length > 0 ? "Enabled" : "Disabled" },
        tags: args.tags,
      },
      { parent: this, dependsOn: args.grants, protect: args.protect ?? true },
    );

    // Azure applies one server parameter at a time; chaining them avoids a "server busy" conflict.
    this.configurations = [];
    let previous: pulumi.Resource = this.server;
    for (const [parameter, value] of TLS_PARAMETERS) {
      const configuration: dbforpostgresql.Configuration = new dbforpostgresql.Configuration(
        `${name}-${parameter.replace(/_/g, "-")}`,
        {
          configurationName: parameter,
          serverName: this.server.name,
          resourceGroupName: args.resourceGroupName,
          value,
          source: "user-override",
        },
        { parent: this, dependsOn: [previous] },
      );
      this.configurations.push(configuration);
      previous = configuration;
    }

    this.firewallRules = firewallRules.map(
      (rule) =>
        new dbforpostgresql.FirewallRule(
          `${name}-fw-${rule.name}`,
          {
            firewallRuleName: rule.name,
            serverName: this.server.name,
            resourceGroupName: args.resourceGroupName,
            startIpAddress: rule.startIpAddress,
            endIpAddress: rule.endIpAddress,
          },
          { parent: this },
        ),
    );

    if (args.entraAdmin) {
      this.entraAdmin = new dbforpostgresql.AdministratorsMicrosoftEntra(
        `${name}-entra-admin`,
        {
          objectId: args.entraAdmin.objectId,
          principalName: args.entraAdmin.principalName,
          principalType: ENTRA_PRINCIPAL_TYPE[args.entraAdmin.principalType],
          tenantId: args.tenantId,
          serverName: this.server.name,
          resourceGroupName: args.resourceGroupName,
        },
        { parent: this, dependsOn: [previous] },
      );
    }

    this.id = this.server.id;
    this.name = this.server.name;
    this.fullyQualifiedDomainName = this.server.fullyQualifiedDomainName;
    this.registerOutputs({ id: this.id, fullyQualifiedDomainName: this.fullyQualifiedDomainName });
  }
}
