import * as pulumi from "@pulumi/pulumi";

import { CONFIG_NAMESPACE, PostgresCmk, checkPostgresCmkArgs, readSettings } from "./components";

const config = new pulumi.Config(CONFIG_NAMESPACE);
const presentKeys = Object.keys(pulumi.runtime.allConfig())
  .filter((key) => key.startsWith(`${CONFIG_NAMESPACE}:`))
  .map((key) => key.slice(CONFIG_NAMESPACE.length + 1));
const { settings, problems } = readSettings((key) => config.get(key), presentKeys);

const name = pulumi.getStack();
// The runtime exports `isConfigSecret` without typings; without it no value counts as secret.
const runtime = pulumi.runtime as { isConfigSecret?: (key: string) => boolean };
const secret = presentKeys.filter(
  (key) => runtime.isConfigSecret?.(`${CONFIG_NAMESPACE}:${key}`) ?? false,
);

// The component checks its arguments too; checking here first reports config-type problems and
// argument problems together, with the config keys' names and secret values withheld.
checkPostgresCmkArgs(name, settings, {
  prefix: `${CONFIG_NAMESPACE}:`,
  earlier: problems,
  secret,
});

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
