# ContainerLease as an image: docker build -t containerlease .
# (Builds from public base images; the tested way to run several servers is local processes, see README.)

# 1. The web console.
FROM node:20-bookworm-slim AS console
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npx tsc --noEmit -p . && CONSOLE_OUT_DIR=/console npx vite build --logLevel warn

# 2. containerlease-helper, our static program inside lease containers, from source.
FROM debian:bookworm-slim AS helper
RUN apt-get update -q && apt-get install -y -q --no-install-recommends musl-tools && rm -rf /var/lib/apt/lists/*
COPY helper/ /src/helper/
COPY scripts/build-helper.sh /src/scripts/
RUN /src/scripts/build-helper.sh /out/containerlease-helper

# 3. The service's jar, with the console and the helper inside (as the Maven build puts them).
FROM maven:3.9-eclipse-temurin-21 AS jar
WORKDIR /src
COPY pom.xml ./
COPY service/ service/
COPY bench/pom.xml bench/pom.xml
COPY --from=console /console service/src/main/resources/public
COPY --from=helper /out/containerlease-helper service/src/main/resources/helper/containerlease-helper
RUN mvn -B -ntp -q -pl service package -DskipTests -Dexec.skip

# 4. What runs: a JRE, the jar and its libraries, a user of its own.
FROM eclipse-temurin:21-jre
RUN apt-get update -q && apt-get install -y -q --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --create-home --shell /usr/sbin/nologin containerlease \
    && mkdir -p /var/lib/containerlease && chown containerlease /var/lib/containerlease && chmod 0700 /var/lib/containerlease
COPY --from=jar /src/service/target/containerlease.jar /opt/containerlease/containerlease.jar
COPY --from=jar /src/service/target/lib/ /opt/containerlease/lib/
# On Kubernetes this image is also where lease pods get the helper (an init container copies it: KUBERNETES_HELPER_IMAGE).
COPY --from=helper /out/containerlease-helper /opt/containerlease/helper/containerlease-helper
# Non-root: give the container the group of the host's Docker socket (compose: group_add: DOCKER_GID).
USER containerlease
ENV HOST=0.0.0.0 PORT=8080 DATA_DIR=/var/lib/containerlease
# 8080: the API and console; 8081: previews (PREVIEW_PORT)
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null || exit 1
ENTRYPOINT ["java", "-Xmx1g", "-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED", \
            "-jar", "/opt/containerlease/containerlease.jar"]
CMD ["serve"]
