/**
 * The demo data generator: a deterministic cluster (the four documented systems plus a few
 * applications), its Kubernetes inventory, and NetObserv / Hubble flow records consistent with it.
 */
export { generateCluster, DEMO_BASE_TIME, podActiveAt, podExistsAt } from './cluster.ts';
export { inventoryList, type InventoryOptions, type K8sList, type K8sObject } from './inventory.ts';
export { netobservRecords, type FlowStreamOptions } from './netobserv.ts';
export { hubbleRecords } from './hubble.ts';
export { writeDemoFiles, writeLines, DEMO_DEFAULTS, type DemoFileOptions, type DemoFiles } from './files.ts';
export type * from './model.ts';
