# syntax=docker/dockerfile:1
# The production image (README "Deploying", docs/decisions/0009-production-install.md):
# build with every dependency, install only production dependencies (Prisma clients are
# generated there), run as the unprivileged `node` user, migrate at start, then serve.
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Build: every dependency, then the Remix production build.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# 2. Production dependencies only; postinstall generates both Prisma clients (SQLite, PostgreSQL).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. Runtime: no compilers, no dev dependencies, no secrets (pass them at run time).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=file:/data/loyalty.sqlite
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/build ./build
COPY --chown=node:node package.json package-lock.json prisma.config.ts server.mjs ./
COPY --chown=node:node prisma ./prisma
COPY --chown=node:node scripts ./scripts
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Migrations first (`npm run setup`: idempotent, an advisory lock on PostgreSQL), then the server.
CMD ["sh", "-c", "npm run setup && exec npm start"]
