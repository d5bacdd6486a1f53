//! Protected spans: the parts of a document that are not prose and that no
//! prose rule may rewrite — code blocks and inline code, `<pre>`/`<code>`/
//! `<script>` elements, HTML tags and comments, URLs, e-mail addresses, file
//! paths, Markdown link targets and heading anchors. Found once per version of
//! a document, only when a prose rule has something to change.

use crate::doc::DocKind;
use crate::rules::RuleHits;
use regex::Regex;
use std::ops::Range;
use std::sync::OnceLock;

/// Byte ranges of a document that prose rules leave alone, sorted and disjoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Protected {
    /// Every protected range, merged.
    all: Vec<Range<usize>>,
    /// The block-level ones alone (code blocks, `<pre>`), as whole lines: what
    /// rules that work on whole lines must skip.
    blocks: Vec<Range<usize>>,
}

impl Protected {
    /// Nothing protected.
    pub fn none() -> Self {
        Protected::default()
    }

    /// The protected spans of `text` read as a document of `kind`.
    pub fn find(text: &str, kind: DocKind) -> Self {
        if kind != DocKind::Markdown && !may_hold_protected(text) {
            return Protected::none();
        }
        Self::find_all(text, kind)
    }

    fn find_all(text: &str, kind: DocKind) -> Self {
        let mut blocks = fenced_code(text, kind);
        if kind == DocKind::Markdown {
            blocks.extend(indented_code(text));
        }
        blocks.extend(raw_elements(text));
        let blocks = merge(blocks);
        let mut all = blocks.clone();
        all.extend(inline_code(text, &blocks));
        let blocks = merge(blocks.into_iter().map(|r| whole_lines(text, r)).collect());
        for re in inline_patterns() {
            all.extend(re.find_iter(text).map(|m| m.range()));
        }
        all.extend(link_targets(text));
        all.extend(file_paths(text));
        Protected {
            all: merge(all),
            blocks,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// Every protected range.
    pub fn spans(&self) -> &[Range<usize>] {
        &self.all
    }

    /// The block-level ranges (whole lines of code blocks and raw elements).
    pub fn blocks(&self) -> &[Range<usize>] {
        &self.blocks
    }

    /// Whether whole-line rules must skip blocks (code blocks, raw HTML).
    pub fn has_blocks(&self) -> bool {
        !self.blocks.is_empty()
    }

    /// Apply a rule that works on whole lines to the lines outside code
    /// blocks, each stretch on its own.
    pub fn apply_to_lines(
        &self,
        text: &str,
        hits: &mut RuleHits,
        f: &dyn Fn(&str, &mut RuleHits) -> Option<String>,
    ) -> Option<String> {
        if self.blocks.is_empty() {
            return f(text, hits);
        }
        apply_between(text, &self.blocks, hits, f)
    }

    /// Does `start..end` touch a protected range?
    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        let i = self.all.partition_point(|r| r.end <= start);
        self.all
            .get(i)
            .is_some_and(|r| r.start < end.max(start + 1))
    }
}

/// Whether `text` holds a byte that every protected construct but Markdown's
/// indented code needs: fences and code spans (`` ` `` `~`), tags and raw
/// elements (`<`), URLs (the `/` of `://`, the `w` of `www.`), e-mail
/// addresses (`@`), heading anchors (`{`), reference definitions and link
/// targets (`[` `]`), file paths (`/`). Most Chinese prose has none, and four
/// SIMD scans tell so, where the searches themselves take a dozen.
fn may_hold_protected(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr3(b'<', b'/', b'`', b).is_some()
        || memchr::memchr3(b'@', b'{', b'[', b).is_some()
        || memchr::memchr3(b'~', b']', b'w', b).is_some()
        || memchr::memchr(b'W', b).is_some()
}

/// Sort and join overlapping or touching ranges.
fn merge(mut v: Vec<Range<usize>>) -> Vec<Range<usize>> {
    v.retain(|r| r.start < r.end);
    v.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// `r` widened to the lines it touches, line ends included.
fn whole_lines(text: &str, r: Range<usize>) -> Range<usize> {
    let start = text[..r.start].rfind('\n').map_or(0, |i| i + 1);
    let end = if r.end > r.start && text.as_bytes()[r.end - 1] == b'\n' {
        r.end
    } else {
        text[r.end..]
            .find('\n')
            .map_or(text.len(), |i| r.end + i + 1)
    };
    start..end
}

/// Lines as (start, end of content, start of next line).
fn lines(text: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    crate::rules::lines::lines(text).map(|l| (l.start, l.end, l.next))
}

/// A fence opener: indentation (or a quote marker), then three or more
/// backticks or tildes; a backtick fence's info string has no backtick.
fn fence_of(line: &str) -> Option<(u8, usize)> {
    let body = line.trim_start_matches([' ', '\t', '>']);
    let c = *body.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = body.bytes().take_while(|&b| b == c).count();
    if n < 3 || (c == b'`' && body[n..].contains('`')) {
        return None;
    }
    Some((c, n))
}

/// Fenced code blocks, fences included. In Markdown an unclosed fence runs to
/// the end of the document; in plain text a fence without its closer is a
/// stray line and protects nothing.
fn fenced_code(text: &str, kind: DocKind) -> Vec<Range<usize>> {
    // memmem's SIMD search: std's `contains` steps through Chinese text slowly
    let has = |fence: &[u8]| memchr::memmem::find(text.as_bytes(), fence).is_some();
    if !has(b"```") && !has(b"~~~") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut open: Option<(u8, usize, usize)> = None;
    for (start, end, next) in lines(text) {
        let line = &text[start..end];
        match open {
            None => {
                if let Some((c, n)) = fence_of(line) {
                    open = Some((c, n, start));
                }
            }
            Some((c, n, from)) => {
                let body = line.trim_start_matches([' ', '\t', '>']);
                let run = body.bytes().take_while(|&b| b == c).count();
                if run >= n && body[run..].trim().is_empty() {
                    out.push(from..next);
                    open = None;
                }
            }
        }
    }
    if let (Some((_, _, from)), DocKind::Markdown) = (open, kind) {
        out.push(from..text.len());
    }
    out
}

/// Markdown indented code: lines indented by four spaces or a tab after a
/// blank line, with the blank lines between them.
fn indented_code(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut prev_blank = true;
    let mut cur: Option<Range<usize>> = None;
    for (start, end, next) in lines(text) {
        let line = &text[start..end];
        let blank = line.trim().is_empty();
        let indented = line.starts_with("    ") || line.starts_with('\t');
        if indented && !blank && (prev_blank || cur.is_some()) {
            match &mut cur {
                Some(r) => r.end = next,
                None => cur = Some(start..next),
            }
        } else if !blank {
            out.extend(cur.take());
        }
        prev_blank = blank;
    }
    out.extend(cur);
    out
}

/// `<pre>`, `<code>`, `<script>`, `<style>`, `<textarea>` elements and HTML
/// comments, whole.
fn raw_elements(text: &str) -> Vec<Range<usize>> {
    static OPEN: OnceLock<Regex> = OnceLock::new();
    let open = OPEN.get_or_init(|| {
        Regex::new(r"(?i)<(pre|code|script|style|textarea)(?:\s[^<>]*)?>|<!--").unwrap()
    });
    // memchr's SIMD search: std's `contains(char)` goes a word at a time
    if memchr::memchr(b'<', text.as_bytes()).is_none() {
        return Vec::new();
    }
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(c) = open.captures_at(text, at) {
        let m = c.get(0).unwrap();
        let close = match c.get(1) {
            Some(name) => format!("</{}", name.as_str().to_ascii_lowercase()),
            None => "-->".to_owned(),
        };
        let end = lower[m.end()..]
            .find(&close)
            .map(|i| m.end() + i + close.len())
            .map(|e| text[e..].find('>').map_or(e, |j| e + j + 1).min(text.len()));
        let Some(end) = end else {
            // an element never closed protects its opening tag only
            out.push(m.range());
            at = m.end();
            continue;
        };
        out.push(m.start()..end);
        at = end;
    }
    out
}

/// Backtick code spans outside code blocks: a run of backticks to the next
/// run of the same length, not across a blank line.
fn inline_code(text: &str, blocks: &[Range<usize>]) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'`', &bytes[i..]) {
        let start = i + off;
        let n = bytes[start..].iter().take_while(|&&b| b == b'`').count();
        let after = start + n;
        if let Some(b) = blocks.iter().find(|b| b.contains(&start)) {
            i = b.end.max(after);
            continue;
        }
        let mut j = after;
        let mut found = None;
        while let Some(o) = memchr::memchr(b'`', &bytes[j..]) {
            let s = j + o;
            let run = bytes[s..].iter().take_while(|&&b| b == b'`').count();
            if text[after..s].contains("\n\n") || text[after..s].contains("\n\r\n") {
                break;
            }
            if run == n {
                found = Some(s + run);
                break;
            }
            j = s + run;
        }
        match found {
            Some(end) => {
                out.push(start..end);
                i = end;
            }
            None => i = after,
        }
        if i >= bytes.len() {
            break;
        }
    }
    out
}

