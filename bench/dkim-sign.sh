#!/usr/bin/env bash
# The cost of one DKIM signature per message (JMH, dev.tern.server.dkim.DkimSignBenchmark in smtp-server's
# test sources): RSA-2048 and Ed25519, 4 KiB and 1 MiB messages. Extra arguments go to JMH, for example
#   bench/dkim-sign.sh -p algorithm=ed25519-sha256 -f 1 -wi 1 -i 2
# See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# The test classes (JMH generates its harness there) and the test classpath of smtp-server.
./mvnw -B -ntp -q -pl smtp-server -am test-compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test -Dspotless.check.skip=true
java=java
[ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"
exec "$java" -cp "smtp-server/target/test-classes:smtp-server/target/classes:$(cat smtp-server/target/bench.classpath)" \
  org.openjdk.jmh.Main 'dev.tern.server.dkim.DkimSignBenchmark' "$@"
