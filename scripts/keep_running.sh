#!/usr/bin/env bash
# Keeps one process of `make run` alive: KEEP_RUNNING_COMMAND='…' keep_running.sh NAME
#
# honcho (Procfile.dev) stops every process as soon as one of them exits: a crashed Celery worker
# would take the web server and beat down with it. This loop runs the command again whenever it
# stops (a line in the console says so), and stops for good on SIGTERM/SIGINT (Ctrl-C: honcho
# signals the whole process group). The command is passed in the environment, not as arguments,
# so that `pkill -f 'celery.*worker'` matches the worker only, never this loop.
# A command that keeps dying at once is restarted after 1, 2, 4… up to 30 seconds.
set -u
name="${1:?usage: KEEP_RUNNING_COMMAND='…' keep_running.sh NAME}"
command="${KEEP_RUNNING_COMMAND:?KEEP_RUNNING_COMMAND est vide}"
delay=1
stopping=0
child=0

stop() {
  stopping=1
  if [ "$child" -gt 0 ]; then kill -TERM "$child" 2>/dev/null; fi
}
trap stop TERM INT

while :; do
  started=$SECONDS
  bash -c "exec $command" &
  child=$!
  wait "$child"
  status=$?
  # a signal handled by the trap interrupts `wait`: wait until the child has really exited
  while kill -0 "$child" 2>/dev/null; do
    wait "$child"
    status=$?
  done
  child=0
  [ "$stopping" = 1 ] && exit 0
  if [ $((SECONDS - started)) -ge 10 ]; then delay=1; fi
  echo "keep_running: ${name} s'est arrêté (code ${status}), redémarrage dans ${delay} s"
  sleep "$delay" & wait $!
  [ "$stopping" = 1 ] && exit 0
  echo "keep_running: ${name} redémarre"
  delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
