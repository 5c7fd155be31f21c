/**
 * Routes are declared once, as data: method, path, scope, schemas, responses and handler. The same
 * declaration registers the express handler (with validation and auth in front) and produces the
 * OpenAPI operation, so the document cannot drift from what the server does.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { NextFunction, Request, Response, Router } from 'express';
import { check } from './validate.ts';

export type Scope = 'read' | 'write';

export interface ResponseSpec {
  description: string;
  /** Content type → schema (undefined schema: free-form content of that type). */
  content?: Record<string, TSchema | undefined>;
  /** Header name → its description (a string value), or its description and schema. */
  headers?: Record<string, string | HeaderSpec>;
}

/** A response header whose value has a schema of its own (an enum), beyond "a string". */
export interface HeaderSpec {
  description: string;
  schema: TSchema;
}

export interface RouteInput<Q extends TSchema, P extends TSchema, B extends TSchema> {
  query: Static<Q>;
  params: Static<P>;
  body: Static<B>;
}

export interface RouteSpec<Q extends TSchema = TSchema, P extends TSchema = TSchema, B extends TSchema = TSchema> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI style: `/api/v1/matrices/{name}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** `undefined` = public (health, metrics, docs). */
  scope?: Scope;
  query?: Q;
  params?: P;
  /**
   * A JSON body validated against `schema`, or a raw body (streamed, or text) of the given media types.
   * `parsedByHandler`: the JSON body reaches the handler as its bytes (a Buffer, UTF-8), unparsed and
   * unchecked; the handler parses it (http/json-body.ts) and checks it against `schema` where it runs
   * the work (a worker).
   */
  body?: { schema: B; contentTypes?: string[]; required?: boolean; parsedByHandler?: true } | { raw: string[]; description: string; stream?: boolean };
  /**
   * A computation on the recommendation workers with a body of its own (simulate, validate): admitted
   * by ComputeAdmission before the body is read (503 when full). The handler holds its place
   * until the computation settles (holdPlace).
   */
  compute?: true;
  responses: Record<number, ResponseSpec>;
  handler: (input: RouteInput<Q, P, B>, req: Request, res: Response) => Promise<unknown> | unknown;
}

/** Anything the registry keeps: the generic parameters are erased once registered. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any>;

export function defineRoute<Q extends TSchema, P extends TSchema, B extends TSchema>(spec: RouteSpec<Q, P, B>): AnyRoute {
  return spec as AnyRoute;
}

const NO_QUERY = Type.Object({}, { additionalProperties: false });

export function expressPath(openapiPath: string): string {
  return openapiPath.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

export interface RouteMiddleware {
  /** Runs before validation: authentication, authorization, rate limits. */
  before: (route: AnyRoute) => ((req: Request, res: Response, next: NextFunction) => void)[];
}

/** Registers a route on `router`. A handler that returns a value answers 200 JSON with it; one that wrote the response returns undefined. */
export function mount(router: Router, route: AnyRoute, mw: RouteMiddleware): void {
  const run = async (req: Request, res: Response): Promise<void> => {
    // A route without query parameters refuses any, as the others refuse unknown ones: a parameter
    // silently dropped (an `engine=` a route does not read) would answer another question.
    const query = check(route.query ?? NO_QUERY, { ...(req.query as object) }, 'query');
    const params = route.params ? check(route.params, { ...req.params }, 'params') : {};
    const body = route.body && 'schema' in route.body && route.body.parsedByHandler !== true ? check(route.body.schema, req.body ?? undefined, 'body') : undefined;
    const result = await route.handler({ query, params, body }, req, res);
    if (result !== undefined && !res.headersSent) res.json(result);
  };
  const label = (_req: Request, res: Response, next: NextFunction): void => {
    res.locals.route = route.path;
    next();
  };
  router[route.method](expressPath(route.path), label, ...mw.before(route), (req: Request, res: Response, next: NextFunction) => {
    run(req, res).catch(next);
  });
}
