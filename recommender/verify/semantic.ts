/**
 * The checks the JSON schemas cannot make: the CRDs' CEL rules (`isCIDR`, port range
 * start < end) and the engines' documented constraints (Calico services/ports/protocol rules,
 * Cilium toFQDNs alone in its rule, NetworkPolicy endPort). Each returns errors with the
 * JSON-pointer path of the offending value.
 */
import { cidrContains, parseCidr } from '../../domain/ip.ts';

export interface VerifyError {
  /** JSON pointer into the manifest, e.g. `/spec/egress/0/to/1/ipBlock/cidr`. */
  path: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

function checkCidr(errors: VerifyError[], path: string, value: unknown): void {
  if (typeof value !== 'string' || !parseCidr(value)) errors.push({ path, message: `invalid CIDR ${JSON.stringify(value)}` });
}

function kubernetes(m: Obj, errors: VerifyError[]): void {
  const spec = isObj(m.spec) ? m.spec : {};
  for (const [dir, field] of [['ingress', 'from'], ['egress', 'to']] as const) {
    arr(spec[dir]).forEach((rule, i) => {
      if (!isObj(rule)) return;
      arr(rule[field]).forEach((peer, j) => {
        if (!isObj(peer) || !isObj(peer.ipBlock)) return;
        const p = `/spec/${dir}/${i}/${field}/${j}/ipBlock`;
        const block = peer.ipBlock;
        checkCidr(errors, `${p}/cidr`, block.cidr);
        const outer = parseCidr(String(block.cidr));
        arr(block.except).forEach((e, k) => {
          checkCidr(errors, `${p}/except/${k}`, e);
          const inner = parseCidr(String(e));
          if (outer && inner && !cidrContains(outer, inner)) errors.push({ path: `${p}/except/${k}`, message: `${String(e)} is not inside ${String(block.cidr)}` });
        });
      });
      arr(rule.ports).forEach((port, k) => {
        if (!isObj(port) || port.endPort === undefined) return;
        const p = `/spec/${dir}/${i}/ports/${k}`;
        if (typeof port.port !== 'number') errors.push({ path: `${p}/endPort`, message: 'endPort needs a numeric port' });
        else if (Number(port.endPort) < port.port) errors.push({ path: `${p}/endPort`, message: `endPort ${String(port.endPort)} is below port ${port.port}` });
      });
    });
  }
}

const CILIUM_TO_SELECTORS = ['toEndpoints', 'toEntities', 'toCIDR', 'toCIDRSet', 'toServices', 'toGroups', 'toNodes', 'toRequires'];

function cilium(m: Obj, errors: VerifyError[]): void {
  const spec = isObj(m.spec) ? m.spec : {};
  for (const [dir, prefix] of [['ingress', 'from'], ['egress', 'to']] as const) {
    arr(spec[dir]).forEach((rule, i) => {
      if (!isObj(rule)) return;
      const p = `/spec/${dir}/${i}`;
      arr(rule[`${prefix}CIDRSet`]).forEach((c, j) => {
        if (!isObj(c) || c.cidr === undefined) return;
        checkCidr(errors, `${p}/${prefix}CIDRSet/${j}/cidr`, c.cidr);
        arr(c.except).forEach((e, k) => checkCidr(errors, `${p}/${prefix}CIDRSet/${j}/except/${k}`, e));
      });
      if (rule.toFQDNs !== undefined) {
        const mixed = CILIUM_TO_SELECTORS.filter((k) => rule[k] !== undefined);
        if (mixed.length > 0) errors.push({ path: `${p}/toFQDNs`, message: `toFQDNs cannot share a rule with ${mixed.join(', ')}` });
      }
      arr(rule.toPorts).forEach((tp, j) => {
        if (!isObj(tp)) return;
        arr(tp.ports).forEach((port, k) => {
          if (!isObj(port) || port.endPort === undefined) return;
          if (!/^\d+$/.test(String(port.port)) || Number(port.endPort) < Number(port.port)) {
            errors.push({ path: `${p}/toPorts/${j}/ports/${k}/endPort`, message: `endPort ${String(port.endPort)} needs a numeric port ≤ it (port ${String(port.port)})` });
          }
        });
      });
    });
  }
}

function calico(m: Obj, errors: VerifyError[]): void {
  const spec = isObj(m.spec) ? m.spec : {};
  for (const dir of ['ingress', 'egress'] as const) {
    arr(spec[dir]).forEach((rule, i) => {
      if (!isObj(rule)) return;
      const p = `/spec/${dir}/${i}`;
      for (const side of ['source', 'destination'] as const) {
        const e = rule[side];
        if (!isObj(e)) continue;
        for (const f of ['nets', 'notNets'] as const) arr(e[f]).forEach((c, k) => checkCidr(errors, `${p}/${side}/${f}/${k}`, c));
        const hasPorts = e.ports !== undefined || e.notPorts !== undefined;
        if (hasPorts && !['TCP', 'UDP', 'SCTP'].includes(String(rule.protocol))) {
          errors.push({ path: `${p}/protocol`, message: 'ports need the rule protocol TCP, UDP or SCTP' });
        }
        arr(e.ports).forEach((port, k) => {
          if (typeof port !== 'string' || !port.includes(':')) return;
          const [a, b] = port.split(':').map(Number);
          if (!(a! >= 1 && b! <= 65535 && a! < b!)) errors.push({ path: `${p}/${side}/ports/${k}`, message: `port range "${port}" must be start:end with start < end` });
        });
        if (e.services !== undefined) {
          const clash = ['selector', 'notSelector', 'namespaceSelector', 'nets', 'notNets', 'serviceAccounts'].filter((k) => e[k] !== undefined);
          if (clash.length > 0) errors.push({ path: `${p}/${side}/services`, message: `services cannot be combined with ${clash.join(', ')}` });
          if (dir === 'egress' && hasPorts) errors.push({ path: `${p}/${side}/services`, message: 'ports cannot be specified with services on egress rules' });
        }
      }
    });
  }
}

function clusterNetworkPolicy(m: Obj, errors: VerifyError[]): void {
  const spec = isObj(m.spec) ? m.spec : {};
  for (const [dir, field] of [['ingress', 'from'], ['egress', 'to']] as const) {
    arr(spec[dir]).forEach((rule, i) => {
      if (!isObj(rule)) return;
      const p = `/spec/${dir}/${i}`;
      arr(rule[field]).forEach((peer, j) => {
        if (isObj(peer)) arr(peer.networks).forEach((c, k) => checkCidr(errors, `${p}/${field}/${j}/networks/${k}`, c));
      });
      arr(rule.protocols).forEach((proto, j) => {
        if (!isObj(proto)) return;
        for (const l4 of ['tcp', 'udp', 'sctp']) {
          const dp = isObj(proto[l4]) ? (proto[l4] as Obj).destinationPort : undefined;
          const range = isObj(dp) && isObj(dp.range) ? dp.range : undefined;
          if (range && !(Number(range.start) < Number(range.end))) {
            errors.push({ path: `${p}/protocols/${j}/${l4}/destinationPort/range`, message: 'Start port must be less than End port' });
          }
        }
      });
    });
  }
}

/** The non-schema checks for one manifest, by apiVersion. */
export function semanticErrors(manifest: unknown): VerifyError[] {
  if (!isObj(manifest)) return [];
  const errors: VerifyError[] = [];
  switch (manifest.apiVersion) {
    case 'networking.k8s.io/v1':
      kubernetes(manifest, errors);
      break;
    case 'cilium.io/v2':
      cilium(manifest, errors);
      break;
    case 'projectcalico.org/v3':
      calico(manifest, errors);
      break;
    case 'policy.networking.k8s.io/v1alpha2':
      clusterNetworkPolicy(manifest, errors);
      break;
  }
  return errors;
}
