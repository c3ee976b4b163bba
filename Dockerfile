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
ENV NODE_ENV=production OPENCV4NODEJS_DISABLE_AUTOBUILD=1 BIND_HOST=0.0.0.0
USER node
CMD ["node_modules/.bin/tsx", "ai-engine/src/main.ts"]
