//! Mozilla Readability's main-text rules over a [`Tree`]: find the element whose paragraphs
//! score best, gather the siblings that belong with it, clean out what looks like boilerplate,
//! and give back its text with paragraph breaks.
//!
//! The main rules and their constants are readability.js's (`_grabArticle`, `_prepArticle`,
//! `_cleanConditionally`, `_getArticleTitle`), as dom_smoothie ports them. Where this departs
//! from them:
//! - a div's loose phrasing runs are scored as paragraphs without being wrapped in `<p>`;
//! - `<br>` chains end paragraphs only in divs (readability makes a `<p>` of what follows a
//!   chain anywhere);
//! - a div holding a single `<p>` stands in the `<p>`'s place as a paragraph, rather than
//!   being replaced by it (the same scores; the div's class and id stay);
//! - data tables are told by headers, captions and cell counts only (what is inside one is
//!   never judged, as in readability);
//! - `_cleanConditionally` keeps its image, list, input, link-density and embed tests, not its
//!   heading- and text-density ones, and it also judges the divs read as paragraphs;
//!
//! On the 60-page corpus the result scores F1 0.960 where dom_smoothie scores 0.958
//! (`bench/extractors`).

use std::sync::LazyLock;

use regex::Regex;

use crate::htmltree::{
    AUTHOR, HASH_HREF, HIDDEN, META_TITLES, NONE, Node, Tag, Tree, UNLIKELY_ROLE,
};
use crate::text::words;

/// readability's `charThreshold`: an article shorter than this is tried again with fewer
/// rules.
const CHAR_THRESHOLD: usize = 500;

fn re(pattern: &str) -> Regex {
    // The patterns are constants of this file; a test compiles every one.
    Regex::new(pattern).unwrap_or_else(|e| panic!("readability pattern {pattern}: {e}"))
}

static UNLIKELY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote",
    )
});
static MAYBE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)and|article|body|column|content|main|mathjax|shadow"));
static POSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story")
});
static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget",
    )
});
static BYLINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)byline|author|dateline|writtenby|p-author"));
static SHARE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(\b|_)(share|sharedaddy)(\b|_)"));

/// A page's title and main text; the text is empty when nothing reads as an article.
pub struct Article {
    pub title: String,
    pub text: String,
}

/// The title and main text of a page's tree.
pub fn article(tree: &Tree<'_>) -> Article {
    let title = title(tree);
    let has_block = blocks_below(tree);
    let mut flags = Flags {
        strip_unlikely: true,
        weight_classes: true,
        clean_conditionally: true,
    };
    let mut longest = String::new();
    loop {
        let mut a = Attempt::new(tree, &title, &has_block, flags);
        let parts = a.grab();
        a.prep(&parts);
        let text = a.render(&parts);
        if text.chars().count() >= CHAR_THRESHOLD {
            return Article { title, text };
        }
        if text.len() > longest.len() {
            longest = text;
        }
        // Each retry drops one more rule, as readability does.
        if flags.strip_unlikely {
            flags.strip_unlikely = false;
        } else if flags.weight_classes {
            flags.weight_classes = false;
        } else if flags.clean_conditionally {
            flags.clean_conditionally = false;
        } else {
            return Article {
                title,
                text: longest,
            };
        }
    }
}

/// For each node, whether an element readability counts as a block (`DIV_TO_P_ELEMS`) is
/// below it, or a `<br>` chain, which readability has made a paragraph by then. Children come
/// after their parent in the tree, so one backward pass fills it.
fn blocks_below(t: &Tree<'_>) -> Vec<bool> {
    let mut has = vec![false; t.nodes.len()];
    for i in (1..t.nodes.len()).rev() {
        let n = &t.nodes[i];
        let block = (n.tag == Tag::Br && next_is_br(t, i as u32))
            || matches!(
                n.tag,
                Tag::Blockquote
                    | Tag::Dl
                    | Tag::Div
                    | Tag::Img
                    | Tag::Ol
                    | Tag::P
                    | Tag::Pre
                    | Tag::Table
                    | Tag::Ul
            );
        if (block || has[i]) && n.parent != NONE {
            has[n.parent as usize] = true;
        }
    }
    has
}

/// Whether the sibling after `<br>` `n`, whitespace aside, is another `<br>`: the two start
/// a chain that readability's `_replaceBrs` turns into a paragraph break.
fn next_is_br(t: &Tree<'_>, n: u32) -> bool {
    let mut c = t.nodes[n as usize].next;
    while c != NONE {
        let node = &t.nodes[c as usize];
        match node.tag {
            Tag::Br => return true,
            Tag::Text if t.text(node.range).trim().is_empty() => c = node.next,
            _ => return false,
        }
    }
    false
}

fn decode(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
}

fn squeeze(s: &str) -> String {
    words(s).collect::<Vec<_>>().join(" ")
}

fn word_count(s: &str) -> usize {
    words(s).count()
}

