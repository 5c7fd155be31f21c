/** One problem of a manifest, at the JSON pointer of the offending value. */
export interface VerifyError {
  /** JSON pointer into the manifest, e.g. `/spec/egress/0/to/1/ipBlock/cidr`. */
  path: string;
  message: string;
}
