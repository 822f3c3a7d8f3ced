#!/bin/sh
# What the weightlab kernelspec runs: sh start-kernel.sh NODE --connection-file FILE.
# Starts the kernel from its V8 startup snapshot (dist/kernel.blob, which holds TypeScript and the
# declarations every kernel parses) when the build wrote one for this very Node version: Node
# refuses a blob from another version, and that check must happen here, before Node starts. Without
# a usable blob the kernel starts the ordinary way. V8 also refuses a blob when its flags differ
# from the build's (NODE_OPTIONS=--max-old-space-size=..., say), so any NODE_OPTIONS means an
# ordinary start too. `exec` keeps one process, so Jupyter's signals (SIGINT interrupts a cell)
# reach Node itself.
node="$1"
shift
dist="${0%/*}/../dist"
blob="$dist/kernel.blob"
if [ -z "$WEIGHTLAB_NO_SNAPSHOT" ] && [ -z "$NODE_OPTIONS" ] && [ -r "$blob" ] && [ -r "$blob.version" ]; then
  read -r built <"$blob.version"
  if [ "$built" = "$("$node" --version)" ]; then
    exec "$node" --snapshot-blob "$blob" "$dist/kernel/entry.js" "$@"
  fi
fi
exec "$node" "$dist/kernel/entry.js" "$@"
