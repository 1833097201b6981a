//! A page as a compact element tree, built straight from its bytes, for the main-text rules in
//! [`crate::readability`].
//!
//! This is not a conforming HTML parser. It keeps what the rules read (elements, their class,
//! id and a few flags, text as ranges of the page) and closes elements as browsers do in the
//! cases that matter for text: void elements, `<p>` closed by a block, list items, table
//! cells, options and links closing their open kin, headings closing headings, end tags that
//! close through inline elements but never out of a block. Scripts, styles, templates,
//! `<noscript>`, `<iframe>`, `<textarea>` and comments are skipped unread; the `<title>` is
//! kept aside. Nothing is copied: a node holds offsets into the page.
//!
//! A page deeper than [`MAX_DEPTH`] or with more than [`MAX_ELEMENTS`] elements and text runs
//! is refused:
//! no real page comes near either (the corpus's deepest is 51 deep, its largest 3,467 nodes),
//! and the rules walk the tree recursively. Within the limits, the slowest shape measured (500
//! deep around 60,000 elements, 2.2 MB) took 1.5 s to extract, where a corpus page takes
//! about 0.2 ms.

use memchr::{memchr, memmem};

/// Deepest nesting of open elements a page may have.
pub const MAX_DEPTH: usize = 512;
/// Most elements and text runs a page may have. Text runs count too: comments between
/// characters would otherwise split 10 MB of text into a million nodes.
pub const MAX_ELEMENTS: usize = 100_000;

/// No node: the end of a sibling list, or the root's parent.
pub const NONE: u32 = u32::MAX;

/// The elements the rules tell apart; every other element is [`Tag::Inline`] (text-level) or
/// [`Tag::Other`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tag {
    Text,
    Root,
    Other,
    Inline,
    Html,
    Head,
    Body,
    P,
    Div,
    Span,
    A,
    Br,
    Hr,
    Img,
    Pre,
    Td,
    Th,
    Tr,
    Table,
    TBody,
    THead,
    TFoot,
    Caption,
    Section,
    Article,
    Main,
    Aside,
    Nav,
    Footer,
    Header,
    H1,
    H2,
    H3,
    H4,
    H5,
    H6,
    Ul,
    Ol,
    Li,
    Dl,
    Dt,
    Dd,
    Blockquote,
    Form,
    Fieldset,
    Input,
    Textarea,
    Select,
    Button,
    Opt,
    Object,
    Embed,
    Link,
    Meta,
    Figure,
    Figcaption,
    Code,
    Address,
    Center,
    Picture,
    Source,
    Video,
    Audio,
    Svg,
    Math,
    Details,
    Summary,
}

use Tag::*;

impl Tag {
    fn from_name(n: &[u8]) -> Tag {
        match n {
            b"html" => Html,
            b"head" => Head,
            b"body" => Body,
            b"p" => P,
            b"div" => Div,
            b"span" => Span,
            b"a" => A,
            b"br" => Br,
            b"hr" => Hr,
            b"img" => Img,
            b"pre" | b"listing" => Pre,
            b"td" => Td,
            b"th" => Th,
            b"tr" => Tr,
            b"table" => Table,
            b"tbody" => TBody,
            b"thead" => THead,
            b"tfoot" => TFoot,
            b"caption" => Caption,
            b"section" => Section,
            b"article" => Article,
            b"main" => Main,
            b"aside" => Aside,
            b"nav" => Nav,
            b"footer" => Footer,
            b"header" => Header,
            b"h1" => H1,
            b"h2" => H2,
            b"h3" => H3,
            b"h4" => H4,
            b"h5" => H5,
            b"h6" => H6,
            b"ul" | b"menu" | b"dir" => Ul,
            b"ol" => Ol,
            b"li" => Li,
            b"dl" => Dl,
            b"dt" => Dt,
            b"dd" => Dd,
            b"blockquote" => Blockquote,
            b"form" => Form,
            b"fieldset" => Fieldset,
            b"input" => Input,
            b"select" => Select,
            b"button" => Button,
            b"option" => Opt,
            b"object" => Object,
            b"embed" => Embed,
            b"link" => Link,
            b"meta" => Meta,
            b"figure" => Figure,
            b"figcaption" => Figcaption,
            b"code" => Code,
            b"address" => Address,
            b"center" => Center,
            b"picture" => Picture,
            b"source" => Source,
            b"video" => Video,
            b"audio" => Audio,
            b"svg" => Svg,
            b"math" => Math,
            b"details" => Details,
            b"summary" => Summary,
            b"abbr" | b"b" | b"bdi" | b"bdo" | b"cite" | b"data" | b"dfn" | b"em" | b"i"
            | b"kbd" | b"label" | b"mark" | b"q" | b"ruby" | b"rt" | b"rp" | b"s" | b"samp"
            | b"small" | b"strong" | b"sub" | b"sup" | b"time" | b"u" | b"var" | b"font"
            | b"del" | b"ins" | b"strike" | b"tt" | b"big" | b"nobr" => Inline,
            _ => Other,
        }
    }

