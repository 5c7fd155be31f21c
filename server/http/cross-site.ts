/**
 * What a web page must not make a browser do to this API. The API sets no cookies, but with no
 * token configured (the default) any page the operator visits could make the browser POST
 * flows to 127.0.0.1 (a "simple" cross-origin request needs no CORS preflight), and a page on
 * a rebound DNS name could even read answers. So, before auth:
 * - writes (any method but GET/HEAD/OPTIONS) are refused when the browser says the request is
 *   cross-origin: `Sec-Fetch-Site` other than `same-origin`/`none` (Fetch Metadata, W3C), or an
 *   `Origin` whose host is not the request's own Host (RFC 6454 §7) — unless the `Origin` is one of
 *   `server.allowedOrigins`, which `corsForAllowedOrigins` also answers CORS preflights for;
 * - every request is refused unless its Host is allowed, when a Host allowlist is in force: the
 *   configured `server.allowedHosts`, or the loopback names when no token is configured (a
 *   DNS-rebinding page reaches 127.0.0.1 under its own host name, never under `localhost`).
 * Clients that are not browsers (curl, kubectl-style tools, collectors) send neither header.
 * Probes and scrapers (/healthz, /readyz, /metrics) are exempt from the Host check: kubelets
 * and Prometheus address the pod by IP.
 */
import cors from 'cors';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem } from './problem.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SAME_ORIGIN_FETCH = new Set(['same-origin', 'none']);
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
/** Names a browser uses for this machine's loopback: allowed when no token is configured. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

export interface CrossSiteOptions {
  /** Host names (no port) requests may be addressed to; undefined = any. */
  allowedHosts: readonly string[] | undefined;
  /** Origins (`https://console.example:8443`) allowed to write besides the API's own. */
  allowedOrigins: readonly string[];
}

/** The host name of a Host header value (`[::1]:8080` → `::1`), lower-cased; undefined if malformed. */
export function hostName(host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    const { hostname } = new URL(`http://${host}`);
    return (hostname.startsWith('[') ? hostname.slice(1, -1) : hostname).toLowerCase();
  } catch {
    return undefined;
  }
}

/** The `host[:port]` an Origin names, as a Host header would (`https://a.example:443` → `a.example`). */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

const normalOrigin = (o: string): string => o.toLowerCase().replace(/\/$/, '');

/**
 * CORS for `server.allowedOrigins` (the `cors` package), so that a page of such an origin can send
 * the bearer token (a preflight asks first: Authorization is no CORS-safelisted header) and read
 * the answer; no other origin gets CORS headers. Undefined when no origin is allowed.
 */
export function corsForAllowedOrigins(allowedOrigins: readonly string[]): RequestHandler | undefined {
  if (allowedOrigins.length === 0) return undefined;
  const allowed = new Set(allowedOrigins.map(normalOrigin));
  return cors({
    origin: (origin, done) => done(null, origin !== undefined && allowed.has(normalOrigin(origin))),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    // The request headers the API reads, and every response header it documents (docs/api.md).
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'If-None-Match', 'Idempotency-Key'],
    exposedHeaders: ['X-Request-Id', 'X-Flowmatrix-Verified', 'ETag', 'Content-Disposition', 'Warning', 'Location', 'Retry-After', 'RateLimit', 'RateLimit-Policy', 'Idempotent-Replayed'],
    maxAge: 600,
  });
}

export function crossSiteGuard(options: CrossSiteOptions) {
  const hosts = options.allowedHosts && new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const origins = new Set(options.allowedOrigins.map(normalOrigin));
  return (req: Request, _res: Response, next: NextFunction): void => {
    const host = req.get('host');
    if (hosts && !PROBE_PATHS.has(req.path)) {
      const name = hostName(host);
      if (name === undefined || !hosts.has(name)) {
        return next(new HttpProblem('misdirected-request', `Host ${host ? `"${host}"` : '(none)'} is not served here; allowed: ${[...hosts].join(', ')} (server.allowedHosts)`));
      }
    }
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.get('origin');
    // A browser sets Origin and no page can change it: an allowed one may write, whatever Sec-Fetch-Site says (cross-site it is).
    if (origin !== undefined && origins.has(normalOrigin(origin))) return next();
    const fetchSite = req.get('sec-fetch-site')?.toLowerCase();
    if (fetchSite !== undefined && !SAME_ORIGIN_FETCH.has(fetchSite)) {
      return next(new HttpProblem('cross-site-request', `a ${fetchSite} request from a web page may not write here (Sec-Fetch-Site: ${fetchSite})`));
    }
    if (origin !== undefined) {
      const own = host?.toLowerCase();
      const from = originHost(origin);
      if (from === undefined || from !== own) {
        return next(new HttpProblem('cross-site-request', `a request from the web page at ${JSON.stringify(origin)} may not write here; allow it with server.allowedOrigins`));
      }
    }
    next();
  };
}
