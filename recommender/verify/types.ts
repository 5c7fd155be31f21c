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
   * Set when only a CRD channel refuses the value: a CEL rule the network-policy-api's
   * experimental-channel CRD carries and the standard channel's does not. Read as `featureGate`
   * is: an error of flowmatrix's own output, a warning in `simulate` (most clusters run the
   * standard channel).
   */
  crdChannel?: 'experimental';
}
