/**
 * Endpoint metadata a decoder checked and built earlier in one ingest, by the record fields it was
 * made from. For speed: the same few pods come back on nearly every record, and checking each of a
 * side's names by Kubernetes' rules again (collectors/flows/names.ts) was about 5% of the
 * pipeline's CPU. A side met again costs one lookup by its name and a comparison of its fields,
 * and hands on the metadata made the first time, whose strings the resolver's lookups have hashed
 * already. Only metadata found valid is kept, and only a record whose fields are exactly those it
 * was made from is answered with it, so a record is answered as the checks would answer it. Owned
 * by one ingest (never module-wide), and bounded: emptied past `limit` names, so names made up per
 * record cannot grow it.
 */
import type { EndpointMeta } from '../../domain/flow.ts';

/** A side's metadata fields as a NetObserv record gives them: each a non-empty string, or undefined. */
export interface MetaFields {
  type: string | undefined;
  name: string | undefined;
  namespace: string | undefined;
  ownerKind: string | undefined;
  ownerName: string | undefined;
  host: string | undefined;
}

/** Metadata found valid, with the fields it was made from. */
export interface KnownSide {
  fields: MetaFields;
  meta: EndpointMeta;
}

export class KnownMeta {
  private readonly byName = new Map<string, KnownSide>();

  constructor(private readonly limit = 10_000) {}

  /** The metadata last found valid for a side of this name; the caller compares its fields with the record's. */
  get(name: string): KnownSide | undefined {
    return this.byName.get(name);
  }

  /** Keeps `meta`, made from `fields` and found valid. */
  remember(fields: MetaFields, meta: EndpointMeta): void {
    if (fields.name === undefined) return;
    if (this.byName.size >= this.limit) this.byName.clear();
    this.byName.set(fields.name, { fields, meta });
  }
}
