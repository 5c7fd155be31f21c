# syntax=docker/dockerfile:1
# flowmatrix: REST API, collectors and report schedule in one process; SQLite on the /data volume.

# --- build: all dependencies (TypeScript to compile), with the toolchain better-sqlite3 needs when no
# prebuilt binary fits; compiled into dist/, then the dev dependencies are pruned
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the build) waits for the sources below; the native modules' own scripts run by rebuild.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 esbuild
COPY app ./app
COPY bin ./bin
COPY cli ./cli
COPY collectors ./collectors
COPY domain ./domain
COPY migrations ./migrations
COPY matrices ./matrices
COPY recommender ./recommender
COPY reports ./reports
COPY server ./server
COPY store ./store
COPY demo ./demo
COPY tsconfig.json tsconfig.build.json ./
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force
# Fail the build, not the first request, if the native module does not load.
RUN node -e "new (require('better-sqlite3'))(':memory:').close()"

# --- runtime: no compiler, non-root, data on a volume
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    FLOWMATRIX_DB=/data/flowmatrix.db
WORKDIR /app
COPY --from=build --chown=root:root /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# Without a token the server binds 127.0.0.1 only (unreachable from outside the container):
# set FLOWMATRIX_TOKEN_WRITE / FLOWMATRIX_TOKEN_READ (or auth.tokens in a config file).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# The compiled CLI (dist/, built above): no TypeScript compiled at start.
ENTRYPOINT ["node", "dist/cli/run.js"]
CMD ["serve"]
