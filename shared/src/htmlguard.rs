//! A cheap pass over a page before the HTML parser sees it, refusing documents nested so deeply
//! that parsing them goes quadratic. html5ever scans the stack of open elements for many start
//! tags (`<div>` looks for an open `<p>` to close), so 200,000 nested `<div>`s cost 10^10 steps:
//! minutes of CPU for one page. libxml2, under trafilatura, refuses depth past 256 for the
//! same reason; we allow more, as real pages rarely pass 60 (the corpus's deepest is 51).
//!
//! The pass approximates the parser's stack: void elements and self-closing tags open nothing,
//! raw-text elements (`script`, `style`, ...) and comments are skipped whole, an end tag closes
//! back to its open element, and the start tags that implicitly close an open element (`<div>`
//! closes a `<p>`, `<li>` an `<li>`, `<td>` a `<td>` in the same table) do so within the same
//! scopes the parser uses. Where it errs, it errs deep: a page cannot look shallower to this
//! pass than to the parser by exploiting those rules (`<p><div>` repeated nests `div`s here too).

/// Deepest nesting a page may have.
pub const MAX_DEPTH: usize = 512;
/// Most elements a page may have; the extractor gives up past this many anyway, so pages over
/// it are refused before the parser spends time on them.
pub const MAX_ELEMENTS: usize = 100_000;

/// Most depth x elements a page may have: the extractor's selectors cost about that much, so a
/// page within both limits above can still take seconds (fuzzing found 505 deep x 99,000
/// elements: 8.6 s). Real pages are far below: the corpus's highest is 51 x 853.
pub const MAX_WORK: usize = 5_000_000;

/// What the pass found, up to the point where a limit was passed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    pub depth: usize,
    pub elements: usize,
}

impl Shape {
    /// Why the page is refused, if it is.
    pub fn refusal(&self) -> Option<String> {
        if self.depth > MAX_DEPTH {
            Some(format!(
                "elements nested more than {MAX_DEPTH} deep (parsing it would take minutes)"
            ))
        } else if self.elements > MAX_ELEMENTS {
            Some(format!("more than {MAX_ELEMENTS} elements"))
        } else if self.depth.saturating_mul(self.elements) > MAX_WORK {
            Some(format!(
                "{} elements nested up to {} deep: depth x elements over {MAX_WORK}",
                self.elements, self.depth
            ))
        } else {
            None
        }
    }
}

/// The page's approximate deepest nesting, stopping as soon as it passes `limit`.
pub fn nesting_depth(html: &str, limit: usize) -> usize {
    measure(html, limit, usize::MAX).depth
}

fn is_void(lower: &str) -> bool {
    matches!(
        lower,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "basefont"
            | "bgsound"
            | "frame"
            | "keygen"
    )
}

fn is_raw_text(lower: &str) -> bool {
    matches!(
        lower,
        "script"
            | "style"
            | "textarea"
            | "title"
            | "xmp"
            | "iframe"
            | "noembed"
            | "noframes"
            | "plaintext"
    )
}

/// Start tags that close an open `<p>` (in button scope), as the parser's "in body" rules do.
fn closes_p(lower: &str) -> bool {
    matches!(
        lower,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "listing"
            | "form"
            | "table"
            | "li"
            | "dd"
            | "dt"
            | "plaintext"
            | "xmp"
    )
}

/// Elements that bound the search for an element to close (the parser's "scopes").
const BUTTON_SCOPE: &[&str] = &[
    "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template", "button",
];
const LIST_SCOPE: &[&str] = &[
    "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template", "ol", "ul",
];
const DEFAULT_SCOPE: &[&str] = &[
    "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template",
];
const TABLE_SCOPE: &[&str] = &["html", "table", "template"];

/// Elements that close an open element of the same kind, and the scope the parser looks in.
fn closes_same(lower: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match lower {
        "li" => (&["li"], LIST_SCOPE),
        "dd" | "dt" => (&["dd", "dt"], DEFAULT_SCOPE),
        // Not `a` or `nobr`: the parser closes those by the adoption agency, which reopens the
        // formatting elements inside them, so a page of unclosed `<b><i><a>` still nests.
        "button" => (&["button"], DEFAULT_SCOPE),
        "td" | "th" => (&["td", "th"], TABLE_SCOPE),
        "tr" => (&["tr"], TABLE_SCOPE),
        "thead" | "tbody" | "tfoot" => (&["thead", "tbody", "tfoot"], TABLE_SCOPE),
        "option" => (&["option"], &["select", "html"]),
        "optgroup" => (&["optgroup", "option"], &["select", "html"]),
        "rb" | "rt" | "rp" | "rtc" => (&["rb", "rt", "rp", "rtc"], &["ruby", "html"]),
        _ => return None,
    })
}

