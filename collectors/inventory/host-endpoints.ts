/**
 * Calico's HostEndpoint and FelixConfiguration objects, checked at the door as Calico's validator
 * would (libcalico-go lib/apis/v3/hostendpoint.go HostEndpointSpec: `node` a name, `interfaceName`
 * an interface, `expectedIPs` IPs, `profiles` names; lib/validator/v3 validateHostEndpointSpec: "no
 * interface or expected IPs have been specified"; FelixConfiguration failsafe ports a ProtoPort
 * list). Kept as stored, beside the applied policies (policies.ts): the calico simulator reads them
 * (recommender/simulate/calico/host-endpoints.ts). Metadata (name, labels) is checked by readObject.
 */
import { dns1123SubdomainError } from '../../domain/k8s-names.ts';
import { isIpAddress, isIpOrCidr } from '../../domain/ip.ts';
import type { FieldReader } from './fields.ts';

/** lib/validator/v3 validateInterface: `*` (every interface) or a Linux interface name. */
const INTERFACE = /^(\*|[a-zA-Z0-9_.-]{1,15})$/;

export function checkHostEndpoint(r: FieldReader): void {
  const spec = r.obj('spec');
  spec.name('node', 'subdomain');
  const iface = spec.optStr('interfaceName');
  if (iface !== undefined && !INTERFACE.test(iface)) spec.fail('interfaceName', '"*" or an interface name of at most 15 letters, digits, "_", "." or "-"', iface);
  const ips = spec.checkedStrings('expectedIPs', 'an IPv4 or IPv6 address', isIpAddress);
  spec.checkedStrings('profiles', 'a profile name (a DNS subdomain)', (p) => dns1123SubdomainError(p) === undefined);
  if (iface === undefined && ips.length === 0) spec.fail('interfaceName', 'an interface name, or addresses in spec.expectedIPs (Calico: "no interface or expected IPs have been specified")', undefined);
}

/**
 * `spec.failsafeInboundHostPorts` and `spec.failsafeOutboundHostPorts`: each a port with an
 * optional protocol (TCP, UDP, SCTP) and net. The net is an address or a CIDR: the CRD's `net` is
 * a plain string, libcalico-go's validateProtoPort checks only the protocol, and felix reads it
 * with cnet.ParseCIDROrIP (rules/static.go failsafeInChain, failsafeOutChain), an address being
 * the /32 or /128 of it.
 */
export function checkFailsafePorts(r: FieldReader): void {
  const spec = r.optObj('spec');
  for (const field of ['failsafeInboundHostPorts', 'failsafeOutboundHostPorts']) {
    for (const pp of spec?.objects(field) ?? []) {
      pp.int('port', 0, 65535);
      const protocol = pp.optStr('protocol');
      if (protocol !== undefined && !/^(tcp|udp|sctp)$/i.test(protocol)) pp.fail('protocol', '"TCP", "UDP" or "SCTP"', protocol);
      const net = pp.optStr('net');
      if (net !== undefined && !isIpOrCidr(net)) pp.fail('net', 'an IP address or a CIDR such as 10.0.0.0/8', net);
    }
  }
}
