/**
 * The groups a workload's pods are judged at as an edge's end (pods-apart.ts), by what the engines
 * read of each pod itself: its own labels, and — at the end a connection is to — its own container
 * ports (ClusterModel.ownSets).
 *
 * - Labels: a selector "selects Pods" by their own labels (kubernetes networking/v1 types.go,
 *   NetworkPolicyPeer.podSelector). Sets differing only in labels controllers stamp per pod or
 *   revision (domain/volatile-labels.ts: a StatefulSet pod's own name, a revision's hash) are one
 *   group, which bounds the sides judged by the revisions, not the pods — unless a policy judged
 *   selects on such a key (`volatileKeysSelected`): the StatefulSet Pod Name Label exists "to attach
 *   a Service to a specific Pod" (kubernetes.io "StatefulSets"), and a policy on it is legitimate;
 *   the pods are then told apart by it.
 * - Ports: a named port is "a numerical or named port on a pod" (NetworkPolicyPort.port), each
 *   pod's own number (Cilium pkg/endpoint GetNamedPort, ingress: "the ports of the POD itself";
 *   Calico named ports per endpoint, "as defined in the ports list of one or more endpoints"): a
 *   pod not declaring the name gets no match on it. An edge on P is judged at each group of the
 *   pods it reaches, apart where their port lists differ (a name may be P on one, another number
 *   or nothing on another, and the edge is allowed only where every group allows it). Which pods a
 *   connection to P reaches (reachedOn): through a Service's target port NAME, the pods giving that
 *   name P (ServicePort.targetPort: "looked up as a named port in the target Pod's container
 *   ports"); by number, the pods declaring P and those declaring no port at all — a container port
 *   list is informational (pods listen on ports they do not declare: a canary whose template lists
 *   none still serves the Service's 8080), but pods listing their ports without P do not serve it,
 *   and judging them there would deny connections that never reach them; where no pod declares P,
 *   every group.
 * No group — the workload judged as its one stand-in — where they would all be the template's.
 */
import type { ContainerPort, Labels } from '../../domain/inventory.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
import { isVolatileLabel } from '../../domain/volatile-labels.ts';
import { compareStrings } from '../../domain/order.ts';
import { labelsText, type PodLabelSet, type PodOwnSet } from './cluster.ts';
import { calicoSelectorKeys, labelSelectorKeys } from './selector-keys.ts';
import { eachField } from './manifest-fields.ts';

/** The port (and protocol) a connection is to: what tells the pods it reaches. */
export interface PortAt {
  port: number;
  protocol: string;
  /** The Service target port name the connection came through (PortFlow.throughPortName): it reaches the pods giving that name `port`. */
  name?: string;
}

/** Calico's selector fields (strings in its own syntax; a `selector` under `serviceAccounts` selects ServiceAccounts, not pods). */
const CALICO_SELECTOR_KEYS: ReadonlySet<string> = new Set(['selector', 'notSelector', 'namespaceSelector']);

/**
 * The volatile label keys (domain/volatile-labels.ts) some selector of `manifests` reads: a label
 * selector anywhere (podSelector, endpointSelector, a Cilium peer, a ClusterNetworkPolicy subject or
 * peer; a Cilium key without its source prefix, `k8s:`), a Calico selector. A namespace or node
 * selector counted too: over-counting only splits a workload's pods more finely.
 */
export function volatileKeysSelected(manifests: readonly unknown[]): ReadonlySet<string> {
  const keys = new Set<string>();
  const add = (key: string) => {
    const bare = key.includes(':') ? key.slice(key.indexOf(':') + 1) : key;
    if (isVolatileLabel(bare)) keys.add(bare);
  };
  for (const m of manifests) {
    if (!isPlainObject(m)) continue;
    const calico = m.apiVersion === 'projectcalico.org/v3';
    eachField(m.spec, (k, x, parent) => {
      if (isPlainObject(x) && (isPlainObject(x.matchLabels) || Array.isArray(x.matchExpressions))) labelSelectorKeys(x).forEach(add);
      else if (calico && typeof x === 'string' && CALICO_SELECTOR_KEYS.has(k) && parent !== 'serviceAccounts') calicoSelectorKeys(x).forEach(add);
      return true;
    });
  }
  return keys;
}

