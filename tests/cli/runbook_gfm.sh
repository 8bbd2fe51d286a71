#!/bin/sh
# Runbooks in the styles teams write them, read by cmdr and by GitHub's
# renderer (cmark-gfm): cmdr's task steps are exactly GitHub's checkboxes,
# with the same text. The fixtures are written for this test.
. "$(dirname "$0")/../lib.sh"

# The text of each task item in cmark-gfm's HTML, one per line: the
# item's own text (not its nested lists, quotes or code), tags dropped,
# white space collapsed, in document order.
GFM_TASKS='
import html.parser, sys
BLOCKS = {"ul", "ol", "blockquote", "pre", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "div"}
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # per open li: [text parts, task?, closed?, paragraphs]
        self.out = []
    def handle_starttag(self, tag, attrs):
        if tag == "li":
            self.stack.append([[], False, False, 0])
            self.out.append(None)
            self.stack[-1].append(len(self.out) - 1)
        elif self.stack:
            top = self.stack[-1]
            if tag == "input" and dict(attrs).get("type") == "checkbox" and not top[0]:
                top[1] = True
            elif tag in BLOCKS:
                top[2] = True
            elif tag == "p":
                top[3] += 1
                if top[3] > 1:
                    top[2] = True
            elif tag == "br":
                self.handle_data(" ")
    def handle_endtag(self, tag):
        if tag == "li" and self.stack:
            parts, task, _, _, at = self.stack.pop()
            self.out[at] = " ".join("".join(parts).split()) if task else None
    def handle_data(self, data):
        if self.stack and not self.stack[-1][2]:
            self.stack[-1][0].append(data)
p = P()
p.feed(sys.stdin.read())
for t in p.out:
    if t is not None:
        print(t)
'

# gfm_same FILE: cmdr loads FILE with steps that are GitHub's task items.
gfm_same() {
	if ! command -v cmark-gfm >/dev/null 2>&1; then
		echo "ok - $1 # skip cmark-gfm is not installed"
		return 0
	fi
	f=$WORK/$1.md
	cmark-gfm -e tasklist "$f" | python3 -c "$GFM_TASKS" >"$WORK/$1.want" || { echo "not ok - $1: cmark-gfm"; return 0; }
	"$CMDR" runbook lint --json "$f" >"$WORK/$1.json"
	rc=$?
	jq -r '.runbooks[0].steps[] | select(.task) | .text' "$WORK/$1.json" >"$WORK/$1.got"
	if [ $rc -eq 0 ] && cmp -s "$WORK/$1.want" "$WORK/$1.got"; then
		echo "ok - $1: $(wc -l <"$WORK/$1.want" | tr -d ' ') steps, as GitHub shows them"
	else
		echo "not ok - $1: cmdr's steps (exit $rc) differ from GitHub's checkboxes"
		diff "$WORK/$1.want" "$WORK/$1.got" | sed 's/^/#   /'
	fi
}

# The blocks of cmdr's document, as tests/gfm_blocks.py prints GitHub's.
CMDR_BLOCKS='
def ws: gsub("\\s+"; " ") | sub("^ "; "") | sub(" $"; "");
.runbooks[0].blocks[] |
if .kind == "heading" then "h\(.level) \(.text | ws)"
elif .kind == "paragraph" then (if .depth == 0 then "p \(.text | ws)" else empty end)
elif .kind == "quote" then "quote \(.text | ws)"
elif .kind == "item" then "li \(if .task then (if .done then "[x] " else "[ ] " end) else "" end)\(.text | ws)"
elif .kind == "code" then "code \(.text | tojson)"
elif .kind == "table" then (.rows[] | "row \(map(ws) | join("|"))")
elif .kind == "rule" then "hr"
else empty end'

# gfm_doc FILE: cmdr's document (what the RUNBOOK pane shows) has every
# heading, paragraph, item, quote, table row and code block GitHub shows,
# in the same order with the same text; code byte for byte.
gfm_doc() {
	if ! command -v cmark-gfm >/dev/null 2>&1; then
		echo "ok - $1 document # skip cmark-gfm is not installed"
		return 0
	fi
	f=$WORK/$1.md
	# GitHub shows front matter apart, as a table: not a block of the text.
	python3 -c 'import re,sys; t=sys.stdin.read(); m=re.match(r"\ufeff?---\r?\n.*?\n---\r?\n", t, re.S); sys.stdout.write(t[m.end():] if m else t)' <"$f" |
		cmark-gfm --unsafe -e tasklist -e table | python3 "$TESTS_DIR/gfm_blocks.py" >"$WORK/$1.dwant" ||
		{ echo "not ok - $1 document: cmark-gfm"; return 0; }
	"$CMDR" runbook lint --json "$f" | jq -r "$CMDR_BLOCKS" >"$WORK/$1.dgot"
	if [ -s "$WORK/$1.dwant" ] && cmp -s "$WORK/$1.dwant" "$WORK/$1.dgot"; then
		echo "ok - $1: $(wc -l <"$WORK/$1.dwant" | tr -d ' ') blocks, as GitHub shows them"
	else
		echo "not ok - $1: cmdr's document differs from GitHub's"
		diff "$WORK/$1.dwant" "$WORK/$1.dgot" | sed 's/^/#   /'
	fi
}

