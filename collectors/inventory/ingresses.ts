import { readObject } from './metadata.ts';
import type { FieldReader } from './fields.ts';
import type { RawObject } from './parse.ts';
import { compareStrings } from '../../domain/order.ts';
import type { Ingress, IngressBackend } from '../../domain/inventory.ts';


function backend(b: FieldReader | undefined): IngressBackend | undefined {
  // Resource backends (b.resource) point at objects, not pods: nothing is exposed through them.
  const svc = b?.optObj('service');
  if (!svc) return undefined;
  const port = svc.obj('port');
  const number = port.optInt('number', 1, 65535);
  return { service: svc.str('name'), port: number ?? port.str('name') };
}

export function toIngress(raw: RawObject): Ingress {
  const { r, meta } = readObject(raw, 'namespaced');
  const spec = r.obj('spec');
  const found = new Map<string, IngressBackend>();
  const add = (b: IngressBackend | undefined) => {
    if (b) found.set(`${b.service}|${b.port}`, b);
  };
  add(backend(spec.optObj('defaultBackend')));
  for (const rule of spec.objects('rules')) {
    for (const path of rule.optObj('http')?.objects('paths') ?? []) add(backend(path.obj('backend')));
  }
  const backends = [...found.values()].sort((a, b) => compareStrings(a.service, b.service) || compareStrings(String(a.port), String(b.port)));
  return { namespace: meta.namespace, name: meta.name, backends };
}