    /// Elements that never have children.
    fn void(self, name: &[u8]) -> bool {
        matches!(self, Br | Hr | Img | Input | Embed | Link | Meta | Source)
            || matches!(
                name,
                b"area" | b"base" | b"col" | b"param" | b"track" | b"wbr" | b"keygen" | b"frame"
            )
    }

    /// Starting one of these closes an open `<p>`.
    fn closes_p(self) -> bool {
        matches!(
            self,
            Address
                | Article
                | Aside
                | Blockquote
                | Center
                | Details
                | Div
                | Dl
                | Fieldset
                | Figcaption
                | Figure
                | Footer
                | Form
                | Header
                | Hr
                | Main
                | Nav
                | Ol
                | P
                | Pre
                | Section
                | Summary
                | Table
                | Ul
                | Li
                | Dd
                | Dt
        ) || self.heading()
    }

    pub fn heading(self) -> bool {
        matches!(self, H1 | H2 | H3 | H4 | H5 | H6)
    }

    /// Set apart from its neighbours by a paragraph break in the text.
    pub fn block(self) -> bool {
        matches!(
            self,
            P | Div
                | Pre
                | Tr
                | Table
                | Caption
                | Section
                | Article
                | Main
                | Aside
                | Nav
                | Footer
                | Header
                | Ul
                | Ol
                | Li
                | Dl
                | Dt
                | Dd
                | Blockquote
                | Form
                | Fieldset
                | Figure
                | Figcaption
                | Address
                | Center
                | Hr
                | Details
                | Summary
        ) || self.heading()
    }

    /// Text-level content: what readability gathers into a paragraph of its own.
    pub fn phrasing(self) -> bool {
        matches!(
            self,
            Text | Span
                | A
                | Br
                | Img
                | Inline
                | Code
                | Input
                | Select
                | Textarea
                | Button
                | Embed
                | Object
                | Audio
                | Video
                | Picture
                | Svg
                | Math
        )
    }
}

/// `href` starts with `#`: a link within the page, which readability weighs at 0.3.
pub const HASH_HREF: u8 = 1;
/// `hidden`, `aria-hidden="true"`, or a style of `display: none` / `visibility: hidden`.
pub const HIDDEN: u8 = 2;
/// A `role` readability drops: menu, menubar, complementary, navigation, alert(dialog),
/// dialog.
pub const UNLIKELY_ROLE: u8 = 4;
/// `rel="author"` or an `itemprop` naming the author.
pub const AUTHOR: u8 = 8;

