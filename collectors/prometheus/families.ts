/** The metric families the Prometheus collector reads, apart from its config schema: the CLI's help lists them without loading it. */
export const FAMILIES = ['hubble', 'netobserv', 'istio', 'targets'] as const;
export type Family = (typeof FAMILIES)[number];
