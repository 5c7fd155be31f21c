/**
 * How the collector stores what it mirrors: the app layer's inventory import (app/inventory.ts
 * `importInventoryObjects`), handed in by app/collectors.ts so the collector and `inventory
 * import` share one snapshot conversion and one IP-history logic.
 */
import type { RawObject } from '../inventory/index.ts';
import type { Db } from '../../store/db.ts';

export interface InventoryWriteRequest {
  objects: RawObject[];
  takenAt: number;
  source: string;
  /** Kind keys the objects are authoritative for, including kinds that now have no object at all. */
  scope: string[];
}

export interface InventoryWriteResult {
  warnings: string[];
  ipIntervals: { opened: number; closed: number };
}

export type InventoryWriter = (db: Db, req: InventoryWriteRequest) => InventoryWriteResult;