/// Every element some start tag closes implicitly (the `p` of [`closes_p`] and the targets of
/// [`closes_same`]), numbered for the stack's counts. Takes a lowercase name.
fn closable_index(lower: &str) -> Option<u8> {
    Some(match lower {
        "p" => 0,
        "li" => 1,
        "dd" => 2,
        "dt" => 3,
        "button" => 4,
        "td" => 5,
        "th" => 6,
        "tr" => 7,
        "thead" => 8,
        "tbody" => 9,
        "tfoot" => 10,
        "option" => 11,
        "optgroup" => 12,
        "rb" => 13,
        "rt" => 14,
        "rp" => 15,
        "rtc" => 16,
        _ => return None,
    })
}

/// The open elements, innermost last, each with its [`closable_index`], and how many of each
/// closable element are open: a start tag that closes an element not open at all (a `<div>`
/// with no `<p>` open, the common case) then costs no walk down the stack.
#[derive(Default)]
struct Stack<'a> {
    open: Vec<(&'a str, Option<u8>)>,
    closable: [u32; 17],
}

impl<'a> Stack<'a> {
    fn push(&mut self, name: &'a str, lower: &str) {
        let k = closable_index(lower);
        if let Some(k) = k {
            self.closable[usize::from(k)] += 1;
        }
        self.open.push((name, k));
    }

    fn truncate(&mut self, len: usize) {
        for (_, k) in self.open.drain(len..) {
            if let Some(k) = k {
                self.closable[usize::from(k)] -= 1;
            }
        }
    }

    /// Close back to the innermost open element named in `targets` (lowercase), unless a
    /// scope boundary comes first.
    fn close_in_scope(&mut self, targets: &[&str], scope: &[&str]) {
        let any_open = targets
            .iter()
            .any(|t| closable_index(t).is_some_and(|k| self.closable[usize::from(k)] > 0));
        if !any_open {
            return;
        }
        for pos in (0..self.open.len()).rev() {
            let name = self.open[pos].0;
            if is(targets, name) {
                self.truncate(pos);
                return;
            }
            if is(scope, name) {
                return;
            }
        }
    }
}

fn is(set: &[&str], name: &str) -> bool {
    set.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// Where `needle` first occurs in `hay` at or after `from`.
pub(crate) fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay.get(from..)?, needle).map(|p| from + p)
}

/// Position after the `>` that ends a tag starting at `i`, skipping quoted attribute values.
/// Jumps between the bytes that matter: attribute values are most of a tag's length.
fn tag_end(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        let p = i + memchr::memchr3(b'>', b'"', b'\'', b.get(i..)?)?;
        if b[p] == b'>' {
            return Some(p + 1);
        }
        i = p + 1 + memchr::memchr(b[p], b.get(p + 1..)?)? + 1;
    }
}

/// Where the end tag of raw-text element `name` starts, at or after `from`.
fn raw_text_end(b: &[u8], from: usize, name: &str) -> Option<usize> {
    let mut at = from;
    while let Some(p) = find(b, at, b"</") {
        let rest = &b[p + 2..];
        if rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return Some(p);
        }
        at = p + 2;
    }
    None
}

/// The page's approximate deepest nesting and element count, stopping as soon as one passes
/// its limit.
pub fn measure(html: &str, max_depth: usize, max_elements: usize) -> Shape {
    let mut m = Measure::new(max_depth, max_elements);
    m.scan(html, 0);
    m.shape()
}

/// The pass's state, fed one tag at a time: by its own scan ([`Measure::scan`]), or by a scan
/// that reads the page's tags anyway (the pre-strip), which then need not be read twice.
pub(crate) struct Measure<'a> {
    stack: Stack<'a>,
    shape: Shape,
    max_depth: usize,
    max_elements: usize,
}

impl<'a> Measure<'a> {
    pub(crate) fn new(max_depth: usize, max_elements: usize) -> Self {
        Measure {
            stack: Stack::default(),
            shape: Shape::default(),
            max_depth,
            max_elements,
        }
    }

    pub(crate) fn shape(&self) -> Shape {
        self.shape
    }

    /// Whether a limit has been passed: the page is refused, and nothing more need be fed.
    pub(crate) fn over(&self) -> bool {
        self.shape.depth > self.max_depth || self.shape.elements > self.max_elements
    }