/// Patterns protected wherever they stand: URLs, e-mail addresses, HTML tags,
/// heading anchors (`{#id}`), Markdown reference definitions.
fn inline_patterns() -> &'static [Regex] {
    static RES: OnceLock<Vec<Regex>> = OnceLock::new();
    RES.get_or_init(|| {
        [
            r"(?i:(?:https?|ftps?|file)://|www\.)[!-~]+",
            r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
            r"</?[A-Za-z][A-Za-z0-9\-]*(?:\s[^<>]*)?/?>|<![A-Za-z][^<>]*>",
            r"\{#[^\s{}]+\}",
            r"(?m)^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+",
        ]
        .iter()
        .map(|p| Regex::new(p).unwrap())
        .collect()
    })
    .as_slice()
}

/// Markdown link and image targets: what stands between `](` and its `)`.
fn link_targets(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(off) = memchr::memmem::find(&bytes[from..], b"](") {
        let start = from + off + 2;
        let mut depth = 0usize;
        let mut end = None;
        for (k, &b) in bytes[start..].iter().enumerate() {
            match b {
                b'(' => depth += 1,
                b')' if depth == 0 => {
                    end = Some(start + k);
                    break;
                }
                b')' => depth -= 1,
                b'\n' => break,
                _ => {}
            }
        }
        if let Some(end) = end {
            out.push(start..end);
        }
        from = start;
    }
    out
}

