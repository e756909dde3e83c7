#!/usr/bin/env bash
# The cost of one DKIM signature per message (JMH, dev.tern.server.dkim.DkimSignBenchmark in smtp-server's
# test sources): RSA-2048 and Ed25519, 4 KiB and 1 MiB messages. Extra arguments go to JMH, for example
#   bench/dkim-sign.sh -p algorithm=ed25519-sha256 -f 1 -wi 1 -i 2
# See docs/performance.md.
set -euo pipefail
exec "$(dirname "$0")/jmh.sh" 'dev.tern.server.dkim.DkimSignBenchmark' "$@"
