import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import { RandomPassword } from "@pulumi/random/randomPassword";

import { InvalidInputError, Problem } from "./errors";
import { EncryptionIdentity } from "./identity";
import { EncryptionKey } from "./key";
import { KeyGrant } from "./grant";
import { keyVaultName, serverName } from "./naming";
import { FlexibleServer, ServerKeyBinding } from "./server";
import { PostgresCmkSettings, ResolvedSettings, resolveSettings } from "./settings";
import { KeyVault } from "./vault";

export type PostgresCmkArgs = PostgresCmkSettings;

/** The identity, vault, keys and grants that serve the server in one region. */
export interface RegionalKey {
  readonly location: string;
  readonly identity: EncryptionIdentity;
  readonly vault: KeyVault;
  /** The key the server uses now. */
  readonly key: EncryptionKey;
  /** Keys it used before, still kept for the backups they protect. */
  readonly previousKeys: EncryptionKey[];
  /** The grants the server needs now: the vault's access policy, or the current key's role. */
  readonly grants: KeyGrant[];
  /** Every grant, including the roles on previous keys. */
  readonly allGrants: KeyGrant[];
}

/**
 * Checks `args` and returns them with defaults filled in, or throws one error listing every
 * problem, together with any `earlier` ones (such as config values of the wrong type).
 * `prefix` names the properties in messages, e.g. "postgres-cmk:" for stack config; values of
 * the properties in `secret` print as "[secret]".
 */