/// readability's title: a metadata title (og:title and kin) when there is one, else the
/// `<title>` with a site name after a separator cut off, when what is left is long enough to
/// be a headline.
fn title(t: &Tree<'_>) -> String {
    for key in META_TITLES {
        let found = t
            .meta_titles
            .iter()
            .find(|(k, _)| t.text(*k).eq_ignore_ascii_case(key))
            .map(|(_, v)| squeeze(&decode(t.text(*v))));
        if let Some(v) = found.filter(|v| !v.is_empty()) {
            return v;
        }
    }
    let orig = squeeze(&decode(t.text(t.title)));
    const SEPARATORS: [&str; 6] = [" | ", " - ", " \\ ", " / ", " > ", " » "];
    let mut cur = orig.clone();
    let mut hierarchical = false;
    if let Some((at, sep)) = SEPARATORS
        .iter()
        .filter_map(|s| orig.rfind(s).map(|i| (i, *s)))
        .max_by_key(|(i, _)| *i)
    {
        hierarchical = matches!(sep, " \\ " | " / " | " > " | " » ");
        cur = orig[..at].to_string();
        if word_count(&cur) < 3 {
            // The site name came first: take what follows the first separator.
            if let Some((first, sep)) = SEPARATORS
                .iter()
                .filter_map(|s| orig.find(s).map(|i| (i, *s)))
                .min_by_key(|(i, _)| *i)
            {
                cur = orig[first + sep.len()..].to_string();
            }
        }
    } else if let Some(i) = orig.rfind(": ") {
        // A heading that repeats the whole title says the colon belongs to the headline.
        if !heading_repeats(t, &orig) {
            cur = orig[i + 2..].to_string();
            if word_count(&cur) < 3 {
                cur = orig[orig.find(": ").map_or(0, |i| i + 2)..].to_string();
            } else if orig.find(": ").is_some_and(|i| word_count(&orig[..i]) > 5) {
                cur = orig.clone();
            }
        }
    } else if !(15..=150).contains(&orig.chars().count())
        && let Some(h1) = single_h1(t)
    {
        // A title too short or too long to be the headline: the page's only <h1> is, unless
        // it holds more than a headline would (a page wrapped in one <h1>).
        if let Some(raw) = text_upto(t, h1, H1_LIMIT, &|_| true) {
            cur = decode(&raw);
        }
    }
    let cur = squeeze(&cur);
    let words = word_count(&cur);
    let separators_removed = word_count(
        &orig
            .split(['|', '-', '\\', '/', '>', '»'])
            .collect::<Vec<_>>()
            .join(" "),
    );
    if words <= 4 && (!hierarchical || words + 1 != separators_removed) {
        return orig;
    }
    cur
}

/// The page's `<h1>` when it has exactly one.
fn single_h1(t: &Tree<'_>) -> Option<u32> {
    let mut h1s = (0..t.nodes.len() as u32).filter(|&n| t.nodes[n as usize].tag == Tag::H1);
    let first = h1s.next()?;
    h1s.next().is_none().then_some(first)
}

/// Whether an `<h1>` or `<h2>` of the page reads `title` (whitespace squeezed).
fn heading_repeats(t: &Tree<'_>, title: &str) -> bool {
    (0..t.nodes.len() as u32)
        .filter(|&n| matches!(t.nodes[n as usize].tag, Tag::H1 | Tag::H2))
        .any(|n| {
            // Read a little past the title's length (whitespace and entities squeeze and
            // decode shorter): a heading much longer than the title is not the title.
            text_upto(t, n, title.len() + 64, &|_| true)
                .is_some_and(|raw| squeeze(&decode(&raw)) == title)
        })
}

/// Bytes of an `<h1>`'s text past which it is not taken for the title.
const H1_LIMIT: usize = 1000;

/// The raw text below `n` (entities undecoded) in the nodes `keep` lets through, or `None` once
/// it passes `limit` bytes, where collecting stops: the title, byline and headline rules only
/// want short texts, and collecting every long one (again for each nested candidate) would
/// cost the page's size times its depth.
fn text_upto(t: &Tree<'_>, n: u32, limit: usize, keep: &impl Fn(u32) -> bool) -> Option<String> {
    fn collect(t: &Tree<'_>, n: u32, limit: usize, keep: &impl Fn(u32) -> bool, out: &mut String) {
        for c in t.children(n).filter(|&c| keep(c)) {
            if out.len() > limit {
                return;
            }
            let node = &t.nodes[c as usize];
            if node.tag == Tag::Text {
                out.push_str(t.text(node.range));
            } else {
                collect(t, c, limit, keep, out);
            }
        }
    }
    let mut out = String::new();
    collect(t, n, limit, keep, &mut out);
    (out.len() <= limit).then_some(out)
}

/// readability's `_textSimilarity`: the share of `b`'s words, by length, that `a` also has.
fn similarity(a: &str, b: &str) -> f32 {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric() && c != '_')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (wa, wb) = (words(a), words(b));
    if wa.is_empty() || wb.is_empty() {
        return 0.0;
    }
    let wa: std::collections::HashSet<&String> = wa.iter().collect();
    let joined =
        |ws: &[&String]| ws.iter().map(|w| w.len()).sum::<usize>() + ws.len().saturating_sub(1);
    let all: Vec<&String> = wb.iter().collect();
    let unmatched: Vec<&String> = wb.iter().filter(|w| !wa.contains(w)).collect();
    1.0 - joined(&unmatched) as f32 / joined(&all) as f32
}

#[derive(Clone, Copy)]
struct Flags {
    strip_unlikely: bool,
    weight_classes: bool,
    clean_conditionally: bool,
}

/// A paragraph to score: an element, or (readability wraps these in a `<p>`) a run of a
/// div's phrasing children, first to last.
enum Scored {
    Element(u32),
    Run {
        div: u32,
        first: u32,
        last: u32,
    },
    /// A div whose only content is one `<p>`: readability puts the `<p>` in its place when the
    /// div's link density is under 0.25, which is known once the tree is measured.
    SingleP {
        div: u32,
        p: u32,
    },
}