/// An element or a run of text. Children are a linked list: first, last and next sibling.
#[derive(Clone, Debug)]
pub struct Node {
    pub tag: Tag,
    pub parent: u32,
    pub first: u32,
    pub last: u32,
    pub next: u32,
    /// Text: its bytes in the page (entities not yet decoded). Element: its `class` value.
    pub range: (u32, u32),
    /// Element: its `id` value.
    pub id: (u32, u32),
    /// Element: its name in the page, to match end tags of elements not in [`Tag`].
    pub name: (u32, u32),
    pub flags: u8,
}

/// The page's elements and text, node 0 the root, every node after its parent.
pub struct Tree<'a> {
    pub src: &'a str,
    pub nodes: Vec<Node>,
    /// The first `<title>` outside `<svg>`, as a range of the page.
    pub title: (u32, u32),
    /// `<meta>` titles (og:title and kin): key, then content, ranges of the page.
    pub meta_titles: Vec<((u32, u32), (u32, u32))>,
    /// Deepest nesting of open elements met.
    pub depth: usize,
}

/// Why a page was not built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TooComplex {
    #[error("elements nest deeper than {0}")]
    Deep(usize),
    #[error("more than {0} elements and text runs")]
    Large(usize),
}

impl<'a> Tree<'a> {
    /// A slice of the page; empty if the range is not one (it always is for ranges taken from
    /// the tree).
    pub fn text(&self, range: (u32, u32)) -> &'a str {
        self.src
            .get(range.0 as usize..range.1 as usize)
            .unwrap_or("")
    }

    pub fn class(&self, n: u32) -> &'a str {
        let node = &self.nodes[n as usize];
        if node.tag == Text {
            return "";
        }
        self.text(node.range)
    }

    pub fn id(&self, n: u32) -> &'a str {
        self.text(self.nodes[n as usize].id)
    }

    pub fn children(&self, n: u32) -> Children<'_, 'a> {
        Children {
            tree: self,
            at: self.nodes[n as usize].first,
        }
    }

    /// The `<body>`, or the root when the page has none.
    pub fn body(&self) -> u32 {
        self.nodes
            .iter()
            .position(|n| n.tag == Body)
            .map_or(0, |i| i as u32)
    }

    fn push(&mut self, tag: Tag, parent: u32, range: (u32, u32)) -> u32 {
        let i = self.nodes.len() as u32;
        self.nodes.push(Node {
            tag,
            parent,
            first: NONE,
            last: NONE,
            next: NONE,
            range,
            id: (0, 0),
            name: (0, 0),
            flags: 0,
        });
        if parent != NONE {
            let last = self.nodes[parent as usize].last;
            if last == NONE {
                self.nodes[parent as usize].first = i;
            } else {
                self.nodes[last as usize].next = i;
            }
            self.nodes[parent as usize].last = i;
        }
        i
    }
}

pub struct Children<'t, 'a> {
    tree: &'t Tree<'a>,
    at: u32,
}

impl Iterator for Children<'_, '_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        let n = self.at;
        if n == NONE {
            return None;
        }
        self.at = self.tree.nodes[n as usize].next;
        Some(n)
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Where the raw text of an element opened before `from` ends: its `</name` (any case), or
/// the end of the page.
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> usize {
    let mut at = from;
    while let Some(i) = memmem::find(&b[at..], b"</").map(|i| i + at) {
        let rest = &b[i + 2..];
        if rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name) {
            return i;
        }
        at = i + 2;
    }
    b.len()
}

/// Past the `>` after `from`, or the end of the page.
fn past_gt(b: &[u8], from: usize) -> usize {
    memchr(b'>', &b[from..]).map_or(b.len(), |k| from + k + 1)
}

/// One tag's attributes, as far as the rules read them.
#[derive(Default)]
struct Attrs {
    class: (u32, u32),
    id: (u32, u32),
    flags: u8,
    /// `property` or `name`, and `content`: a `<meta>`'s.
    meta_key: (u32, u32),
    meta_content: (u32, u32),
    self_closing: bool,
}

