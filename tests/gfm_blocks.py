#!/usr/bin/env python3
"""The blocks of a Markdown document as GitHub shows them, one per line, from
cmark-gfm's HTML on stdin (cmark-gfm --unsafe -e tasklist -e table): what
tests/cli/runbook_gfm.sh holds cmdr's runbook blocks (lint --json) against.
h<level> TEXT, p TEXT (outside lists and quotes), quote TEXT, li TEXT (a
list item's own text, "[ ] "/"[x] " first for a task), code "JSON", row
CELL|CELL, hr. Text has its white space collapsed; an image is its alt
text and a tag that is not HTML (<pod-name>) is text, as in a terminal."""
import html.parser
import json
import sys

KNOWN = set("""a abbr b big blockquote br center code dd del details div dl dt em figcaption figure
font h1 h2 h3 h4 h5 h6 hr i img input ins kbd li mark ol p picture pre q s samp small source span
strike strong sub summary sup table tbody td tfoot th thead tr tt u ul var""".split())
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []      # [kind, parts]
        self.cur = []      # stack of open collectors (index into out) or None
        self.tags = []
        self.li = []       # per open li: [index, own text closed?, paragraphs]
    def collect(self, kind):
        self.out.append([kind, []])
        return len(self.out) - 1
    def handle_starttag(self, tag, attrs):
        if tag not in KNOWN:
            # a placeholder such as <pod-name>: text, as cmdr keeps it
            self.handle_data(self.get_starttag_text())
            return
        self.tags.append(tag)
        if tag == "li":
            if self.li:
                self.li[-1][1] = True
            self.li.append([self.collect("li"), False, 0])
            return
        if self.li and tag in ("ul", "ol", "blockquote", "pre", "table", "hr", "div",
                               "h1", "h2", "h3", "h4", "h5", "h6"):
            self.li[-1][1] = True
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.cur.append(self.collect(tag))
        elif tag == "pre":
            self.cur.append(self.collect("code"))
        elif tag == "tr":
            self.cur.append(self.collect("row"))
        elif tag in ("td", "th") and self.cur and self.out[self.cur[-1]][0] == "row":
            self.out[self.cur[-1]][1].append("\x00")
        elif tag == "hr":
            self.out.append(["hr", []])
            self.tags.pop()
        elif tag == "p":
            inq = "blockquote" in self.tags[:-1]
            if inq:
                self.cur.append(self.collect("quote"))
            elif self.li:
                self.li[-1][2] += 1
                if self.li[-1][2] > 1:
                    self.li[-1][1] = True
                self.cur.append(None)
            else:
                self.cur.append(self.collect("p"))
        elif tag == "br":
            self.handle_data(" ")
            self.tags.pop()
        elif tag in ("input", "img"):
            self.tags.pop()
            a = dict(attrs)
            if tag == "img" and a.get("alt"):
                self.handle_data(a["alt"])
            if tag == "input" and a.get("type") == "checkbox" and self.li and not self.out[self.li[-1][0]][1]:
                self.out[self.li[-1][0]][1].append("[x] " if "checked" in a else "[ ] ")
    def handle_endtag(self, tag):
        if tag not in KNOWN:
            self.handle_data("</%s>" % tag)
            return
        while self.tags and self.tags[-1] != tag:
            self.tags.pop()
        if self.tags:
            self.tags.pop()
        if tag == "li" and self.li:
            self.li.pop()
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr", "p") and self.cur:
            self.cur.pop()
    def handle_data(self, data):
        if self.cur and self.cur[-1] is not None:
            self.out[self.cur[-1]][1].append(data)
        elif self.li and not self.li[-1][1] and not self.cur:
            self.out[self.li[-1][0]][1].append(data)
        elif self.li and not self.li[-1][1] and self.cur and self.cur[-1] is None:
            self.out[self.li[-1][0]][1].append(data)
text = sys.stdin.read()
p = P()
p.feed(text)
for kind, parts in p.out:
    text = "".join(parts)
    if kind == "code":
        print("code " + json.dumps(text, ensure_ascii=False))
    elif kind == "row":
        print("row " + "|".join(" ".join(c.split()) for c in text.split("\x00")[1:]))
    elif kind == "hr":
        print("hr")
    elif " ".join(text.split()) or kind == "li":
        print(kind + " " + " ".join(text.split()))
