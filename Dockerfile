# One image for both servers; docker-compose.yml picks the command.
FROM node:20-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libopencv-dev ffmpeg build-essential python3 pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY shared/package.json shared/
COPY ai-engine/package.json ai-engine/
COPY admin-server/package.json admin-server/
# Build against Debian's OpenCV; onnxruntime's CPU binaries ship in the package (see README, "Native builds").
RUN OPENCV4NODEJS_DISABLE_AUTOBUILD=1 ONNXRUNTIME_NODE_INSTALL=skip JOBS=2 npm ci --no-audit --no-fund
COPY . .
# Models: copied from ./model-files if you put them there before building, else downloaded; sha256-checked either way.
RUN MODELS_SOURCE_DIR=/app/model-files node scripts/fetch-models.mjs
# The engine runs compiled (as npm start and the systemd units run it): less memory, faster start.
RUN npm run build
ENV NODE_ENV=production OPENCV4NODEJS_DISABLE_AUTOBUILD=1 BIND_HOST=0.0.0.0 DATA_DIR=/data LOG_FORMAT=json \
    MALLOC_ARENA_MAX=2
# The servers run as `node`: it must own what they write. /data is the data folder (private: 0700; a named
# volume mounted there starts with this owner and mode), /app/.adminjs is where AdminJS writes its bundle.
RUN mkdir -p /data /app/.adminjs \
 && chown node:node /data /app/.adminjs \
 && chmod 0700 /data
VOLUME /data
USER node
# node itself (no wrapper process), so `docker stop`'s SIGTERM reaches the server; the flags are ENGINE_NODE_FLAGS
# (scripts/lib/commands.mjs).
CMD ["node", "--max-semi-space-size=1", "--conditions=attendance-compiled", "ai-engine/dist/main.js"]
