# memcgd — multi-stage build. The build step is the Makefile's `make build`
# (release, static Swift stdlib), so what CI checks is what the image runs.

FROM swift:6.3-bookworm AS build
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends libmicrohttpd-dev pkg-config make \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in their own layer.
COPY Package.swift ./
RUN swift package resolve
COPY . .
RUN make build SWIFT="swift" SWIFT_BUILD_FLAGS="--static-swift-stdlib" \
 && mkdir -p /staging \
 && cp "$(swift build -c release --static-swift-stdlib --show-bin-path)/memcgd" /staging/

FROM debian:bookworm-slim
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends libmicrohttpd12 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /app --create-home --shell /usr/sbin/nologin memcgd \
 && mkdir -p /data && chown memcgd:memcgd /data
WORKDIR /app
COPY --from=build --chown=memcgd:memcgd /staging/memcgd /app/memcgd
USER memcgd:memcgd
# serve writes where it listens to the address file, and healthcheck reads
# it, so the check follows the serve flags (`docker run memcgd --port 9090`).
ENV MEMCGD_HOST=0.0.0.0 MEMCGD_PORT=8080 MEMCGD_ADDRESS_FILE=/tmp/memcgd.address
# State survives restarts: the journal and snapshots live on the /data
# volume (`docker run -v memcgd-data:/data ...`). A container stopped with
# `docker stop` (SIGTERM) writes a snapshot on the way out; one killed
# loses no acknowledged command (--fsync always, the default).
ENV MEMCGD_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
# The start period leaves room for recovery (replaying the journal since the last snapshot).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["/app/memcgd", "healthcheck"]
ENTRYPOINT ["/app/memcgd"]
CMD ["serve"]
