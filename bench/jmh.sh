#!/usr/bin/env bash
# Runs JMH benchmarks from smtp-server's test sources (JMH's annotation processor generates their harness at
# test-compile). The first argument is the benchmark (a class name or a regular expression), the rest go to JMH:
#   bench/jmh.sh LogLineBenchmark
#   bench/jmh.sh DkimSignBenchmark -p algorithm=ed25519-sha256 -f 1 -wi 1 -i 2
# See docs/performance.md.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bench/jmh.sh BENCHMARK [JMH options]" >&2; exit 2; }
cd "$(dirname "$0")/.."
# The test classes and the test classpath of smtp-server.
./mvnw -B -ntp -q -o -pl smtp-server -am test-compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test -Dspotless.check.skip=true
java=java
[ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"
exec "$java" -cp "smtp-server/target/test-classes:smtp-server/target/classes:$(cat smtp-server/target/bench.classpath)" \
  org.openjdk.jmh.Main "$@"
