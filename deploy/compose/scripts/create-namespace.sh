#!/bin/sh
# Register the namespace once the frontend answers; the repairdesk worker registers its search
# attributes itself on start.
set -eu
until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do
  echo "waiting for Temporal at $TEMPORAL_ADDRESS"
  sleep 2
done
temporal operator namespace describe -n "$NAMESPACE" --address "$TEMPORAL_ADDRESS" \
  || temporal operator namespace create -n "$NAMESPACE" --retention 720h --address "$TEMPORAL_ADDRESS"
