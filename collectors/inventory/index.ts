/** Kubernetes objects → the inventory domain. Per-kind converters are exported for the list/watch collector. */
export { InventoryInputError } from './fields.ts';
export { parseInventoryText, type ParseInventoryOptions, type RawObject } from './parse.ts';
export { snapshotFromObjects, type ConvertedInventory, type KnownOwners } from './snapshot.ts';
export { toPod, type PodInfo } from './pods.ts';
export { toController, CONTROLLER_KINDS, type ControllerInfo } from './controllers.ts';
export { toService } from './services.ts';
export { toEndpointSlice, apiserverFromEndpoints, apiserverFromSlices } from './endpoint-slices.ts';
export { toNode, toNamespace } from './nodes.ts';
export { toIngress } from './ingresses.ts';
export { toPolicy, POLICY_KINDS } from './policies.ts';
export { toServiceCidr } from './service-cidrs.ts';
export { toNetworkSet } from './network-sets.ts';
export { isCiliumConfig, readCiliumConfig } from './cilium-config.ts';

import { parseInventoryText, type ParseInventoryOptions } from './parse.ts';
import { snapshotFromObjects, type ConvertedInventory, type KnownOwners } from './snapshot.ts';

/** The text of a `kubectl get … -o json|yaml` export → a snapshot taken at `takenAt` (ms). */
export function convertInventoryText(text: string, takenAt: number, knownOwners?: KnownOwners, options: ParseInventoryOptions = {}): ConvertedInventory {
  return snapshotFromObjects(parseInventoryText(text, options), takenAt, knownOwners ? { knownOwners } : {});
}
