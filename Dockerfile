# syntax=docker/dockerfile:1
# One image for every CloudAct job: JOB_ID selects the job at run time (docs/deploy.md, "Deploy").
#   docker build -t cloudact-jobs .
#   docker run --rm --read-only --tmpfs /tmp -e JOB_ID=quota-reset -e DRY_RUN=true cloudact-jobs
# No secret is baked in: CA_ROOT_API_KEY etc. come from the platform (Secret Manager, a Kubernetes Secret).

ARG JRE_IMAGE=eclipse-temurin:25-jre-noble

# --- build: the thin jar, its dependencies and jvm.options, as `mvn package` lays them out in target/
# (the jar is Java 17 bytecode; the AOT training class is compiled with the tests)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml ./
COPY src ./src
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests package

# --- aot: the AOT cache (app.aot), made by a training run of a real job: billing-retry (a scheduled
# one-call job: its authenticated POST is every scheduled HTTP job's path) with the image's own jvm.options against a stand-in API on
# 127.0.0.1 served by the training program (JDK only; no network, no secret). On the runtime image's own JVM and at the runtime's paths: a cache is only used
# by the JVM build and the class path that made it. The training class stays out of the image.
FROM ${JRE_IMAGE} AS aot
WORKDIR /app
COPY --from=build /build/target/scheduler-jobs.jar /build/target/jvm.options ./
COPY --from=build /build/target/lib/ ./lib/
COPY --from=build /build/target/test-classes/ai/cloudact/jobs/aot/ /aot-training/ai/cloudact/jobs/aot/
RUN java -cp /aot-training ai.cloudact.jobs.aot.AotTraining .

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
COPY --from=aot /app/ ./
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
# Service mode only (`--serve`): the HTTP triggers on PORT, health and metrics on MANAGEMENT_PORT.
EXPOSE 8080 9876
# The JVM options, each explained, are in jvm.options (src/main/jvm/): the AOT cache, serial GC, C1
# only, memory from the container limit, exit on OutOfMemoryError, no perf data file.
ENTRYPOINT ["java", "@jvm.options", "-jar", "scheduler-jobs.jar"]
