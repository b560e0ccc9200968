/**
 * Azure public-cloud regions and the region each one writes geo-redundant backups to, shared by
 * the program and the policy pack. It lives with the pack so that a published pack carries it.
 *
 * The pairs follow Azure's published cross-region replication pairs. Some are one-way: West US 3
 * backs up to East US, while East US backs up to West US. Regions without a pair map to
 * undefined: they cannot host a geo-redundant Flexible Server.
 */
const GEO_BACKUP_REGION: Readonly<Record<string, string | undefined>> = {
  australiacentral: "australiacentral2",
  australiacentral2: "australiacentral",
  australiaeast: "australiasoutheast",
  australiasoutheast: "australiaeast",
  austriaeast: undefined,
  belgiumcentral: undefined,
  brazilsouth: "southcentralus",
  brazilsoutheast: "brazilsouth",
  canadacentral: "canadaeast",
  canadaeast: "canadacentral",
  centralindia: "southindia",
  centralus: "eastus2",
  chilecentral: undefined,
  denmarkeast: undefined,
  eastasia: "southeastasia",
  eastus: "westus",
  eastus2: "centralus",
  francecentral: "francesouth",
  francesouth: "francecentral",
  germanynorth: "germanywestcentral",
  germanywestcentral: "germanynorth",
  indonesiacentral: undefined,
  israelcentral: undefined,
  italynorth: undefined,
  japaneast: "japanwest",
  japanwest: "japaneast",
  jioindiacentral: "jioindiawest",
  jioindiawest: "jioindiacentral",
  koreacentral: "koreasouth",
  koreasouth: "koreacentral",
  malaysiawest: undefined,
  mexicocentral: undefined,
  newzealandnorth: undefined,
  northcentralus: "southcentralus",
  northeurope: "westeurope",
  norwayeast: "norwaywest",
  norwaywest: "norwayeast",
  polandcentral: undefined,
  qatarcentral: undefined,
  southafricanorth: "southafricawest",
  southafricawest: "southafricanorth",
  southcentralus: "northcentralus",
  southeastasia: "eastasia",
  southindia: "centralindia",
  spaincentral: undefined,
  swedencentral: "swedensouth",
  swedensouth: "swedencentral",
  switzerlandnorth: "switzerlandwest",
  switzerlandwest: "switzerlandnorth",
  uaecentral: "uaenorth",
  uaenorth: "uaecentral",
  uksouth: "ukwest",
  ukwest: "uksouth",
  westcentralus: "westus2",
  westeurope: "northeurope",
  westindia: "southindia",
  westus: "eastus",
  westus2: "westcentralus",
  westus3: "eastus",
};

/** Reduces a region name to the form ARM compares: `West Europe` and `westeurope` are one region. */
export function normalizeRegion(region: string): string {
  return region.replace(/\s+/g, "").toLowerCase();
}

/** True when both names denote the same region. */
export function sameRegion(a: string, b: string): boolean {
  return normalizeRegion(a) === normalizeRegion(b);
}

/** Every region the table knows, normalized and sorted. */
export const KNOWN_REGIONS: readonly string[] = Object.keys(GEO_BACKUP_REGION).sort();

/** True when `region` is an Azure public-cloud region the table knows, in any spelling. */
export function isKnownRegion(region: string): boolean {
  return Object.prototype.hasOwnProperty.call(GEO_BACKUP_REGION, normalizeRegion(region));
}

/**
 * The paired region a server in `region` writes geo-redundant backups to; `null` for a known
 * region without a pair, undefined for a region the table does not know.
 */
export function geoBackupRegion(region: string): string | null | undefined {
  if (!isKnownRegion(region)) {
    return undefined;
  }
  return GEO_BACKUP_REGION[normalizeRegion(region)] ?? null;
}