/// Reads the attributes from `j` to the tag's `>` outside quotes; returns where the tag ends.
fn attributes(b: &[u8], mut j: usize, keep: bool, a: &mut Attrs) -> usize {
    loop {
        while j < b.len() && is_space(b[j]) {
            j += 1;
        }
        let Some(&c) = b.get(j) else {
            return j;
        };
        if c == b'>' {
            return j + 1;
        }
        if c == b'/' {
            a.self_closing = b.get(j + 1) == Some(&b'>');
            j += 1;
            continue;
        }
        let name_at = j;
        // An attribute name runs to whitespace, `/`, `>` or `=` (a leading `=` belongs to it).
        j += 1;
        while j < b.len()
            && !matches!(
                b[j],
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>' | b'='
            )
        {
            j += 1;
        }
        let name = &b[name_at..j];
        while j < b.len() && is_space(b[j]) {
            j += 1;
        }
        let mut value = (j as u32, j as u32);
        if b.get(j) == Some(&b'=') {
            j += 1;
            while j < b.len() && is_space(b[j]) {
                j += 1;
            }
            match b.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = memchr(q, &b[j + 1..]).map_or(b.len(), |e| j + 1 + e);
                    value = ((j + 1) as u32, end as u32);
                    j = (end + 1).min(b.len());
                }
                _ => {
                    let s = j;
                    while j < b.len() && !is_space(b[j]) && b[j] != b'>' {
                        j += 1;
                    }
                    value = (s as u32, j as u32);
                }
            }
        }
        if keep {
            attribute(b, name, value, a);
        }
    }
}

fn attribute(b: &[u8], name: &[u8], value: (u32, u32), a: &mut Attrs) {
    let v = &b[value.0 as usize..value.1 as usize];
    let has = |needle: &[u8]| {
        v.windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
    if is("class") {
        a.class = value;
    } else if is("id") {
        a.id = value;
    } else if is("href") {
        if v.first() == Some(&b'#') {
            a.flags |= HASH_HREF;
        }
    } else if is("hidden") {
        a.flags |= HIDDEN;
    } else if is("aria-hidden") {
        if v.eq_ignore_ascii_case(b"true") {
            a.flags |= HIDDEN;
        }
    } else if is("style") {
        let squeezed: Vec<u8> = v
            .iter()
            .filter(|c| !is_space(**c))
            .map(u8::to_ascii_lowercase)
            .collect();
        let hides = |n: &[u8]| squeezed.windows(n.len()).any(|w| w == n);
        if hides(b"display:none") || hides(b"visibility:hidden") {
            a.flags |= HIDDEN;
        }
    } else if is("role") {
        const ROLES: [&[u8]; 7] = [
            b"menu",
            b"menubar",
            b"complementary",
            b"navigation",
            b"alert",
            b"alertdialog",
            b"dialog",
        ];
        if ROLES.iter().any(|r| v.eq_ignore_ascii_case(r)) {
            a.flags |= UNLIKELY_ROLE;
        }
    } else if is("rel") {
        if v.eq_ignore_ascii_case(b"author") {
            a.flags |= AUTHOR;
        }
    } else if is("itemprop") {
        if has(b"author") {
            a.flags |= AUTHOR;
        }
    } else if is("property") || is("name") {
        a.meta_key = value;
    } else if is("content") {
        a.meta_content = value;
    }
}

/// `<meta>` keys that name the page's title, as readability reads them, in its order of
/// preference: [`crate::readability`] takes the first found.
pub const META_TITLES: [&str; 6] = [
    "dc:title",
    "dcterm:title",
    "og:title",
    "title",
    "twitter:title",
    "parsely-title",
];

/// Builds the tree of `src`, or says why the page is refused.
pub fn build(src: &str) -> Result<Tree<'_>, TooComplex> {
    build_within(src, MAX_DEPTH, MAX_ELEMENTS)
}

