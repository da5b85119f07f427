#!/usr/bin/env bash
# AMLworld HI-Small end to end: convert -> ingest -> screen -> evaluate.
#
# AMLworld (Altman et al. 2023, "Realistic Synthetic Financial Transactions for Anti-Money
# Laundering Models", NeurIPS Datasets and Benchmarks) is published on Kaggle as "IBM
# Transactions for Anti Money Laundering". Download HI-Small_Trans.csv yourself (about 5M
# payments, 0.1% laundering; it is not in this repository and this script uses no network) and run
#
#     scripts/amlworld_hi_small.sh path/to/HI-Small_Trans.csv [WORKDIR]
#
# The published bar for this file is the minority-class (laundering) F1 on transactions:
# 62.86 for LightGBM with graph features (Altman et al. 2023) and 68.16 for Multi-PNA
# (Egressy et al. 2024, "Provably Powerful Graph Neural Networks for Directed Multigraphs"),
# both on a temporal 60/20/20 split of the payments. Onca's screening is unsupervised unless
# --labels is given; compare its F1 at the transaction level with those figures, and its
# account-level measures with the transaction-count and random baselines it prints beside.
set -euo pipefail

SOURCE=${1:?usage: $0 HI-Small_Trans.csv [WORKDIR]}
WORK=${2:-hi-small}
ONCA=${ONCA:-onca}
mkdir -p "$WORK"

# 1. Convert (streamed; about 100,000 rows/s on one core: under a minute for HI-Small).
#    Writes parties, accounts, transactions, labels/transactions.csv (Is Laundering) and
#    labels/accounts.csv (1 = the account sends or receives a laundering payment).
"$ONCA" convert amlworld "$SOURCE" --out "$WORK/converted" --json > "$WORK/convert.json"

# 2. Ingest, parties first (accounts reference them, transactions reference accounts).
for kind in parties accounts transactions; do
  "$ONCA" ingest "$WORK/hi-small.duckdb" "$kind" "$WORK/converted/$kind.csv" --json \
    > "$WORK/ingest-$kind.json"
done

# 3. Screen: every typology, and a score for every account. Add
#    --labels "$WORK/converted/labels/accounts.csv" for the supervised model (time-aware split).
"$ONCA" screen "$WORK/hi-small.duckdb" --json > "$WORK/screen.json"

# 4. Evaluate against the labels, by account and by payment.
"$ONCA" evaluate screening "$WORK/hi-small.duckdb" \
  --labels "$WORK/converted/labels/accounts.csv" --level account --json > "$WORK/evaluate-accounts.json"
"$ONCA" evaluate screening "$WORK/hi-small.duckdb" \
  --labels "$WORK/converted/labels/transactions.csv" --level transaction --json \
  > "$WORK/evaluate-transactions.json"

echo "done: see $WORK/evaluate-accounts.json and $WORK/evaluate-transactions.json" >&2
echo "published bar (transactions, minority-class F1): 62.86 LightGBM+graph features, 68.16 Multi-PNA" >&2
