//! A map that remembers which of its rows changed since the last save: reads go through
//! `Deref` to the `BTreeMap`; every way to change a row (`get_mut`, `insert`, `remove`,
//! `retain`, `clear`) marks it. The store (`store.rs`) writes the marked rows, each change in
//! one transaction, instead of rewriting everything; the compiler sees to it that no change
//! escapes the mark (there is no `DerefMut`).

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

#[derive(Clone, Debug)]
pub struct Table<K: Ord + Clone, V> {
    rows: BTreeMap<K, V>,
    changed: BTreeSet<K>,
}

impl<K: Ord + Clone, V> Default for Table<K, V> {
    fn default() -> Self {
        Table { rows: BTreeMap::new(), changed: BTreeSet::new() }
    }
}

impl<K: Ord + Clone, V> Deref for Table<K, V> {
    type Target = BTreeMap<K, V>;
    fn deref(&self) -> &BTreeMap<K, V> {
        &self.rows
    }
}

impl<K: Ord + Clone, V> FromIterator<(K, V)> for Table<K, V> {
    /// Rows as loaded: nothing to save.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Table { rows: iter.into_iter().collect(), changed: BTreeSet::new() }
    }
}

impl<K: Ord + Clone, V> Table<K, V> {
    pub fn get_mut<Q>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let key = self.rows.get_key_value(k)?.0.clone();
        self.changed.insert(key);
        self.rows.get_mut(k)
    }

    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        self.changed.insert(k.clone());
        self.rows.insert(k, v)
    }

    pub fn remove<Q>(&mut self, k: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (key, v) = self.rows.remove_entry(k)?;
        self.changed.insert(key);
        Some(v)
    }

    /// Keeps the rows `keep` accepts; the others are removed (and marked).
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        let changed = &mut self.changed;
        self.rows.retain(|k, v| {
            let kept = keep(k, v);
            if !kept {
                changed.insert(k.clone());
            }
            kept
        });
    }

    /// Changes every row `pick` selects with `change`.
    pub fn update_where(&mut self, pick: impl Fn(&V) -> bool, mut change: impl FnMut(&mut V)) {
        for (k, v) in self.rows.iter_mut() {
            if pick(v) {
                change(v);
                self.changed.insert(k.clone());
            }
        }
    }

    pub fn clear(&mut self) {
        let keys: Vec<K> = self.rows.keys().cloned().collect();
        self.changed.extend(keys);
        self.rows.clear();
    }

    /// The keys changed since the last call (each now present, or removed).
    pub fn take_changed(&mut self) -> BTreeSet<K> {
        std::mem::take(&mut self.changed)
    }

    /// Marks keys changed again (a save that failed is tried again with the next one).
    pub fn mark(&mut self, keys: impl IntoIterator<Item = K>) {
        self.changed.extend(keys);
    }

    pub fn has_changes(&self) -> bool {
        !self.changed.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_is_marked_and_reads_are_not() {
        let mut t: Table<String, u32> = [("a".to_string(), 1), ("b".to_string(), 2)].into_iter().collect();
        assert!(!t.has_changes());
        assert_eq!(t.get("a"), Some(&1));
        assert_eq!(t.values().sum::<u32>(), 3);
        assert!(!t.has_changes());
        *t.get_mut("a").unwrap() = 5;
        t.insert("c".into(), 3);
        t.remove("b");
        assert_eq!(t.take_changed().into_iter().collect::<Vec<_>>(), ["a", "b", "c"]);
        t.update_where(|v| *v > 4, |v| *v = 0);
        t.retain(|_, v| *v != 3);
        assert_eq!(t.take_changed().into_iter().collect::<Vec<_>>(), ["a", "c"]);
        assert!(t.get_mut("zzz").is_none());
        assert!(!t.has_changes());
        t.clear();
        assert_eq!(t.take_changed().len(), 1);
    }
}
