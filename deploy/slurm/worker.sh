#!/usr/bin/env bash
# Started by srun on every node of the allocation: one worker with a thread per allocated CPU.
set -euo pipefail
NATS_URL="${1:?usage: worker.sh <nats-url>}"
REPO="${VIRNYFLOW_HOME:-$(cd "$(dirname "$0")/../.." && pwd)}"
THREADS="${SLURM_CPUS_ON_NODE:-${SLURM_CPUS_PER_TASK:-$(nproc)}}"
cd "$REPO"
exec pnpm start:worker -- --nats "$NATS_URL" --threads "$THREADS" --name "$(hostname)-$SLURM_PROCID"
