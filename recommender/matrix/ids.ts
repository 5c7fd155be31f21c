/**
 * Stable rule ids: the recommender cites them as evidence, so they must not change when
 * parameters or the cluster change. `<matrix>/<component or shared group>/<direction>/<slug>`,
 * the slug being the rule's explicit `id` or `<peer>-<first port>` (a parameter's name, never its value).
 */
import type { PeerT, PortSpecT } from './schema.ts';
import { wholeRef } from './syntax.ts';

import type { Direction } from '../../domain/direction.ts';
export type { Direction };

function slugify(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function templateSlug(s: string): string {
  return slugify(s.replace(/\$\{([^}]*)\}/g, '$1'));
}

export function peerSlug(peer: PeerT): string {
  return knownPeerSlug(peer) ?? 'peer';
}

/** The slug of a peer of a known form; undefined for one of no known form (which names no rule: its own error says why). */
export function knownPeerSlug(peer: PeerT): string | undefined {
  if (typeof peer === 'string') return peer;
  if ('component' in peer && typeof peer.component === 'string') return slugify(peer.component);
  if ('role' in peer && typeof peer.role === 'string') return slugify(peer.role);
  if ('namespace' in peer && typeof peer.namespace === 'string') return peer.selector ? `${templateSlug(peer.namespace)}-pods` : `ns-${templateSlug(peer.namespace)}`;
  if ('namespaceSelector' in peer) return 'namespaces';
  if ('cidrs' in peer && Array.isArray(peer.cidrs)) return slugify(peer.cidrs[0] ?? 'cidr');
  if ('fqdns' in peer && Array.isArray(peer.fqdns)) return slugify(peer.fqdns[0] ?? 'fqdn');
  return undefined;
}

export function portSlug(ports: readonly PortSpecT[] | undefined): string | undefined {
  const p = Array.isArray(ports) ? ports[0] : undefined;
  if (!p) return undefined;
  const one = (v: unknown) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? templateSlug(wholeRef(v) ?? v) : 'port');
  return p.endPort !== undefined ? `${one(p.port)}-${one(p.endPort)}` : one(p.port);
}

export function ruleSlug(rule: { id?: string; peer: PeerT; ports?: PortSpecT[] }): string {
  if (rule.id) return rule.id;
  const port = portSlug(rule.ports);
  return port ? `${peerSlug(rule.peer)}-${port}` : peerSlug(rule.peer);
}

export function ruleId(matrix: string, owner: string, direction: Direction, rule: { id?: string; peer: PeerT; ports?: PortSpecT[] }): string {
  return `${matrix}/${owner}/${direction}/${ruleSlug(rule)}`;
}

export const RULE_SLUG = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