    pub(crate) fn end_tag(&mut self, name: &'a str) {
        if let Some(pos) = self
            .stack
            .open
            .iter()
            .rposition(|(o, _)| o.eq_ignore_ascii_case(name))
        {
            self.stack.truncate(pos);
        }
    }

    /// A start tag. Whoever feeds the pass skips the content of raw-text elements (`script`,
    /// `title`, ...) itself.
    pub(crate) fn start_tag(&mut self, name: &'a str, self_closing: bool) {
        self.start(name, Lower::of(name).as_str(), self_closing);
    }

    /// [`Measure::start_tag`] with the name already in lower case ([`Lower`]).
    fn start(&mut self, name: &'a str, lower: &str, self_closing: bool) {
        self.shape.elements += 1;
        if self.over() {
            return;
        }
        if self_closing || is_void(lower) || is_raw_text(lower) {
            return;
        }
        if closes_p(lower) {
            self.stack.close_in_scope(&["p"], BUTTON_SCOPE);
        }
        if let Some((targets, scope)) = closes_same(lower) {
            self.stack.close_in_scope(targets, scope);
        }
        self.stack.push(name, lower);
        self.shape.depth = self.shape.depth.max(self.stack.open.len());
    }

    /// Reads the tags of `html` from byte `from` on, until the end or a limit.
    pub(crate) fn scan(&mut self, html: &'a str, from: usize) {
        let b = html.as_bytes();
        let mut i = from;
        while let Some(p) = b.get(i..).and_then(|rest| memchr::memchr(b'<', rest)) {
            i += p + 1;
            if b[i..].starts_with(b"!--") {
                match find(b, i + 3, b"-->") {
                    Some(e) => i = e + 3,
                    None => break,
                }
                continue;
            }
            let closing = b.get(i) == Some(&b'/');
            let start = if closing { i + 1 } else { i };
            let name_len = b[start..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b':')
                .count();
            if name_len == 0 || !b[start].is_ascii_alphabetic() {
                // `<!doctype>`, `<?xml>`, or a bare `<` in text.
                if matches!(b.get(i), Some(b'!' | b'?')) {
                    match tag_end(b, i) {
                        Some(e) => i = e,
                        None => break,
                    }
                }
                continue;
            }
            // Tag names are ASCII, so slicing at these byte offsets stays on char boundaries.
            let name = &html[start..start + name_len];
            let Some(end) = tag_end(b, start + name_len) else {
                break;
            };
            i = end;
            if closing {
                self.end_tag(name);
                continue;
            }
            let self_closing = b[end - 2] == b'/';
            let lower = Lower::of(name);
            self.start(name, lower.as_str(), self_closing);
            if self.over() {
                break;
            }
            if !self_closing && is_raw_text(lower.as_str()) {
                match raw_text_end(b, i, lower.as_str()) {
                    Some(e) => i = e,
                    None => break,
                }
            }
        }
    }
}

/// A tag name in lower case, for matching; empty when longer than any element this pass
/// knows.
struct Lower {
    buf: [u8; 12],
    len: usize,
}

