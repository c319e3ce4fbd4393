//! A small arena DOM: just what the walk needs (tag, a few attributes, text), built by
//! [`crate::prepass`] straight from the tokenizer's token stream.

/// "No node" in the arena's links.
pub const NONE: u32 = u32::MAX;

#[derive(Debug)]
pub enum Kind {
    Root,
    Element {
        name: String,
        attrs: Vec<(&'static str, String)>,
    },
    Text(String),
}

#[derive(Debug)]
pub struct Node {
    pub first_child: u32,
    pub last_child: u32,
    pub next: u32,
    pub kind: Kind,
}

#[derive(Debug)]
pub struct Dom {
    pub nodes: Vec<Node>,
}

impl Default for Dom {
    fn default() -> Self {
        Dom {
            nodes: vec![Node {
                first_child: NONE,
                last_child: NONE,
                next: NONE,
                kind: Kind::Root,
            }],
        }
    }
}

impl Dom {
    /// Appends a node as the last child of `parent`; returns its id.
    pub fn append(&mut self, parent: u32, kind: Kind) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            kind,
        });
        let p = &mut self.nodes[parent as usize];
        let prev = p.last_child;
        p.last_child = id;
        if prev == NONE {
            p.first_child = id;
        } else {
            self.nodes[prev as usize].next = id;
        }
        id
    }

    /// Appends text to `parent`, merging with a trailing text node.
    pub fn append_text(&mut self, parent: u32, text: &str) {
        let last = self.nodes[parent as usize].last_child;
        if last != NONE
            && let Kind::Text(t) = &mut self.nodes[last as usize].kind
        {
            t.push_str(text);
            return;
        }
        self.append(parent, Kind::Text(text.to_string()));
    }

    pub fn children(&self, id: u32) -> Children<'_> {
        Children {
            dom: self,
            next: self.nodes[id as usize].first_child,
        }
    }

    /// The last node of `id`'s subtree. Nodes are numbered in document order, so the subtree
    /// is `id..=last_descendant(id)`.
    pub fn last_descendant(&self, id: u32) -> u32 {
        let mut last = id;
        while let Some(n) = self.nodes.get(last as usize)
            && n.last_child != NONE
        {
            last = n.last_child;
        }
        last
    }

    pub fn name(&self, id: u32) -> Option<&str> {
        match &self.nodes[id as usize].kind {
            Kind::Element { name, .. } => Some(name),
            _ => None,
        }
    }

    pub fn attr(&self, id: u32, key: &str) -> Option<&str> {
        match &self.nodes[id as usize].kind {
            Kind::Element { attrs, .. } => attrs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.as_str()),
            _ => None,
        }
    }

    /// Every node under `id` in document order (iterative: depth is unbounded).
    pub fn descendants(&self, id: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            if n != id {
                out.push(n);
            }
            let mut kids: Vec<u32> = self.children(n).collect();
            kids.reverse();
            stack.extend(kids);
        }
        out
    }

    /// The text under `id`, concatenated.
    pub fn text(&self, id: u32) -> String {
        let mut s = String::new();
        for n in self.descendants(id) {
            if let Kind::Text(t) = &self.nodes[n as usize].kind {
                s.push_str(t);
            }
        }
        s
    }
}

pub struct Children<'a> {
    dom: &'a Dom,
    next: u32,
}

impl Iterator for Children<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        self.next = self.dom.nodes[id as usize].next;
        Some(id)
    }
}