/**
 * The groups of a workload's own sets (`sets`, ClusterModel.ownSets) a connection is judged at:
 * to port `at` when the workload is its server end (absent: its client end, or ICMP), the pods
 * told apart by their labels without the volatile ones no policy selects (`kept` are kept), and by
 * their ports where those of the sets reached on `at` (reachedOn) differ. Empty: judged as its
 * stand-in (template labels `template`, merged ports `merged`).
 */
export function ownSetGroups(sets: readonly PodOwnSet[], template: Labels, merged: readonly ContainerPort[], kept: ReadonlySet<string>, at?: PortAt): readonly PodLabelSet[] {
  if (sets.length === 0) return [];
  const portsOf = (s: PodOwnSet) => s.ports ?? merged;
  const reached = at === undefined ? sets : reachedOn(sets, portsOf, at);
  const byPorts = at !== undefined && new Set(reached.map((s) => JSON.stringify(portsOf(s)))).size > 1;
  const groups = new Map<string, { first: PodOwnSet; pods: string[] }>();
  for (const s of reached) {
    const key = `${stableText(s.labels, kept)}${byPorts ? `|${JSON.stringify(portsOf(s))}` : ''}`;
    const same = groups.get(key);
    if (same !== undefined) same.pods.push(...s.pods);
    else groups.set(key, { first: s, pods: [...s.pods] });
  }
  const templateText = stableText(template, kept);
  if (!byPorts && [...groups.keys()].every((k) => k === templateText)) return [];
  return [...groups.values()].map(({ first, pods }) => ({
    labels: first.labels,
    text: labelsText(first.labels),
    ...(byPorts ? { ports: portsOf(first) } : {}),
    pods: pods.sort(compareStrings),
  }));
}

/**
 * The sets a connection to `at` reaches. Through a Service's target port name (`at.name`) where some
 * set gives that name the number `at.port`: those sets alone — the Service resolves the name on each
 * pod (ServicePort.targetPort: "looked up as a named port in the target Pod's container ports"), and
 * a pod without it is not sent the connection. By number: the sets declaring the port and those
 * declaring none (their ports are not known: a port list is informational); every set where none
 * declares it.
 */
function reachedOn(sets: readonly PodOwnSet[], portsOf: (s: PodOwnSet) => readonly ContainerPort[], at: PortAt): readonly PodOwnSet[] {
  const serves = (s: PodOwnSet, name?: string) => portsOf(s).some((p) => p.port === at.port && p.protocol === at.protocol && (name === undefined || p.name === name));
  const named = at.name === undefined ? [] : sets.filter((s) => serves(s, at.name));
  if (named.length > 0) return named;
  const declaring = sets.filter((s) => serves(s));
  return declaring.length === 0 ? sets : sets.filter((s) => serves(s) || portsOf(s).length === 0);
}

/** A label set without the volatile labels not `kept`, in words: what tells a group's pods from the template and from each other. */
const stableText = (l: Labels, kept: ReadonlySet<string>): string => labelsText(Object.fromEntries(Object.entries(l).filter(([k]) => kept.has(k) || !isVolatileLabel(k))));

/** `pod web-1`, `pods db-0, db-1`, `pods a, b, c and 4 more`: a group's pods in words ('' when none is known). */
export function podsWords(pods: readonly string[]): string {
  if (pods.length === 0) return '';
  const shown = pods.slice(0, 3).join(', ');
  return `${pods.length === 1 ? 'pod' : 'pods'} ${shown}${pods.length > 3 ? ` and ${pods.length - 3} more` : ''}`;
}

/** `http=8080/TCP, metrics=9090/TCP`: a group's container ports in words (none: the caller says so). */
export const portsWords = (ports: readonly ContainerPort[]): string => ports.map((p) => `${p.name !== undefined ? `${p.name}=` : ''}${p.port}/${p.protocol}`).join(', ');