cat >"$WORK/hugo.md" <<'MD'
---
title: 'Queue consumer lag is high'
weight: 20
type: docs
aliases:
  - /runbooks/old-consumer-lag
draft: false
---

## Check

- [ ] Open the **consumer lag** dashboard in [Grafana](https://grafana.example/d/lag)
- [ ] Compare the lag with the producer rate
      over the last hour
  - [ ] Note the partitions that lag most
- [x] Confirm the alert is not a flapping one

## Fix

1. [ ] Scale the consumers out
   ```sh
   kubectl scale deploy/consumer --replicas=6
   ```
2. [ ] Watch the lag fall for 10 minutes
MD
gfm_same hugo

cat >"$WORK/alert.md" <<'MD'
# DiskAlmostFull

## Meaning

The volume of a node is over 90% full and fills up within a day.

## Impact

Writes fail when it is full.

## Diagnosis

```sh
df -h /var/lib/data
```

## Mitigation

Remove old snapshots, then grow the volume.
MD
gfm_same alert

cat >"$WORK/service.md" <<'MD'
# Billing service

**Owner:** payments team. **Dashboards:** [overview](https://dash.example/billing).

| Environment | URL |
|-------------|-----|
| production  | https://billing.example |

## Deploys

* Deploys go out from the main branch.
* Each deploy is announced in the channel.

## Troubleshooting

### Elevated 5xx

* [ ] Check the error budget page
* [ ] Look for a deploy in the last hour
    * [ ] If there is one, roll it back
* A note, not a step.

### Slow responses

+ [ ] Check the database latency panel
+ [ ] Check the cache hit ratio
MD
gfm_same service

cat >"$WORK/scripts.md" <<'MD'
## 점검

- [ ] 파드 상태를 확인한다
- [ ] ログを確認する
- [ ] Проверить журнал ошибок
- [ ] 🚨 Escalate

## Повтор

- [ ] Проверить журнал ошибок
MD
gfm_same scripts

cat >"$WORK/html.md" <<'MD'
## Mitigation

- [ ] Scale the deployment <!-- it was 3 --> up
- [ ] Drain the node
<!--
- [ ] A step left out for now
- [x] Another one
-->
- [ ] Uncordon the node

<details>
<summary>Older procedure</summary>

- [ ] Restart the whole pool
</details>

- [ ] <details><summary>Check</summary> the pool size</details>
MD
gfm_same html

cat >"$WORK/quote.md" <<'MD'
## Steps

- [ ] one
  > quote
- [ ] two
- [ ] three
MD
gfm_same quote

# A reference runbook with what GitHub shows besides lists: a table, a
# quote, a rule, an image, placeholders, entities, and code whose tabs
# matter (a <<- here-document strips leading tabs, not spaces).
printf '%s\n' \
	'# Replica lag' '' \
	'![lag panel](https://dash.example/lag.png) Lag of &lt;5 s is normal &amp; expected.' '' \
	'| Replica | Region | Max lag |' '|:--------|:------:|--------:|' '| `db-2` | eu-west | **30 s** |' '| db-3 | us-east | 2 min |' '' \
	'> Do not promote a replica during a backup.' '' '---' '' \
	'## Mitigation' '' \
	'1. Check the replica on <replica-host>:' '' \
	'   ```sh' '   psql -h <replica-host> <<-SQL' '   	SELECT now() - pg_last_xact_replay_timestamp();' '   	SQL' '   ```' '' \
	'2. If it keeps lagging, rebuild it.' '' \
	'```make' 'rebuild:' '	./rebuild.sh $(HOST)' '```' '' \
	'    indented code' '    	with a tab' >"$WORK/reference.md"
# A heading inside a list item is the item's, not a new section.
printf '%s\n' '# Failover' '' '- [ ] Page the database on-call' '  ## While you wait' \
	'  - [ ] Freeze deploys' '- [ ] Fail over' >"$WORK/nested.md"
gfm_same nested

for name in hugo alert service scripts html quote reference nested; do
	gfm_doc "$name"
done

ok "no sanitizer reports" sanitizer_clean
