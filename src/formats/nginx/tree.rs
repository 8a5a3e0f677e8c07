//! The expanded configuration one root file gives nginx: includes spliced in place, every
//! node knowing its parent and the file its bytes live in. A file included from two places
//! appears twice, once under each parent, as it does in nginx.

use super::ast::{DirId, Directive, ParsedFile};
use crate::source::{FileId, Span};
use rustc_hash::FxHashMap;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// The configuration context a block opens (or a fragment file's body is in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Main,
    Http,
    Server,
    Location,
    If,
    Upstream,
    Other,
}

impl Context {
    pub fn of_block(name: &str) -> Context {
        match name {
            "http" => Context::Http,
            "server" => Context::Server,
            "location" => Context::Location,
            "if" => Context::If,
            "upstream" => Context::Upstream,
            _ => Context::Other,
        }
    }
    pub fn parse(s: &str) -> Option<Context> {
        Some(match s.trim() {
            "main" => Context::Main,
            "http" => Context::Http,
            "server" => Context::Server,
            "location" => Context::Location,
            _ => return None,
        })
    }
    /// Blocks whose directives set proxy defaults for the locations inside them.
    pub fn is_proxy_level(self) -> bool {
        matches!(self, Context::Http | Context::Server | Context::Location)
    }
}

#[derive(Debug)]
pub struct Node<'a> {
    pub file: FileId,
    /// `None` only for the synthetic root that stands for the root file's own context.
    pub dir: Option<&'a Directive>,
    /// [`NO_PARENT`] for the root.
    parent: u32,
    /// The children are the nodes from `first_child` on: a block's children are made one
    /// after another (see [`Tree::build_limited`]), so no node needs a list of its own.
    first_child: u32,
    /// The number of children in the low bits, the context in the top [`CONTEXT_BITS`]: a
    /// node is 24 bytes, not 32 (a configuration of 5,000 servers has 120,000 nodes).
    count_and_context: u32,
}

const NO_PARENT: u32 = u32::MAX;
const CONTEXT_BITS: u32 = 4;
const COUNT_MASK: u32 = u32::MAX >> CONTEXT_BITS;
const _: () = assert!(MAX_NODES < COUNT_MASK as usize);
const CONTEXTS: [Context; 7] = [
    Context::Main,
    Context::Http,
    Context::Server,
    Context::Location,
    Context::If,
    Context::Upstream,
    Context::Other,
];

impl Node<'_> {
    fn new(file: FileId, dir: Option<&Directive>, parent: u32, context: Context) -> Node<'_> {
        Node {
            file,
            dir,
            parent,
            first_child: 0,
            count_and_context: (context as u32) << (32 - CONTEXT_BITS),
        }
    }
    /// The configuration context the node's block opens (or a fragment file's body is in).
    pub fn context(&self) -> Context {
        CONTEXTS[(self.count_and_context >> (32 - CONTEXT_BITS)) as usize]
    }
    fn child_count(&self) -> u32 {
        self.count_and_context & COUNT_MASK
    }
}

/// Parsed files of a run, by id; included files are parsed once, however often included.
pub type ParsedFiles = HashMap<FileId, ParsedFile>;

/// Which files each `include` directive pulled in, in nginx's order (sorted glob matches).
pub type IncludeMap = HashMap<(FileId, DirId), Vec<FileId>>;

enum Frame<'a> {
    Dirs(FileId, &'a ParsedFile, std::slice::Iter<'a, DirId>),
    /// The targets of the include directive at `(file, span)`.
    Files((FileId, Span), std::slice::Iter<'a, FileId>),
}

/// Iterator returned by [`Tree::children_named`].
pub enum Named<'s, 'a> {
    Indexed(std::slice::Iter<'s, NodeId>),
    Scan {
        tree: &'s Tree<'a>,
        children: std::slice::Iter<'s, NodeId>,
        name: &'s str,
    },
}

impl Iterator for Named<'_, '_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        match self {
            Named::Indexed(it) => it.next().copied(),
            Named::Scan {
                tree,
                children,
                name,
            } => children.find(|&&c| tree.name(c) == *name).copied(),
        }
    }
}

impl DoubleEndedIterator for Named<'_, '_> {
    fn next_back(&mut self) -> Option<NodeId> {
        match self {
            Named::Indexed(it) => it.next_back().copied(),
            Named::Scan {
                tree,
                children,
                name,
            } => children.rfind(|&&c| tree.name(c) == *name).copied(),
        }
    }
}

