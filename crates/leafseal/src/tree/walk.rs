//! The one walker over a [`Doc`] (spec §1.1, §3). Encrypt, decrypt, the MAC and `--extract`
//! all see leaves through it, so path and comment-stack rules live only here.
//!
//! - The path is the list of map keys from the root; list indices never enter it.
//! - Nulls are skipped.
//! - The comment stack: every map or list pushes a frame, a comment appends its text to the
//!   top frame, and any non-comment item clears the top frame afterwards.

use super::{Branch, Comment, Doc, Elem, Item, Node, Value};

/// What the callback sees besides the leaf.
pub struct Ctx<'a> {
    /// Map keys from the root to the leaf.
    pub path: &'a [String],
    /// The comment stack, outermost frame first.
    pub comments: &'a [Vec<String>],
}

/// A leaf handed to the callback.
pub enum Leaf<'a> {
    /// A scalar value in a map.
    Node(&'a mut Node),
    /// A comment in a map.
    Comment(&'a mut Comment),
    /// A scalar or comment element of a list (a callback may turn one into the other).
    Elem(&'a mut Elem),
}

struct Walker<'f, E> {
    path: Vec<String>,
    stack: Vec<Vec<String>>,
    f: &'f mut dyn FnMut(&Ctx, Leaf) -> Result<(), E>,
}

impl<E> Walker<'_, E> {
    fn call(&mut self, leaf: Leaf) -> Result<(), E> {
        let ctx = Ctx {
            path: &self.path,
            comments: &self.stack,
        };
        (self.f)(&ctx, leaf)
    }

    fn push_comment(&mut self, text: &str) {
        if let Some(top) = self.stack.last_mut() {
            top.push(text.to_owned());
        }
    }

    fn clear_top(&mut self) {
        if let Some(top) = self.stack.last_mut() {
            top.clear();
        }
    }

    fn branch(&mut self, b: &mut Branch) -> Result<(), E> {
        self.stack.push(Vec::new());
        let r = self.branch_items(b);
        self.stack.pop();
        r
    }

    /// The items of `b` in the comment frame already on top of the stack.
    fn branch_items(&mut self, b: &mut Branch) -> Result<(), E> {
        for item in &mut b.items {
            match item {
                Item::Comment(c) => {
                    self.push_comment(&c.text);
                    self.call(Leaf::Comment(c))?;
                }
                Item::Pair(k, v) => {
                    self.path.push(k.name.clone());
                    let r = self.node(v);
                    self.path.pop();
                    r?;
                    self.clear_top();
                }
            }
        }
        Ok(())
    }

    fn node(&mut self, n: &mut Node) -> Result<(), E> {
        match &mut n.value {
            Value::Null => Ok(()),
            Value::Map(b) => self.branch(b),
            Value::List(l) => self.list(l),
            _ => self.call(Leaf::Node(n)),
        }
    }

    fn list(&mut self, l: &mut [Elem]) -> Result<(), E> {
        self.stack.push(Vec::new());
        for e in l.iter_mut() {
            match e {
                Elem::Comment(c) => {
                    let text = c.text.clone();
                    self.push_comment(&text);
                    self.call(Leaf::Elem(e))?;
                }
                Elem::Value(n) => {
                    match &mut n.value {
                        Value::Null => {}
                        Value::Map(b) => self.branch(b)?,
                        Value::List(inner) => self.list(inner)?,
                        _ => self.call(Leaf::Elem(e))?,
                    }
                    self.clear_top();
                }
            }
        }
        self.stack.pop();
        Ok(())
    }
}

/// Visit every leaf of every document in order.
pub fn walk_mut<E>(doc: &mut Doc, f: &mut dyn FnMut(&Ctx, Leaf) -> Result<(), E>) -> Result<(), E> {
    walk_mut_from(doc, &[], f)
}

/// Like [`walk_mut`] for one piece of a larger document (see `store::Store::pieces`): the root
/// frame of the comment stack starts with `root_comments`, the comments the earlier pieces
/// left pending there ([`pending_root_comments`]), so rules that look at preceding comments
/// see exactly what a walk of the whole document would.
pub fn walk_mut_from<E>(
    doc: &mut Doc,
    root_comments: &[String],
    f: &mut dyn FnMut(&Ctx, Leaf) -> Result<(), E>,
) -> Result<(), E> {
    let mut w = Walker {
        path: Vec::new(),
        stack: Vec::new(),
        f,
    };
    for b in &mut doc.branches {
        w.stack.push(root_comments.to_vec());
        let r = w.branch_items(b);
        w.stack.pop();
        r?;
    }
    Ok(())
}

/// The root comment frame after walking `b` when it started as `carried`: the comments after
/// the last pair, or everything if the branch holds no pair.
pub fn pending_root_comments(carried: &[String], b: &Branch) -> Vec<String> {
    let last_pair = b.items.iter().rposition(|i| matches!(i, Item::Pair(..)));
    let mut out = match last_pair {
        Some(_) => Vec::new(),
        None => carried.to_vec(),
    };
    let from = last_pair.map_or(0, |p| p + 1);
    for i in &b.items[from..] {
        if let Item::Comment(c) = i {
            out.push(c.text.clone());
        }
    }
    out
}

/// Visit one branch (a single document) in order.
pub fn walk_branch_mut<E>(
    b: &mut Branch,
    f: &mut dyn FnMut(&Ctx, Leaf) -> Result<(), E>,
) -> Result<(), E> {
    let mut w = Walker {
        path: Vec::new(),
        stack: Vec::new(),
        f,
    };
    w.branch(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{Comment, Key};

    #[test]
    fn paths_skip_list_indices_and_nulls() {
        let mut inner = Branch::new();
        inner.push("sub", Value::Str("x".into()));
        let mut root = Branch::new();
        root.items.push(Item::Comment(Comment::new(" top")));
        root.push("a", Value::Int(1));
        root.push("n", Value::Null);
        root.push(
            "l",
            Value::List(vec![
                Elem::Value(Node::new(Value::Bool(true))),
                Elem::Value(Node::new(Value::Map(inner))),
            ]),
        );
        root.items
            .push(Item::Pair(Key::new("z"), Node::new(Value::Float(1.5))));
        let mut doc = Doc {
            branches: vec![root],
        };
        let mut seen = Vec::new();
        walk_mut::<()>(&mut doc, &mut |ctx, leaf| {
            let kind = match leaf {
                Leaf::Comment(_) => "comment",
                Leaf::Node(_) => "node",
                Leaf::Elem(_) => "elem",
            };
            seen.push(format!("{}={}", ctx.path.join(":"), kind));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            ["=comment", "a=node", "l=elem", "l:sub=node", "z=node"]
        );
    }
}
