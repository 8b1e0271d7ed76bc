#!/usr/bin/env bash
# LLM Relay benchmarks (see README "Performance"). Builds bench/ against the relay's jar and runs:
#
#   bench/run.sh latency   [--jar target/llm-relay.jar] [--upstream openai|anthropic|bedrock] [--chunks 50]
#                          [--interval-ms 20] [--concurrency 1,16,64] [--rounds 10,3,2] [--repeats 3]
#                          [--out bench/results/latest.json]
#                          [--jar on=A.jar,off=A.jar --serve-env off:RELAY_METRICS=off]   (builds or settings side by side)
#   bench/run.sh coldstart [--zip target/llm-relay-lambda.zip] [--runs 10] [--variants env,kms,snap-env,snap-kms,bedrock]
#                          [--variants tls-env,tls-kms,snap-tls-env,snap-tls-kms] [--tls-mode h2|h1] [--cpus 0]
#                          [--out bench/results/coldstart.json]
#   bench/run.sh jmh       [JMH options, e.g. -prof gc]     (per event: SseReader + ChunkDecoder + chat SSE frame,
#                                                            and Anthropic SSE / Bedrock frames translated)
#   bench/run.sh scrub     [JMH options, e.g. -prof gc]     (key scrubbing: per event, and its slope over 1 KB-8 MB)
#   bench/run.sh upstreamclient [--requests 400]            (JDK HttpClient vs a socket client, C1 flags)
#   bench/run.sh firstrequests [--jar a=A.jar,b=B.jar] [--serve-env b:NAME=VALUE] [--requests 100] [--batch 20] [--runs 3]
#                          (a fresh serve per run: the first requests of an environment, relay vs direct)
#   bench/run.sh hedge     [--requests 200] [--tail-percent 5] [--tail-ms 2000] [--first-ms 200]
#                          [--hedge-after-ms 400] [--out bench/results/hedge.json]   (hedged first token)
#   bench/run.sh tls       [--modes plain,h1,h2] [--processes 5] [--requests 30] [--idle-ms 0]
#                          [--out bench/results/tls.json]   (HTTPS upstream: first request of a fresh JVM, steady
#                                                            state, connections per environment, HTTP/1.1 vs HTTP/2)
#   bench/run.sh memory    [--sizes 256,512,1024,1769] [--processes 3] [--requests 20] [--period-us 100000]
#                          [--out bench/results/memory.json]   (Lambda's heap flag and CPU share per memory size:
#                                                            first byte, per-chunk delay, peak RSS)
#
# Build the relay first: mvn -B -q package -DskipTests
# RELAY_BUILD_DIR picks another build directory (mvn -Drelay.build.dir=...): default target/.
# Needs JDK 21+ (JAVA_HOME or the default java). Everything listens on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${RELAY_BUILD_DIR:-target}
relay_jar=$build_dir/llm-relay.jar
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

[ -f "$relay_jar" ] || { echo "bench: $relay_jar is missing; build it: mvn -B -q package -DskipTests" >&2; exit 2; }
mvn -B -q -f bench/pom.xml package -Drelay.jar="$(cd "$(dirname "$relay_jar")" && pwd)/$(basename "$relay_jar")" >&2
cp="bench/target/classes:bench/target/lib/*:$relay_jar"

what=${1:-}
[ -n "$what" ] && shift
case $what in
  latency)
    exec "$java" -cp "$cp" io.llmrelay.bench.BenchMain latency --jar "$relay_jar" "$@" ;;
  coldstart)
    exec "$java" -cp "$cp" io.llmrelay.bench.BenchMain coldstart --zip "$build_dir/llm-relay-lambda.zip" "$@" ;;
  upstreamclient)
    # The relay's upstream client alone, with the managed runtime's JIT and GC flags.
    exec "$java" -XX:+TieredCompilation -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$cp" \
      io.llmrelay.bench.BenchMain upstreamclient "$@" ;;
  firstrequests)
    exec "$java" -cp "$cp" io.llmrelay.bench.BenchMain firstrequests --jar "$relay_jar" "$@" ;;
  hedge)
    exec "$java" -cp "$cp" io.llmrelay.bench.BenchMain hedge --jar "$relay_jar" "$@" ;;
  tls)
    exec "$java" -cp "$cp" io.llmrelay.bench.BenchMain tls --jar "$relay_jar" "$@" ;;
  memory)
    exec "$java" -cp "$cp" io.llmrelay.bench.BenchMain memory --jar "$relay_jar" "$@" ;;
  jmh)
    exec "$java" -cp "$cp" org.openjdk.jmh.Main io.llmrelay.bench.jmh "$@" ;;
  scrub)
    exec "$java" -cp "$cp" org.openjdk.jmh.Main io.llmrelay.bench.scrub "$@" ;;
  *)
    echo "usage: bench/run.sh latency|coldstart|jmh|scrub|upstreamclient|hedge|firstrequests|tls|memory [options]" >&2
    exit 2 ;;
esac
