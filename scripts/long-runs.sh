#!/usr/bin/env bash
# The long training runs of the models issue, which CI does not run. Each one trains a bundled
# model on MNIST with the settings of the tutorial it is compared with, leaves its run folder
# under runs/ (metrics.csv, checkpoint.npz, pictures) and prints its last test figures and
# its wall time.
#
#   scripts/long-runs.sh [RUN...]      RUN: mlp dae cae rbm vae lenet logistic mlp_tanh
#                                      (default: the first six; the tutorials' protocols take hours)
#
# MNIST is read from $MNIST (default: ../shared/data/mnist beside the checkout), a directory
# of the four standard IDX files, gzipped or not. GRAFT (default ./graft) is the command to run.
set -euo pipefail
cd "$(dirname "$0")/.."
MNIST=${MNIST:-../shared/data/mnist}
[ -d "$MNIST" ] || { echo "error: no MNIST directory at $MNIST (set MNIST=DIR)" >&2; exit 1; }

run() {
    local name=$1; shift
    echo "== $name: ./graft train $*"
    local start=$SECONDS
    ${GRAFT:-./graft} train "$@" --out "runs/long-$name"
    echo "== $name: $((SECONDS - start)) s wall time"
}

runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(mlp dae cae rbm vae lenet)
for r in "${runs[@]}"; do
    case $r in
        # the Theano tutorial's 784-500-10 (test error 1.65%), trained with Adam, inverted dropout
        # of 0.3 on the hidden units instead of L2, and the learning rate decayed by 0.9 an epoch
        mlp) run mlp mlp --data "mnist:$MNIST" --set hidden=500 --set dropout=0.3 --set l2=0 --epochs 30 --batch 100 --lr 0.001 --lr-decay 0.9 ;;
        # the Theano tutorial's denoising autoencoder: 500 hidden, corruption 0.3, SGD 0.1, batches of 20
        dae) run dae dae --data "mnist:$MNIST" --epochs 15 --batch 20 ;;
        cae) run cae cae --data "mnist:$MNIST" --epochs 15 --batch 20 ;;
        # the Theano tutorial's RBM: 500 hidden, PCD-15, SGD 0.1, batches of 20, 15 epochs (pseudo-likelihood -62.8)
        rbm) run rbm rbm --data "mnist:$MNIST" --epochs 15 --batch 20 ;;
        # Kingma and Welling's MNIST VAE: 500 hidden, 20 latent; Adam 0.001, batches of 100
        vae) run vae vae --data "mnist:$MNIST" --epochs 10 --batch 100 ;;
        # the Theano tutorial's LeNet (20 and 50 5x5 filters, 500 tanh units; 0.91-0.93% test error
        # after 200 epochs of SGD 0.1 in batches of 500), trained with Adam 0.001 in batches of 100 and
        # the learning rate decayed by 0.85 an epoch: 0.84% after 15 epochs, 0.91% from the fifth on
        lenet) run lenet lenet --data "mnist:$MNIST" --epochs 15 --batch 100 --lr-decay 0.85 ;;
        # the Theano tutorials' protocols: the 50,000 / 10,000 / 10,000 split, early stopping on the
        # validation split with the tutorials' patience (5,000 and 10,000 steps) and patience_increase 2;
        # logistic_sgd.py reports 7.489% test error, mlp.py 1.69% validation and 1.65% test error
        logistic) run logistic logistic --data "mnist:$MNIST" --valid 10000 --batch 600 --epochs 1000 --patience 60 --patience-increase 2 ;;
        mlp_tanh) run mlp_tanh mlp_tanh --data "mnist:$MNIST" --valid 10000 --batch 20 --epochs 1000 --patience 4 --patience-increase 2 ;;
        *) echo "error: unknown run $r; expected one of mlp dae cae rbm vae lenet logistic mlp_tanh" >&2; exit 2 ;;
    esac
done
