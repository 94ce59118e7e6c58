# syntax=docker/dockerfile:1
# One image for every CloudAct job: JOB_ID selects the job at run time (docs/deploy.md, "Deploy").
#   docker build -t cloudact-jobs .
#   docker run --rm --read-only --tmpfs /tmp -e JOB_ID=quota-reset -e DRY_RUN=true cloudact-jobs
# No secret is baked in: CA_ROOT_API_KEY etc. come from the platform (Secret Manager, a Kubernetes Secret).

ARG JRE_IMAGE=eclipse-temurin:17-jre-noble

# --- build: the thin jar and its dependencies, as `mvn package` lays them out in target/
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml ./
COPY src ./src
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests package

# --- cds: a class-data-sharing archive recorded by a dry run of a job (no network, no secret). It is
# made with the runtime image's own JVM and at the runtime's paths: an archive is only used by the JVM
# and the class path that recorded it.
FROM ${JRE_IMAGE} AS cds
WORKDIR /app
COPY --from=build /build/target/scheduler-jobs.jar ./
COPY --from=build /build/target/lib/ ./lib/
RUN DRY_RUN=true JOB_ID=quota-reset ENVIRONMENT=local \
    java -XX:ArchiveClassesAtExit=app.jsa -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar scheduler-jobs.jar

# --- runtime
FROM ${JRE_IMAGE}
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="cloudact-jobs" \
      org.opencontainers.image.description="CloudAct operations jobs (Apache Camel); JOB_ID selects the job, exit 0 ok, 1 failed, 2 configuration error" \
      org.opencontainers.image.vendor="CloudAct" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
WORKDIR /app
# Owned by root and read-only for the job's user: nothing is written outside /tmp, so the root file
# system can be mounted read-only.
COPY --from=cds /app/ ./
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
# Memory from the container limit; serial GC and C1 only: a short single-threaded run starts faster.
# No perf data file, and exit (not hang) on OutOfMemoryError so the platform sees a failed attempt.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", "-XX:SharedArchiveFile=app.jsa", "-jar", "scheduler-jobs.jar"]