pub struct Tree<'a> {
    pub nodes: Vec<Node<'a>>,
    /// `ids[i] == NodeId(i)`: children are handed out as slices of it.
    ids: Vec<NodeId>,
    pub root_file: FileId,
    /// Children by directive name, for blocks too big to scan on every question (an http
    /// block with thousands of servers).
    by_name: FxHashMap<NodeId, FxHashMap<&'a str, Vec<NodeId>>>,
    /// Where building stopped and why: the configuration pulled in more files than
    /// `--max-includes` (a file counts each time it is included), or expanded to more than
    /// [`MAX_NODES`] directives.
    pub limit_hit: Option<(FileId, Span, String)>,
    /// The `include` directives whose files wscfg did not read (not found, outside the
    /// checked directories, unreadable, over a limit), in node order.
    pub unread_includes: Vec<NodeId>,
    /// The files the tree was built from (their template syntax, their syntax errors).
    pub parsed: &'a ParsedFiles,
}

/// Blocks with more children than this get a by-name index.
const INDEX_THRESHOLD: usize = 32;

/// Guards against include explosions that stay under `--max-includes` (large files included
/// many times).
pub const MAX_NODES: usize = 5_000_000;

impl<'a> Tree<'a> {
    pub fn build(
        parsed: &'a ParsedFiles,
        includes: &'a IncludeMap,
        root_file: FileId,
        root_context: Context,
    ) -> Tree<'a> {
        Self::build_limited(
            parsed,
            includes,
            root_file,
            root_context,
            crate::workspace::DEFAULT_MAX_INCLUDES,
        )
    }

    /// [`Tree::build`] splicing at most `max_includes` included files.
    pub fn build_limited(
        parsed: &'a ParsedFiles,
        includes: &'a IncludeMap,
        root_file: FileId,
        root_context: Context,
        max_includes: usize,
    ) -> Tree<'a> {
        let mut spliced = 0usize;
        let mut tree = Tree {
            limit_hit: None,
            unread_includes: Vec::new(),
            parsed,
            nodes: vec![Node::new(root_file, None, NO_PARENT, root_context)],
            ids: Vec::new(),
            root_file,
            by_name: FxHashMap::default(),
        };
        let Some(root) = parsed.get(&root_file) else {
            tree.finish();
            return tree;
        };
        tree.nodes.reserve(root.directives.len());
        // Blocks still to fill: (node, its file, its child directives, the include chain).
        let mut work: Vec<(NodeId, FileId, &'a [DirId], Vec<FileId>)> =
            vec![(NodeId(0), root_file, &root.roots, Vec::new())];
        while let Some((parent, file, dirs, outer_chain)) = work.pop() {
            // Includes are spliced in order right here; nested blocks are deferred to `work`.
            // The files of the `Dirs` frames on this stack are the include chain, so a file
            // including itself (directly or not) is cut off.
            let mut frames: Vec<Frame<'a>> = vec![Frame::Dirs(file, &parsed[&file], dirs.iter())];
            while let Some(frame) = frames.last_mut() {
                match frame {
                    Frame::Files(at, targets) => {
                        let at = *at;
                        let Some(&t) = targets.next() else {
                            frames.pop();
                            continue;
                        };
                        let on_chain = outer_chain.contains(&t)
                            || frames
                                .iter()
                                .any(|fr| matches!(fr, Frame::Dirs(f, _, _) if *f == t));
                        if let (false, Some(p)) = (on_chain, parsed.get(&t)) {
                            if spliced >= max_includes {
                                // Report the include being expanded, then stop splicing.
                                let (f, span) = at;
                                tree.limit_hit.get_or_insert_with(|| {
                                    (f, span, format!(
                                        "this configuration includes more than {max_includes} files \
                                         (a file counts each time it is included; --max-includes): \
                                         the rest were not checked"
                                    ))
                                });
                                frames.pop();
                                continue;
                            }
                            spliced += 1;
                            frames.push(Frame::Dirs(t, p, p.roots.iter()));
                        }
                    }
                    Frame::Dirs(f, p, iter) => {
                        let (f, p) = (*f, *p);
                        let Some(&d) = iter.next() else {
                            frames.pop();
                            continue;
                        };
                        if tree.nodes.len() >= MAX_NODES {
                            tree.limit_hit = Some((
                                f,
                                p.get(d).span(),
                                format!(
                                    "this configuration expands to more than {MAX_NODES} \
                                     directives through its includes: the rest were not checked"
                                ),
                            ));
                            tree.finish();
                            return tree;
                        }
                        let directive = p.get(d);
                        let id = tree.push(parent, f, directive);
                        if let Some(block) = directive.block()
                            && !block.raw
                            && directive.has_children()
                        {
                            let mut chain = outer_chain.clone();
                            chain.extend(frames.iter().filter_map(|fr| match fr {
                                Frame::Dirs(f, _, _) => Some(*f),
                                Frame::Files(..) => None,
                            }));
                            work.push((id, f, p.children(directive), chain));
                        }
                        if directive.name() == "include" {
                            match includes.get(&(f, d)) {
                                Some(targets) => {
                                    frames.push(Frame::Files((f, directive.span()), targets.iter()))
                                }
                                None => tree.unread_includes.push(id),
                            }
                        }
                    }
                }
            }
        }
        tree.finish();
        tree
    }

    fn finish(&mut self) {
        self.ids = (0..self.nodes.len() as u32).map(NodeId).collect();
        self.index_big_blocks();
    }

    fn push(&mut self, parent: NodeId, file: FileId, d: &'a Directive) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        let context = if d.block().is_some() {
            Context::of_block(d.name())
        } else {
            Context::Other
        };
        self.nodes.push(Node::new(file, Some(d), parent.0, context));
        let p = &mut self.nodes[parent.0 as usize];
        if p.child_count() == 0 {
            p.first_child = id.0;
        }
        debug_assert_eq!(
            p.first_child + p.child_count(),
            id.0,
            "a block's children are made together"
        );
        p.count_and_context += 1;
        id
    }

    pub fn root(&self) -> NodeId {
        NodeId(0)
    }
    pub fn node(&self, id: NodeId) -> &Node<'a> {
        &self.nodes[id.0 as usize]
    }
    /// The directive behind a node; the synthetic root has none.
    pub fn dir(&self, id: NodeId) -> Option<&'a Directive> {
        self.node(id).dir
    }
    pub fn name(&self, id: NodeId) -> &'a str {
        self.dir(id).map_or("", |d| d.name())
    }
    pub fn children(&self, id: NodeId) -> &[NodeId] {
        let n = self.node(id);
        &self.ids[n.first_child as usize..][..n.child_count() as usize]
    }
    /// The children of `id` named `name`, in order.
    pub fn children_named<'s>(&'s self, id: NodeId, name: &'s str) -> Named<'s, 'a> {
        let indexed = if self.node(id).child_count() as usize > INDEX_THRESHOLD {
            self.by_name.get(&id)
        } else {
            None
        };
        match indexed {
            Some(index) => Named::Indexed(index.get(name).map_or(&[][..], Vec::as_slice).iter()),
            None => Named::Scan {
                tree: self,
                children: self.children(id).iter(),
                name,
            },
        }
    }

    fn index_big_blocks(&mut self) {
        for i in 0..self.nodes.len() {
            let id = NodeId(i as u32);
            if self.nodes[i].child_count() as usize <= INDEX_THRESHOLD {
                continue;
            }
            let mut index: FxHashMap<&'a str, Vec<NodeId>> = FxHashMap::default();
            for &c in self.children(id) {
                if let Some(d) = self.nodes[c.0 as usize].dir {
                    index.entry(d.name()).or_default().push(c);
                }
            }
            self.by_name.insert(id, index);
        }
    }
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        let parent = self.node(id).parent;
        (parent != NO_PARENT).then_some(NodeId(parent))
    }
    /// The node itself, then its parents up to the root.
    pub fn ancestors(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        std::iter::successors(Some(id), |&n| self.parent(n))
    }
    pub fn is_descendant(&self, id: NodeId, of: NodeId) -> bool {
        self.ancestors(id).any(|a| a == of)
    }
    /// Every node below `id`, depth first, in file order.
    pub fn descendants(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack: Vec<NodeId> = self.children(id).iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(self.children(n).iter().rev());
        }
        out
    }
    pub fn all(&self) -> impl Iterator<Item = NodeId> {
        (0..self.nodes.len() as u32).map(NodeId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_keeps_its_context_and_counts_its_children() {
        for c in CONTEXTS {
            let mut n = Node::new(FileId(7), None, 3, c);
            for _ in 0..1000 {
                n.count_and_context += 1;
            }
            assert_eq!((n.context(), n.child_count(), n.parent), (c, 1000, 3));
        }
        assert_eq!(std::mem::size_of::<Node>(), 24);
    }
}
