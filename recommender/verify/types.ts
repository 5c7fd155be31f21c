/** One problem of a manifest, at the JSON pointer of the offending value. */
export interface VerifyError {
  /** JSON pointer into the manifest, e.g. `/spec/egress/0/to/1/ipBlock/cidr`. */
  path: string;
  message: string;
  /**
   * Set when only API servers with this feature gate on refuse the value; without it (the
   * gate's default) the object is stored with a warning. flowmatrix's own output never has such a
   * value (its verification counts it as an error: safe on every cluster); `simulate` takes
   * a given policy as most clusters would, and warns.
   */
  featureGate?: string;
  /**
   * Set when only one CRD channel of the network-policy-api refuses the value: `experimental`, a
   * CEL rule its CRD carries and the standard channel's does not; `standard`, a field of the
   * experimental channel only, which the standard channel's CRD does not have (crd-channel.ts).
   * Read as `featureGate` is: an error of flowmatrix's own output (it must apply on either
   * channel), a warning in `simulate` — unless both channels refuse the manifest.
   */
  crdChannel?: CrdChannel;
}

/** The network-policy-api's CRD channels (config/crd/standard, config/crd/experimental). */
export type CrdChannel = 'standard' | 'experimental';
