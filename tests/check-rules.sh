#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Prometheus query and alerting rules the README gives for a fleet
# work as described: promtool (package prometheus) checks the rules and
# evaluates them on synthetic page_anon series (promtool test rules).
. "$(dirname "$0")/setup.sh"

command -v promtool >/dev/null 2>&1 || skip "promtool not installed (package prometheus)"
PYTHON3=${PYTHON3:-python3}
need_prog "$PYTHON3"

# The README's ```yaml block is the rule file; the ``` block just before
# it is the query.
"$PYTHON3" - "$srcdir/README.md" "$tmp" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
y = text.index("```yaml\n")
rules = text[y + 8:text.index("```", y + 8)]
q_end = text.rindex("```", 0, y - 1)
q_start = text.rindex("```\n", 0, q_end) + 4
query = " ".join(text[q_start:q_end].split())
open(sys.argv[2] + "/rules.yml", "w").write(rules)
open(sys.argv[2] + "/query", "w").write(query + "\n")
PY
query=$(cat "$tmp/query")
case $query in
*page_anon_state_bytes*) ;;
*) fail "README: no page_anon query before the rules: '$query'" ;;
esac
promtool check rules "$tmp/rules.yml" || fail "promtool check rules rejects the README's rules"

# Host a: 8 workers with 5% of their anonymous memory still shared (2 GB):
# ForkSharingLost fires after 30 minutes.  Host b: 60% shared: it does not.
cat >"$tmp/test.yml" <<EOF2
rule_files:
  - rules.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'page_anon_state_bytes{instance="a",comm="worker",state="anon_shared"}'
        values: '100000000x60'
      - series: 'page_anon_state_bytes{instance="a",comm="worker",state="anon_exclusive"}'
        values: '1900000000x60'
      - series: 'page_anon_state_bytes{instance="a",comm="worker",state="anon_sole"}'
        values: '0x60'
      - series: 'page_anon_state_bytes{instance="a",comm="worker",state="file"}'
        values: '5000000000x60'
      - series: 'page_anon_group_processes{instance="a",comm="worker"}'
        values: '8x60'
      - series: 'page_anon_state_bytes{instance="b",comm="worker",state="anon_shared"}'
        values: '1200000000x60'
      - series: 'page_anon_state_bytes{instance="b",comm="worker",state="anon_exclusive"}'
        values: '800000000x60'
      - series: 'page_anon_state_bytes{instance="b",comm="worker",state="anon_sole"}'
        values: '0x60'
      - series: 'page_anon_group_processes{instance="b",comm="worker"}'
        values: '8x60'
      - series: 'page_anon_scan_truncated{instance="a"}'
        values: '0x60'
      - series: 'page_anon_scan_truncated{instance="b"}'
        values: '0x10 1x50'
    alert_rule_test:
      - eval_time: 20m
        alertname: ForkSharingLost
        exp_alerts: []
      - eval_time: 40m
        alertname: ForkSharingLost
        exp_alerts:
          - exp_labels:
              instance: a
              comm: worker
            exp_annotations:
              summary: "worker on a: only 5% of its anonymous memory is still shared after fork"
      - eval_time: 40m
        alertname: PageAnonScanTruncated
        exp_alerts:
          - exp_labels:
              instance: b
    promql_expr_test:
      - expr: '$query'
        eval_time: 5m
        exp_samples:
          - labels: '{comm="worker"}'
            value: 0.325
EOF2
promtool test rules "$tmp/test.yml" || fail "the README's rules do not behave as described"
exit 0