/// [`build`] with other limits.
pub fn build_within(
    src: &str,
    max_depth: usize,
    max_elements: usize,
) -> Result<Tree<'_>, TooComplex> {
    let b = src.as_bytes();
    let mut t = Tree {
        src,
        // Sized for a typical page's tags, never past the limit: a huge input must be
        // refused, not reserve memory for nodes it will never be allowed.
        nodes: Vec::with_capacity((b.len() / 32).min(max_elements.saturating_add(2))),
        title: (0, 0),
        meta_titles: Vec::new(),
        depth: 0,
    };
    t.push(Root, NONE, (0, 0));
    let mut open: Vec<u32> = vec![0];
    let mut end_tags = 0usize;
    let mut lowered = [0u8; 16];
    let mut i = 0;
    while i < b.len() {
        // The root is not counted.
        if t.nodes.len() - 1 > max_elements {
            return Err(TooComplex::Large(max_elements));
        }
        let Some(lt) = memchr(b'<', &b[i..]).map(|k| k + i) else {
            add_text(&mut t, &open, i, b.len());
            break;
        };
        if lt > i {
            add_text(&mut t, &open, i, lt);
        }
        i = lt;
        let next = b.get(i + 1).copied().unwrap_or(0);
        if next == b'!' || next == b'?' {
            i = if b[i..].starts_with(b"<!--") {
                memmem::find(&b[i + 4..], b"-->").map_or(b.len(), |e| i + 4 + e + 3)
            } else {
                past_gt(b, i)
            };
            continue;
        }
        let closing = next == b'/';
        let name_at = i + 1 + usize::from(closing);
        if !b.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
            // A `<` that opens no tag is text.
            add_text(&mut t, &open, i, i + 1);
            i += 1;
            continue;
        }
        let mut name_end = name_at;
        while name_end < b.len()
            && !matches!(
                b[name_end],
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>'
            )
        {
            name_end += 1;
        }
        let raw = &b[name_at..name_end];
        let name: &[u8] = if raw.len() <= lowered.len() {
            for (d, s) in lowered.iter_mut().zip(raw) {
                *d = s.to_ascii_lowercase();
            }
            &lowered[..raw.len()]
        } else {
            b"-"
        };
        let tag = Tag::from_name(name);
        let mut a = Attrs::default();
        let tag_end = attributes(b, name_end, !closing, &mut a);
        if closing {
            // End tags add no node, yet each may search the open elements: they are bounded
            // by the same limit, or a page of them could cost a search each, unchecked.
            end_tags += 1;
            if end_tags > max_elements {
                return Err(TooComplex::Large(max_elements));
            }
            close(&t, &mut open, tag, raw);
            i = tag_end;
            continue;
        }
        // Raw text: skipped unread, or (a title) kept whole.
        if matches!(
            name,
            b"script"
                | b"style"
                | b"noscript"
                | b"template"
                | b"iframe"
                | b"noembed"
                | b"noframes"
                | b"xmp"
                | b"textarea"
                | b"title"
                | b"plaintext"
        ) && !(name == b"title" && in_svg(&t, &open))
        {
            let end = raw_text_end(b, tag_end, name);
            if name == b"title" && t.title == (0, 0) {
                t.title = (tag_end as u32, end as u32);
            }
            i = past_gt(b, end);
            continue;
        }
        if tag == Meta && a.meta_key != (0, 0) {
            let key = &b[a.meta_key.0 as usize..a.meta_key.1 as usize];
            if META_TITLES
                .iter()
                .any(|k| key.eq_ignore_ascii_case(k.as_bytes()))
            {
                t.meta_titles.push((a.meta_key, a.meta_content));
            }
        }
        open_implied(&t, &mut open, tag);
        // In SVG `<x/>` is empty; in HTML the slash means nothing.
        let empty = tag.void(name) || (a.self_closing && (tag == Svg || in_svg(&t, &open)));
        let parent = open.last().copied().unwrap_or(0);
        let n = t.push(tag, parent, a.class);
        let node = &mut t.nodes[n as usize];
        node.id = a.id;
        node.name = (name_at as u32, name_end as u32);
        node.flags = a.flags;
        if !empty {
            open.push(n);
            t.depth = t.depth.max(open.len() - 1);
            if open.len() - 1 > max_depth {
                return Err(TooComplex::Deep(max_depth));
            }
        }
        i = tag_end;
    }
    if t.nodes.len() - 1 > max_elements {
        return Err(TooComplex::Large(max_elements));
    }
    Ok(t)
}