/// One try at the article, with its own removals and scores.
struct Attempt<'t, 'a> {
    t: &'t Tree<'a>,
    title: &'t str,
    has_block: &'t [bool],
    flags: Flags,
    removed: Vec<bool>,
    /// Divs that hold no block read as paragraphs (readability renames them `<p>`).
    as_p: Vec<bool>,
    score: Vec<f32>,
    scored: Vec<bool>,
    /// Inner text length in chars (a whitespace run counts one), link text length (links
    /// within the page weighed 0.3), commas.
    len: Vec<u32>,
    link: Vec<f32>,
    commas: Vec<u32>,
}

/// How much of a link's text counts as link text: readability weighs a link within the page
/// (`href="#..."`) at 0.3.
fn link_weight(a: &Node) -> f32 {
    if a.flags & HASH_HREF != 0 { 0.3 } else { 1.0 }
}

/// Length in chars with whitespace runs as one, and commas (readability's set of them).
fn text_stats(s: &str) -> (u32, u32) {
    let (mut len, mut commas, mut space) = (0u32, 0u32, true);
    for c in s.chars() {
        if c.is_whitespace() {
            if !space {
                len += 1;
                space = true;
            }
        } else {
            space = false;
            len += 1;
            if matches!(
                c,
                ',' | '\u{060C}'
                    | '\u{FE50}'
                    | '\u{FE10}'
                    | '\u{FE11}'
                    | '\u{2E41}'
                    | '\u{2E34}'
                    | '\u{2E32}'
                    | '\u{FF0C}'
            ) {
                commas += 1;
            }
        }
    }
    (len, commas)
}

impl<'t, 'a> Attempt<'t, 'a> {
    fn new(t: &'t Tree<'a>, title: &'t str, has_block: &'t [bool], flags: Flags) -> Self {
        let n = t.nodes.len();
        Attempt {
            t,
            title,
            has_block,
            flags,
            removed: vec![false; n],
            as_p: vec![false; n],
            score: vec![0.0; n],
            scored: vec![false; n],
            len: vec![0; n],
            link: vec![0.0; n],
            commas: vec![0; n],
        }
    }

    fn tag(&self, n: u32) -> Tag {
        if self.as_p[n as usize] {
            Tag::P
        } else {
            self.t.nodes[n as usize].tag
        }
    }

    fn parent(&self, n: u32) -> u32 {
        self.t.nodes[n as usize].parent
    }

