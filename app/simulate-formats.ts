/** The flow formats `simulate` reads: the ingest formats, plus the edges `flowmatrix edges -o json` prints. Apart from app/simulate.ts so the CLI's help lists them without loading the simulators. */
export const SIMULATE_FLOW_FORMATS = ['auto', 'netobserv', 'hubble', 'edges'] as const;
export type SimulateFlowFormat = (typeof SIMULATE_FLOW_FORMATS)[number];
