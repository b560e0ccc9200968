/**
 * Azure public-cloud regions and the region each one writes geo-redundant backups to.
 *
 * The pairs follow Azure's published cross-region replication pairs. Some pairs are one-way:
 * West US 3 backs up to East US, while East US backs up to West US. Regions without a pair
 * (`undefined`) cannot host a geo-redundant Flexible Server.
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

/** True when `region` is an Azure public-cloud region this project knows. */
export function isKnownRegion(region: string): boolean {
  return Object.prototype.hasOwnProperty.call(GEO_BACKUP_REGION, normalizeRegion(region));
}

/** The region Azure writes geo-redundant backups to for a server in `region`, if it has one. */
export function geoBackupRegion(region: string): string | undefined {
  return GEO_BACKUP_REGION[normalizeRegion(region)];
}

/** Every known region name, sorted, for error messages. */
export function knownRegions(): string[] {
  return Object.keys(GEO_BACKUP_REGION).sort();
}