impl Lower {
    fn of(name: &str) -> Lower {
        let mut buf = [0u8; 12];
        let len = match buf.get_mut(..name.len()) {
            Some(dst) => {
                dst.copy_from_slice(name.as_bytes());
                dst.make_ascii_lowercase();
                name.len()
            }
            None => 0,
        };
        Lower { buf, len }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_follows_the_parsers_stack() {
        assert_eq!(nesting_depth("<html><body><p>hi</p></body></html>", 100), 3);
        // Void and self-closing elements open nothing; end tags close back to their element.
        assert_eq!(
            nesting_depth("<div><img src=x><br/><span><b>x</span></div><div>", 100),
            3
        );
        // Optional end tags close their open sibling.
        assert_eq!(nesting_depth(&"<li>item ".repeat(1000), 100), 1);
        assert_eq!(nesting_depth(&"<p>para <p>para".repeat(1000), 100), 1);
        // Comments, scripts and quoted '>' hide nothing and open nothing.
        assert_eq!(
            nesting_depth(
                "<div title='a>b'><!-- <div><div> --><script>if (a<b) '<div>'</script></div>",
                100
            ),
            1
        );
        assert_eq!(nesting_depth("<div>unclosed <!-- comment", 100), 1);
    }

    #[test]
    fn deep_pages_stop_the_count_early() {
        let deep = "<div>".repeat(200_000);
        assert_eq!(nesting_depth(&deep, MAX_DEPTH), MAX_DEPTH + 1);
        let tables = "<table><tr><td>".repeat(50_000);
        assert!(nesting_depth(&tables, MAX_DEPTH) > MAX_DEPTH);
    }

    #[test]
    fn element_counts_stop_at_the_limit() {
        let many = "<span>a</span>".repeat(1000);
        assert_eq!(measure(&many, 10, usize::MAX).elements, 1000);
        let m = measure(&many, 10, 100);
        assert_eq!((m.depth, m.elements), (1, 101));
        assert!(m.refusal().is_none(), "only the module's own limits refuse");
        let huge = Shape {
            depth: 3,
            elements: MAX_ELEMENTS + 1,
        };
        assert!(huge.refusal().unwrap().contains("elements"));
        // Within both limits, but deep and large together (found by fuzzing: 8.6 s to extract).
        let page = format!("{}{}", "<div>".repeat(505), "<p>x".repeat(99_000));
        let m = measure(&page, MAX_DEPTH, MAX_ELEMENTS);
        assert!(m.depth <= MAX_DEPTH && m.elements <= MAX_ELEMENTS, "{m:?}");
        assert!(m.refusal().unwrap().contains("depth x elements"), "{m:?}");
    }

    #[test]
    fn implicit_closes_do_not_hide_depth() {
        // Unclosed formatting elements around links: the parser reopens them inside each link.
        assert!(nesting_depth(&"<b><i><a href=x>".repeat(10_000), MAX_DEPTH) > MAX_DEPTH);
        // The parser nests these: each <div> closes the <p>, then sits in the previous <div>.
        assert!(nesting_depth(&"<p>x<div>".repeat(10_000), MAX_DEPTH) > MAX_DEPTH);
        // Nested lists and tables nest; siblings do not.
        assert!(nesting_depth(&"<ul><li>".repeat(10_000), MAX_DEPTH) > MAX_DEPTH);
        assert_eq!(
            nesting_depth(&format!("<table>{}", "<tr><td>a<td>b".repeat(1000)), 100),
            3
        );
        assert_eq!(
            nesting_depth(&format!("<ul>{}", "<li>a".repeat(1000)), 100),
            2
        );
    }

    /// The stack's counts only skip walks that would close nothing: random sequences of
    /// opens, implicit closes and end tags leave it as a plain stack walked every time would.
    #[test]
    fn counted_stack_closes_what_a_full_walk_closes() {
        const NAMES: &[&str] = &[
            "p", "P", "div", "li", "ul", "td", "tr", "table", "button", "dd", "dt", "option",
            "select", "html", "span", "rt", "ruby",
        ];
        fn walk(open: &mut Vec<&str>, targets: &[&str], scope: &[&str]) {
            for pos in (0..open.len()).rev() {
                if is(targets, open[pos]) {
                    open.truncate(pos);
                    return;
                }
                if is(scope, open[pos]) {
                    return;
                }
            }
        }
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x9e37_79b9_7f4a_7c15);
        let mut next = |n: usize| rng.random_range(0..n);
        for _ in 0..200 {
            let mut stack = Stack::default();
            let mut plain: Vec<&str> = Vec::new();
            for _ in 0..300 {
                let name = NAMES[next(NAMES.len())];
                let lower = name.to_ascii_lowercase();
                if next(4) == 0 {
                    if let Some(pos) = plain.iter().rposition(|o| o.eq_ignore_ascii_case(name)) {
                        plain.truncate(pos);
                        stack.truncate(pos);
                    }
                    continue;
                }
                if closes_p(&lower) {
                    stack.close_in_scope(&["p"], BUTTON_SCOPE);
                    walk(&mut plain, &["p"], BUTTON_SCOPE);
                }
                if let Some((targets, scope)) = closes_same(&lower) {
                    stack.close_in_scope(targets, scope);
                    walk(&mut plain, targets, scope);
                }
                stack.push(name, &lower);
                plain.push(name);
                let names: Vec<&str> = stack.open.iter().map(|(n, _)| *n).collect();
                assert_eq!(names, plain);
            }
        }
    }

    #[test]
    fn text_with_angle_brackets_and_broken_tags_is_not_a_tag() {
        assert_eq!(nesting_depth("a < b and c <3 d <", 10), 0);
        assert_eq!(nesting_depth("<div attr='never closed", 10), 0);
        assert_eq!(nesting_depth("<é><ü>", 10), 0);
    }
}
