# syntax=docker/dockerfile:1
#
# locksmith container image.
#   docker build -t locksmith .
#   docker run --rm -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN -e AWS_REGION \
#     -v "$PWD/locksmith.yml:/etc/locksmith/locksmith.yml:ro" locksmith
# See docs/deployment.md for every setting.

# --- build: compile TypeScript to dist/ -------------------------------------------------
FROM node:26-trixie-slim AS build
WORKDIR /app

# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci

# `npm run build` compiles the bot only (src/, tsconfig.build.json); the test doubles and the
# sandbox live in devkit/ and sandbox/, outside the build context (.dockerignore).
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- deps: production dependencies; better-sqlite3 is a native addon, so the toolchain
# is here (used only when no prebuilt binary matches) and never reaches the runtime image.
FROM node:26-trixie-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# --- runtime: production dependencies and the compiled code only -----------------------
FROM node:26-trixie-slim AS runtime
ENV NODE_ENV=production
# A heap limit. Without one V8 lets the heap grow far past what locksmith keeps alive: at 100
# busy people the live heap is about 50 MB, yet the process peaked at 250-310 MB resident; with
# this limit, about 160 MB (docs/deployment.md, "Memory"). Raise it for more people or longer
# reveal times. `npm run bench` runs the bot with this same line.
ENV NODE_OPTIONS="--max-old-space-size=128"
WORKDIR /app

COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules

# Owned by root and read-only to the app user: the process cannot change its own code.
COPY --from=build /app/dist ./dist

# The config file is mounted here (read-only is fine); it holds no secrets.
# Tokens come from the environment, never from the image or the file.
ENV LOCKSMITH_CONFIG=/etc/locksmith/locksmith.yml

# /app/data (./data, store.data_dir's default, relative to the working directory) holds
# locksmith's state: the SQLite file with approvals, grants and pending auto-hides. Mount a
# volume so that state survives a new container.
RUN mkdir -p /etc/locksmith /app/data && chown node:node /app/data
VOLUME ["/app/data"]

# The non-root user that the official Node.js images provide.
USER node

# HTTP mode: Slack requests on /slack/events and /healthz. Socket Mode: /healthz only.
# Both listen on PORT (default 3000).
EXPOSE 3000

# No curl in slim images: use Node's built-in fetch. Shell form, so PORT is read at run time.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:${PORT:-3000}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

# node runs as PID 1 and handles SIGTERM itself: pending reveals are hidden, then it exits.
CMD ["node", "dist/main.js"]
