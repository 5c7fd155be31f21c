/** The flowmatrix release, as `flowmatrix version` prints it and the service reports it (package.json's version). */
export const VERSION = '0.1.0';