/// File paths: `/etc/hosts`, `./a/b`, `~/x`, `docs/02-intro.md`. A path starts
/// where a word starts (not inside `A/B`).
fn file_paths(text: &str) -> Vec<Range<usize>> {
    static PATH: OnceLock<Regex> = OnceLock::new();
    let re = PATH.get_or_init(|| {
        Regex::new(
            r"(?:\.{1,2}|~)?/[A-Za-z0-9_.~%+\-]+(?:/[A-Za-z0-9_.~%+\-]+)*/?|[A-Za-z0-9_.~%+\-]+(?:/[A-Za-z0-9_.~%+\-]+)+\.[A-Za-z][A-Za-z0-9]{0,4}",
        )
        .unwrap()
    });
    if memchr::memchr(b'/', text.as_bytes()).is_none() {
        return Vec::new();
    }
    re.find_iter(text)
        .filter(|m| {
            !text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        })
        .filter(|m| m.as_str().bytes().any(|b| b.is_ascii_alphabetic()))
        .map(|m| m.range())
        .collect()
}

/// Apply `f` to each stretch of `text` between the `spans` (sorted, disjoint),
/// joining the results; the spans are kept as they are. Line numbers `f`
/// records are made document-relative.
pub fn apply_between(
    text: &str,
    spans: &[Range<usize>],
    hits: &mut RuleHits,
    f: &dyn Fn(&str, &mut RuleHits) -> Option<String>,
) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut at = 0;
    let mut line = 0;
    let mut gaps: Vec<Range<usize>> = Vec::with_capacity(spans.len() + 1);
    for r in spans {
        gaps.push(at..r.start);
        at = r.end;
    }
    gaps.push(at..text.len());
    let mut copied = 0;
    for g in gaps {
        let seg = &text[g.clone()];
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[copied..g.start]).count();
        out.push_str(&text[copied..g.start]);
        let before = hits.lines.len();
        match f(seg, hits) {
            Some(new) => {
                changed = true;
                out.push_str(&new);
            }
            None => out.push_str(seg),
        }
        for l in &mut hits.lines[before..] {
            *l += line;
        }
        line += memchr::memchr_iter(b'\n', seg.as_bytes()).count();
        copied = g.end;
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One construct for each byte the quick test looks for: each is still found.
    #[test]
    fn every_trigger_byte_lets_its_construct_through() {
        for text in [
            "见WWW.EXAMPLE.COM",
            "见www.example.com",
            "见 http://a.cn 页",
            "写信给 a@b.cn",
            "用 `x` 表示",
            "~~~\ncode\n~~~\n",
            "<b>粗</b>",
            "## 标题 {#intro}",
            "[a]: https://a.cn",
            "[文](a.md)",
            "见 docs/intro.md",
        ] {
            assert!(
                !Protected::find(text, DocKind::Plain).is_empty(),
                "{text:?}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Text without the bytes `may_hold_protected` looks for has nothing
        /// to protect, however its other characters fall.
        #[test]
        fn text_without_the_trigger_bytes_has_nothing_protected(
            text in r"[a-vx-zA-VX-Z0-9 .:#%+_!()=*|>\\\-\t\n\r中文党。：（）《》]{0,80}",
        ) {
            prop_assert!(!may_hold_protected(&text));
            prop_assert_eq!(Protected::find_all(&text, DocKind::Plain), Protected::none());
        }

        /// With them, the quick answer and the full search agree.
        #[test]
        fn the_quick_answer_agrees_with_the_full_search(
            text in r"[a-zA-Z0-9 .:#%+_!()=*|<>/`~@{}\[\]\-\t\n中文]{0,80}",
        ) {
            for kind in [DocKind::Plain, DocKind::Markdown] {
                prop_assert_eq!(Protected::find(&text, kind), Protected::find_all(&text, kind));
            }
        }
    }

    fn protected(text: &str, kind: DocKind) -> Vec<&str> {
        Protected::find(text, kind)
            .spans()
            .iter()
            .map(|r| &text[r.clone()])
            .collect()
    }

    #[test]
    fn code_is_protected() {
        let md =
            "说明\n\n```js\nlet a = '&nbsp;';\n```\n\n用 `&lt;` 表示\n\n    indented %20\n\n正文";
        assert_eq!(
            protected(md, DocKind::Markdown),
            [
                "```js\nlet a = '&nbsp;';\n```\n",
                "`&lt;`",
                "    indented %20\n"
            ]
        );
        // plain text: no indented code, and a fence must close
        assert_eq!(
            protected("    缩进段落\n```\n正文", DocKind::Plain),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn links_urls_paths_and_tags() {
        let t = "见[管理](02-%E7%AE%A1.md#a)与<https://x.cn/a%20b>，写信给 a.b@x.cn，\
                 文件 docs/guide/intro.md，## 标题 {#my-anchor}，<span title=\"&amp;\">字</span>";
        let got = protected(t, DocKind::Markdown);
        assert!(got.contains(&"02-%E7%AE%A1.md#a"), "{got:?}");
        assert!(got.iter().any(|s| s.starts_with("https://x.cn")), "{got:?}");
        assert!(got.contains(&"a.b@x.cn"), "{got:?}");
        assert!(got.contains(&"docs/guide/intro.md"), "{got:?}");
        assert!(got.contains(&"{#my-anchor}"), "{got:?}");
        assert!(got.contains(&"<span title=\"&amp;\">"), "{got:?}");
        // look-alikes: a ratio, a Han slash, a percentage
        assert!(protected("A/B测试，和/或，增长15%", DocKind::Plain).is_empty());
    }

    #[test]
    fn raw_elements_whole() {
        let t = "a<pre>x &lt; y</pre>b<!-- 注释 -->c";
        assert_eq!(
            protected(t, DocKind::Html),
            ["<pre>x &lt; y</pre>", "<!-- 注释 -->"]
        );
    }

    #[test]
    fn apply_between_keeps_spans() {
        let t = "aXb`X`cX";
        let spans: Vec<std::ops::Range<usize>> = std::iter::once(3..6).collect();
        let mut hits = RuleHits::default();
        let got = apply_between(t, &spans, &mut hits, &|s, _| {
            s.contains('X').then(|| s.replace('X', "Y"))
        });
        assert_eq!(got.as_deref(), Some("aYb`X`cY"));
    }
}