/// Inside an open `<svg>`, `<x/>` is empty and `<title>` is an element. Asked only of a
/// `<title>` or a self-closing tag, so the search of the open elements is rare.
fn in_svg(t: &Tree<'_>, open: &[u32]) -> bool {
    open.iter().any(|&n| t.nodes[n as usize].tag == Svg)
}

fn add_text(t: &mut Tree<'_>, open: &[u32], s: usize, e: usize) {
    let parent = open.last().copied().unwrap_or(0);
    // Text split by a skipped comment, or by a `<` that opened nothing, is one run.
    let last = t.nodes[parent as usize].last;
    if last != NONE {
        let prev = &mut t.nodes[last as usize];
        if prev.tag == Text && prev.range.1 as usize == s {
            prev.range.1 = e as u32;
            return;
        }
    }
    t.push(Text, parent, (s as u32, e as u32));
}

/// Index in `open` of the nearest open element of a `want`ed kind, searching no further than
/// a `boundary` kind.
fn find_open(t: &Tree<'_>, open: &[u32], want: &[Tag], boundary: &[Tag]) -> Option<usize> {
    for (k, &n) in open.iter().enumerate().rev() {
        let tag = t.nodes[n as usize].tag;
        if want.contains(&tag) {
            return Some(k);
        }
        if boundary.contains(&tag) || tag == Root {
            return None;
        }
    }
    None
}

/// The end tags a start tag implies.
fn open_implied(t: &Tree<'_>, open: &mut Vec<u32>, tag: Tag) {
    const SCOPE: &[Tag] = &[Html, Table, Td, Th, Caption, Object, Button];
    let mut close_to = |want: &[Tag], boundary: &[Tag]| {
        if let Some(k) = find_open(t, open, want, boundary) {
            open.truncate(k);
        }
    };
    if tag.closes_p() {
        close_to(&[P], SCOPE);
    }
    match tag {
        Li => close_to(&[Li], &[Ul, Ol, Table, Td, Th]),
        Dd | Dt => close_to(&[Dd, Dt], &[Dl, Table, Td, Th]),
        Tr => close_to(&[Tr], &[Table]),
        Td | Th => close_to(&[Td, Th], &[Tr, Table]),
        TBody | THead | TFoot => close_to(&[TBody, THead, TFoot], &[Table]),
        Opt => close_to(&[Opt], &[Select]),
        A => close_to(&[A], &[Td, Th, Table, Div, P, Li]),
        _ if tag.heading() => {
            if let Some(&top) = open.last()
                && t.nodes[top as usize].tag.heading()
            {
                open.pop();
            }
        }
        _ => {}
    }
}

