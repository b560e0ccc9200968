import * as pulumi from "@pulumi/pulumi";

import { CONFIG_NAMESPACE, PostgresCmk, checkPostgresCmkArgs, readSettings } from "./components";

const config = new pulumi.Config(CONFIG_NAMESPACE);
const presentKeys = Object.keys(pulumi.runtime.allConfig())
  .filter((key) => key.startsWith(`${CONFIG_NAMESPACE}:`))
  .map((key) => key.slice(CONFIG_NAMESPACE.length + 1));
const { settings, problems } = readSettings((key) => config.get(key), presentKeys);

// The component checks its arguments too; checking here first reports config-type problems and
// argument problems together, with the config keys' names.
const name = pulumi.getStack();
checkPostgresCmkArgs(name, settings, { prefix: `${CONFIG_NAMESPACE}:`, earlier: problems });

const db = new PostgresCmk(name, settings);

export const resourceGroupName = db.resourceGroup.name;
export const serverName = db.server.name;
export const serverFqdn = db.server.fullyQualifiedDomainName;
export const administratorLogin = db.settings.administratorLogin;
export const administratorPassword = pulumi.secret(db.password.result);
export const keyVaultName = db.primary.vault.name;
export const keyVaultUri = db.primary.vault.vaultUri;
export const keyName = db.primary.key.name;
export const keyUri = db.primary.key.keyUri;
export const identityId = db.primary.identity.id;
export const identityPrincipalId = db.primary.identity.principalId;
// Geo-redundant backup's key and identity, or null when it is off (an undefined output would
// only earn a warning on every preview).
export const geoBackup = db.geo
  ? {
      location: db.geo.location,
      keyVaultName: db.geo.vault.name,
      keyVaultUri: db.geo.vault.vaultUri,
      keyName: db.geo.key.name,
      keyUri: db.geo.key.keyUri,
      identityId: db.geo.identity.id,
    }
  : null;