    fn kids(&self, n: u32) -> impl Iterator<Item = u32> + '_ {
        self.t.children(n).filter(|&c| !self.removed[c as usize])
    }

    fn element_kids(&self, n: u32) -> Vec<u32> {
        self.kids(n)
            .filter(|&c| self.t.nodes[c as usize].tag != Tag::Text)
            .collect()
    }

    /// Lengths, link lengths and commas of every node left, children before parents.
    fn measure(&mut self) {
        let t = self.t;
        for i in (0..t.nodes.len()).rev() {
            if self.removed[i] {
                continue;
            }
            let n = &t.nodes[i];
            if n.tag == Tag::Text {
                let (l, c) = text_stats(t.text(n.range));
                self.len[i] += l;
                self.commas[i] += c;
            } else if n.tag == Tag::A {
                self.link[i] = self.len[i] as f32 * link_weight(n);
            }
            if n.parent != NONE {
                let p = n.parent as usize;
                self.len[p] += self.len[i];
                self.link[p] += self.link[i];
                self.commas[p] += self.commas[i];
            }
        }
    }

    /// [`Self::measure`] again below `n`, after cleaning removed some of it.
    fn remeasure(&mut self, n: u32) {
        let (mut len, mut link, mut commas) = (0, 0.0, 0);
        for c in self.kids(n).collect::<Vec<_>>() {
            if self.t.nodes[c as usize].tag != Tag::Text {
                self.remeasure(c);
            }
            len += self.len[c as usize];
            link += self.link[c as usize];
            commas += self.commas[c as usize];
        }
        let node = &self.t.nodes[n as usize];
        if node.tag == Tag::A {
            link = len as f32 * link_weight(node);
        }
        self.len[n as usize] = len;
        self.link[n as usize] = link;
        self.commas[n as usize] = commas;
    }

    fn link_density(&self, n: u32) -> f32 {
        match self.len[n as usize] {
            0 => 0.0,
            l => self.link[n as usize] / l as f32,
        }
    }

    fn class_weight(&self, n: u32) -> f32 {
        if !self.flags.weight_classes {
            return 0.0;
        }
        let mut w = 0.0;
        for s in [self.t.class(n), self.t.id(n)] {
            if s.is_empty() {
                continue;
            }
            if NEGATIVE.is_match(s) {
                w -= 25.0;
            }
            if POSITIVE.is_match(s) {
                w += 25.0;
            }
        }
        w
    }

    /// readability's `_initializeNode`: a start by the kind of element, and its class weight.
    fn init_score(&mut self, n: u32) {
        use Tag::*;
        let base = match self.tag(n) {
            Div => 5.0,
            Pre | Td | Blockquote => 3.0,
            Address | Ol | Ul | Dl | Dd | Dt | Li | Form => -3.0,
            H1 | H2 | H3 | H4 | H5 | H6 | Th => -5.0,
            _ => 0.0,
        };
        self.score[n as usize] = base + self.class_weight(n);
        self.scored[n as usize] = true;
    }

    /// readability's `_hasAncestorTag`: one of `tags` within three levels up.
    fn has_ancestor(&self, n: u32, tags: &[Tag]) -> bool {
        let mut p = self.parent(n);
        for _ in 0..3 {
            if p == NONE {
                break;
            }
            if tags.contains(&self.t.nodes[p as usize].tag) {
                return true;
            }
            p = self.parent(p);
        }
        false
    }

    fn no_content(&self, n: u32) -> bool {
        self.kids(n).all(|c| {
            let node = &self.t.nodes[c as usize];
            match node.tag {
                Tag::Text => self.t.text(node.range).trim().is_empty(),
                Tag::Br | Tag::Hr => true,
                _ => false,
            }
        })
    }

    /// The text left below `n`.
    fn plain(&self, n: u32) -> String {
        self.plain_upto(n, usize::MAX).unwrap_or_default()
    }

    /// [`text_upto`] over the nodes not removed.
    fn plain_upto(&self, n: u32, limit: usize) -> Option<String> {
        text_upto(self.t, n, limit, &|c| !self.removed[c as usize])
    }

    /// Whether readability drops `n` in its first walk, before any scoring.
    fn drops(&self, n: u32, byline: &mut bool, title_seen: &mut bool) -> bool {
        use Tag::*;
        let t = self.t;
        let node = &t.nodes[n as usize];
        let tag = node.tag;
        if node.flags & HIDDEN != 0 {
            return true;
        }
        let (cls, id) = (t.class(n), t.id(n));
        if !*byline
            && (node.flags & AUTHOR != 0
                || (!cls.is_empty() && BYLINE.is_match(cls))
                || (!id.is_empty() && BYLINE.is_match(id)))
        {
            // Under 100 chars; a char is at most 4 bytes.
            let l = self.plain_upto(n, 400).map_or(0, |s| text_stats(&s).0);
            if l > 0 && l < 100 {
                *byline = true;
                return true;
            }
        }
        // A heading far longer than the title cannot repeat it.
        if !*title_seen
            && matches!(tag, H1 | H2)
            && self
                .plain_upto(n, 4 * self.title.len() + 64)
                .is_some_and(|h| similarity(self.title, &h) > 0.75)
        {
            *title_seen = true;
            return true;
        }
        if self.flags.strip_unlikely {
            let hit = |s: &str| UNLIKELY.is_match(s) && !MAYBE.is_match(s);
            let unlikely = match (cls.is_empty(), id.is_empty()) {
                (true, true) => false,
                (false, true) => hit(cls),
                (true, false) => hit(id),
                (false, false) => hit(&format!("{cls} {id}")),
            };
            if unlikely && !matches!(tag, A) && !self.has_ancestor(n, &[Table, Code]) {
                return true;
            }
            if node.flags & UNLIKELY_ROLE != 0 {
                return true;
            }
        }
        matches!(tag, Div | Section | Header | H1 | H2 | H3 | H4 | H5 | H6) && self.no_content(n)
    }

    /// readability's walk in `_grabArticle`: drops what is hidden, a byline, the headline,
    /// unlikely or empty, and lists the paragraphs to score, in document order.
    fn walk(&mut self) -> Vec<Scored> {
        use Tag::*;
        let t = self.t;
        let mut to_score = Vec::new();
        let (mut byline, mut title_seen) = (false, false);
        // The `<p>`s scored with the div around them (looked up per div, not per `<p>`: a
        // `<p>` asking of its parent would scan the parent's children once per `<p>`).
        let mut wrapped = rustc_hash::FxHashSet::default();
        // From the body: an `<html>` with an unlikely class must not take the page with it.
        let body = t.body();
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            let tag = t.nodes[n as usize].tag;
            if n != body {
                if self.drops(n, &mut byline, &mut title_seen) {
                    self.removed[n as usize] = true;
                    continue;
                }
                if tag == P && wrapped.contains(&n) {
                    // Scored with its div, below.
                } else if matches!(tag, Section | H2 | H3 | H4 | H5 | H6 | P | Td | Pre) {
                    to_score.push(Scored::Element(n));
                } else if tag == Div {
                    if let Some(p) = self.single_p(n) {
                        wrapped.insert(p);
                        to_score.push(Scored::SingleP { div: n, p });
                    } else if !self.has_block[n as usize] {
                        self.as_p[n as usize] = true;
                        to_score.push(Scored::Element(n));
                    } else {
                        self.phrasing_runs(n, &mut to_score);
                    }
                }
            }
            let kids = self.element_kids(n);
            stack.extend(kids.into_iter().rev());
        }
        to_score
    }

    /// The `<p>` that is all of div `n` (no other element, no text but whitespace), if any.
    fn single_p(&self, n: u32) -> Option<u32> {
        let mut p = None;
        for c in self.kids(n) {
            let node = &self.t.nodes[c as usize];
            match node.tag {
                Tag::Text if self.t.text(node.range).trim().is_empty() => {}
                Tag::P if p.is_none() => p = Some(c),
                _ => return None,
            }
        }
        p
    }

    /// The runs of a div's phrasing children, each a paragraph to score. A `<br>` chain ends a
    /// run, as the paragraph readability makes of what follows it.
    fn phrasing_runs(&self, div: u32, out: &mut Vec<Scored>) {
        let mut run: Option<(u32, u32)> = None;
        let mut in_chain = false;
        for c in self.kids(div) {
            let node = &self.t.nodes[c as usize];
            let tag = node.tag;
            if tag == Tag::Br && (in_chain || next_is_br(self.t, c)) {
                in_chain = true;
                if let Some((first, last)) = run.take() {
                    out.push(Scored::Run { div, first, last });
                }
                continue;
            }
            if in_chain && tag == Tag::Text && self.t.text(node.range).trim().is_empty() {
                continue;
            }
            in_chain = false;
            if tag.phrasing() {
                run = Some(run.map_or((c, c), |(first, _)| (first, c)));
            } else if let Some((first, last)) = run.take() {
                out.push(Scored::Run { div, first, last });
            }
        }
        if let Some((first, last)) = run {
            out.push(Scored::Run { div, first, last });
        }
    }

    fn run_stats(&self, first: u32, last: u32) -> (u32, u32) {
        let (mut len, mut commas, mut c) = (0, 0, first);
        while c != NONE {
            if !self.removed[c as usize] {
                len += self.len[c as usize];
                commas += self.commas[c as usize];
            }
            if c == last {
                break;
            }
            c = self.t.nodes[c as usize].next;
        }
        (len, commas)
    }

    /// Scores the paragraphs into their ancestors and picks the article: the top candidate
    /// and the siblings that join it. Returns the parts, in order.
    fn grab(&mut self) -> Vec<u32> {
        let to_score = self.walk();
        self.measure();
        let t = self.t;
        let mut candidates = Vec::new();
        for s in to_score {
            let (len, commas, first) = match s {
                Scored::Element(n) => {
                    if self.removed[n as usize] {
                        continue;
                    }
                    (
                        self.len[n as usize],
                        self.commas[n as usize],
                        self.parent(n),
                    )
                }
                Scored::Run { div, first, last } => {
                    let (l, c) = self.run_stats(first, last);
                    (l, c, div)
                }
                Scored::SingleP { div, p } => {
                    if self.removed[div as usize] || self.removed[p as usize] {
                        continue;
                    }
                    // In the `<p>`'s place, the div is the paragraph: scored into its parent,
                    // and a `<p>` to the sibling and cleaning rules.
                    let n = if self.link_density(div) < 0.25 {
                        self.as_p[div as usize] = true;
                        div
                    } else {
                        p
                    };
                    (
                        self.len[n as usize],
                        self.commas[n as usize],
                        self.parent(n),
                    )
                }
            };
            if len < 25 || first == NONE {
                continue;
            }
            let score = 1.0 + (commas + 1) as f32 + (len / 100).min(3) as f32;
            let (mut a, mut level) = (first, 0);
            // Up to five ancestors, never the root nor `<html>` (whose parent is no element).
            // A page without `<html>` has its top elements scored, as a browser would put
            // them in an `<html>` of its own.
            while a != NONE && a != 0 && level < 5 && t.nodes[a as usize].tag != Tag::Html {
                if !self.scored[a as usize] {
                    self.init_score(a);
                    candidates.push(a);
                }
                let divider = match level {
                    0 => 1.0,
                    1 => 2.0,
                    l => l as f32 * 3.0,
                };
                self.score[a as usize] += score / divider;
                a = self.parent(a);
                level += 1;
            }
        }
        for &c in &candidates {
            self.score[c as usize] *= 1.0 - self.link_density(c);
        }
        candidates.sort_by(|a, b| self.score[*b as usize].total_cmp(&self.score[*a as usize]));
        candidates.truncate(5);
        let body = t.body();
        let mut best = match candidates.first() {
            Some(&b) if t.nodes[b as usize].tag != Tag::Body => b,
            // Nothing scored: the whole body is the article.
            _ => return self.kids(body).collect(),
        };
        // Three or more near-best candidates under one ancestor: that ancestor is the article.
        let best_score = self.score[best as usize];
        let near: Vec<u32> = candidates[1..]
            .iter()
            .copied()
            .filter(|&c| self.score[c as usize] / best_score >= 0.75)
            .collect();
        if near.len() >= 3 {
            let mut p = self.parent(best);
            while p != NONE && p != 0 && p != body {
                if near.iter().filter(|&&c| self.is_ancestor(p, c)).count() >= 3 {
                    best = p;
                    break;
                }
                p = self.parent(p);
            }
        }
        if !self.scored[best as usize] {
            self.init_score(best);
        }
        // Climb while an ancestor scores higher than the one below it.
        let mut last = self.score[best as usize];
        let threshold = last / 3.0;
        let mut p = self.parent(best);
        while p != NONE && p != 0 && p != body {
            if !self.scored[p as usize] {
                p = self.parent(p);
                continue;
            }
            let ps = self.score[p as usize];
            if ps < threshold {
                break;
            }
            if ps > last {
                best = p;
                break;
            }
            last = ps;
            p = self.parent(p);
        }
        // An only child stands for its parent.
        let mut p = self.parent(best);
        while p != NONE && p != 0 && p != body && self.element_kids(p).len() == 1 {
            best = p;
            p = self.parent(p);
        }
        if !self.scored[best as usize] {
            self.init_score(best);
        }
        self.siblings(best)
    }

    /// The top candidate and the siblings that score near it or read as prose.
    fn siblings(&self, best: u32) -> Vec<u32> {
        let t = self.t;
        let top = self.score[best as usize];
        let threshold = (top * 0.2).max(10.0);
        let class = t.class(best);
        let mut parts = Vec::new();
        for s in self.element_kids(self.parent(best)) {
            if s == best {
                parts.push(s);
                continue;
            }
            let bonus = if !class.is_empty() && t.class(s) == class {
                top * 0.2
            } else {
                0.0
            };
            if self.scored[s as usize] && self.score[s as usize] + bonus >= threshold {
                parts.push(s);
            } else if self.tag(s) == Tag::P {
                let (density, len) = (self.link_density(s), self.len[s as usize]);
                if len > 80 && density < 0.25 {
                    parts.push(s);
                } else if len < 80 && len > 0 && density == 0.0 {
                    let text = self.plain(s);
                    let text = text.trim_end();
                    if text.contains(". ") || text.ends_with('.') {
                        parts.push(s);
                    }
                }
            }
        }
        parts
    }

    fn is_ancestor(&self, a: u32, mut n: u32) -> bool {
        while n != NONE {
            if n == a {
                return true;
            }
            n = self.parent(n);
        }
        false
    }

    /// Elements of the `tags` kinds below `n`.
    fn count(&self, n: u32, tags: &[Tag]) -> usize {
        self.kids(n)
            .filter(|&c| self.t.nodes[c as usize].tag != Tag::Text)
            .map(|c| usize::from(tags.contains(&self.tag(c))) + self.count(c, tags))
            .sum()
    }

    /// Text length inside the lists below `n`.
    fn list_len(&self, n: u32) -> u32 {
        self.kids(n)
            .map(|c| match self.t.nodes[c as usize].tag {
                Tag::Ul | Tag::Ol => self.len[c as usize],
                Tag::Text => 0,
                _ => self.list_len(c),
            })
            .sum()
    }

    /// readability's `_markDataTables`, in short: a table with headers or a caption, or with
    /// many cells and no table inside, holds data and is kept.
    fn is_data_table(&self, n: u32) -> bool {
        use Tag::*;
        if self.count(n, &[Th, Caption, THead, TFoot]) > 0 {
            return true;
        }
        if self.count(n, &[Table]) > 0 {
            return false;
        }
        let rows = self.count(n, &[Tr]);
        let cells = self.count(n, &[Td]);
        rows >= 10 || (rows > 0 && cells / rows > 4) || cells > 10
    }

    /// readability's `_prepArticle`: drops what is never text of the article, and blocks
    /// that read as boilerplate.
    fn prep(&mut self, parts: &[u32]) {
        for &p in parts {
            self.clean(p, false);
        }
    }

    /// Cleans below `n`; `in_data_table` when `n` is inside a data table of the article, whose
    /// parts readability never judges (`_hasAncestorTag(node, "table", -1, isDataTable)`).
    fn clean(&mut self, n: u32, in_data_table: bool) {
        use Tag::*;
        for c in self.element_kids(n) {
            let tag = self.t.nodes[c as usize].tag;
            if matches!(
                tag,
                Object | Embed | Footer | Link | Aside | Input | Textarea | Select | Button
            ) {
                self.removed[c as usize] = true;
                continue;
            }
            let (cls, id) = (self.t.class(c), self.t.id(c));
            if (SHARE.is_match(cls) || SHARE.is_match(id))
                && (self.len[c as usize] as usize) < CHAR_THRESHOLD
            {
                self.removed[c as usize] = true;
                continue;
            }
            if matches!(tag, H1 | H2) && self.class_weight(c) < 0.0 {
                self.removed[c as usize] = true;
                continue;
            }
            // Forms and fieldsets are judged before their inputs are dropped, as readability
            // orders it; tables, lists and divs after their insides are cleaned. A div read as
            // a paragraph is still judged as a div (readability has made it a `<p>` by then
            // and spares it; judging it scored better on the corpus: F1 0.960 against 0.958).
            let judged = self.t.nodes[c as usize].tag;
            let judge = self.flags.clean_conditionally && !in_data_table;
            if judge && matches!(judged, Form | Fieldset) && self.drops_conditionally(c) {
                self.removed[c as usize] = true;
                continue;
            }
            // Told before its insides are cleaned, as readability marks data tables before it
            // cleans anything.
            // Only told where it can spare something: not when nothing is judged (a retry
            // without conditional cleaning) or when an outer data table spares it already.
            let data_table = judge && judged == Table && self.is_data_table(c);
            self.clean(c, in_data_table || data_table);
            if judge
                && !data_table
                && matches!(judged, Table | Ul | Div)
                && self.drops_conditionally(c)
            {
                self.removed[c as usize] = true;
            }
        }
    }

    /// readability's `_cleanConditionally`: too many links, images, inputs or list items for
    /// its text, or too little text.
    fn drops_conditionally(&mut self, n: u32) -> bool {
        use Tag::*;
        let tag = self.t.nodes[n as usize].tag;
        if self.has_ancestor(n, &[Code]) {
            return false;
        }
        let weight = self.class_weight(n);
        if weight < 0.0 {
            return true;
        }
        self.remeasure(n);
        if self.commas[n as usize] >= 10 {
            return false;
        }
        let len = self.len[n as usize];
        let is_list =
            matches!(tag, Ul | Ol) || (len > 0 && self.list_len(n) as f32 / len as f32 > 0.9);
        let p = self.count(n, &[P]);
        let img = self.count(n, &[Img]);
        let li = self.count(n, &[Li]) as isize - 100;
        let input = self.count(n, &[Input]);
        let embeds = self.count(n, &[Object, Embed]);
        let density = self.link_density(n);
        let in_figure = self.has_ancestor(n, &[Figure]);
        (img > 1 && (p as f32 / img as f32) < 0.5 && !in_figure)
            || (!is_list && li > p as isize)
            || (input > p / 3)
            || (!is_list && len < 25 && (img == 0 || img > 2) && !in_figure)
            || (!is_list && weight < 25.0 && density > 0.2)
            || (weight >= 25.0 && density > 0.5)
            || ((embeds == 1 && len < 75) || embeds > 1)
    }

    /// The parts' text: a paragraph break around each block, a line break for `<br>`,
    /// entities decoded, whitespace tidied.
    fn render(&self, parts: &[u32]) -> String {
        let mut out = String::new();
        for &p in parts {
            self.render_node(p, &mut out);
            out.push_str("\n\n");
        }
        tidy(&out)
    }

    fn render_node(&self, n: u32, out: &mut String) {
        use Tag::*;
        let node = &self.t.nodes[n as usize];
        match node.tag {
            Text => {
                let raw = self.t.text(node.range);
                if raw.contains('&') {
                    out.push_str(&html_escape::decode_html_entities(raw));
                } else {
                    out.push_str(raw);
                }
            }
            Br => out.push('\n'),
            Svg | Math | Select | Textarea | Button | Input => {}
            tag => {
                let block = tag.block() || self.as_p[n as usize];
                if block {
                    out.push_str("\n\n");
                }
                for c in self.kids(n) {
                    self.render_node(c, out);
                }
                if block {
                    out.push_str("\n\n");
                } else if matches!(tag, Td | Th) {
                    out.push(' ');
                }
            }
        }
    }
}

