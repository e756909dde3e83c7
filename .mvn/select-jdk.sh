# Sourced by ./mvnw, ./tern and .ci/run: Tern needs a JDK >= 21. Keep JAVA_HOME (or the java on
# PATH) when it is new enough, otherwise pick the newest JDK >= 21 under /usr/lib/jvm.
tern_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1
}
tern_select_jdk() {
  local java major best best_major=0 dir
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java="$JAVA_HOME/bin/java"; else java=$(command -v java || true); fi
  if [ -n "$java" ]; then
    major=$(tern_java_major "$java")
    if [ "${major:-0}" -ge 21 ] 2>/dev/null; then return 0; fi
  fi
  # The caller may have globbing off (./mvnw runs under set -f).
  case $- in *f*) set +f; local reglob=1 ;; esac
  for dir in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -x "$dir/bin/javac" ] || continue
    major=$(tern_java_major "$dir/bin/java")
    if [ "${major:-0}" -ge 21 ] 2>/dev/null && [ "$major" -gt "$best_major" ]; then best="$dir"; best_major=$major; fi
  done
  if [ -n "${reglob:-}" ]; then set -f; fi
  if [ -n "${best:-}" ]; then
    export JAVA_HOME="$best"
    export PATH="$JAVA_HOME/bin:$PATH"
  else
    echo "Tern needs a JDK 21 or newer; none found (set JAVA_HOME)." >&2
    return 1
  fi
}
tern_select_jdk
