/** Which way traffic crosses a workload's boundary: into it (ingress) or out of it (egress). */
export type Direction = 'ingress' | 'egress';

export const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

/** The other direction: a client's egress is its server's ingress. */
export const opposite = (d: Direction): Direction => (d === 'ingress' ? 'egress' : 'ingress');
