#!/usr/bin/env bash
# The ablation grid of docs/reproduction.md on Fashion-MNIST, into its own database, then its
# tables: the eight simplex LIFs, GLIF, GLIF_f and GLIF with static gates (the Ablation view's
# grid), and GLIF with layer-wise parameters and the code's fixed starting gates (GLIF_s as the
# authors' constructor makes it), 3 seeds each, one run after another on the backend and threads
# the page was measured with. Usage: scripts/ablation-fmnist.sh [db] [backend] [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-repro.sqlite}
backend=${2:-wasm}
threads=${3:-2}
seeds=(0 1 2)

train() { # tag, name, --set pairs...
  local tag=$1 name=$2
  shift 2
  local sets=()
  for kv in "$@"; do sets+=(--set "$kv"); done
  npx glif train --preset fmnist-cnn --backend "$backend" --threads "$threads" \
    --set data.trainLimit=4096 --set data.testLimit=5000 "${sets[@]}" \
    --tag ablation --tag "$tag" --name "$name" --db "$db" --json >/dev/null
}

for seed in "${seeds[@]}"; do
  for v in simplex-000 simplex-001 simplex-010 simplex-011 simplex-100 simplex-101 \
    simplex-110 simplex-111 glif glif-f glif-static; do
    train ablation-fmnist-variants "$v · seed $seed" neuron.variant=$v train.seed=$seed
  done
  train ablation-fmnist-layerwise "glif layer-wise · seed $seed" \
    neuron.variant=glif neuron.layerwise=true train.seed=$seed
  train ablation-fmnist-fixed-gates "glif-static fixed gates · seed $seed" \
    neuron.variant=glif-static neuron.gateRange=fixed train.seed=$seed
done

for group in ablation-fmnist-variants ablation-fmnist-layerwise ablation-fmnist-fixed-gates; do
  npx glif ablation --group "$group" --db "$db"
  echo
done
