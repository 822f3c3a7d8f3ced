#!/bin/sh
# What the weightlab kernelspec runs: sh start-kernel.sh NODE --connection-file FILE.
# The V8 startup snapshot (dist/kernel.blob) holds TypeScript and the declarations every kernel
# parses, so the type-checker is ready sooner; but mapping its 50-odd MiB delays everything else,
# the first kernel_info and the first cell included, by about a second. So it is used where the
# checker is on the critical path: WEIGHTLAB_TYPECHECK=blocking (what `weightlab run` asks for:
# every cell of a batch run is checked before it runs), or when WEIGHTLAB_SNAPSHOT=1 asks for it.
# The default, deferred type-checking, runs the first cell before the checker exists and starts
# the ordinary way. Node refuses a blob from another version, and that check must happen here,
# before Node starts; V8 also refuses a blob when its flags differ from the build's
# (NODE_OPTIONS=--max-old-space-size=..., say), so any NODE_OPTIONS means an ordinary start too,
# as does WEIGHTLAB_NO_SNAPSHOT=1. `exec` keeps one process, so Jupyter's signals (SIGINT
# interrupts a cell) reach Node itself.
node="$1"
shift
dist="${0%/*}/../dist"
blob="$dist/kernel.blob"
if [ "$WEIGHTLAB_TYPECHECK" = blocking ] || [ "$WEIGHTLAB_SNAPSHOT" = 1 ]; then
  if [ -z "$WEIGHTLAB_NO_SNAPSHOT" ] && [ -z "$NODE_OPTIONS" ] && [ -r "$blob" ] && [ -r "$blob.version" ]; then
    read -r built <"$blob.version"
    if [ "$built" = "$("$node" --version)" ]; then
      exec "$node" --snapshot-blob "$blob" "$dist/kernel/entry.js" "$@"
    fi
  fi
fi
exec "$node" "$dist/kernel/entry.js" "$@"
