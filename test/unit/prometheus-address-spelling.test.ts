/**
 * The Prometheus collector reads addresses from metric labels (NetObserv `SrcAddr`/`DstAddr`, Hubble
 * `source_ip`/`destination_ip` or an address in `source`/`destination`), from scrape URLs and from
 * the configured `scraper: {ip}`. Ingest and the inventory store an address in one spelling
 * (domain/ip.ts storedAddress: IPv6 per RFC 5952 §4, an IPv4-mapped address as the IPv4 address it
 * maps, RFC 4291 §2.5.5.2), and every lookup of the resolution (IP history, nodes, Services, the
 * apiserver) is by that text: another spelling of the same host must resolve to the same peer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { hubbleEndpoint } from '../../collectors/prometheus/families/hubble.ts';
import { readNetobserv } from '../../collectors/prometheus/families/netobserv.ts';
import { PeerResolver } from '../../collectors/prometheus/peers.ts';
import { scraperListenPort } from '../../collectors/prometheus/targets.ts';
import { IpHistory } from '../../domain/ip-history.ts';
import type { Workload } from '../../domain/inventory.ts';
import type { ResolutionData } from '../../domain/resolution.ts';

const T0 = Date.UTC(2026, 10, 20);

function workload(namespace: string, kind: Workload['kind'], name: string): Workload {
  return { namespace, kind, name, labels: { app: name }, selector: { matchLabels: { app: name } }, hostNetwork: false, ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }], services: [], exposure: [] };
}

/** A dual-stack pod of app/web and one of monitoring/prometheus, each at an IPv4 and an IPv6 address. */
const CLUSTER: ResolutionData = {
  nodes: [{ name: 'node-a', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.1.10' }, { type: 'InternalIP', address: 'fd00:1::10' }], podCIDRs: ['10.244.0.0/24', 'fd00:10:244::/64'] }],
  workloads: [workload('app', 'Deployment', 'web'), workload('monitoring', 'StatefulSet', 'prometheus')],
  services: [],
  endpointSlices: [],
  apiserver: [],
  ipHistory: new IpHistory([
    { ip: '10.244.0.5', peerKey: 'workload:app/Deployment/web', node: 'node-a', hostNetwork: false, validFrom: 0 },
    { ip: 'fd00:10:244::5', peerKey: 'workload:app/Deployment/web', node: 'node-a', hostNetwork: false, validFrom: 0 },
    { ip: 'fd00:10:244::9', peerKey: 'workload:monitoring/StatefulSet/prometheus', node: 'node-a', hostNetwork: false, validFrom: 0 },
  ]),
  dnsWorkloads: [],
  ownerAliases: [],
};

const keys = (ip: string): string[] | string => {
  const r = new PeerResolver(new ResolutionIndex(CLUSTER), CLUSTER.workloads).resolve({ kind: 'ip', ip }, T0, 9100, 'TCP');
  return Array.isArray(r) ? r.map((s) => s.key) : r.reason;
};

/** The peers a NetObserv series (FlowMetric with SrcAddr/DstAddr) and a Hubble series (sourceContext=ip) name for the destination `ip`. */
function seriesPeers(ip: string): { netobserv: string[] | string; hubble: string[] | string } {
  const n = readNetobserv({ SrcAddr: 'fd00:10:244::9', DstAddr: ip, DstPort: '9100', Proto: '6', Flags: 'SYN' });
  const h = hubbleEndpoint({ destination: ip }, 'destination', ['ip']);
  const of = (ref: unknown): string[] | string => {
    const r = ref as { kind: string; ip?: string; reason?: string; label?: string };
    return r.kind === 'ip' ? keys(r.ip!) : `${r.kind} ${r.reason} ${r.label}`;
  };
  return { netobserv: n.kind === 'flow' ? of(n.flow.dst) : of(n), hubble: of(h) };
}

test('an address a metric label writes in another spelling of the same host is the same peer as the stored spelling (RFC 5952 §4: lower case, zeros compressed; RFC 4291 §2.5.5.2: IPv4-mapped)', () => {
  const web = { netobserv: ['workload:app/Deployment/web'], hubble: ['workload:app/Deployment/web'] };
  assert.deepEqual(seriesPeers('fd00:10:244::5'), web);
  assert.deepEqual(seriesPeers('FD00:10:244::5'), web, 'upper case');
  assert.deepEqual(seriesPeers('fd00:10:244:0:0:0:0:5'), web, 'zeros written out');
  assert.deepEqual(seriesPeers('::ffff:10.244.0.5'), web, 'IPv4-mapped');
  // An outside address is one peer whatever its spelling: never two edges for one host.
  const outside = { netobserv: ['external:2001:db8::1'], hubble: ['external:2001:db8::1'] };
  assert.deepEqual(seriesPeers('2001:db8::1'), outside);
  assert.deepEqual(seriesPeers('2001:DB8:0:0::1'), outside);
});

test('an address with an IPv6 zone (fe80::1%eth0), which no flow record or inventory address holds, is a reject naming the label, not a peer', () => {
  assert.deepEqual(seriesPeers('fe80::1%eth0'), { netobserv: 'reject invalid-label DstAddr', hubble: 'reject invalid-label destination' });
});

test('a scraper configured by an address in another spelling is the pod holding it, and the scrape URL that addresses it gives its listen port', () => {
  const settings = resolvePrometheusConfig({ url: 'http://[fd00:10:244::9]:9091', families: ['targets'], scraper: { ip: 'FD00:10:244:0::9' } });
  assert.deepEqual(settings.scraper, { kind: 'ip', ip: 'fd00:10:244::9' });
  assert.equal(scraperListenPort(settings.url, settings.scraper!), 9091);
  // The URL parser writes an IPv4-mapped host in hex (`[::ffff:a00:10b]`): still the scraper's own IPv4 address.
  assert.equal(scraperListenPort('http://[::ffff:10.0.1.11]:9091', { kind: 'ip', ip: '10.0.1.11' }), 9091);
  assert.deepEqual(keys(settings.scraper!.kind === 'ip' ? settings.scraper!.ip : ''), ['workload:monitoring/StatefulSet/prometheus']);
});