/// Trims every line, keeps one space between words and one blank line between paragraphs.
pub fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else {
            blank += 1;
            continue;
        };
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(first);
        for word in words {
            out.push(' ');
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::htmltree::build;

    fn read(html: &str) -> Article {
        article(&build(html).unwrap())
    }

    const PROSE: &str = "The river town held its annual fair on the first weekend of autumn, \
        and visitors came from every village along the valley, by road and by boat, to see the \
        races, the stalls and the evening lights over the water. ";

    fn page(head: &str, body: &str) -> String {
        format!("<html><head>{head}</head><body>{body}</body></html>")
    }

    #[test]
    fn every_pattern_compiles() {
        for r in [&UNLIKELY, &MAYBE, &POSITIVE, &NEGATIVE, &BYLINE, &SHARE] {
            assert!(!r.as_str().is_empty());
        }
    }

    #[test]
    fn the_article_is_kept_and_navigation_left_out() {
        let a = read(&page(
            "<title>Fair day | The Valley Times</title>",
            &format!(
                "<div class=menu><a href=/>Home</a> <a href=/news>News</a></div>\
                 <div class=post><h1>Fair day</h1><p class=byline>By A. Writer</p>\
                 <p>{p}</p><p>{p}</p><p>{p}</p>\
                 <div class=share-tools><a href=/s>Share this</a></div></div>\
                 <div class=sidebar><p>Read more: {p}</p></div>\
                 <footer>Copyright, all rights reserved</footer>",
                p = PROSE.repeat(2)
            ),
        ));
        assert_eq!(a.title, "Fair day | The Valley Times");
        assert!(a.text.starts_with("The river town"), "{}", a.text);
        assert_eq!(a.text.matches("annual fair").count(), 6, "{}", a.text);
        for boilerplate in [
            "Home",
            "Fair day",
            "A. Writer",
            "Share this",
            "Read more",
            "Copyright",
        ] {
            assert!(!a.text.contains(boilerplate), "{boilerplate}: {}", a.text);
        }
        // Paragraphs stay apart.
        assert_eq!(a.text.matches("\n\n").count(), 2, "{}", a.text);
    }

    #[test]
    fn hidden_elements_and_entities() {
        let a = read(&page(
            "",
            &format!(
                "<article><p>{p}</p><p hidden>Secret</p><div style=\"display: none\">Gone</div>\
                 <p>Fish &amp; chips &eacute;t&eacute; &#8212; &#x41;</p></article>",
                p = PROSE.repeat(4)
            ),
        ));
        assert!(
            !a.text.contains("Secret") && !a.text.contains("Gone"),
            "{}",
            a.text
        );
        assert!(a.text.ends_with("Fish & chips été — A"), "{}", a.text);
    }

    #[test]
    fn a_short_article_is_read_again_with_fewer_rules() {
        // Under the threshold with unlikely elements dropped: the retries keep it whole.
        let a = read(&page(
            "",
            &format!("<div class=comment-thread><p>{}</p></div>", PROSE.repeat(3)),
        ));
        assert!(a.text.contains("annual fair"), "{:?}", a.text);
        assert!(read(&page("", "")).text.is_empty());
        assert!(
            read("just text, no markup at all")
                .text
                .contains("no markup")
        );
    }

    #[test]
    fn a_page_without_html_or_body_still_has_its_article_found() {
        let a = read(&format!(
            "<title>T</title><ul><li><a href=/a>Home</a><li><a href=/b>News</a></ul>\
             <div><p>{p}</p><p>{p}</p></div><ul><li><a href=/c>More stories</a></ul>",
            p = PROSE.repeat(2)
        ));
        assert!(a.text.starts_with("The river town"), "{}", a.text);
        assert!(
            !a.text.contains("Home") && !a.text.contains("More stories"),
            "{}",
            a.text
        );
    }

    #[test]
    fn titles_prefer_metadata_then_cut_the_site_name() {
        let title = |head: &str| read(&page(head, "<p>x</p>")).title;
        assert_eq!(
            title(
                "<title>A | B</title><meta property=\"og:title\" content=\"The &amp; headline\">"
            ),
            "The & headline"
        );
        assert_eq!(
            title("<title>Four words of headline | Site</title>"),
            "Four words of headline | Site"
        );
        assert_eq!(
            title("<title>Five words of a headline - Site Name</title>"),
            "Five words of a headline"
        );
        assert_eq!(
            title("<title>Site | A long enough headline for the page</title>"),
            "A long enough headline for the page"
        );
        assert_eq!(title("<title>  Fair\n day </title>"), "Fair day");
    }

    #[test]
    fn a_title_too_short_or_too_long_gives_way_to_the_only_h1() {
        let title = |head: &str, body: &str| read(&page(head, body)).title;
        let h1 = "<h1>The river town &amp; its annual fair</h1><p>x</p>";
        assert_eq!(
            title("<title>Home</title>", h1),
            "The river town & its annual fair"
        );
        let long = format!("<title>{}</title>", "word ".repeat(40));
        assert_eq!(title(&long, h1), "The river town & its annual fair");
        // Two <h1>s, an <h1> of four words or fewer, a title of a fit length: the title stays.
        assert_eq!(title("<title>Home</title>", &h1.repeat(2)), "Home");
        assert_eq!(title("<title>Home</title>", "<h1>Fair day</h1>"), "Home");
        assert_eq!(
            title("<title>Fair day at the river</title>", h1),
            "Fair day at the river"
        );
        // A whole page inside one <h1> is not a headline.
        let wrapped = format!("<h1><p>{}</p></h1>", PROSE.repeat(8));
        assert_eq!(title("<title>Home</title>", &wrapped), "Home");
    }

    #[test]
    fn a_colon_in_the_title_stays_when_a_heading_repeats_the_title() {
        let title = |body: &str| {
            read(&page(
                "<title>Rust: a language for building reliable software</title>",
                body,
            ))
            .title
        };
        assert_eq!(
            title("<p>x</p>"),
            "a language for building reliable software"
        );
        assert_eq!(
            title("<h2>Rust:  a language\nfor building reliable software</h2>"),
            "Rust: a language for building reliable software"
        );
        assert_eq!(
            title("<h2>Rust: a language for building reliable software, and more</h2>"),
            "a language for building reliable software"
        );
    }

    #[test]
    fn what_sits_inside_a_data_table_is_never_judged() {
        // A cell's div of links would be dropped for its link density anywhere else.
        let table = |head: &str| {
            read(&page(
                "",
                &format!(
                    "<article><p>{p}</p><table>{head}<tr><td>Fair</td>\
                     <td><div><a href=/a>Schedule</a></div></td></tr></table><p>{p}</p></article>",
                    p = PROSE.repeat(3)
                ),
            ))
            .text
        };
        let data = table("<tr><th>Event</th><th>Details</th></tr>");
        assert!(data.contains("Schedule"), "{data}");
        let layout = table("");
        assert!(!layout.contains("Schedule"), "{layout}");
    }

    #[test]
    fn br_chains_end_paragraphs_as_readability_makes_them() {
        // A post written with line breaks (Blogger's classic shape): scored as one paragraph,
        // its wrapper won and brought the tags box along; as four, the post itself wins.
        let a = read(&page(
            "",
            &format!(
                "<div id=wrap><div class=post-body>{p}<br><br>{p}<br>\n <br>{p}<br><br><br>{p}\
                 <br>one break</div><div><p>Tags: autumn fair, river boats</p>\
                 <p>Leave a comment</p></div></div>",
                p = PROSE
            ),
        ));
        assert_eq!(a.text.matches("annual fair").count(), 4, "{}", a.text);
        assert!(!a.text.contains("Tags:"), "{}", a.text);
        assert_eq!(a.text.matches("\n\n").count(), 3, "{}", a.text);
        assert!(a.text.ends_with("\none break"), "{}", a.text);
    }

    #[test]
    fn a_div_around_one_paragraph_counts_as_that_paragraph() {
        // Beside the article, a div holding one short sentence joins it as a paragraph would;
        // with a link for most of its text it stays a div, and out.
        let read_with = |last: &str| {
            read(&page(
                "",
                &format!(
                    "<div id=wrap><div class=post><p>{p}</p><p>{p}</p><p>{p}</p></div>\
                     <div> <p>{last}</p> </div></div>",
                    p = PROSE
                ),
            ))
            .text
        };
        let kept = read_with("That was the day.");
        assert!(kept.ends_with("\n\nThat was the day."), "{kept}");
        let linked = read_with("That was <a href=/d>the day</a>.");
        assert!(!linked.contains("That was"), "{linked}");
    }

    #[test]
    fn headline_similarity_is_readabilitys() {
        assert!(similarity("The headline of the day", "the Headline of the day!") > 0.99);
        assert!(similarity("The headline", "Something else entirely") < 0.1);
        assert_eq!(similarity("", "x"), 0.0);
    }

    #[test]
    fn tidy_trims_lines_and_keeps_one_blank_line_between_paragraphs() {
        assert_eq!(
            tidy("  a \t b  \n\n \n\tc\u{a0}d\nnext  \n\n"),
            "a b\n\nc d\nnext"
        );
        assert_eq!(tidy(" \n\t\n"), "");
    }

    #[test]
    fn every_corpus_page_gives_its_article() {
        // The page whose <html> has an unlikely class ("header-spacing") once lost its
        // article to the body's navigation; every page must give a real article.
        for (path, html) in crate::testdata::corpus_pages() {
            let a = read(&html);
            assert!(a.text.len() > 200, "{}: {:?}", path.display(), a.text);
            assert!(!a.title.is_empty(), "{}", path.display());
        }
    }
}
