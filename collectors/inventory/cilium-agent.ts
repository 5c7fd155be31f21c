/**
 * The image of Cilium's agent, whose tag is the Cilium version (domain/cilium-release.ts says what
 * the version changes): the `cilium-agent` container of the DaemonSet whose pods are labelled
 * `k8s-app: cilium`, as the Helm chart's cilium-agent DaemonSet is (the pods runsCilium counts,
 * recommender/simulate/network-plugin.ts), or of such a pod when the DaemonSet is not imported.
 * Nothing else of the object is read, and an object of another shape is no agent: never an error.
 */
import { isPlainObject } from '../../domain/plain-object.ts';
import type { RawObject } from './parse.ts';

const AGENT_CONTAINER = 'cilium-agent';

/** The agent's image when `raw` is the agent's DaemonSet or one of its pods; otherwise undefined. */
export function ciliumAgentImageOf(raw: RawObject): string | undefined {
  if (raw.key !== 'DaemonSet.apps' && raw.key !== 'Pod') return undefined;
  const podish = raw.key === 'Pod' ? raw.obj : field(field(raw.obj, 'spec'), 'template');
  if (field(field(podish, 'metadata'), 'labels')?.['k8s-app'] !== 'cilium') return undefined;
  const containers = field(podish, 'spec')?.containers;
  if (!Array.isArray(containers)) return undefined;
  const agent = containers.find((c): c is Record<string, unknown> => isPlainObject(c) && c.name === AGENT_CONTAINER);
  return typeof agent?.image === 'string' && agent.image !== '' ? agent.image : undefined;
}

const field = (o: unknown, name: string): Record<string, unknown> | undefined => {
  const v = isPlainObject(o) ? o[name] : undefined;
  return isPlainObject(v) ? v : undefined;
};

/**
 * The agent image of an import: the one image its DaemonSet and its pods all name; not known where
 * they differ (mid-rollout the DaemonSet names the new build while pods still run the old one, and
 * either may be the one enforcing: the verification then judges under both readings).
 */
export function agentImage(found: readonly string[]): string | undefined {
  const images = new Set(found);
  return images.size === 1 ? [...images][0] : undefined;
}
