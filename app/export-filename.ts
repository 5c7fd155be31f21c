/**
 * The file name `GET /api/v1/export` offers (Content-Disposition): `flowmatrix-<engine>[-<ns>][-<kind>-<name>]`,
 * named for what is exported, not for how the selection was spelled — `workload=cart`,
 * `workload=deploy/cart` and `namespace=shop&workload=Deployment/cart` export the same policies
 * when the inventory holds one such workload, so a job saving them under the offered name writes
 * one file. A name the inventory holds in several namespaces or kinds (or none: a workload
 * only flow records name) is named as asked.
 */
import type { Db } from '../store/db.ts';
import { inventoryWorkloadsNamed } from '../store/inventory.ts';
import type { Selection } from './selection.ts';

export function exportFilename(db: Db, engine: string, sel: Selection): string {
  const parts = ['flowmatrix', engine];
  if (sel.workload === undefined) return [...parts, ...(sel.namespace !== undefined ? [sel.namespace] : [])].join('-');
  const held = inventoryWorkloadsNamed(db, sel.namespace, sel.workload, 2);
  const one = held.length === 1 ? held[0]! : undefined;
  const namespace = one?.namespace ?? sel.namespace;
  const workload = one !== undefined ? `${one.kind}/${one.name}` : sel.workload;
  return [...parts, ...(namespace !== undefined ? [namespace] : []), workload.replace('/', '-').toLowerCase()].join('-');
}