export function checkPostgresCmkArgs(
  name: string,
  args: PostgresCmkArgs,
  options: { prefix?: string; earlier?: readonly Problem[]; secret?: readonly string[] } = {},
): ResolvedSettings {
  const { settings, problems } = resolveSettings(args, { name });
  const secret = new Set(options.secret ?? []);
  const all = [...(options.earlier ?? []), ...problems].map((problem) =>
    secret.has(problem.property.split(/[.[]/)[0]) ? { ...problem, value: "[secret]" } : problem,
  );
  if (all.length > 0) {
    const subject = options.prefix ? "The stack configuration" : `PostgresCmk "${name}"`;
    throw new InvalidInputError(subject, all, options.prefix);
  }
  return settings;
}

/**
 * An Azure Database for PostgreSQL Flexible Server encrypted with a customer-managed key, with
 * everything the key needs: a user-assigned identity, a key vault with soft delete and purge
 * protection, an RSA key and a grant of exactly the permissions the server uses. With
 * geo-redundant backup, a second identity, vault, key and grant live in the paired region.
 */
export class PostgresCmk extends pulumi.ComponentResource {
  readonly settings: ResolvedSettings;
  readonly resourceGroup: resources.ResourceGroup;
  readonly primary: RegionalKey;
  /** The paired region's identity, vault, key and grant; only with geo-redundant backup. */
  readonly geo?: RegionalKey;
  readonly password: RandomPassword;
  readonly server: FlexibleServer;

  constructor(name: string, args: PostgresCmkArgs, opts?: pulumi.ComponentResourceOptions) {
    const settings = checkPostgresCmkArgs(name, args);
    super("postgres-cmk:index:PostgresCmk", name, {}, opts);
    this.settings = settings;

    const client = authorization.getClientConfigOutput({ parent: this });
    this.resourceGroup = new resources.ResourceGroup(
      `${name}-rg`,
      {
        resourceGroupName: settings.resourceGroupName,
        location: settings.location,
        tags: settings.tags,
      },
      { parent: this, protect: settings.protect },
    );

    this.primary = this.regionalKey(name, "primary", settings.location, client);
    if (settings.geoBackupLocation !== undefined) {
      this.geo = this.regionalKey(`${name}-geo`, "geo", settings.geoBackupLocation, client);
    }

    this.password = new RandomPassword(
      `${name}-admin-password`,
      {
        length: 32,
        special: true,
        overrideSpecial: "!#%*-_=+",
        minUpper: 2,
        minLower: 2,
        minNumeric: 2,
        minSpecial: 2,
      },
      { parent: this },
    );

    const binding = (regional: RegionalKey): ServerKeyBinding => ({
      keyUri: regional.key.keyUri,
      identityId: regional.identity.id,
    });
    this.server = new FlexibleServer(
      `${name}-server`,
      {
        resourceGroupName: this.resourceGroup.name,
        location: settings.location,
        serverName:
          settings.serverName ?? client.subscriptionId.apply((id) => serverName(id, name)),
        version: settings.postgresVersion,
        skuName: settings.skuName,
        skuTier: settings.skuTier,
        storageSizeGB: settings.storageSizeGB,
        backupRetentionDays: settings.backupRetentionDays,
        primaryKey: binding(this.primary),
        geoBackupKey: this.geo ? binding(this.geo) : undefined,
        grants: [...this.primary.grants, ...(this.geo?.grants ?? [])],
        administratorLogin: settings.administratorLogin,
        administratorPassword: this.password.result,
        entraAuth: settings.entraAuth,
        tenantId: client.tenantId,
        entraAdmin: settings.entraAdmin,
        firewallRules: settings.firewallRules,
        tags: settings.tags,
        protect: settings.protect,
      },
      { parent: this },
    );

    this.registerOutputs({
      serverFqdn: this.server.fullyQualifiedDomainName,
      keyUri: this.primary.key.keyUri,
      identityId: this.primary.identity.id,
    });
  }

  private regionalKey(
    name: string,
    role: "primary" | "geo",
    location: string,
    client: pulumi.Output<authorization.GetClientConfigResult>,
  ): RegionalKey {
    const s = this.settings;
    const resourceGroupName = this.resourceGroup.name;
    const identity = new EncryptionIdentity(
      `${name}-identity`,
      { resourceGroupName, location, tags: s.tags, protect: s.protect },
      { parent: this },
    );
    const vault = new KeyVault(
      `${name}-vault`,
      {
        vaultName: client.subscriptionId.apply((id) => keyVaultName(id, name, role)),
        resourceGroupName,
        location,
        tenantId: client.tenantId,
        sku: s.keyVaultSku,
        authorization: s.keyVaultAuthorization,
        softDeleteRetentionDays: s.softDeleteRetentionDays,
        ipRules: s.keyVaultIpRules,
        tags: s.tags,
        protect: s.protect,
      },
      { parent: this },
    );
    const newKey = (keyName: string, retired = false) =>
      new EncryptionKey(
        `${name}-key-${keyName}`,
        {
          keyName,
          vaultName: vault.name,
          resourceGroupName,
          keyType: s.keyType,
          keySize: s.keySize,
          rotationDays: s.keyRotationDays,
          expiryDays: s.keyExpiryDays,
          protect: s.protect,
          retired,
        },
        { parent: this },
      );
    const newGrant = (grantName: string, keyId: pulumi.Input<string>) =>
      new KeyGrant(
        grantName,
        {
          authorization: s.keyVaultAuthorization,
          principalId: identity.principalId,
          tenantId: identity.tenantId,
          resourceGroupName,
          vaultName: vault.name,
          keyId,
          subscriptionId: client.subscriptionId,
          protect: s.protect,
        },
        { parent: this },
      );

    const key = newKey(s.keyName);
    const previousKeys = s.previousKeyNames.map((keyName) => newKey(keyName, true));
    // An access policy covers every key in its vault; a role assignment covers one key.
    if (s.keyVaultAuthorization === "accessPolicies") {
      const grant = newGrant(`${name}-grant`, key.id);
      return { location, identity, vault, key, previousKeys, grants: [grant], allGrants: [grant] };
    }
    const grant = newGrant(`${name}-grant-${s.keyName}`, key.id);
    const previousGrants = s.previousKeyNames.map((keyName, i) =>
      newGrant(`${name}-grant-${keyName}`, previousKeys[i].id),
    );
    return {
      location,
      identity,
      vault,
      key,
      previousKeys,
      grants: [grant],
      allGrants: [grant, ...previousGrants],
    };
  }
}
