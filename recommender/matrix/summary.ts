import type { ResolvedMatrix } from './resolved.ts';

/** One line of `matrix list --output json` and of `GET /api/v1/matrices`. */
export function matrixSummary(m: ResolvedMatrix) {
  return {
    name: m.name,
    title: m.title,
    origin: m.origin,
    overridesBuiltIn: m.overridesBuiltIn,
    inForce: true as const,
    enabled: m.enabled,
    detected: m.detected,
    components: { present: m.components.filter((c) => c.present).map((c) => c.name), total: m.components.length },
    parameters: Object.fromEntries(m.parameters.map((p) => [p.name, { value: p.value ?? null, origin: p.origin }])),
    findings: m.findings.length,
  };
}