/// An end tag: closes the nearest open element of its name (`</body>` and `</html>` close
/// nothing, as in browsers). Text-level and unknown elements
/// close no further than the nearest block, and nothing but table parts closes out of a table
/// cell; an end tag with nothing to close is ignored.
fn close(t: &Tree<'_>, open: &mut Vec<u32>, tag: Tag, raw_name: &[u8]) {
    // Browsers keep what follows `</body>` or `</html>` in the body.
    if matches!(tag, Br | Body | Html) {
        return;
    }
    for k in (1..open.len()).rev() {
        let n = &t.nodes[open[k] as usize];
        let same = n.tag == tag
            && (!matches!(tag, Other | Inline)
                || t.text(n.name).as_bytes().eq_ignore_ascii_case(raw_name));
        if same {
            open.truncate(k);
            return;
        }
        if (tag.phrasing() || tag == Other) && n.tag.block() {
            return;
        }
        if matches!(n.tag, Table | Td | Th)
            && !matches!(tag, Table | Td | Th | Tr | TBody | THead | TFoot | Caption)
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree as nested tags, text in quotes: `body(p("a") p("b"))`.
    fn shape(html: &str) -> String {
        let t = build(html).unwrap();
        fn walk(t: &Tree<'_>, n: u32, out: &mut String) {
            let node = &t.nodes[n as usize];
            if node.tag == Text {
                out.push_str(&format!("{:?}", t.text(node.range)));
                return;
            }
            if n != 0 {
                out.push_str(&t.text(node.name).to_ascii_lowercase());
            }
            let kids: Vec<u32> = t.children(n).collect();
            if !kids.is_empty() {
                out.push('(');
                for (i, c) in kids.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    walk(t, *c, out);
                }
                out.push(')');
            }
        }
        let mut s = String::new();
        walk(&t, 0, &mut s);
        s
    }

    #[test]
    fn implied_end_tags_close_as_browsers_do() {
        assert_eq!(shape("<p>a<p>b<div>c</div>"), r#"(p("a") p("b") div("c"))"#);
        assert_eq!(shape("<ul><li>a<li>b</ul>"), r#"(ul(li("a") li("b")))"#);
        assert_eq!(
            shape("<table><tr><td>a<td>b<tr><td>c</table>"),
            r#"(table(tr(td("a") td("b")) tr(td("c"))))"#
        );
        assert_eq!(
            shape("<dl><dt>a<dd>b<dt>c</dl>"),
            r#"(dl(dt("a") dd("b") dt("c")))"#
        );
        assert_eq!(shape("<h2>a<h3>b"), r#"(h2("a") h3("b"))"#);
        assert_eq!(shape("<a href=x>a<a href=y>b"), r#"(a("a") a("b"))"#);
        // Void elements hold nothing; a self-closing slash on an HTML element means nothing.
        assert_eq!(
            shape("<p>a<br>b<img src=x>c<div/>d"),
            r#"(p("a" br "b" img "c") div("d"))"#
        );
    }

    #[test]
    fn end_tags_close_only_what_they_may() {
        // An inline end tag does not close the block it sits in; a stray one is ignored.
        assert_eq!(shape("<div><b>a</div>b</b>c"), r#"(div(b("a")) "b" "c")"#);
        assert_eq!(shape("<div>a</span>b</div>"), r#"(div("a" "b"))"#);
        // A block end tag closes through inline elements.
        assert_eq!(shape("<div><i>a</div>b"), r#"(div(i("a")) "b")"#);
        // Unknown elements match end tags by name, in any case.
        assert_eq!(shape("<x-a><x-b>a</X-A>b"), r#"(x-a(x-b("a")) "b")"#);
        // Nothing but table parts closes out of a cell.
        assert_eq!(
            shape("<table><tr><td><div>a</table>b"),
            r#"(table(tr(td(div("a")))) "b")"#
        );
    }

    #[test]
    fn body_and_svg_end_as_browsers_have_them() {
        // What follows `</body></html>` is still in the body.
        assert_eq!(
            shape("<html><body><p>a</p></body></html><div>b</div>"),
            r#"(html(body(p("a") div("b"))))"#
        );
        // A self-closing `<svg/>` opens nothing, so a later `<div/>` still holds its text.
        assert_eq!(shape("<svg/><div/>x"), r#"(svg div("x"))"#);
        assert_eq!(shape("<svg><path/>t</svg>"), r#"(svg(path "t"))"#);
    }

    #[test]
    fn raw_text_and_comments_are_skipped_and_the_title_kept() {
        let html = "<html><head><title>T &amp; U</title><script>if (a<b) {}</script>\
                    <style>p{}</style></head><body><!-- c <p>x</p> -->\
                    <noscript><p>n</p></noscript><textarea><p>t</p></textarea><p>a</p>\
                    <svg><title>icon</title></svg></body></html>";
        let t = build(html).unwrap();
        assert_eq!(t.text(t.title), "T &amp; U");
        assert_eq!(
            shape(html),
            r#"(html(head body(p("a") svg(title("icon")))))"#
        );
    }

    #[test]
    fn attributes_are_read_in_any_quoting() {
        let t = build(
            "<div class='a b' id=main hidden><a href=\"#top\" rel=AUTHOR>x</a>\
             <p style=\"display: none\" role=navigation data-x=\"a>b\">y</p></div>",
        )
        .unwrap();
        let div = t.nodes.iter().position(|n| n.tag == Div).unwrap() as u32;
        assert_eq!((t.class(div), t.id(div)), ("a b", "main"));
        assert_eq!(t.nodes[div as usize].flags, HIDDEN);
        let a = t.nodes.iter().find(|n| n.tag == A).unwrap();
        assert_eq!(a.flags, HASH_HREF | AUTHOR);
        let p = t.nodes.iter().find(|n| n.tag == P).unwrap();
        assert_eq!(p.flags, HIDDEN | UNLIKELY_ROLE);
        // The quoted `>` did not end the tag: "y" is the paragraph's text.
        assert_eq!(t.text(t.nodes[p.first as usize].range), "y");
    }

    #[test]
    fn meta_titles_are_collected() {
        let t = build(
            "<meta property=\"og:title\" content=\"The headline\"><meta name=description content=x>",
        )
        .unwrap();
        assert_eq!(t.meta_titles.len(), 1);
        assert_eq!(t.text(t.meta_titles[0].1), "The headline");
    }

    #[test]
    fn deep_or_large_pages_are_refused() {
        let deep = "<div>".repeat(MAX_DEPTH + 1);
        assert_eq!(build(&deep).err(), Some(TooComplex::Deep(MAX_DEPTH)));
        assert!(build(&"<div>".repeat(MAX_DEPTH)).is_ok());
        assert_eq!(
            build(&"<br>".repeat(MAX_ELEMENTS + 1)).err(),
            Some(TooComplex::Large(MAX_ELEMENTS))
        );
        assert!(build(&"<br>".repeat(MAX_ELEMENTS)).is_ok());
        // End tags add no node but are bounded all the same.
        assert_eq!(
            build(&"</div>".repeat(MAX_ELEMENTS + 1)).err(),
            Some(TooComplex::Large(MAX_ELEMENTS))
        );
        // Text split by comments is as many nodes as elements would be.
        assert_eq!(
            build(&"a<!---->".repeat(MAX_ELEMENTS + 1)).err(),
            Some(TooComplex::Large(MAX_ELEMENTS))
        );
    }

    #[test]
    fn any_bytes_build_without_panicking() {
        use rand::{Rng, SeedableRng};
        let parts = [
            "<",
            ">",
            "</",
            "<div",
            "<p",
            "</p>",
            "<a href=",
            "\"",
            "'",
            "=",
            " ",
            "x",
            "<!--",
            "-->",
            "<script>",
            "</script",
            "<title>",
            "<svg>",
            "</svg>",
            "/>",
            "<table><td>",
            "&amp;",
            "é",
            "<br/>",
            "<!",
            "<?",
            "</x",
            "<li>",
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(14);
        for _ in 0..3000 {
            let html: String = (0..rng.random_range(0..60))
                .map(|_| parts[rng.random_range(0..parts.len())])
                .collect();
            let t = build(&html).unwrap();
            // Every node's text range is a slice of the page on char boundaries.
            for n in &t.nodes {
                if n.tag == Text {
                    assert!(
                        html.get(n.range.0 as usize..n.range.1 as usize).is_some(),
                        "{html:?}"
                    );
                }
            }
        }
    }
}
