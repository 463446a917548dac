# syntax=docker/dockerfile:1
# The NGC reporting gateway. Build stage: TypeScript and the native better-sqlite3 module; runtime
# stage: only what `ngc-gateway serve` reads, running as the unprivileged `node` user.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY profiles/package ./profiles/package
COPY profiles/data ./profiles/data
COPY vendor ./vendor
COPY scripts ./scripts
COPY implementation-guide ./implementation-guide
# `npm ci` runs the `prepare` script (the TypeScript build into dist/) after installing; the
# implementation guide is rendered (it judges its examples with the engine) before dev tools go.
RUN npm ci --no-audit --no-fund \
 && npm run build:ig \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=8080 \
    DATA_DIR=/data \
    NGC_DEFINITIONS_CACHE=/app/.cache/definitions
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY profiles/package ./profiles/package
COPY profiles/data ./profiles/data
COPY vendor ./vendor
COPY --from=build /app/implementation-guide/site ./implementation-guide/site
RUN mkdir -p /data /app/.cache/definitions \
 && chown node:node /data /app/.cache/definitions
USER node
VOLUME ["/data"]
EXPOSE 8080
# Liveness only: readiness (/health/ready) is for the load balancer, which must wait for compiled definitions.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM reaches node directly (exec form): in-flight requests and deliveries finish before exit.
# --v8-pool-size=0: V8 gets one background thread per CPU the container may use, but one (README, "Configuration").
CMD ["node", "--v8-pool-size=0", "bin/ngc-gateway.js", "serve"]
