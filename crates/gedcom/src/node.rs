//! The record tree: a [`Node`] per GEDCOM structure, with its substructures as children.

use std::fmt;

/// A line value: text (CONC/CONT already joined, `@@` already unescaped) or a pointer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// Text. Lines joined by CONT are separated by `\n`.
    Text(String),
    /// A pointer to a record, without the `@` delimiters: `@I1@` is `Pointer("I1")`.
    /// GEDCOM 7's `@VOID@` is `Pointer("VOID")`.
    Pointer(String),
}

impl Value {
    /// The text, or the pointer's xref.
    pub fn as_str(&self) -> &str {
        match self {
            Value::Text(s) | Value::Pointer(s) => s,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(s) => f.write_str(s),
            Value::Pointer(p) => write!(f, "@{p}@"),
        }
    }
}

/// One GEDCOM structure: `level [@xref@] TAG [value]` and its substructures.
///
/// CONC and CONT lines never appear as nodes: they are folded into [`Node::value`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    /// The tag, upper-cased unless it is an extension tag (`_Foo` keeps its case).
    pub tag: String,
    /// The cross-reference id without `@`s (`@I1@ INDI` has `xref == Some("I1")`).
    pub xref: Option<String>,
    /// The value; `None` when the line has none (an empty value is `None` too).
    pub value: Option<Value>,
    /// The 1-based physical line the structure started on (0 for nodes built in code).
    pub line: u32,
    /// Substructures, in file order.
    pub children: Vec<Node>,
}

/// A level-0 node: a record (`HEAD`, `INDI`, `FAM`, `SOUR`, `_CUSTOM`...).
pub type Record = Node;

impl Node {
    /// A node with a tag and nothing else.
    pub fn new(tag: impl Into<String>) -> Node {
        Node { tag: tag.into(), ..Node::default() }
    }

    /// A node with a text value (`None` if `text` is empty).
    pub fn with_text(tag: impl Into<String>, text: impl Into<String>) -> Node {
        let text = text.into();
        Node { tag: tag.into(), value: (!text.is_empty()).then_some(Value::Text(text)), ..Node::default() }
    }

    /// A node pointing at `xref` (given without `@`s).
    pub fn with_pointer(tag: impl Into<String>, xref: impl Into<String>) -> Node {
        Node { tag: tag.into(), value: Some(Value::Pointer(xref.into())), ..Node::default() }
    }

    /// Adds a child and returns `self` (for building trees in code).
    pub fn child_node(mut self, child: Node) -> Node {
        self.children.push(child);
        self
    }

    /// The text value, if the value is text.
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Some(Value::Text(s)) => Some(s),
            _ => None,
        }
    }

    /// The pointer's xref (without `@`s), if the value is a pointer.
    pub fn pointer(&self) -> Option<&str> {
        match &self.value {
            Some(Value::Pointer(p)) => Some(p),
            _ => None,
        }
    }

    /// The first child with this tag.
    pub fn child(&self, tag: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.tag == tag)
    }

    /// All children with this tag.
    pub fn children_tagged<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.tag == tag)
    }

    /// This node and every node below it, depth first in file order, each with its depth below
    /// `self` (0 for `self`). Iterative, so it is safe on any depth.
    pub fn descendants(&self) -> Descendants<'_> {
        Descendants { stack: vec![(self, 0)] }
    }

    /// Number of nodes in this subtree, `self` included.
    pub fn node_count(&self) -> usize {
        self.descendants().count()
    }

    /// Equality of tags, xrefs, values and structure, ignoring line numbers (what a round trip
    /// through the writer must preserve).
    pub fn same_content(&self, other: &Node) -> bool {
        let mut stack = vec![(self, other)];
        while let Some((a, b)) = stack.pop() {
            if a.tag != b.tag || a.xref != b.xref || a.value != b.value || a.children.len() != b.children.len() {
                return false;
            }
            stack.extend(a.children.iter().zip(b.children.iter()));
        }
        true
    }

    /// The first difference between two trees (ignoring line numbers), described for a test
    /// failure message, or `None` when [`Node::same_content`] holds.
    pub fn first_difference(&self, other: &Node) -> Option<String> {
        let mut stack = vec![(self, other, String::new())];
        while let Some((a, b, path)) = stack.pop() {
            let here = format!("{path}/{}", a.tag);
            if a.tag != b.tag {
                return Some(format!("{path}: tag {:?} (line {}) vs {:?} (line {})", a.tag, a.line, b.tag, b.line));
            }
            if a.xref != b.xref {
                return Some(format!("{here} (line {}): xref {:?} vs {:?}", a.line, a.xref, b.xref));
            }
            if a.value != b.value {
                return Some(format!("{here} (line {}): value {:?} vs {:?}", a.line, a.value, b.value));
            }
            if a.children.len() != b.children.len() {
                return Some(format!(
                    "{here} (line {}): {} children vs {}",
                    a.line,
                    a.children.len(),
                    b.children.len()
                ));
            }
            for (x, y) in a.children.iter().zip(b.children.iter()).rev() {
                stack.push((x, y, here.clone()));
            }
        }
        None
    }
}

/// Iterator returned by [`Node::descendants`].
#[derive(Debug)]
pub struct Descendants<'a> {
    stack: Vec<(&'a Node, usize)>,
}

impl<'a> Iterator for Descendants<'a> {
    type Item = (&'a Node, usize);

    fn next(&mut self) -> Option<Self::Item> {
        let (node, depth) = self.stack.pop()?;
        self.stack.extend(node.children.iter().rev().map(|c| (c, depth + 1)));
        Some((node, depth))
    }
}
